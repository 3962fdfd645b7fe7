"""Notifications from the domain apps' events: a savings receipt to each member present in their
language, STOP honoured, an application's step told, a poll's opening and result told to its
register, a commitment fulfilled told to the members behind the demand, large audiences sent in the
background, and a failing gateway never undoing the write."""

import copy
import datetime
import itertools

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samiti.access.models import Scheme
from samiti.access.services import applications
from samiti.channels import broadcasts
from samiti.channels.commands import handle_sms
from samiti.channels.encoding import sms_length
from samiti.channels.models import Message
from samiti.channels.receivers import (
    application_texts,
    commitment_texts,
    poll_opened_texts,
    poll_result_texts,
    receipt_texts,
)
from samiti.channels.sending import notify, outbox
from samiti.channels.services import opt_out, set_language
from samiti.core.models import Channel
from samiti.finance import testing as ft
from samiti.finance.models import SavingsMeeting
from samiti.finance.services.savings import MemberLine
from samiti.registry import services as registry
from samiti.registry import testing
from samiti.registry.models import Authority, Member
from samiti.voice.models import Charter, Response
from samiti.voice.models.polls import Option, Poll
from samiti.voice.services import charters, polls
from samiti.voice.services.demands import endorse_many, raise_demand

pytestmark = pytest.mark.django_db
Status = Message.Status
JOINED = ft.START - datetime.timedelta(days=30)
_phones = itertools.count(1)


def member(group, language: str = "bn", phone: bool = True):
    found = testing.member(group, joined_on=JOINED, phone=f"0171100{next(_phones):04d}" if phone else "")
    if language == "en":
        set_language(member=found, language="en", channel="sms")
    return found


def a_group(last_has_phone: bool = False):
    """A group with a running cycle (share ৳50, social fund ৳10): Bengali, English, an absent
    member and one without a phone (unless asked)."""
    group = testing.group()
    cycle = ft.cycle(group)
    people = {
        "bn": member(group),
        "en": member(group, "en"),
        "absent": member(group),
        "no_phone": member(group, phone=last_has_phone),
    }
    return cycle, people


@pytest.fixture
def group():
    return a_group()


def first_meeting(cycle, people, **options) -> SavingsMeeting:
    lines = [
        MemberLine(people["bn"].pk, shares=2, social_fund=1000),  # pays ৳110
        MemberLine(people["en"].pk, shares=3, social_fund=1000),  # pays ৳160
        MemberLine(people["absent"].pk, present=False),
        MemberLine(people["no_phone"].pk, shares=1, social_fund=1000),
    ]
    return ft.meeting(cycle, ft.START, lines, **options)


def receipts() -> dict[int, Message]:
    return {m.member_id: m for m in Message.objects.filter(kind=Message.Kind.RECEIPT)}


def test_a_savings_meeting_sends_each_member_present_a_receipt_in_their_language(
    group, django_capture_on_commit_callbacks
):
    cycle, people = group
    with django_capture_on_commit_callbacks(execute=True):
        saved = first_meeting(cycle, people)
    sent = receipts()
    assert set(sent) == {people["bn"].pk, people["en"].pk}  # not the absent, not the one without a phone
    bengali, english = sent[people["bn"].pk], sent[people["en"].pk]
    assert bengali.text == "সঞ্চয় সভা ৫/১/২০২৬: আপনি জমা দিলেন ৳১১০। মোট সঞ্চয় ৳১০০। কোনো ঋণ নেই।"
    assert english.text == "Savings meeting 5/1/2026: you paid Tk 160. Savings now Tk 150. No loan."
    assert (english.encoding, english.segments) == ("GSM-7", 1)
    assert bengali.encoding == "UCS-2"
    for message in (bengali, english):
        assert message.status == Status.SENT and message.gateway_id == f"console-{message.pk}"
        assert message.association_id == saved.association_id and message.phone == message.member.phone


def test_a_receipt_tells_the_loan_owed_after_the_meeting(group, django_capture_on_commit_callbacks):
    cycle, people = group
    first_meeting(cycle, people)
    lines = [
        MemberLine(people["en"].pk, shares=1, loan=20000, loan_months=3),
        MemberLine(people["bn"].pk, shares=1),
        MemberLine(people["absent"].pk, present=False),
        MemberLine(people["no_phone"].pk, present=False),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        ft.meeting(cycle, ft.START + datetime.timedelta(days=7), lines)
    sent = receipts()
    assert sent[people["en"].pk].text == (
        "Savings meeting 12/1/2026: you paid Tk 50. Savings now Tk 200. Loan owed Tk 200."
    )
    assert sent[people["bn"].pk].text.endswith("মোট সঞ্চয় ৳১৫০। কোনো ঋণ নেই।")


def test_a_member_who_sent_stop_gets_no_receipt_and_the_skip_is_kept(
    group, django_capture_on_commit_callbacks
):
    cycle, people = group
    opt_out(member=people["bn"], channel="sms")
    with django_capture_on_commit_callbacks(execute=True):
        first_meeting(cycle, people)
    skipped = receipts()[people["bn"].pk]
    assert skipped.status == Status.SKIPPED and skipped.gateway_id == ""
    assert receipts()[people["en"].pk].status == Status.SENT


def test_a_meeting_recorded_by_the_system_or_an_import_sends_no_receipts(
    group, django_capture_on_commit_callbacks
):
    cycle, people = group
    with django_capture_on_commit_callbacks(execute=True):
        first_meeting(cycle, people, channel=Channel.SYSTEM)
    assert not receipts()


def test_receipts_and_notices_fit_two_segments_in_both_languages_at_their_longest():
    long_name = "বয়স্ক ভাতা (Old Age Allowance for the elderly poor of the union)" * 2
    scheme = Scheme(name_en=long_name, name_bn=long_name)
    texts = [
        *receipt_texts(
            day=datetime.date(2026, 12, 30), paid=99_999_999_99, savings=99_999_999_99, owed=99_999_999_99
        ).values(),
        *(
            text
            for status in applications.Status.values
            for text in application_texts(scheme=scheme, status=status).values()
        ),
    ]
    for text in texts:
        assert sms_length(text).segments <= 2, text


def test_notify_sends_nothing_to_a_member_without_a_phone():
    assert notify(member=testing.member(), kind="notification", texts={"bn": "ক", "en": "a"}) is None
    assert not Message.objects.exists()


# ----- applications --------------------------------------------------------------------------------


def test_an_application_step_tells_the_member_the_scheme_and_its_status_in_their_language(
    django_capture_on_commit_callbacks,
):
    group = testing.group()
    bengali, english = member(group), member(group, "en")
    scheme = Scheme.objects.create(
        code="old-age",
        name_en="Old Age Allowance",
        name_bn="বয়স্ক ভাতা",
        kind=Scheme.Kind.SAFETY_NET,
        benefit=Scheme.Benefit.CASH,
        benefit_en="Tk 600 a month",
    )
    with django_capture_on_commit_callbacks(execute=True):
        application = applications.identify(actor=None, member=english, scheme=scheme)
        applications.identify(actor=None, member=bengali, scheme=scheme)
    with django_capture_on_commit_callbacks(execute=True):
        applications.mark_documents_ready(actor=None, application=application)
    told = list(
        Message.objects.filter(kind=Message.Kind.NOTIFICATION).order_by("id").values_list("member", "text")
    )
    assert told == [
        (
            english.pk,
            "Your application for Old Age Allowance: you may qualify; your leader will help you apply.",
        ),
        (bengali.pk, "আপনার বয়স্ক ভাতা আবেদন: আপনি পেতে পারেন; দলনেতা সাহায্য করবেন।"),
        (english.pk, "Your application for Old Age Allowance: documents ready."),
    ]


# ----- a failing gateway ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_fails_the_receipts_but_never_the_meeting(settings):
    settings.SMS_GATEWAY = "generic_json"
    settings.GENERIC_SMS_URL = "http://127.0.0.1:9/send"  # nothing listens on the discard port
    cycle, people = a_group(last_has_phone=True)
    assert not transaction.get_connection().in_atomic_block  # the meeting truly commits, then the receipts go
    saved = first_meeting(cycle, people)
    assert SavingsMeeting.objects.filter(pk=saved.pk).exists()
    outbox.wait(timeout=10)  # the receipts are handed to the gateway on the outbox's threads
    sent = receipts()
    assert len(sent) == 3  # bn, en and the last member, who has a phone here
    assert {m.status for m in sent.values()} == {Status.FAILED}
    assert all(m.error for m in sent.values())


def test_an_unknown_gateway_in_the_settings_fails_the_receipts_with_the_reason(
    group, settings, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY = "pigeon"
    cycle, people = group
    with django_capture_on_commit_callbacks(execute=True):
        first_meeting(cycle, people)
    assert {(m.status, m.error) for m in receipts().values()} == {
        (Status.FAILED, "There is no SMS gateway called “pigeon”.")
    }


def test_a_database_error_while_writing_receipts_is_logged_and_the_meeting_stands(
    group, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise DatabaseError("the disk is full")

    monkeypatch.setattr("samiti.channels.receivers.notify", broken)
    cycle, people = group
    with django_capture_on_commit_callbacks(execute=True):
        saved = first_meeting(cycle, people)
    assert SavingsMeeting.objects.filter(pk=saved.pk).exists() and not receipts()
    assert "were not sent" in caplog.text and "the disk is full" in caplog.text


# ----- polls ---------------------------------------------------------------------------------------

CLOSES = timezone.make_aware(datetime.datetime(2030, 12, 30, 17, 0))


def notices(topic: str) -> dict[int, Message]:
    return {m.member_id: m for m in Message.objects.filter(topic=topic)}


@pytest.fixture
def register():
    """A group's members: Bengali, English, one who sent STOP, one without a phone; and a member
    of another group of the same association, who is on no register of this group."""
    group = testing.group()
    people = {
        "bn": member(group),
        "en": member(group, "en"),
        "stopped": member(group),
        "no_phone": member(group, phone=False),
    }
    opt_out(member=people["stopped"], channel="sms")
    people["elsewhere"] = member(testing.group(group.parent))
    return group, people


def a_poll(group, kind=Poll.Kind.YES_NO, **fields) -> Poll:
    fields.setdefault("question", "নতুন খাল খনন হবে?")
    return polls.create_poll(actor=None, organisation=group, kind=kind, quorum_percent=50, **fields)


def test_an_opened_poll_tells_its_register_how_to_vote_in_their_language(
    register, django_capture_on_commit_callbacks
):
    group, people = register
    poll = a_poll(group, closes_at=CLOSES)
    with django_capture_on_commit_callbacks(execute=True):
        polls.open_poll(actor=None, poll=poll)
    told = notices(f"poll-opened:{poll.pk}")
    assert set(told) == {people["bn"].pk, people["en"].pk, people["stopped"].pk}
    n = poll.pk
    assert told[people["bn"].pk].text == (
        f"ভোট {n} চালু: নতুন খাল খনন হবে? উত্তর দিন: ভোট {n} হ্যাঁ অথবা ভোট {n} না। শেষ দিন ৩০/১২/২০৩০।"
    )
    assert told[people["en"].pk].text == (
        f"Poll {n} is open: নতুন খাল খনন হবে? Reply VOTE {n} YES or VOTE {n} NO. Closes 30/12/2030."
    )
    assert told[people["bn"].pk].status == told[people["en"].pk].status == Status.SENT
    assert told[people["stopped"].pk].status == Status.SKIPPED and told[people["stopped"].pk].gateway_id == ""
    assert told[people["bn"].pk].association_id == group.parent_id


def test_the_way_to_vote_a_notice_gives_is_one_the_sms_commands_take(register):
    group, people = register
    poll = a_poll(group)
    polls.open_poll(actor=None, poll=poll)
    texts = poll_opened_texts(poll)
    for person, language, typed in (
        (people["bn"], "bn", f"ভোট {poll.pk} হ্যাঁ"),
        (people["en"], "en", f"VOTE {poll.pk} NO"),
    ):
        assert typed in texts[language]
        inbound = Message.objects.create(
            direction=Message.Direction.IN,
            gateway="console",
            gateway_id=f"in-{person.pk}",
            phone=person.phone,
            member=person,
            text=typed,
            kind=Message.Kind.COMMAND,
            status=Status.RECEIVED,
        )
        handle_sms(inbound)
    assert polls.tallies(poll) == {"1": 1, "2": 1}


def test_a_choice_poll_says_how_to_see_its_options_and_the_ussd_code_when_there_is_one(register, settings):
    group, _people = register
    settings.USSD_CODE = "*384*1234#"
    poll = a_poll(group, kind=Poll.Kind.SINGLE, options=["Canal", "Road"], question="What first?")
    polls.open_poll(actor=None, poll=poll)
    assert poll_opened_texts(poll) == {
        "en": f"Poll {poll.pk} is open: What first? Send VOTE {poll.pk} for its options or dial *384*1234#.",
        "bn": f"ভোট {poll.pk} চালু: What first? বিকল্প জানতে লিখুন: ভোট {poll.pk} অথবা ডায়াল করুন *384*1234#।",
    }


def test_a_poll_opened_by_the_system_or_rolled_back_tells_nobody(
    register, django_capture_on_commit_callbacks
):
    group, _people = register
    quiet, undone = a_poll(group), a_poll(group)
    with django_capture_on_commit_callbacks(execute=True):
        polls.open_poll(actor=None, poll=quiet, channel=Channel.SYSTEM)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        polls.open_poll(actor=None, poll=undone)
        raise RuntimeError("the page failed after opening it")
    assert not Message.objects.exists()


def test_a_closed_poll_tells_its_register_the_result_and_the_turnout(
    register, django_capture_on_commit_callbacks
):
    group, people = register
    poll = a_poll(group)
    polls.open_poll(actor=None, poll=poll)
    yes, no = Option.objects.filter(poll=poll).order_by("position")
    polls.cast_vote(poll=poll, member=people["bn"], choice=yes, channel="sms")
    polls.cast_vote(poll=poll, member=people["en"], choice=yes, channel="sms")
    polls.cast_vote(poll=poll, member=people["no_phone"], choice=no, channel="web", actor=None)
    Message.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        polls.close_poll(actor=None, poll=poll)
    told = notices(f"poll-result:{poll.pk}")
    assert set(told) == {people["bn"].pk, people["en"].pk, people["stopped"].pk}
    n = poll.pk
    assert told[people["en"].pk].text == (
        f"Poll {n} closed: নতুন খাল খনন হবে? Result: YES (2 yes, 1 no). Turnout 3 of 4."
    )
    assert told[people["bn"].pk].text == (
        f"ভোট {n} শেষ: নতুন খাল খনন হবে? ফল: হ্যাঁ (হ্যাঁ ২, না ১)। ভোট দিয়েছেন ৪ জনের ৩ জন।"
    )
    assert told[people["stopped"].pk].status == Status.SKIPPED


def test_a_secret_poll_result_names_the_winner_and_a_poll_short_of_its_quorum_decides_nothing(register):
    group, people = register
    secret = a_poll(
        group, kind=Poll.Kind.SINGLE, options=["Canal", "Road"], secret=True, question="What first?"
    )
    polls.open_poll(actor=None, poll=secret)
    canal, road = Option.objects.filter(poll=secret).order_by("position")
    for person, choice in ((people["bn"], canal), (people["en"], canal), (people["stopped"], road)):
        polls.cast_vote(poll=secret, member=person, choice=choice, channel="sms")
    polls.close_poll(actor=None, poll=secret)
    texts = poll_result_texts(secret, polls.results(secret))
    assert texts["en"] == f"Poll {secret.pk} closed: What first? Result: Canal. Turnout 3 of 4."
    assert texts["bn"] == f"ভোট {secret.pk} শেষ: What first? ফল: Canal। ভোট দিয়েছেন ৪ জনের ৩ জন।"
    few = a_poll(group)
    polls.open_poll(actor=None, poll=few)
    polls.close_poll(actor=None, poll=few)
    texts = poll_result_texts(few, polls.results(few))
    assert texts["en"].endswith("No decision: too few voted. Turnout 0 of 4.")
    assert "সিদ্ধান্ত হয়নি: কোরাম পূরণ হয়নি।" in texts["bn"]


def test_a_large_register_is_written_in_bulk_and_sent_by_the_background_task(
    register, monkeypatch, django_capture_on_commit_callbacks
):
    group, people = register
    monkeypatch.setattr(broadcasts, "SMALL_NOTICE", 1)  # two messages to send: a large notice here
    poll = a_poll(group)
    with django_capture_on_commit_callbacks(execute=True):
        polls.open_poll(actor=None, poll=poll)
    topic = f"poll-opened:{poll.pk}"
    task = DBTaskResult.objects.get()
    assert task.task_path == "samiti.channels.broadcasts.send_notices"
    assert task.args_kwargs == {"args": [topic], "kwargs": {}}
    assert {m.status for m in notices(topic).values()} == {Status.QUEUED, Status.SKIPPED}
    pauses = []
    assert broadcasts.run_notices(topic, clock=lambda: 0.0, sleep=pauses.append, rate=2) == 2
    assert pauses == [0.5]  # the second message waited its turn at two a second
    assert broadcasts.run_notices(topic) == 0  # run again: nobody twice
    told = notices(topic)
    assert told[people["bn"].pk].status == told[people["en"].pk].status == Status.SENT


def test_a_notice_left_queued_by_a_crash_is_sent_by_the_resume(
    register, monkeypatch, django_capture_on_commit_callbacks
):
    group, people = register
    monkeypatch.setattr(broadcasts, "SMALL_NOTICE", 1)
    poll = a_poll(group)
    with django_capture_on_commit_callbacks() as announced:
        polls.open_poll(actor=None, poll=poll)
    (announce,) = announced
    announce()  # the messages are written, but their task never runs: as if the worker died
    topic = f"poll-opened:{poll.pk}"
    waiting = {people["bn"].pk, people["en"].pk}
    assert {pk for pk, m in notices(topic).items() if m.status == Status.QUEUED} == waiting
    assert broadcasts.resume_broadcasts() == []
    assert {pk for pk, m in notices(topic).items() if m.status == Status.SENT} == waiting
    broadcasts.tell_members(  # written again: nobody is told twice
        members=Member.objects.filter(group=group),
        topic=topic,
        kind="notification",
        texts={"bn": "ক", "en": "a"},
    )
    assert Message.objects.filter(topic=topic).count() == 3  # two sent, one skipped (STOP)
    assert broadcasts.resume_notices() == []


# ----- commitments ---------------------------------------------------------------------------------


@pytest.fixture
def commitment():
    """A commitment of a Union Parishad on a demand raised by one member and endorsed by two others
    (one English-speaking); a member who did neither."""
    group = testing.group()
    association = group.parent
    people = {
        "raiser": member(group),
        "bn": member(group),
        "en": member(group, "en"),
        "bystander": member(group),
    }
    parishad = registry.save_authority(
        actor=None, kind=Authority.Kind.UNION_PARISHAD, code="UP-9", name_en="Char Union Parishad",
        name_bn="চর ইউনিয়ন পরিষদ", area=association.area,
    )  # fmt: skip
    demand = raise_demand(
        actor=None,
        organisation=association,
        title="খাল পুনঃখনন",
        category="irrigation",
        raised_by=people["raiser"],
    )
    endorse_many(actor=None, demand=demand, members=[people["bn"], people["en"]], channel=Channel.WEB)
    charter = charters.create_charter(
        actor=None, organisation=association, authority=parishad, subject="দাবিনামা", demands=[demand]
    )
    day = datetime.date(2026, 3, 1)
    charter = charters.submit_charter(
        actor=None, charter=charter, submitted_on=day, method=Charter.Method.LETTER,
        to_name="Chairman", today=day,
    )  # fmt: skip
    promised = charters.record_response(
        actor=None, item=charter.items.get(), kind=Response.Kind.COMMITTED, responded_on=day,
        official_name="Chairman", what="Re-dig the canal", due_on=datetime.date(2026, 6, 30), today=day,
    ).commitment  # fmt: skip
    return promised, people


def test_a_commitment_fulfilled_tells_the_members_who_raised_and_endorsed_the_demand(
    commitment, django_capture_on_commit_callbacks
):
    promised, people = commitment
    follow = {"actor": None, "commitment": promised, "today": datetime.date(2026, 8, 1), "note": "Dug."}
    with django_capture_on_commit_callbacks(execute=True):
        charters.follow_up_commitment(**follow, on=datetime.date(2026, 5, 1))  # in progress: no news
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        charters.follow_up_commitment(**follow, on=datetime.date(2026, 7, 5), outcome="partly_fulfilled")
    with django_capture_on_commit_callbacks(execute=True):
        charters.follow_up_commitment(**follow, on=datetime.date(2026, 7, 30), outcome="fulfilled")
    partly = notices(f"commitment:{promised.pk}:partly_fulfilled")
    fully = notices(f"commitment:{promised.pk}:fulfilled")
    backers = {people["raiser"].pk, people["bn"].pk, people["en"].pk}
    assert set(partly) == set(fully) == backers
    assert fully[people["en"].pk].text == (
        'Good news: Char Union Parishad has fulfilled its commitment on your demand "খাল পুনঃখনন" (30/7/2026).'
    )
    assert (
        fully[people["raiser"].pk].text == 'সুখবর: চর ইউনিয়ন পরিষদ আপনার দাবি "খাল পুনঃখনন" পূরণ করেছে (৩০/৭/২০২৬)।'
    )
    assert partly[people["bn"].pk].text == (
        'চর ইউনিয়ন পরিষদ আপনার দাবি "খাল পুনঃখনন" আংশিক পূরণ করেছে (৫/৭/২০২৬)। বাকিটা নেতারা দেখছেন।'
    )
    assert {m.status for m in [*partly.values(), *fully.values()]} == {Status.SENT}


def test_a_commitment_broken_or_followed_up_by_the_system_sends_nothing(
    commitment, django_capture_on_commit_callbacks
):
    promised, _people = commitment
    follow = {"actor": None, "commitment": promised, "today": datetime.date(2026, 8, 1), "note": "Checked."}
    with django_capture_on_commit_callbacks(execute=True):
        charters.follow_up_commitment(**follow, on=datetime.date(2026, 7, 5), outcome="partly_fulfilled",
                                      channel=Channel.SYSTEM)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        charters.follow_up_commitment(**follow, on=datetime.date(2026, 7, 30), outcome="broken")
    assert not Message.objects.exists()


def test_poll_and_commitment_notices_fit_two_segments_at_their_longest(register, settings):
    group, _people = register
    settings.USSD_CODE = "*384*1234*99#"
    longest = "আমাদের গ্রামের খালটি কি আগামী বর্ষার আগেই পুনঃখনন করা হবে, এবং খরচ কে দেবে? " * 5
    poll = a_poll(group, question=longest[:300], closes_at=CLOSES)
    polls.open_poll(actor=None, poll=poll)
    choice = a_poll(group, kind=Poll.Kind.SINGLE, question=longest[:300], options=["ক" * 200, "খ" * 200])
    polls.open_poll(actor=None, poll=choice)
    polls.close_poll(actor=None, poll=poll)
    polls.close_poll(actor=None, poll=choice)
    numbered = copy.copy(poll)
    numbered.pk = 9_999_999  # a poll number of seven digits
    tied = polls.results(choice)
    tied.quorum_met, tied.tie, tied.counts = True, True, dict.fromkeys(tied.counts, 0)
    authority = Authority(name_en="Upazila Agriculture Office of the Sadar Upazila, Gaibandha District" * 3,
                          name_bn="উপজেলা কৃষি অফিস, সদর উপজেলা, গাইবান্ধা জেলা" * 4)  # fmt: skip
    texts = [
        *poll_opened_texts(numbered).values(),
        *poll_opened_texts(choice).values(),
        *poll_result_texts(poll, polls.results(poll)).values(),
        *poll_result_texts(choice, tied).values(),
        *(
            text
            for outcome in ("fulfilled", "partly_fulfilled")
            for text in commitment_texts(
                demand=type("D", (), {"title": longest[:200]}),
                authority=authority,
                outcome=outcome,
                on=datetime.date(2026, 12, 30),
            ).values()
        ),
    ]
    for text in texts:
        assert sms_length(text).segments <= 2, text
    assert "..." in texts[0] and "ফল: সমান ভোট, " in texts[-5]
