"""USSD through Africa's Talking's protocol: sessions in both languages (a balance, a secret vote,
an endorsement, a demand raised), invalid input, paging, an unknown number, the end-of-session
notification, and a walk over every screen of every menu checking that each fits one screen."""

import datetime
import itertools
import re
from collections import deque

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from samiti.access.models import Finding
from samiti.access.services import screening
from samiti.access.tests.test_screening import make_scheme
from samiti.channels import services
from samiti.channels.encoding import fits_ussd_screen
from samiti.channels.models import Contact, UssdSession
from samiti.core.bengali import to_bengali_digits, to_latin_digits
from samiti.core.models import AuditEvent
from samiti.finance import testing as finance_testing
from samiti.finance.services.savings import MemberLine
from samiti.registry import testing
from samiti.registry.models import Meeting, Member
from samiti.voice.models.demands import Demand, Endorsement
from samiti.voice.models.polls import BallotBox, Poll, Vote, Voter
from samiti.voice.services import demands, polls

pytestmark = pytest.mark.django_db

PHONE = "+8801711000001"
URL = "channels:ussd_africastalking"
_sessions = itertools.count(1)

LONG_QUESTION = (
    "Shall the association rent a power tiller for the whole boro season and share its cost "
    "among the groups by the land each member cultivates?"
)
LONG_DEMAND = (
    "The Union Parishad should repair the embankment of the Teesta near the primary school before "
    "the monsoon, so that the fields of the three villages do not flood again this year"
)


@pytest.fixture
def world():
    """A member with savings and a loan, polls of every kind (one secret, one closed), demands of
    the group and the association, schemes from a screening, and the group's next meeting."""
    place = testing.union()
    association = testing.organisation(
        "association",
        testing.organisation("federation", place=place),
        place=place,
        name_en="Kurigram Char Farmers' Development Association",
    )
    group = testing.group(association, place=place)
    me = testing.member(
        group,
        name_en="Mosammat Rahima Khatun Begum",
        name_bn="মোসাম্মৎ রহিমা খাতুন বেগম",
        phone=PHONE,
        birth_year=1950,
        joined_on=finance_testing.START - datetime.timedelta(days=30),
    )
    others = [
        testing.member(group, joined_on=finance_testing.START - datetime.timedelta(days=30)) for _ in range(3)
    ]
    cycle = finance_testing.cycle(group)
    finance_testing.meeting(
        cycle,
        finance_testing.START,
        [MemberLine(member=me.pk, shares=5, social_fund=1000)]
        + [MemberLine(member=m.pk, shares=2, social_fund=1000) for m in others],
    )
    finance_testing.meeting(
        cycle,
        finance_testing.START + datetime.timedelta(days=14),
        [MemberLine(member=me.pk, shares=1, social_fund=1000, loan=20000, loan_months=3)]
        + [MemberLine(member=m.pk, social_fund=1000) for m in others],
    )

    def poll(question, kind=Poll.Kind.YES_NO, options=(), organisation=group, **fields):
        made = polls.create_poll(actor=None, organisation=organisation, question=question, kind=kind,
                                 options=list(options), **fields)  # fmt: skip
        polls.open_poll(actor=None, poll=made)
        return made

    closed = poll("Hold the annual general meeting in the school?")
    for member in [*others, me][:3]:
        polls.cast_vote(poll=closed, member=member, choice=closed.options.get(position=1), channel="web")
    polls.close_poll(actor=None, poll=closed)
    secret = poll("Elect Shahana Akter as cashier of the group?", secret=True)
    single = poll(
        "Which crop should the group sell together this season?",
        Poll.Kind.SINGLE,
        [
            "Aman paddy of the long-grain kind",
            "Jute from the char lands",
            "Maize for poultry feed",
            "Potatoes",
        ],
        organisation=association,
    )
    approval = poll("Which trainings do you want?", Poll.Kind.APPROVAL, ["Seeds", "Compost", "Fish"])
    ranking = poll("Order these works", Poll.Kind.RANKING, ["Canal", "Road", "Bridge"], counting="borda")
    long = poll(LONG_QUESTION, organisation=association)
    demand_list = [
        demands.raise_demand(actor=None, organisation=group, title=f"{LONG_DEMAND} ({n})", category="roads")
        for n in range(1, 4)
    ] + [
        demands.raise_demand(
            actor=None, organisation=association, title=f"Deep tube well for ward {n}", category="irrigation"
        )
        for n in range(1, 6)
    ]
    make_scheme("oaa", "age >= 60", name_en="Old Age Allowance", documents=["national_id", "photo"],
                office="union_parishad")  # fmt: skip
    make_scheme("dis", "has_disability", name_en="Disability Allowance")
    screening.screen(Member.objects.filter(pk=me.pk), timezone.localdate(), None, "one member")
    meeting = Meeting.objects.create(
        organisation=group,
        title="Monthly meeting of the Char Farmers' women's savings group",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        place="Courtyard of Rahima Khatun, north para of the char village",
    )
    return {"me": me, "group": group, "association": association, "closed": closed, "secret": secret,
            "single": single, "approval": approval, "ranking": ranking, "long": long,
            "demands": demand_list, "meeting": meeting, "others": others}  # fmt: skip


def language(member, code):
    services.set_language(member=member, language=code, channel="sms")


def dial(*inputs, session=None, phone=PHONE, client=None):
    """Post like Africa's Talking: every input of the session so far, joined by "*"."""
    response = (client or Client(enforce_csrf_checks=True)).post(
        reverse(URL),
        {
            "sessionId": session or f"ATUid_{next(_sessions)}",
            "serviceCode": "*384*1234#",
            "phoneNumber": phone,
            "networkCode": "47001",
            "text": "*".join(inputs),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text[:4] in ("CON ", "END "), text
    assert fits_ussd_screen(text[4:]), text
    return text


class Session:
    """One session, keypress by keypress, as a member dials it."""

    def __init__(self, phone=PHONE):
        self.id, self.phone, self.inputs = f"ATUid_s{next(_sessions)}", phone, []

    def start(self):
        return dial(session=self.id, phone=self.phone)

    def press(self, key):
        self.inputs.append(key)
        return dial(*self.inputs, session=self.id, phone=self.phone)


# ----- sessions ------------------------------------------------------------------------------


def test_an_unknown_number_is_told_politely_in_both_languages_to_ask_the_group_leader(world):
    text = dial(phone="+8801999999999")
    assert text.startswith("END ") and "group leader" in text
    with translation.override("bn"):
        bengali = translation.gettext("Not registered. Ask your group leader.")
    assert bengali in text
    assert UssdSession.objects.get(phone="+8801999999999").ended_at is not None


def test_a_first_time_member_chooses_bengali_and_it_is_remembered(world):
    session = Session()
    assert "বাংলা" in session.start() and "English" in session.start()
    wrong = session.press("3")
    assert wrong.startswith("CON ") and "বাংলা" in wrong and wrong != session.start()
    text = session.press("১")  # a Bengali digit, as a Bengali keypad types it
    assert text.startswith("CON ") and "১" in text
    contact = Contact.objects.get(member=world["me"])
    assert contact.language == "bn" and contact.language_chosen
    # The same session goes on past the language, though the choice is now remembered.
    assert session.press("৬").startswith("CON ")
    assert "1 My savings and loans" in session.press("২")  # English chosen in the language menu
    assert Contact.objects.get(member=world["me"]).language == "en"
    # A new session goes straight to the main menu.
    assert "বাংলা" not in Session().start()


def test_a_member_checks_savings_and_loan_in_english(world):
    language(world["me"], "en")
    session = Session()
    assert "1 My savings and loans" in session.start()
    text = session.press("1")
    # 6 shares of Tk 50 at two meetings; a loan of Tk 200 given at the second.
    assert "Savings: Tk 300" in text and "Shares this cycle: 6" in text
    assert "Loan owed: Tk 200" in text and "Repay by" in text
    assert text.startswith("CON ") and "00 back" in text
    assert "1 My savings" in session.press("00")


def test_a_member_checks_savings_in_bengali_with_bengali_digits(world):
    language(world["me"], "bn")
    text = dial("1")
    assert "৳৩০০" in text and "৳২০০" in text
    assert not re.search(r"[0-9]", text)


@pytest.mark.parametrize("code", ["en", "bn"])
def test_a_member_votes_in_a_secret_poll_and_the_ballot_cannot_be_traced_to_them(world, code):
    me, secret = world["me"], world["secret"]
    language(me, code)
    box_before = list(
        BallotBox.objects.filter(poll=secret).order_by("id").values_list("id", "choice", "count")
    )
    session = Session()
    session.start()
    keys = _keys_to(["2"], "Elect Shahana")
    for key in keys:
        screen = session.press(key)
    assert "Elect Shahana Akter" in screen and screen.startswith("CON ")
    assert session.press("2").startswith("CON ")  # "No", then confirm
    done = session.press("1")
    assert done.startswith("END ")
    assert Voter.objects.get(poll=secret, member=me).voted
    box = list(BallotBox.objects.filter(poll=secret).order_by("id").values_list("id", "choice", "count"))
    assert [(i, c) for i, c, _n in box] == [(i, c) for i, c, _n in box_before]  # no row added or moved
    assert dict((c, n) for _i, c, n in box) == {"1": 0, "2": 1}
    assert not Vote.objects.filter(poll=secret).exists()
    # Nothing written in the session names the choice: no audit row, no input kept beside the member.
    assert not AuditEvent.objects.filter(object_type="voice.poll", object_id=secret.pk,
                                         changes__has_key="ballots").exists()  # fmt: skip
    row = UssdSession.objects.get(session_id=session.id)
    assert row.member == me and row.last_input == "" and row.ended_at is not None
    # Voting again is not offered.
    with translation.override(code):
        voted = translation.gettext("You have voted. Results when the poll closes.")
    assert voted in _whole(*keys)


def _key_of(screen: str, words: str) -> str:
    """The key of the line holding `words`."""
    for line in screen[4:].splitlines():
        if words in line:
            return line.split(" ", 1)[0]
    raise AssertionError(f"{words!r} not on {screen!r}")


def _whole(*path: str) -> str:
    """Every page of a screen, following "0 more" while it is offered, as one text (a text may
    run on from one page to the next)."""
    screens = [dial(*path)]
    while re.search(r"^[0০] ", screens[-1][4:], re.MULTILINE):
        assert len(screens) < 10, screens
        screens.append(dial(*path, *["0"] * len(screens)))
    return " ".join(
        line for screen in screens for line in screen[4:].splitlines() if not re.match(r"[0০]+ ", line)
    )


def _keys_to(prefix: list[str], words: str) -> list[str]:
    """The keys that choose the line holding `words` on a list: "0 more" until it shows, then its key."""
    zeros: list[str] = []
    while words not in (screen := dial(*prefix, *zeros)):
        assert len(zeros) < 10, screen
        zeros.append("0")
    return [*prefix, *zeros, _key_of(screen, words)]


def test_an_open_poll_records_the_vote_with_the_ussd_channel(world):
    language(world["me"], "en")
    single = world["single"]
    session = Session()
    session.start()
    for key in _keys_to(["2"], "Which crop"):
        session.press(key)
    assert "Your vote: Jute" in session.press("2")
    assert session.press("1").startswith("END ")
    vote = Vote.objects.get(poll=single, member=world["me"])
    assert (vote.choice, vote.channel) == ("2", "ussd")


def test_a_closed_poll_shows_its_results(world):
    language(world["me"], "en")
    text = dial(*_keys_to(["2"], "Hold the annual"))
    assert "Yes: 3" in text and "Decided: Yes" in text


@pytest.mark.parametrize("code", ["en", "bn"])
def test_a_member_endorses_a_demand(world, code):
    me = world["me"]
    language(me, code)
    session = Session()
    session.start()
    listing = session.press("3")
    assert listing.startswith("CON ")
    screen = session.press("2")  # the newest demand (1 raises a new one)
    title = "Deep tube well for ward 5" if code == "en" else to_bengali_digits("Deep tube well for ward 5")
    assert title in screen
    assert session.press("1").startswith("END ")
    endorsement = Endorsement.objects.get(member=me)
    assert endorsement.demand.title == "Deep tube well for ward 5" and endorsement.channel == "ussd"
    assert title in dial("3", "2") and not dial("3", "2", "1").startswith("END ")


@pytest.mark.parametrize("code", ["en", "bn"])
def test_a_member_raises_a_demand_for_the_leader_to_review(world, code):
    me = world["me"]
    language(me, code)
    session = Session()
    session.start()
    session.press("3")
    assert session.press("1").startswith("CON ")
    with translation.override(code):
        too_short = translation.gettext("Too short. Type a few words.")
    assert session.press("no").startswith(f"CON {too_short}\n")
    session.press("Repair the culvert on the school road")
    assert "Repair the culvert" in _whole(*session.inputs)
    assert session.press("1").startswith("END ")
    demand = Demand.objects.get(title="Repair the culvert on the school road")
    assert (demand.raised_by, demand.organisation, demand.status) == (
        me,
        world["group"],
        Demand.Status.RAISED,
    )
    assert AuditEvent.objects.filter(object_type="voice.demand", object_id=demand.pk, channel="ussd").exists()


def test_schemes_show_what_to_bring_and_never_one_whose_rule_reads_disability(world):
    language(world["me"], "en")
    # The member was found eligible for both; the menu leaves the one whose rule reads disability out.
    assert set(Finding.objects.filter(member=world["me"]).values_list("scheme__code", flat=True)) >= {"oaa"}
    listing = dial("4")
    assert "Old Age Allowance" in listing and "Disability" not in listing
    text = dial("4", "1")
    assert "Bring: national ID card, passport-size photos" in text


def test_the_next_meeting_of_the_group_is_shown(world):
    language(world["me"], "en")
    text = dial("5")
    assert "Monthly meeting" in text
    shown = dial("5", "0")
    assert "Courtyard" in text + shown


def test_a_member_changes_language_from_the_menu(world):
    language(world["me"], "en")
    text = dial("6", "1")
    assert text.startswith("CON ") and "১" in text
    assert Contact.objects.get(member=world["me"]).language == "bn"


# ----- invalid input and paging --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        [],  # the main menu
        ["1"],  # an answer screen
        ["2"],  # a list
        ["2", "1"],  # a poll's choice
        ["3"],
        ["3", "2"],  # a demand
        ["4"],
        ["4", "1"],
        ["5"],
        ["6"],
    ],
)
@pytest.mark.parametrize("wrong", ["77", "abc", "", "0*0*0*0*0*0"])
def test_an_invalid_choice_repeats_the_screen_with_a_message_first(world, path, wrong):
    if not path and not wrong:
        return  # no input at all is the session's first keypress: the main menu
    language(world["me"], "en")
    before = dial(*path)
    after = dial(*path, *wrong.split("*"))
    assert after.startswith("CON ")
    if wrong.startswith("0"):
        return  # paging past the last page stays on it, saying so
    assert (
        after.splitlines()[0] == "CON Invalid choice" or "Write the numbers" in after or "no option" in after
    )
    assert before.splitlines()[-1] == after.splitlines()[-1]


def test_a_long_list_pages_with_more_and_back(world):
    language(world["me"], "bn")
    first = dial("3")
    assert "০ " in first  # "0 more", in Bengali
    second = dial("3", "0")
    assert second != first and "০০ " in second
    assert dial("3", "0", "00") == first
    # Keys keep their number on every page: the first key of the second page follows the first's last.
    assert int(to_latin_digits(_keys(second)[0])) == int(to_latin_digits(_keys(first)[-3])) + 1


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        (["2", "2"], 7),  # the member, their contact, the session and its count; the polls, a poll's options
        (["3", "2"], 6),  # ... the demands with their endorsements
        (["4", "1"], 10),  # ... the schemes, their rules and documents, and the facts they read
        (["5"], 6),  # ... the next meeting
        (["1"], 12),  # ... the group, its open cycle and its books as a meeting reads them
    ],
)
def test_a_keypress_takes_a_handful_of_queries(world, path, queries, django_assert_max_num_queries):
    language(world["me"], "en")
    session = Session()
    session.start()
    for key in path[:-1]:
        session.press(key)
    with django_assert_max_num_queries(queries):
        session.press(path[-1])


def test_the_end_of_session_notification_is_recorded(world):
    session = Session()
    session.start()
    session.press("2")
    response = Client().post(
        reverse("channels:ussd_africastalking_end"),
        {"sessionId": session.id, "serviceCode": "*384*1234#", "networkCode": "47001", "phoneNumber": PHONE,
         "status": "Incomplete", "input": "2", "errorMessage": "timeout", "durationInMillis": "30000"},
    )  # fmt: skip
    assert response.status_code == 200
    row = UssdSession.objects.get(session_id=session.id)
    assert row.status == "Incomplete" and row.ended_at is not None and row.screens == 2


def test_a_callback_without_a_session_or_by_get_is_refused(world):
    assert Client().post(reverse(URL), {"text": ""}).status_code == 400
    assert Client().get(reverse(URL)).status_code == 405


# ----- every screen --------------------------------------------------------------------------------

PSEUDO_LETTERS = "অআইঈউঊএঐওঔকখগঘঙচছজঝঞটঠডঢণতথদধনপফবভমযরলশষসহড়ঢ়য়"


def _pseudo_bengali(message: str) -> str:
    """Pseudo-localisation: Bengali letters as long as the English (placeholders kept), so the walk
    also proves the screens fit a future translation as long as the English."""
    parts = re.split(r"(%\(\w+\)[sd]|%[sd])", str(message))
    return "".join(
        part
        if i % 2
        else "".join(PSEUDO_LETTERS[ord(c) % len(PSEUDO_LETTERS)] if c.isalpha() else c for c in part)
        for i, part in enumerate(parts)
    )


def _keys(screen: str) -> list[str]:
    """The keys a screen offers: the number starting each of its lines."""
    keys = []
    for line in screen[4:].splitlines():
        match = re.match(r"([0-9০-৯]+) ", line)
        if match:
            keys.append(match.group(1))
    return keys


@pytest.mark.parametrize("code", ["en", "bn", "bn-pseudo"])
def test_every_screen_of_every_menu_fits_one_screen(world, code, monkeypatch):
    """A breadth-first walk over every choice each screen offers, plus a typed text on each (a
    demand on the demand prompt, an invalid choice elsewhere). "bn-pseudo" stands in for a
    complete Bengali translation: every message as many Bengali letters as it has English ones."""
    if code == "bn-pseudo":
        original = translation._trans.gettext

        def gettext(message):
            found = original(message)
            return _pseudo_bengali(found) if (translation.get_language() or "").startswith("bn") else found

        monkeypatch.setattr(translation._trans, "gettext", gettext)
    language(world["me"], code[:2])
    with translation.override(code[:2]):
        invalid = translation.gettext("Invalid choice")
    seen, queue, screens, latin = set(), deque([()]), 0, []
    typed = "Clean water for the school"
    while queue and screens < 5000:
        path = queue.popleft()
        screen = dial(*path)  # checks CON/END and the screen's limit
        screens += 1
        if Contact.objects.filter(member=world["me"]).exclude(language=code[:2]).exists():
            language(world["me"], code[:2])  # the language menu was used: the walk keeps its language
        elif code == "bn" and re.search(r"[0-9]", screen):
            latin.append(screen)
        if screen.startswith("END ") or screen in seen or len(path) > 8:
            continue
        seen.add(screen)
        if screen[4:].startswith(invalid):
            continue
        for key in dict.fromkeys([*_keys(screen), "0", "00"]):
            queue.append((*path, key))
        queue.append((*path, typed))
    assert not queue, "the walk did not finish"
    assert screens > 300 and len(seen) > 100, (screens, len(seen))
    assert latin == []  # a Bengali screen has Bengali digits only


def test_bengali_digits_and_spaces_around_a_key_are_accepted(world):
    language(world["me"], "en")
    assert dial(" ১ ") == dial("1")
    assert dial("৩", "০") == dial("3", "0")
