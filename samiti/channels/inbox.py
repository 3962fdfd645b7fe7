"""The write of the leaders' inbox: an inbound message that waited for a leader is dealt with.

It lives here, not in services.py, only because this work did not own that file; it belongs there.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.channels import queries
from samiti.channels.errors import ChannelError
from samiti.channels.models import Message
from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import User

NOTE_LENGTH = 300


@transaction.atomic
def mark_dealt_with(*, actor: User, message: Message, note: str = "", channel: str = Channel.WEB) -> Message:
    """A leader acted on a message that waited for one (a demand raised by SMS, an unknown command).

    The note, if any, says what was done; it is kept on the audit row.
    """
    if not actor.can_edit or not queries.messages_for(actor).filter(pk=message.pk).exists():
        raise ChannelError(_("You may not act on this message."), code="forbidden")
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != Message.Status.NEEDS_ACTION:
        raise ChannelError(_("This message does not wait for a leader."), code="not_waiting", field="note")
    note = note.strip()
    if len(note) > NOTE_LENGTH:
        raise ChannelError(
            _("Keep the note to %(n)d characters.") % {"n": NOTE_LENGTH}, code="too_long", field="note"
        )
    fields = ["status", "handled_by", "status_at"]
    before = audit.snapshot(message, fields)
    message.status, message.handled_by, message.status_at = Message.Status.DONE, actor, timezone.now()
    message.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=message,
        changes=audit.diff(before, audit.snapshot(message, fields)),
        channel=channel,
        association_id=message.association_id,
        note=note,
    )
    return message
