"""Messages in and out through the gateways: the one way an SMS leaves, and the one way one comes in.

`send_sms` records the message (queued, with its segments) and hands it to the gateway once the
write around it commits (on a thread of its own, see `outbox`), so a rolled-back write sends
nothing. `notify` is how the rest of Samiti
tells a member something: in their language, never to a member who sent STOP. `receive_sms`
records an inbound SMS once per gateway id and sends the command's reply; `record_status` takes a
delivery report.
"""

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from samiti.channels.encoding import sms_length
from samiti.channels.errors import ChannelError
from samiti.channels.gateways import Inbound, gateway
from samiti.channels.models import Broadcast, Contact, Message
from samiti.channels.services import contact_for, member_for_phone
from samiti.core.background import Threads
from samiti.core.bengali import to_bengali_digits
from samiti.core.money import format_taka
from samiti.registry.models import Member
from samiti.registry.services import RegistryError, normalise_phone

log = logging.getLogger(__name__)
Status = Message.Status

# A status a delivery report may not take back: a late "sent" after "delivered" changes nothing.
FINAL = (Status.DELIVERED, Status.FAILED)


def sms_taka(poisha: int, language: str) -> str:
    """An amount for an SMS: "Tk 1,250.50" in English (the taka sign is not GSM-7 and would make
    the whole text UCS-2), "৳১,২৫০.৫০" in Bengali."""
    if language == "bn":
        return to_bengali_digits(format_taka(poisha))
    return format_taka(poisha).replace("৳", "Tk ")


def sms_cost(segments: int) -> int:
    """What sending `segments` SMS segments costs, in poisha."""
    return segments * settings.SMS_COST_PER_SEGMENT


def send_sms(
    *,
    phone: str,
    text: str,
    kind: str,
    member: Member | None = None,
    reply_to: Message | None = None,
    broadcast: Broadcast | None = None,
) -> Message:
    """Record an outbound SMS and hand it to the gateway once the current transaction commits."""
    association_id = member.association_id if member is not None else None
    if association_id is None and reply_to is not None:
        association_id = reply_to.association_id
    message = _outbound(
        phone=phone,
        text=text,
        kind=kind,
        status=Status.QUEUED,
        member=member,
        association_id=association_id,
        reply_to=reply_to,
        broadcast=broadcast,
    )
    transaction.on_commit(lambda: outbox.submit(send_queued, message), robust=True)
    return message


# Messages are handed to the gateway on these threads: a gateway's HTTP answer takes a few hundred
# milliseconds, which a gateway's callback or a leader's page should not wait for (8 threads hand
# over 40 messages a second per process when each takes 0.2 s). A message left queued by a process
# that died on the way is sent by `resume_broadcasts`.
outbox = Threads("sms", workers=8)


def send_queued(message: Message) -> Message:
    """Claim a queued message (queued → sending, so nothing else sends it too) and hand it to its
    gateway; as it was when another had claimed it."""
    claimed = Message.objects.filter(pk=message.pk, status=Status.QUEUED).update(
        status=Status.SENDING, status_at=timezone.now()
    )
    return deliver(message) if claimed else message


def deliver(message: Message) -> Message:
    """Hand a queued message to its gateway now and keep the gateway's answer on it."""
    try:
        sent = gateway(message.gateway).send(message)
        message.gateway_id, message.status, message.error = sent.gateway_id, sent.status, sent.error[:200]
    except ChannelError as error:  # an unknown gateway: the setting names none we have
        message.status, message.error = Status.FAILED, str(error)[:200]
    if message.status == Status.FAILED:
        log.warning("SMS %s to %s failed: %s", message.pk, message.phone, message.error)
    message.status_at = timezone.now()
    # Only a message not yet reported on takes the answer.
    Message.objects.filter(pk=message.pk, status__in=[Status.QUEUED, Status.SENDING]).update(
        gateway_id=message.gateway_id, status=message.status, error=message.error, status_at=message.status_at
    )
    return message


def notify(*, member: Member, kind: str, texts: dict[str, str]) -> Message | None:
    """Tell `member` something in their language (`texts` by "bn" and "en").

    A member without a phone gets nothing (None). A member who sent STOP gets nothing either, but
    the message is kept as skipped, so a leader can see who was not told.
    """
    if not member.phone:
        return None
    contact = _contact(member)
    text = texts.get(contact.language) or texts.get("en") or texts["bn"]
    if not contact.opted_out:
        return send_sms(phone=member.phone, text=text, kind=kind, member=member)
    return _outbound(
        phone=member.phone,
        text=text,
        kind=kind,
        status=Status.SKIPPED,
        member=member,
        association_id=member.association_id,
        status_at=timezone.now(),
    )


def _outbound(*, text: str, **fields: Any) -> Message:
    length = sms_length(text)
    return Message.objects.create(
        direction=Message.Direction.OUT,
        gateway=settings.SMS_GATEWAY,
        text=text,
        segments=length.segments,
        encoding=length.encoding,
        **fields,
    )


def _contact(member: Member) -> Contact:
    # A caller telling many members loads their contacts with select_related("contact").
    try:
        return member.contact
    except Contact.DoesNotExist:
        return contact_for(member)


def receive_sms(*, gateway: str, inbound: Inbound, handle: Callable[[Message], str]) -> tuple[Message, str]:
    """Record an inbound SMS once per gateway id, have `handle` answer it, and send the answer;
    the message and the answer.

    All in one transaction: if `handle` fails nothing is kept and the gateway's retry is handled
    afresh. A retry of a message already recorded returns it as it is (its reply already sent).
    Two deliveries of the same id at once are told apart by the unique constraint, not by a
    lookup that both could pass: the second waits for the first and then finds its row.
    """
    member = member_for_phone(inbound.phone)
    try:
        phone = normalise_phone(inbound.phone) or inbound.phone
    except RegistryError:
        phone = inbound.phone
    # A NUL cannot be stored (PostgreSQL refuses it), nor a lone surrogate; no phone types either.
    text = inbound.text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    inbound = dataclasses.replace(inbound, text=text)
    length = sms_length(inbound.text)
    with transaction.atomic():
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    direction=Message.Direction.IN,
                    gateway=gateway,
                    gateway_id=inbound.gateway_id,
                    phone=phone[:20],
                    member=member,
                    association_id=member.association_id if member is not None else None,
                    text=inbound.text,
                    kind=Message.Kind.COMMAND,
                    status=Status.RECEIVED,
                    segments=length.segments,
                    encoding=length.encoding,
                    short_code=inbound.to[:20],
                    gateway_at=inbound.received_at,
                    link_id=inbound.link_id[:100],
                )
        except IntegrityError:
            message = Message.objects.get(
                direction=Message.Direction.IN, gateway=gateway, gateway_id=inbound.gateway_id
            )
            return message, reply_of(message)
        reply = handle(message)
        if reply:
            send_sms(phone=phone, text=reply, kind=Message.Kind.REPLY, member=member, reply_to=message)
    return message, reply


def reply_of(message: Message) -> str:
    """The text of the reply sent to an inbound message ("" when none was)."""
    reply = message.replies.filter(kind=Message.Kind.REPLY).order_by("id").first()
    return reply.text if reply is not None else ""


def record_status(*, gateway: str, gateway_id: str, status: str, error: str = "") -> int:
    """A delivery report: set the status of our message with this gateway id; how many changed.

    A final status (delivered, failed) is not taken back by a late "sent".
    """
    if not gateway_id:
        return 0
    messages = Message.objects.filter(direction=Message.Direction.OUT, gateway=gateway, gateway_id=gateway_id)
    if status not in FINAL:
        messages = messages.exclude(status__in=FINAL)
    return messages.update(status=status, error=error[:200], status_at=timezone.now())
