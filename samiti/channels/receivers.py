"""Turns the events the domain apps announce into messages to members.

A savings meeting recorded sends each member present a receipt (what they paid at the meeting,
their savings and what they owe on loans after it); an application's step tells the member the
scheme and where it stands. A poll opened tells its register how to vote, a poll closed its
result; a commitment fulfilled (or partly) tells the members who raised or endorsed the demand.
The wordings are written here in both languages, like the replies in texts.py, so that a test
holds both to two SMS segments.

A poll's register may be 20,000 members: those events are written in bulk and sent in the
background (`broadcasts.tell_members`), once per member and event.

The events arrive after the write committed. A receiver never breaks the write that announced it:
an error of the channel or the database is logged and the receiver returns. Events recorded
through an import or by the system (demo data, back-filling) send nothing: members hear of what
happens now, not of last year's meetings typed in today.
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from samiti.channels.broadcasts import tell_members
from samiti.channels.encoding import clip, sms_length
from samiti.channels.errors import ChannelError
from samiti.channels.models import Message
from samiti.channels.sending import notify, sms_taka
from samiti.core.bengali import to_bengali_digits
from samiti.core.events import (
    application_status_changed,
    commitment_fulfilled,
    poll_closed,
    poll_opened,
    savings_meeting_recorded,
)
from samiti.core.models import Channel
from samiti.finance.queries import member_balances, paid_at_meeting
from samiti.registry.models import Member
from samiti.voice.errors import VoiceError
from samiti.voice.models import Demand
from samiti.voice.models.demands import Endorsement
from samiti.voice.models.polls import Option, Poll, Voter
from samiti.voice.services.polls import PollResult, results

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


def sms_day(day: datetime.date, language: str) -> str:
    text = f"{day.day}/{day.month}/{day.year}"
    return to_bengali_digits(text) if language == "bn" else text


def receipt_texts(*, day: datetime.date, paid: int, savings: int, owed: int) -> dict[str, str]:
    """A member's receipt after a savings meeting, in both languages."""
    texts = {}
    for language in ("bn", "en"):
        text = RECEIPT[language] % {
            "day": sms_day(day, language),
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
        texts[language] = APPLICATION[language] % {"scheme": clip(name, SCHEME_NAME_LIMIT), "status": words}
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


# ----- texts that must fit -------------------------------------------------------------------------

SEGMENTS = 2  # a notice is at most this many SMS segments


def fitted(wording: str, parts: dict[str, Any], field: str, value: str) -> str:
    """`wording` filled with `parts` and `field` = `value`, the value cut short (with "...") until
    the text fits two segments; cut to nothing, left out."""
    text = wording % {**parts, field: value}
    cut = len(value)
    while sms_length(text).segments > SEGMENTS and cut > 0:
        cut -= 1
        short = value[:cut].rstrip()
        text = wording % {**parts, field: short + "..." if short else ""}
    return text


def short_name(row: Any, language: str, limit: int = 40) -> str:
    """A bilingual name (an authority's, an organisation's) in `language`, at most `limit` long."""
    name = (row.name_bn or row.name_en) if language == "bn" else (row.name_en or row.name_bn)
    return clip(name, limit)


def _number(value: int, language: str) -> str:
    return to_bengali_digits(str(value)) if language == "bn" else str(value)


def _register(poll: Poll) -> Any:
    """The active members on a poll's register."""
    return Member.objects.filter(is_active=True, pk__in=Voter.objects.filter(poll=poll).values("member_id"))


# ----- polls ---------------------------------------------------------------------------------------

POLL_OPENED = {
    "en": "Poll %(poll)s is open: %(question)s %(how)s%(ussd)s.%(closes)s",
    "bn": "ভোট %(poll)s চালু: %(question)s %(how)s%(ussd)s।%(closes)s",
}
# The poll's number stays in Latin digits: it is what the member types back.
HOW_YES_NO = {
    "en": "Reply VOTE %(poll)s YES or VOTE %(poll)s NO",
    "bn": "উত্তর দিন: ভোট %(poll)s হ্যাঁ অথবা ভোট %(poll)s না",
}
HOW_CHOOSE = {"en": "Send VOTE %(poll)s for its options", "bn": "বিকল্প জানতে লিখুন: ভোট %(poll)s"}
DIAL = {"en": " or dial %(code)s", "bn": " অথবা ডায়াল করুন %(code)s"}
CLOSES = {"en": " Closes %(day)s.", "bn": " শেষ দিন %(day)s।"}


def poll_opened_texts(poll: Poll) -> dict[str, str]:
    """The notice of a poll opened, in both languages: its number, question, how to vote, its end."""
    code = settings.USSD_CODE
    texts = {}
    for language in ("bn", "en"):
        how = (HOW_YES_NO if poll.kind == Poll.Kind.YES_NO else HOW_CHOOSE)[language] % {"poll": poll.pk}
        closes = ""
        if poll.closes_at is not None:
            closes = CLOSES[language] % {"day": sms_day(timezone.localdate(poll.closes_at), language)}
        parts = {
            "poll": poll.pk,
            "how": how,
            "ussd": DIAL[language] % {"code": code} if code else "",
            "closes": closes,
        }
        texts[language] = fitted(POLL_OPENED[language], parts, "question", poll.question)
    return texts


POLL_RESULT = {
    "en": "Poll %(poll)s closed: %(question)s %(result)s Turnout %(turnout)s of %(eligible)s.",
    "bn": "ভোট %(poll)s শেষ: %(question)s %(result)s ভোট দিয়েছেন %(eligible)s জনের %(turnout)s জন।",
}
OUTCOMES = {
    "no_quorum": ("No decision: too few voted.", "সিদ্ধান্ত হয়নি: কোরাম পূরণ হয়নি।"),
    "carried": ("Result: YES (%(yes)s yes, %(no)s no).", "ফল: হ্যাঁ (হ্যাঁ %(yes)s, না %(no)s)।"),
    "not_carried": ("Result: not carried (%(yes)s yes, %(no)s no).", "ফল: পাস হয়নি (হ্যাঁ %(yes)s, না %(no)s)।"),
    "won": ("Result: %(winner)s.", "ফল: %(winner)s।"),
    "tied": ("Result: a tie between %(winner)s.", "ফল: সমান ভোট, %(winner)s।"),
    "none": ("No option got the majority needed.", "কোনো বিকল্প প্রয়োজনীয় ভোট পায়নি।"),
}
LABEL_LIMIT = 30  # code units of an option's label in a result


def _outcome(result: PollResult) -> tuple[str, list[int]]:
    """What a poll's count found, as a key of OUTCOMES, and the options it names."""
    if not result.quorum_met:
        return "no_quorum", []
    if result.poll.kind == Poll.Kind.YES_NO:
        return ("carried" if result.decided and not result.tie and result.winner_ids else "not_carried"), []
    if result.winner_ids and not result.tie:
        return "won", result.winner_ids
    if result.tie and result.counts:
        top = max(result.counts.values())
        return "tied", [pk for pk, n in result.counts.items() if n == top]
    return "none", []


def poll_result_texts(poll: Poll, result: PollResult) -> dict[str, str]:
    """The result of a closed poll in both languages: the outcome and the turnout (never more than
    the count shows, so a secret poll's too)."""
    key, named = _outcome(result)
    labels = dict(Option.objects.filter(poll=poll).values_list("pk", "label"))
    yes_no = [result.counts.get(pk, 0) for pk in sorted(labels)] if poll.kind == Poll.Kind.YES_NO else [0, 0]
    texts = {}
    for i, language in enumerate(("en", "bn")):
        winner = ", ".join(clip(labels[pk], LABEL_LIMIT) for pk in named)
        outcome = OUTCOMES[key][i] % {
            "yes": _number(yes_no[0], language),
            "no": _number(yes_no[1], language),
            "winner": winner,
        }
        parts = {
            "poll": poll.pk,
            "result": outcome,
            "turnout": _number(result.turnout, language),
            "eligible": _number(result.eligible, language),
        }
        texts[language] = fitted(POLL_RESULT[language], parts, "question", poll.question)
    return texts


@receiver(poll_opened, dispatch_uid="channels_poll_opened")
def tell_poll_opened(sender: Any, poll: Poll, **kwargs: Any) -> None:
    if kwargs.get("channel") in QUIET:
        return
    try:
        tell_members(
            members=_register(poll),
            topic=f"poll-opened:{poll.pk}",
            kind=Message.Kind.NOTIFICATION,
            texts=poll_opened_texts(poll),
        )
    except (ChannelError, DatabaseError):
        log.exception("The register of poll %s was not told it opened", poll.pk)


@receiver(poll_closed, dispatch_uid="channels_poll_closed")
def tell_poll_result(sender: Any, poll: Poll, **kwargs: Any) -> None:
    if kwargs.get("channel") in QUIET:
        return
    try:
        texts = poll_result_texts(poll, results(poll))
        topic = f"poll-result:{poll.pk}"
        tell_members(members=_register(poll), topic=topic, kind=Message.Kind.NOTIFICATION, texts=texts)
    except (ChannelError, VoiceError, DatabaseError):
        log.exception("The register of poll %s was not told its result", poll.pk)


# ----- commitments ---------------------------------------------------------------------------------

FULFILLED = {
    "fulfilled": {
        "en": 'Good news: %(authority)s has fulfilled its commitment on your demand "%(demand)s" (%(day)s).',
        "bn": 'সুখবর: %(authority)s আপনার দাবি "%(demand)s" পূরণ করেছে (%(day)s)।',
    },
    "partly_fulfilled": {
        "en": '%(authority)s has partly fulfilled its commitment on your demand "%(demand)s" (%(day)s).'
        " Your leaders follow up the rest.",
        "bn": '%(authority)s আপনার দাবি "%(demand)s" আংশিক পূরণ করেছে (%(day)s)। বাকিটা নেতারা দেখছেন।',
    },
}


def commitment_texts(*, demand: Any, authority: Any, outcome: str, on: datetime.date) -> dict[str, str]:
    """The news of a commitment fulfilled or partly fulfilled, in both languages."""
    texts = {}
    for language in ("bn", "en"):
        parts = {"authority": short_name(authority, language), "day": sms_day(on, language)}
        texts[language] = fitted(FULFILLED[outcome][language], parts, "demand", demand.title)
    return texts


def _demand_backers(demand: Demand) -> Any:
    """The active members who raised or endorsed `demand`, or a demand merged into it."""
    raisers = Demand.objects.filter(Q(pk=demand.pk) | Q(merged_into=demand), raised_by__isnull=False)
    return Member.objects.filter(
        Q(pk__in=Endorsement.objects.filter(demand=demand).values("member_id"))
        | Q(pk__in=raisers.values("raised_by_id")),
        is_active=True,
    )


@receiver(commitment_fulfilled, dispatch_uid="channels_commitment_fulfilled")
def tell_commitment_fulfilled(
    sender: Any, commitment: Any, outcome: str, on: datetime.date, **kwargs: Any
) -> None:
    if kwargs.get("channel") in QUIET or outcome not in FULFILLED:
        return
    try:
        demand = commitment.demand
        authority = commitment.charter.authority
        texts = commitment_texts(demand=demand, authority=authority, outcome=outcome, on=on)
        tell_members(
            members=_demand_backers(demand),
            topic=f"commitment:{commitment.pk}:{outcome}",
            kind=Message.Kind.NOTIFICATION,
            texts=texts,
        )
    except (ChannelError, DatabaseError):
        log.exception("The members behind commitment %s were not told it was %s", commitment.pk, outcome)
