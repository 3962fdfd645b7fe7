"""Broadcasts: one message to a segment of members, each in their language, sent in the background.

A broadcast is made from the member list's filters (`search_members`) within its maker's scope, and
its figures (recipients, SMS segments, cost) are shown before it is sent. Sending is the task
`send_broadcast`, on the Tasks framework's database backend (`manage.py db_worker` runs it):

1. It writes one queued Message per recipient in one transaction (unique per broadcast and member,
   so a second run never makes a second row, and a run that dies here leaves none).
2. It sends the queued ones in order, at most SMS_RATE_PER_SECOND: each is claimed (queued →
   sending) by a conditional UPDATE, so two runs never send the same message; STOP is checked just
   before the send; the gateway's answer marks it sent or failed.

Resuming after a crash is running the task again (`manage.py resume_broadcasts`): only queued
messages are sent. A message caught "sending" when a run died may or may not have reached the
gateway, and our gateways cannot be asked, so it is never sent again: it is marked failed with
INTERRUPTED as its error, for a leader to follow up by hand. A message is caught so only once it has
been "sending" for longer than any live send takes (STALE_AFTER), so a run never marks a message
that another live run is sending. Cancelling stops the loop between two messages.
"""

import dataclasses
import datetime
import functools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from samiti.channels.encoding import sms_length
from samiti.channels.errors import ChannelError
from samiti.channels.gateways.base import HTTP_TIMEOUT
from samiti.channels.models import Broadcast, Contact, Message
from samiti.channels.sending import deliver, outbox, sms_cost
from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Area, Member, Organisation, User
from samiti.registry.queries import organisations_for, search_members

log = logging.getLogger(__name__)
Status = Message.Status

# A text longer than this many SMS segments is refused: it costs too much and reads badly on a phone.
MAX_SEGMENTS = 5
# Longer than any live send takes (the gateway's HTTP timeout, twice): a message "sending" for this
# long belongs to a run that died.
STALE_AFTER = 2 * HTTP_TIMEOUT + 10
INTERRUPTED = "Interrupted while being sent: not sent again, as it may have reached the gateway."
CANCELLED = "Not sent: the broadcast was cancelled."
# The filters a broadcast keeps that name a row (stored as its id).
ROW_FILTERS = {"organisation": Organisation, "area": Area}


# ----- the segment and its figures ---------------------------------------------------------------


def recipients(user: User, filters: dict[str, Any]) -> QuerySet[Member]:
    """The members a broadcast by `user` with `filters` reaches: current members in the user's
    scope matching the member list's filters, with a phone, who have not sent STOP."""
    filters = {**filters, "status": "active"}
    return (
        search_members(user, filters)
        .exclude(phone="")
        .exclude(contact__opted_out_at__isnull=False)
        .order_by("id")
    )


def _language() -> Q:
    # A member who never chose has the Contact's default language, Bengali.
    return Q(contact__language=Contact.Language.ENGLISH)


@dataclasses.dataclass(frozen=True)
class Preview:
    """What a broadcast would cost before it is sent."""

    recipients: int
    bengali: int
    english: int
    segments_bn: int  # SMS segments of one Bengali message
    segments_en: int
    encoding_bn: str
    encoding_en: str
    opted_out: int  # matched the filters but sent STOP
    without_phone: int

    @property
    def segments(self) -> int:
        return self.bengali * self.segments_bn + self.english * self.segments_en

    @property
    def cost(self) -> int:
        """In poisha."""
        return sms_cost(self.segments)


def texts_of(text_bn: str, text_en: str) -> dict[str, str]:
    """The text each language gets: one left blank takes the other."""
    text_bn, text_en = text_bn.strip(), text_en.strip()
    return {"bn": text_bn or text_en, "en": text_en or text_bn}


def preview(*, user: User, filters: dict[str, Any], text_bn: str, text_en: str) -> Preview:
    """The recipients, their languages, the SMS segments and the cost of a broadcast (one query)."""
    matched = search_members(user, {**filters, "status": "active"})
    counts = matched.aggregate(
        without_phone=Count("id", filter=Q(phone="")),
        opted_out=Count("id", filter=~Q(phone="") & Q(contact__opted_out_at__isnull=False)),
        english=Count("id", filter=~Q(phone="") & Q(contact__opted_out_at__isnull=True) & _language()),
        reached=Count("id", filter=~Q(phone="") & Q(contact__opted_out_at__isnull=True)),
    )
    texts = texts_of(text_bn, text_en)
    bn, en = sms_length(texts["bn"]), sms_length(texts["en"])
    return Preview(
        recipients=counts["reached"],
        bengali=counts["reached"] - counts["english"],
        english=counts["english"],
        segments_bn=bn.segments,
        segments_en=en.segments,
        encoding_bn=bn.encoding,
        encoding_en=en.encoding,
        opted_out=counts["opted_out"],
        without_phone=counts["without_phone"],
    )


def stored_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as a broadcast keeps them: rows by id, blanks left out."""
    kept = {}
    for name, value in filters.items():
        if value in (None, ""):
            continue
        kept[name] = value.pk if name in ROW_FILTERS else value
    return kept


def loaded_filters(stored: dict[str, Any]) -> dict[str, Any]:
    """The filters as search_members takes them (a row gone since is no match at all)."""
    filters = dict(stored)
    if "organisation" in filters:
        filters["organisation"] = Organisation.objects.filter(
            pk=filters["organisation"]
        ).first() or Organisation(pk=0)
    if "area" in filters:
        filters["area"] = Area.objects.filter(pk=filters["area"]).first() or Area(pk=0, path="~")
    return filters


# ----- reads ---------------------------------------------------------------------------------------


def broadcasts_for(user: User) -> QuerySet[Broadcast]:
    """The broadcasts `user` may see: those of an association in scope, and those made by an
    account with the same scope (a federation's or a district's, which name no one association)."""
    broadcasts = Broadcast.objects.all()
    if user.sees_whole_programme:
        return broadcasts
    seen = Q(association_id__in=organisations_for(user).values("pk")) | Q(created_by=user)
    if user.organisation_id is not None:
        seen |= Q(created_by__organisation_id=user.organisation_id)
    elif user.area_id is not None:
        seen |= Q(created_by__area_id=user.area_id, created_by__organisation__isnull=True)
    return broadcasts.filter(seen)


def broadcast_or_404(user: User, pk: int) -> Broadcast:
    found = broadcasts_for(user).select_related("created_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@dataclasses.dataclass(frozen=True)
class Progress:
    recipients: int
    sent: int  # handed to the gateway (delivered ones included)
    delivered: int
    failed: int
    skipped: int  # sent STOP after the broadcast was made
    cancelled: int  # not sent because the broadcast was cancelled
    waiting: int  # queued or being sent

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped + self.cancelled

    @property
    def percent(self) -> int:
        return 100 * self.done // self.recipients if self.recipients else 100


def progress(broadcast: Broadcast) -> Progress:
    """How far sending has gone, counted from its messages (one query)."""
    counts = broadcast.messages.aggregate(
        total=Count("id"),
        sent=Count("id", filter=Q(status__in=[Status.SENT, Status.DELIVERED])),
        delivered=Count("id", filter=Q(status=Status.DELIVERED)),
        failed=Count("id", filter=Q(status=Status.FAILED) & ~Q(error=CANCELLED)),
        cancelled=Count("id", filter=Q(status=Status.FAILED, error=CANCELLED)),
        skipped=Count("id", filter=Q(status=Status.SKIPPED)),
        waiting=Count("id", filter=Q(status__in=[Status.QUEUED, Status.SENDING])),
    )
    return Progress(
        recipients=counts["total"] or broadcast.recipients,
        sent=counts["sent"],
        delivered=counts["delivered"],
        failed=counts["failed"],
        skipped=counts["skipped"],
        cancelled=counts["cancelled"],
        waiting=counts["waiting"],
    )


# ----- writes --------------------------------------------------------------------------------------


def _association_of(actor: User, filters: dict[str, Any]) -> int | None:
    """The one association a broadcast stays within, if it does."""
    for organisation in (filters.get("organisation"), actor.organisation):
        if organisation is None:
            continue
        if organisation.kind == Organisation.Kind.ASSOCIATION:
            return organisation.pk
        if organisation.kind == Organisation.Kind.GROUP:
            return organisation.parent_id
    return None


@transaction.atomic
def start_broadcast(
    *, actor: User, filters: dict[str, Any], text_bn: str, text_en: str, channel: str = Channel.WEB
) -> Broadcast:
    """Make a broadcast to the members `filters` find in `actor`'s scope and queue its sending.

    `filters` are the member list's (MemberFilterForm's cleaned data). The figures shown before
    sending are kept on it; the task, queued once this commits, writes and sends the messages.
    """
    if not actor.can_edit:
        raise ChannelError(_("You may not send broadcasts."), code="forbidden")
    texts = texts_of(text_bn, text_en)
    if not texts["bn"]:
        raise ChannelError(_("Write the message in Bengali, English or both."), code="empty", field="text_bn")
    for language, field in (("bn", "text_bn"), ("en", "text_en")):
        if sms_length(texts[language]).segments > MAX_SEGMENTS:
            raise ChannelError(
                _("Keep the message to %(n)d SMS segments.") % {"n": MAX_SEGMENTS},
                code="too_long",
                field=field,
            )
    figures = preview(user=actor, filters=filters, text_bn=text_bn, text_en=text_en)
    if not figures.recipients:
        raise ChannelError(_("No member with a phone matches these filters."), code="no_recipients")
    broadcast = Broadcast.objects.create(
        text_bn=text_bn.strip(),
        text_en=text_en.strip(),
        filters=stored_filters(filters),
        association_id=_association_of(actor, filters),
        status=Broadcast.Status.SENDING,
        recipients=figures.recipients,
        segments=figures.segments,
        cost=figures.cost,
        created_by=actor,
        started_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=broadcast,
        changes=audit.created(broadcast, ["text_bn", "text_en", "filters", "recipients", "segments", "cost"]),
        channel=channel,
        association_id=broadcast.association_id,
    )
    transaction.on_commit(lambda: send_broadcast.enqueue(broadcast.pk))
    return broadcast


@transaction.atomic
def cancel_broadcast(*, actor: User, broadcast: Broadcast, channel: str = Channel.WEB) -> Broadcast:
    """Stop a broadcast between two messages: those not yet sent are marked not sent."""
    if not actor.can_edit or not broadcasts_for(actor).filter(pk=broadcast.pk).exists():
        raise ChannelError(_("You may not cancel this broadcast."), code="forbidden")
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if broadcast.status not in (Broadcast.Status.DRAFT, Broadcast.Status.SENDING):
        raise ChannelError(_("This broadcast is no longer being sent."), code="not_sending")
    before = audit.snapshot(broadcast, ["status"])
    now = timezone.now()
    broadcast.status, broadcast.finished_at = Broadcast.Status.CANCELLED, now
    broadcast.save(update_fields=["status", "finished_at"])
    broadcast.messages.filter(status=Status.QUEUED).update(
        status=Status.FAILED, error=CANCELLED, status_at=now
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=broadcast,
        changes=audit.diff(before, audit.snapshot(broadcast, ["status"])),
        channel=channel,
        association_id=broadcast.association_id,
    )
    return broadcast


# ----- sending (the task) --------------------------------------------------------------------------


@task()
def send_broadcast(broadcast_id: int) -> int:
    """The background task: write and send a broadcast's messages; how many were sent by this run."""
    return run_broadcast(broadcast_id)


def run_broadcast(
    broadcast_id: int,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rate: float | None = None,
) -> int:
    """Send what is still queued of a broadcast, at most `rate` a second; how many this run sent.

    Safe to run again at any point, and beside another run of the same broadcast: nobody is sent
    a message twice. `clock` and `sleep` are there for tests.
    """
    if not write_messages(broadcast_id):
        return 0
    messages = Message.objects.filter(broadcast_id=broadcast_id)
    _fail_interrupted(messages, sleep=sleep, what=f"Broadcast {broadcast_id}")
    sending = Broadcast.objects.filter(pk=broadcast_id, status=Broadcast.Status.SENDING)
    sent = send_paced(
        messages.filter(status=Status.QUEUED).order_by("id").values_list("pk", flat=True),
        clock=clock,
        sleep=sleep,
        rate=rate,
        stopped=lambda: not sending.exists(),  # cancelled
    )
    _finish(broadcast_id)  # nothing to finish when it was cancelled
    return sent


def send_paced(
    pks: Iterable[int],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rate: float | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> int:
    """Send the queued messages `pks` one by one, at most `rate` a second, until `stopped()`; how
    many were sent."""
    rate = settings.SMS_RATE_PER_SECOND if rate is None else rate
    interval = 1 / rate if rate > 0 else 0.0
    next_at = clock()
    sent = 0
    for pk in pks:
        if stopped():
            break
        if interval:
            now = clock()
            if now < next_at:
                sleep(next_at - now)
            next_at = max(next_at, now) + interval
        if send_one(pk):
            sent += 1
    return sent


def write_messages(broadcast_id: int) -> bool:
    """The first step: one queued message per recipient, all or none; whether sending may go on."""
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
        if broadcast is None or broadcast.status != Broadcast.Status.SENDING:
            return False
        if broadcast.messages.exists():
            return True  # written by an earlier run
        if broadcast.created_by is None:  # its maker's account is gone, and with it the scope
            members: QuerySet[Member] = Member.objects.none()
        else:
            members = recipients(broadcast.created_by, loaded_filters(broadcast.filters))
        texts = texts_of(broadcast.text_bn, broadcast.text_en)
        lengths = {language: sms_length(text) for language, text in texts.items()}
        rows = []
        for pk, phone, association_id, language in members.values_list(
            "pk", "phone", "association_id", "contact__language"
        ):
            language = language or Contact.Language.BENGALI
            rows.append(
                Message(
                    direction=Message.Direction.OUT,
                    gateway=settings.SMS_GATEWAY,
                    phone=phone,
                    member_id=pk,
                    association_id=association_id,
                    text=texts[language],
                    kind=Message.Kind.BROADCAST,
                    status=Status.QUEUED,
                    segments=lengths[language].segments,
                    encoding=lengths[language].encoding,
                    broadcast_id=broadcast_id,
                )
            )
        Message.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        Broadcast.objects.filter(pk=broadcast_id).update(
            recipients=len(rows),
            segments=sum(row.segments for row in rows),
            cost=sms_cost(sum(row.segments for row in rows)),
        )
    return True


def _fail_interrupted(messages: QuerySet[Message], *, sleep: Callable[[float], None], what: str) -> None:
    """Mark failed those of `messages` a dead run left "sending" (see the module's docstring)."""
    caught = list(messages.filter(status=Status.SENDING).values_list("pk", "status_at"))
    if not caught:
        return
    newest = max((at for _pk, at in caught if at is not None), default=None)
    if newest is not None:
        wait = (newest - timezone.now()).total_seconds() + STALE_AFTER
        if wait > 0:  # a live run would have had its answer by then
            sleep(wait)
    failed = Message.objects.filter(pk__in=[pk for pk, _at in caught], status=Status.SENDING).update(
        status=Status.FAILED, error=INTERRUPTED, status_at=timezone.now()
    )
    if failed:
        log.warning("%s: %s message(s) interrupted while being sent, not sent again", what, failed)


def send_one(pk: int) -> bool:
    """Claim one queued message, check STOP, hand it to the gateway; whether it was sent."""
    now = timezone.now()
    if not Message.objects.filter(pk=pk, status=Status.QUEUED).update(status=Status.SENDING, status_at=now):
        return False  # another run took it, or the broadcast was cancelled
    message = Message.objects.get(pk=pk)
    # A reply answers the member's own message, STOP included.
    if (
        message.kind != Message.Kind.REPLY
        and Contact.objects.filter(member_id=message.member_id, opted_out_at__isnull=False).exists()
    ):
        Message.objects.filter(pk=pk).update(status=Status.SKIPPED, status_at=now)
        return False
    message = deliver(message)
    if message.status == Status.FAILED:
        return False
    if message.broadcast_id is not None:
        Broadcast.objects.filter(pk=message.broadcast_id).update(sent=F("sent") + 1)
    return True


def _finish(broadcast_id: int) -> None:
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().get(pk=broadcast_id)
        if broadcast.status != Broadcast.Status.SENDING:
            return
        if broadcast.messages.filter(status__in=[Status.QUEUED, Status.SENDING]).exists():
            return  # another run is still at it
        broadcast.status, broadcast.finished_at = Broadcast.Status.DONE, timezone.now()
        broadcast.sent = broadcast.messages.filter(status__in=[Status.SENT, Status.DELIVERED]).count()
        broadcast.save(update_fields=["status", "finished_at", "sent"])


def resume_broadcasts(*, enqueue: bool = False) -> list[int]:
    """Go on with every broadcast still being sent (after a crash or a restart), then with every
    notice to many members still queued (`resume_notices`); the broadcasts' ids."""
    ids = list(
        Broadcast.objects.filter(status=Broadcast.Status.SENDING).order_by("id").values_list("pk", flat=True)
    )
    for pk in ids:
        if enqueue:
            send_broadcast.enqueue(pk)
        else:
            run_broadcast(pk)
    resume_notices(enqueue=enqueue)
    resume_messages()
    return ids


def resume_messages(*, sleep: Callable[[float], None] = time.sleep) -> int:
    """Send the messages sent one by one (replies, a member's notices) that a process which died
    left queued, as a broadcast's are; how many were sent. Only messages older than any live send
    takes are touched, so none that a live process is still sending."""
    stray = Message.objects.filter(
        direction=Message.Direction.OUT,
        broadcast__isnull=True,
        topic="",
        created_at__lt=timezone.now() - datetime.timedelta(seconds=STALE_AFTER),
    )
    _fail_interrupted(stray, sleep=sleep, what="Messages sent one by one")
    return send_paced(
        stray.filter(status=Status.QUEUED).order_by("id").values_list("pk", flat=True), sleep=sleep
    )


# ----- notices: one event told to many members ----------------------------------------------------
#
# A poll opened to a register of 20,000, its result, a meeting reminder: the event's receiver writes
# one queued message per member in one transaction (`tell_members`), and the messages are sent like
# a broadcast's, by `send_one` at the gateway's rate, from the task `send_notices`. What a notice is
# about is its topic ("poll-opened:12"); a member is told of a topic once (a unique constraint), so
# writing twice tells nobody twice. A few messages are sent at once instead, after the write commits.

# At most this many messages of a notice are sent at once after it commits; more go to the task.
SMALL_NOTICE = 50


def tell_members(*, members: QuerySet[Member], topic: str, kind: str, texts: dict[str, str]) -> int:
    """Queue `texts` (by "bn" and "en") to each of `members` with a phone, in their language, and
    have them sent once this commits; how many were queued.

    As with `notify`, a member who sent STOP is kept as skipped, never sent. A member already told
    of `topic` is left out, so this is safe to run again.
    """
    lengths = {language: sms_length(text) for language, text in texts.items()}
    with transaction.atomic():
        rows = (
            members.exclude(phone="")
            .order_by("pk")
            .values_list("pk", "phone", "association_id", "contact__language", "contact__opted_out_at")
        )
        batch: list[Message] = []
        for pk, phone, association_id, language, opted_out_at in rows.iterator(chunk_size=BATCH):
            language = language if language in texts else Contact.Language.BENGALI
            batch.append(
                Message(
                    direction=Message.Direction.OUT,
                    gateway=settings.SMS_GATEWAY,
                    phone=phone,
                    member_id=pk,
                    association_id=association_id,
                    text=texts[language],
                    kind=kind,
                    status=Status.QUEUED if opted_out_at is None else Status.SKIPPED,
                    status_at=None if opted_out_at is None else timezone.now(),
                    segments=lengths[language].segments,
                    encoding=lengths[language].encoding,
                    topic=topic,
                )
            )
            if len(batch) == BATCH:
                Message.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Message.objects.bulk_create(batch, ignore_conflicts=True)
        queued = Message.objects.filter(topic=topic, status=Status.QUEUED)
        few = list(queued.order_by("id").values_list("pk", flat=True)[: SMALL_NOTICE + 1])
        if len(few) <= SMALL_NOTICE:
            transaction.on_commit(
                lambda: outbox.submit(functools.partial(send_paced, few, rate=0)), robust=True
            )
            return len(few)
        transaction.on_commit(lambda: send_notices.enqueue(topic))
        return queued.count()


# Rows written per INSERT.
BATCH = 1000


@task()
def send_notices(topic: str) -> int:
    """The background task: send what is queued of a notice; how many were sent by this run."""
    return run_notices(topic)


def run_notices(
    topic: str,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rate: float | None = None,
) -> int:
    """Send what is still queued of a notice at most `rate` a second, as `run_broadcast` does; how
    many this run sent. Safe to run again, and beside another run."""
    messages = Message.objects.filter(topic=topic)
    _fail_interrupted(messages, sleep=sleep, what=f"Notice {topic}")
    pks = messages.filter(status=Status.QUEUED).order_by("id").values_list("pk", flat=True)
    return send_paced(pks, clock=clock, sleep=sleep, rate=rate)


def resume_notices(*, enqueue: bool = False) -> list[str]:
    """Go on with every notice with messages still queued or caught sending; their topics."""
    topics = sorted(
        set(
            Message.objects.filter(status__in=[Status.QUEUED, Status.SENDING])
            .exclude(topic="")
            .values_list("topic", flat=True)
        )
    )
    for topic in topics:
        if enqueue:
            send_notices.enqueue(topic)
        else:
            run_notices(topic)
    return topics
