"""Notifications from the domain apps' events: a savings receipt to each member present in their
language, STOP honoured, an application's step told, and a failing gateway never undoing the write."""

import datetime
import itertools

import pytest
from django.db import DatabaseError, transaction

from samiti.access.models import Scheme
from samiti.access.services import applications
from samiti.channels.encoding import sms_length
from samiti.channels.models import Message
from samiti.channels.receivers import application_texts, receipt_texts
from samiti.channels.sending import notify
from samiti.channels.services import opt_out, set_language
from samiti.core.models import Channel
from samiti.finance import testing as ft
from samiti.finance.models import SavingsMeeting
from samiti.finance.services.savings import MemberLine
from samiti.registry import testing

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
