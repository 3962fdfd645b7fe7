"""SMS keyword commands: BAL, VOTE, YES/NO, SUPPORT, DEMAND, SCHEMES, MEETING, HELP, STOP/START, LANG.

`parsing.parse` turns a text into a command and its arguments (a pure function);
`handle_sms` runs it for a received message through the domain apps' services, with channel
"sms", and returns the reply in the member's language: never silence, never a crash on a
refusal, and never more than two SMS segments. What each command does is in `handlers`.
"""

from django.utils import translation

from samiti.channels import services
from samiti.channels.commands.handlers import HANDLERS
from samiti.channels.commands.parsing import Command, parse
from samiti.channels.commands.replies import Reply, cut_to_fit
from samiti.channels.models import Message
from samiti.channels.texts import text
from samiti.core.errors import SamitiError

__all__ = ["HANDLERS", "Command", "handle_sms", "parse"]


def handle_sms(message: Message) -> str:
    """Do what a received SMS asks and return the reply; mark the message handled, or as waiting
    for a leader (a demand to review, a text not understood). Called inside the transaction that
    records the message (`sending.receive_sms`), so a failure keeps nothing."""
    member = message.member
    if member is None:
        message.status = Message.Status.HANDLED
        message.save(update_fields=["status"])
        return f"{text('unknown_number', 'en')} {text('unknown_number', 'bn')}"
    if message.association_id is None:
        message.association_id = member.association_id
    reply = Reply(services.contact_for(member).language)
    command = parse(message.text)
    with translation.override(reply.language):
        if command.name in HANDLERS:
            try:
                answer, status = HANDLERS[command.name](member, command, reply, message)
            except SamitiError as error:
                answer, status = reply.error(error), Message.Status.HANDLED
        else:
            answer = text("not_understood", reply.language) + reply.say("help")
            status = Message.Status.NEEDS_ACTION
    message.status = status
    message.save(update_fields=["status", "association_id", "text", "encoding", "segments"])
    return cut_to_fit(answer)
