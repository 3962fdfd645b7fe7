"""SMS keyword commands in English and Bengali, run through the domain apps' services: every
command, Bengali digits and misspellings, refusals turned into replies, secret ballots kept
secret, and every reply within two SMS segments."""

import datetime
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.access.models import RuleVersion, Scheme
from samiti.channels import services
from samiti.channels.commands import HANDLERS, handle_sms, parse
from samiti.channels.encoding import sms_length
from samiti.channels.models import Contact, Message
from samiti.channels.texts import TEXTS
from samiti.core.bengali import to_bengali_digits
from samiti.core.models import AuditEvent, Channel
from samiti.finance import testing as ft
from samiti.finance.services.savings import MemberLine
from samiti.registry import services as registry
from samiti.registry import testing
from samiti.registry.models import Member
from samiti.voice.models.demands import Demand, DemandEvent, Endorsement
from samiti.voice.models.polls import BallotBox, Poll, Vote, Voter
from samiti.voice.services import demands, polls

pytestmark = pytest.mark.django_db
_ids = itertools.count(1)


def sms(member: Member | None, text: str) -> tuple[str, Message]:
    """Receive `text` from `member` (None: an unknown number) and handle it; return the reply."""
    message = Message.objects.create(
        direction=Message.Direction.IN,
        gateway="console",
        gateway_id=f"in-{next(_ids)}",
        phone=member.phone if member and member.phone else "+8801700000000",
        member=member,
        association_id=member.association_id if member else None,
        text=text,
        kind=Message.Kind.COMMAND,
        status=Message.Status.RECEIVED,
    )
    reply = handle_sms(message)
    message.refresh_from_db()
    assert reply.strip()
    assert sms_length(reply).segments <= 2, reply
    return reply, message


def speaks(member: Member, language: str) -> Member:
    services.set_language(member=member, language=language, channel="sms")
    return member


@pytest.fixture
def group():
    return testing.group()


@pytest.fixture
def member(group):
    return speaks(testing.member(group), "en")


@pytest.fixture
def bengali(group):
    return speaks(testing.member(group, name_bn="রহিমা খাতুন"), "bn")


# ----- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("BAL", "BAL"), ("balance", "BAL"), ("BALANCE", "BAL"), ("BALANS", "BAL"), ("BLA", "BAL"),
        ("ব্যালেন্স", "BAL"), ("ব্যালান্স", "BAL"), ("সঞ্চয়", "BAL"), ("ব্যালেনস", "BAL"),
        ("VOTE", "VOTE"), ("vot", "VOTE"), ("VTOE", "VOTE"), ("ভোট", "VOTE"),
        ("YES", "YES"), ("y", "YES"), ("হ্যাঁ", "YES"), ("হ্যা", "YES"), ("NO", "NO"), ("না", "NO"),
        ("SUPPORT", "SUPPORT"), ("SUPORT", "SUPPORT"), ("suport", "SUPPORT"), ("সমর্থন", "SUPPORT"),
        ("DEMAND", "DEMAND"), ("DEMNAD", "DEMAND"), ("দাবি", "DEMAND"), ("দাবী", "DEMAND"),
        ("SCHEMES", "SCHEMES"), ("SCHEMS", "SCHEMES"), ("প্রকল্প", "SCHEMES"),
        ("MEETING", "MEETING"), ("MEETNG", "MEETING"), ("সভা", "MEETING"),
        ("HELP", "HELP"), ("HLEP", "HELP"), ("সাহায্য", "HELP"),
        ("STOP", "STOP"), ("STPO", "STOP"), ("বন্ধ", "STOP"),
        ("START", "START"), ("STRAT", "START"), ("চালু", "START"),
        ("LANG", "LANG"), ("LANGUAGE", "LANG"), ("ভাষা", "LANG"),
        ("hello there", ""), ("", ""), ("12 1", ""),
    ],
)  # fmt: skip
def test_keywords_are_read_in_either_language_and_through_common_misspellings(text, name):
    assert parse(text).name == name


def test_a_keyword_run_into_its_number_and_bengali_digits_are_read_as_latin():
    assert parse("VOTE12 1").args == ("12", "1")
    assert parse("ভোট ১২ ১").args == ("12", "1")
    assert parse("ভোট১২ ১").name == "VOTE"
    assert parse("  Support\t ৭ ").number() == 7


@given(
    keyword=st.sampled_from(["bal", "vote", "support", "schemes", "meeting", "help", "stop", "lang"]),
    casing=st.lists(st.booleans(), min_size=8, max_size=8),
    before=st.text(" \t\n", max_size=3),
    between=st.text(" \t", min_size=1, max_size=3),
    number=st.integers(0, 10_000),
)
def test_any_casing_or_spacing_of_a_keyword_parses_the_same(keyword, casing, before, between, number):
    typed = "".join(c.upper() if up else c for c, up in zip(keyword, casing, strict=False))
    plain = parse(f"{keyword} {number}")
    assert parse(f"{before}{typed}{between}{number}{before}") == plain
    assert parse(f"{typed} {to_bengali_digits(number)}").args == plain.args
    assert plain.number() == number


@given(st.text(max_size=200))
def test_any_text_parses_without_raising(text):
    command = parse(text)
    assert command.name in {"", *HANDLERS}


# PostgreSQL stores no NUL in text: a gateway's text reaches the commands only once it is stored.
# What a gateway can deliver: no NUL, and no lone surrogate (an HTTP body decodes to neither).
STORABLE = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(STORABLE, max_size=300),
        st.tuples(
            st.sampled_from(["VOTE", "ভোট", "YES", "না", "SUPPORT", "LANG", "DEMAND"]),
            st.text(STORABLE, max_size=30),
        ).map(" ".join),
    )
)
def test_any_text_from_a_member_gets_a_reply_within_two_sms_and_never_an_error(member, text):
    _reply, message = sms(member, text)
    assert message.status in {Message.Status.HANDLED, Message.Status.NEEDS_ACTION}


def test_every_reply_s_wording_fits_two_sms_in_both_languages():
    for key, wordings in TEXTS.items():
        for wording in wordings:
            assert sms_length(wording).segments <= 2, key


# ----- unknown numbers, help and unknown commands ---------------------------------------------------


def test_an_unknown_number_is_told_in_both_languages_to_see_its_group_leader():
    reply, message = sms(None, "BAL")
    assert "group leader" in reply and "দলনেতা" in reply
    assert message.status == Message.Status.HANDLED


def test_help_lists_the_commands_in_the_member_s_language(member, bengali):
    reply, message = sms(member, "help")
    assert "BAL" in reply and "VOTE" in reply and message.status == Message.Status.HANDLED
    reply, _message = sms(bengali, "সাহায্য")
    assert "ব্যালেন্স" in reply and "ভোট ১২ ১" in reply


def test_an_unknown_command_gets_the_help_and_waits_for_a_leader(member, bengali):
    reply, message = sms(member, "when is the rice coming")
    assert reply.startswith("Not understood.") and "BAL" in reply
    assert message.status == Message.Status.NEEDS_ACTION
    reply, message = sms(bengali, "চাল কবে আসবে")
    assert reply.startswith("বুঝিনি।") and message.status == Message.Status.NEEDS_ACTION


# ----- balance -------------------------------------------------------------------------------------


def test_bal_gives_savings_shares_and_the_loan_owed_with_its_due_date(group, member, bengali):
    cycle = ft.cycle(group)  # a share costs Tk 50
    ft.meeting(cycle, ft.START, [MemberLine(member.pk, shares=5), MemberLine(bengali.pk, shares=2)])
    ft.meeting(
        cycle, ft.START + datetime.timedelta(days=7), [MemberLine(member.pk, loan=30000, loan_months=3)]
    )
    reply, message = sms(member, "BALANS")
    assert reply.startswith("Savings Tk 250 (5 shares this cycle). Loan owed Tk 300")
    assert "due 12 Apr 2026" in reply and message.status == Message.Status.HANDLED
    assert sms_length(reply).encoding == "GSM-7"
    reply, _message = sms(bengali, "ব্যালান্স")
    assert reply == "সঞ্চয় ৳১০০ (এই চক্রে ২টি শেয়ার)। কোনো ঋণ নেই।"


def test_bal_without_a_running_cycle_says_so(member):
    reply, _message = sms(member, "bal")
    assert "no savings cycle" in reply


# ----- voting --------------------------------------------------------------------------------------


def _poll(organisation, kind=Poll.Kind.SINGLE, options=("Canal", "Road", "Bridge"), **fields):
    question = fields.pop("question", "What first?")
    poll = polls.create_poll(actor=None, organisation=organisation, question=question, kind=kind,
                             options=list(options), **fields)  # fmt: skip
    return polls.open_poll(actor=None, poll=poll)


def test_vote_records_the_choice_through_voice_and_names_it(group, member):
    poll = _poll(group)
    reply, message = sms(member, f"VOTE {poll.pk} 2")
    assert reply == f"Thank you. Your vote in poll {poll.pk} is recorded: Road."
    vote = Vote.objects.get(poll=poll, member=member)
    assert (vote.choice, vote.channel) == ("2", Channel.SMS)
    assert message.status == Message.Status.HANDLED


def test_vote_in_bengali_with_bengali_digits_and_a_misspelt_keyword(group, bengali):
    poll = _poll(group.parent)  # the association's poll: its members are the group's too
    reply, _message = sms(bengali, f"ভোত {to_bengali_digits(poll.pk)} ৩")
    assert reply.startswith("ধন্যবাদ।") and to_bengali_digits(poll.pk) in reply and "Bridge" in reply
    assert Vote.objects.get(poll=poll, member=bengali).choice == "3"


def test_vote_without_a_choice_lists_the_options_and_a_bad_one_is_refused(group, member):
    poll = _poll(group)
    reply, _message = sms(member, f"vote {poll.pk}")
    assert "1 Canal, 2 Road, 3 Bridge" in reply and f"VOTE {poll.pk}" in reply
    reply, _message = sms(member, f"vote {poll.pk} 7")
    assert reply == f"Poll {poll.pk} has no such option. Its options: 1 Canal, 2 Road, 3 Bridge."
    reply, _message = sms(member, "vote")
    assert "e.g. VOTE 12 1" in reply
    assert not Voter.objects.filter(poll=poll, voted=True).exists()


def test_a_second_vote_or_one_in_a_closed_poll_gets_a_helpful_reply(group, member, bengali):
    poll = _poll(group)
    sms(member, f"VOTE {poll.pk} 1")
    reply, message = sms(member, f"VOTE {poll.pk} 2")
    assert reply == f"You have already voted in poll {poll.pk}. Each member votes once."
    assert message.status == Message.Status.HANDLED
    assert Vote.objects.get(poll=poll, member=member).choice == "1"
    polls.close_poll(actor=None, poll=poll)
    reply, _message = sms(bengali, f"ভোট {poll.pk} ১")
    assert reply == f"ভোট {to_bengali_digits(poll.pk)}-এ এখন ভোট দেওয়া যাবে না।"


def test_a_poll_of_another_group_or_a_draft_is_not_found(member):
    other = _poll(testing.group())
    draft = polls.create_poll(actor=None, organisation=member.group, question="Q?", kind=Poll.Kind.YES_NO)
    for poll in (other, draft):
        reply, _message = sms(member, f"VOTE {poll.pk} 1")
        assert reply.startswith(f"There is no poll {poll.pk} for you.")
    assert not Voter.objects.filter(member=member, voted=True).exists()


def test_yes_and_no_answer_the_latest_open_yes_no_question_not_yet_answered(group, member, bengali):
    older = _poll(group, Poll.Kind.YES_NO, question="Dig a canal?")
    newer = _poll(group.parent, Poll.Kind.YES_NO, question="Join the federation?")
    _poll(group, question="Not a yes/no poll")
    reply, _message = sms(member, "yes")
    assert reply == f"Thank you. Your answer YES to poll {newer.pk} (Join the federation?) is recorded."
    reply, _message = sms(member, "NO")
    assert f"NO to poll {older.pk} (Dig a canal?)" in reply
    reply, _message = sms(member, "YES")
    assert reply == "There is no open yes/no question for you now."
    assert dict(Vote.objects.filter(member=member).values_list("poll_id", "choice")) == {
        newer.pk: "1",
        older.pk: "2",
    }
    single = Poll.objects.get(question="Not a yes/no poll")
    reply, _message = sms(member, f"yes {single.pk}")
    assert reply.startswith(f"Poll {single.pk}: Not a yes/no poll 1 Canal, 2 Road, 3 Bridge. Send VOTE")
    reply, _message = sms(bengali, f"না {to_bengali_digits(older.pk)}")
    assert "উত্তর না" in reply and Vote.objects.get(poll=older, member=bengali).choice == "2"


def test_a_secret_ballot_by_sms_leaves_no_link_from_member_to_choice(group, member, bengali):
    speaks(bengali, "en")
    first = _poll(group, Poll.Kind.YES_NO, secret=True, question="Remove the cashier?")
    second = _poll(group, secret=True)
    replies, audited = {}, AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    for poll, (a, b) in [(first, ("yes", "no")), (second, ("1", "3"))]:
        typed = {member: f"VOTE {poll.pk} {a}", bengali: f"vote {poll.pk} {b}"}
        if poll.kind == Poll.Kind.YES_NO:
            typed = {member: "YES", bengali: "no"}
        for voter, text in typed.items():
            reply, message = sms(voter, text)
            replies.setdefault(poll.pk, set()).add(reply)
            # The text kept with the member's name is the same whatever the choice.
            assert message.text == f"VOTE {poll.pk} ***" and message.encoding == "GSM-7"
    # Each poll's two replies are the same: neither names the choice.
    assert [len(r) for r in replies.values()] == [1, 1]
    assert "secret vote" in replies[first.pk].pop()
    assert not Vote.objects.filter(poll__in=[first, second]).exists()
    assert set(BallotBox.objects.filter(poll=first, count=1).values_list("choice", flat=True)) == {"1", "2"}
    assert set(BallotBox.objects.filter(poll=second, count=1).values_list("choice", flat=True)) == {"1", "3"}
    # Members' own secret ballots leave no audit row at all.
    assert not AuditEvent.objects.filter(object_type="voice.poll", changes={"ballots": [None, 1]}).exists()
    assert not AuditEvent.objects.filter(pk__gt=audited).exists()
    # A refused second ballot keeps no choice either.
    reply, message = sms(member, f"VOTE {second.pk} 2")
    assert "already voted" in reply and message.text == f"VOTE {second.pk} ***"


# ----- demands -------------------------------------------------------------------------------------


def _demand(organisation, title="Repair the canal gate"):
    return demands.raise_demand(actor=None, organisation=organisation, title=title, category="irrigation")


def test_support_endorses_a_demand_by_sms_once(group, member, bengali):
    demand = _demand(group)
    reply, message = sms(member, f"SUPORT {demand.pk}")
    assert reply == f"Thank you. You support demand {demand.pk}: Repair the canal gate."
    assert Endorsement.objects.get(demand=demand, member=member).channel == Channel.SMS
    reply, _message = sms(member, f"support {demand.pk}")
    assert reply == f"You already support demand {demand.pk}."
    reply, _message = sms(bengali, f"সমর্থন {to_bengali_digits(demand.pk)}")
    assert reply.startswith("ধন্যবাদ। আপনি দাবি") and demand.endorsements.count() == 2
    assert message.status == Message.Status.HANDLED


def test_support_of_an_unknown_or_closed_demand_is_refused_with_a_reason(member):
    other = _demand(testing.group())
    reply, _message = sms(member, f"SUPPORT {other.pk}")
    assert reply.startswith(f"There is no demand {other.pk} for you")
    withdrawn = _demand(member.group)
    demands.withdraw_demand(actor=None, demand=withdrawn, reason="Done by the UP already")
    reply, message = sms(member, f"SUPPORT {withdrawn.pk}")
    assert reply.startswith("Not done:") and "no more endorsements" in reply
    assert message.status == Message.Status.HANDLED
    reply, _message = sms(member, "SUPPORT")
    assert "e.g. SUPPORT 7" in reply


def test_demand_raises_one_for_the_leader_to_review_and_waits_in_the_inbox(group, member, bengali):
    reply, message = sms(member, "DEMAND  Deep tubewell for   ward 3")
    demand = Demand.objects.get(raised_by=member)
    assert reply == f"Thank you. Your demand is number {demand.pk}. Your leader will review it."
    assert (demand.title, demand.organisation, demand.status) == (
        "Deep tubewell for ward 3",
        group,
        Demand.Status.RAISED,
    )
    assert message.status == Message.Status.NEEDS_ACTION
    assert AuditEvent.objects.get(object_type="voice.demand", object_id=demand.pk).channel == Channel.SMS
    assert DemandEvent.objects.filter(demand=demand, kind=DemandEvent.Kind.RAISED).exists()
    reply, message = sms(bengali, "দাবি ৩ নম্বর ওয়ার্ডে গভীর নলকূপ")
    demand = Demand.objects.get(raised_by=bengali)
    assert demand.title == "৩ নম্বর ওয়ার্ডে গভীর নলকূপ" and to_bengali_digits(demand.pk) in reply
    reply, message = sms(member, "DEMAND")
    assert "DEMAND and your demand" in reply and message.status == Message.Status.HANDLED


# ----- schemes, meetings ---------------------------------------------------------------------------


def _scheme(code, rule, documents=("national_id", "photo")):
    scheme = Scheme.objects.create(
        code=code, kind=Scheme.Kind.SAFETY_NET, name_en=code.replace("_", " ").title(),
        name_bn=f"{code} প্রকল্প", benefit="cash", documents=list(documents),
    )  # fmt: skip
    RuleVersion.objects.create(scheme=scheme, text=rule, valid_from=datetime.date(2020, 1, 1))
    return scheme


def test_schemes_lists_those_the_member_may_get_with_documents_but_never_a_sensitive_one(member, bengali):
    _scheme("landless_support", "land_owned < 5")
    _scheme("disability_allowance", "has_disability")
    _scheme("big_farmer_loan", "land_owned > 500")
    for person in (member, bengali):
        Member.objects.filter(pk=person.pk).update(land_owned=0, wg_walking=3)
    reply, message = sms(member, "SCHEMS")
    assert reply == "You may qualify for: Landless Support (bring national ID card, passport-size photos)."
    assert message.status == Message.Status.HANDLED
    reply, _message = sms(bengali, "প্রকল্প")
    assert reply.startswith("আপনি পেতে পারেন: landless_support প্রকল্প (আনুন")
    assert "disability" not in reply


def test_schemes_that_do_not_fit_are_counted_and_none_found_is_said(member):
    reply, _message = sms(member, "schemes")
    assert reply == "No scheme found for you now. Ask your leader."
    for n in range(8):
        _scheme(f"scheme_{n}_with_a_rather_long_name", "land_owned < 5")
    Member.objects.filter(pk=member.pk).update(land_owned=0)
    reply, _message = sms(member, "schemes")
    assert "more: ask your leader." in reply


def test_meeting_gives_the_group_s_next_planned_meeting(group, member, bengali):
    reply, _message = sms(member, "MEETING")
    assert reply == "No meeting of your group is planned yet."
    soon = timezone.make_aware(datetime.datetime(2030, 3, 5, 10, 30))
    registry.plan_meeting(actor=None, organisation=group, starts_at=soon, place="School yard")
    registry.plan_meeting(actor=None, organisation=group, starts_at=soon + datetime.timedelta(days=7))
    registry.plan_meeting(
        actor=None, organisation=testing.group(), starts_at=soon - datetime.timedelta(days=7)
    )
    reply, _message = sms(member, "meetng")
    assert reply == "Next meeting: 5 Mar 2030 at 10:30 AM, School yard."
    reply, _message = sms(bengali, "সভা")
    assert reply == "পরের সভা: ৫ মার্চ ২০৩০, সকাল ১০:৩০, School yard।"


# ----- stop, start, language -----------------------------------------------------------------------


def test_stop_then_start_opt_the_member_out_and_back_in(member, bengali):
    reply, _message = sms(member, "STOP")
    assert "Send START" in reply and Contact.objects.get(member=member).opted_out
    reply, _message = sms(member, "start")
    assert "Welcome back" in reply and not Contact.objects.get(member=member).opted_out
    sms(bengali, "বন্ধ")
    assert Contact.objects.get(member=bengali).opted_out
    reply, _message = sms(bengali, "চালু")
    assert reply.startswith("আবার স্বাগতম") and not Contact.objects.get(member=bengali).opted_out


def test_lang_changes_the_language_and_confirms_in_the_new_one(group):
    member = testing.member(group)
    reply, _message = sms(member, "LANG EN")
    assert reply == "Language set to English."
    contact = Contact.objects.get(member=member)
    assert (contact.language, contact.language_chosen) == ("en", True)
    assert sms(member, "help")[0].startswith("Samiti SMS")
    reply, _message = sms(member, "ভাষা বাংলা")
    assert reply == "ভাষা বাংলা করা হয়েছে।" and Contact.objects.get(member=member).language == "bn"
    reply, _message = sms(member, "lang french")
    assert "ভাষা ইংরেজি" in reply and Contact.objects.get(member=member).language == "bn"


# ----- through the gateway's callback ---------------------------------------------------------------


def test_a_secret_vote_by_sms_through_the_africastalking_callback_is_answered_in_bengali(group):
    voter = testing.member(group, phone="01711000009")
    poll = _poll(group, secret=True)
    fields = {"id": "ATXid_9", "text": f" ভোট  {to_bengali_digits(poll.pk)} ২ ", "from": "+8801711000009",
              "to": "16216", "date": "2026-11-30 03:10:00"}  # fmt: skip
    response = Client().post(reverse("channels:sms_inbound", args=["africastalking"]), fields)
    expected = f"ধন্যবাদ। ভোট {to_bengali_digits(poll.pk)}-এ আপনার গোপন ভোট নেওয়া হয়েছে।"
    assert response.json() == {"messages": [{"id": "ATXid_9", "reply": expected}]}
    received = Message.objects.get(direction=Message.Direction.IN, gateway_id="ATXid_9")
    assert (received.member, received.text, received.status) == (voter, f"VOTE {poll.pk} ***", "handled")
    assert Voter.objects.get(poll=poll, member=voter).voted
    assert BallotBox.objects.get(poll=poll, choice="2").count == 1
