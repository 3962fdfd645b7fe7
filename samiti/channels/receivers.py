"""Turns the events the domain apps announce into messages to members.

A savings meeting recorded sends each member present a receipt (what they paid at the meeting,
their savings and what they owe on loans after it); an application's step tells the member the
scheme and where it stands. The wordings are written here in both languages, like the replies in
texts.py, so that a test holds both to two SMS segments.

The events arrive after the write committed. A receiver never breaks the write that announced it:
an error of the channel or the database is logged and the receiver returns. Events recorded
through an import or by the system (demo data, back-filling) send nothing: members hear of what
happens now, not of last year's meetings typed in today.
"""

import datetime
import logging
from typing import Any

from django.db import DatabaseError, transaction
from django.dispatch import receiver

from samiti.channels.errors import ChannelError
from samiti.channels.models import Message
from samiti.channels.sending import notify, sms_taka
from samiti.core.bengali import to_bengali_digits
from samiti.core.events import application_status_changed, savings_meeting_recorded
from samiti.core.models import Channel
from samiti.finance.queries import member_balances, paid_at_meeting
from samiti.registry.models import Member

log = logging.getLogger(__name__)

# Through these channels an event is history being entered, not news.
QUIET = (Channel.IMPORT, Channel.SYSTEM)

RECEIPT = {
    "en": "Savings meeting %(day)s: you paid %(paid)s. Savings now %(savings)s.",
    "bn": "সঞ্চয় সভা %(day)s: আপনি জমা দিলেন %(paid)s। মোট সঞ্চয় %(savings)s।",
}
LOAN = {"en": " Loan owed %(owed)s.", "bn": " ঋণ বাকি %(owed)s।"}
NO_LOAN = {"en": " No loan.", "bn": " কোনো ঋণ নেই।"}

APPLICATION = {
    "en": "Your application for %(scheme)s: %(status)s.",
    "bn": "আপনার %(scheme)s আবেদন: %(status)s।",
}
STATUSES = {
    "identified": ("you may qualify; your leader will help you apply", "আপনি পেতে পারেন; দলনেতা সাহায্য করবেন"),
    "documents_ready": ("documents ready", "কাগজপত্র প্রস্তুত"),
    "submitted": ("submitted", "জমা দেওয়া হয়েছে"),
    "approved": ("approved", "অনুমোদিত হয়েছে"),
    "rejected": ("not approved; ask your leader", "অনুমোদিত হয়নি; দলনেতাকে জিজ্ঞাসা করুন"),
    "receiving": ("you are receiving it", "আপনি সুবিধা পাচ্ছেন"),
    "stopped": ("it has stopped", "সুবিধা বন্ধ হয়েছে"),
}
SCHEME_NAME_LIMIT = 40  # code units of the scheme's name, so the notice stays within two segments


def _day(day: datetime.date, language: str) -> str:
    text = f"{day.day}/{day.month}/{day.year}"
    return to_bengali_digits(text) if language == "bn" else text


def receipt_texts(*, day: datetime.date, paid: int, savings: int, owed: int) -> dict[str, str]:
    """A member's receipt after a savings meeting, in both languages."""
    texts = {}
    for language in ("bn", "en"):
        text = RECEIPT[language] % {
            "day": _day(day, language),
            "paid": sms_taka(paid, language),
            "savings": sms_taka(savings, language),
        }
        loan = LOAN[language] % {"owed": sms_taka(owed, language)} if owed else NO_LOAN[language]
        texts[language] = text + loan
    return texts


@receiver(savings_meeting_recorded, dispatch_uid="channels_savings_receipts")
def send_savings_receipts(sender: Any, savings_meeting: Any, present: list[int], **kwargs: Any) -> None:
    if kwargs.get("channel") in QUIET or not present:
        return
    try:
        members = list(
            Member.objects.filter(pk__in=present).exclude(phone="").select_related("contact").order_by("id")
        )
        if not members:
            return
        group = savings_meeting.cycle.group
        ids = [m.pk for m in members]
        paid = paid_at_meeting(savings_meeting.meeting_id, ids)
        savings = member_balances(group, "member_savings")  # a credit balance: negative
        owed = member_balances(group, "loans_receivable")
        with transaction.atomic():
            for member in members:
                texts = receipt_texts(
                    day=savings_meeting.held_on,
                    paid=paid.get(member.pk, 0),
                    savings=-savings.get(member.pk, 0),
                    owed=owed.get(member.pk, 0),
                )
                notify(member=member, kind=Message.Kind.RECEIPT, texts=texts)
    except (ChannelError, DatabaseError):
        log.exception("Savings receipts of meeting %s were not sent", savings_meeting.pk)


def application_texts(*, scheme: Any, status: str) -> dict[str, str]:
    """The notice of an application's step, in both languages."""
    english, bengali = STATUSES.get(status, (status, status))
    texts = {}
    for language, name, words in (
        ("en", scheme.name_en or scheme.name_bn, english),
        ("bn", scheme.name_bn or scheme.name_en, bengali),
    ):
        if len(name) > SCHEME_NAME_LIMIT:
            name = name[: SCHEME_NAME_LIMIT - 3].rstrip() + "..."
        texts[language] = APPLICATION[language] % {"scheme": name, "status": words}
    return texts


@receiver(application_status_changed, dispatch_uid="channels_application_status")
def tell_application_status(sender: Any, application: Any, status: str, **kwargs: Any) -> None:
    if kwargs.get("channel") in QUIET:
        return
    try:
        texts = application_texts(scheme=application.scheme, status=status)
        notify(member=application.member, kind=Message.Kind.NOTIFICATION, texts=texts)
    except (ChannelError, DatabaseError):
        log.exception("The member of application %s was not told of its step", application.pk)
