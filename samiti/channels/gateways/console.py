"""The development and test gateway: a message "sent" is kept (it is already a Message row, shown on
the console page) and written to the log; callbacks take the generic fields so that an inbound SMS
can be tried with curl."""

import logging

from django.http import HttpRequest

from samiti.channels.gateways.base import (
    Gateway,
    Inbound,
    Sent,
    StatusReport,
    form_inbound,
    register,
    required,
    status_of,
)
from samiti.channels.gateways.generic_json import STATUSES
from samiti.channels.models import Message

log = logging.getLogger(__name__)


@register
class Console(Gateway):
    name = "console"

    def send(self, message: Message) -> Sent:
        log.info(
            "SMS to %s (%s, %s segment(s)): %s", message.phone, message.kind, message.segments, message.text
        )
        return Sent(f"console-{message.pk}", Message.Status.SENT)

    def parse_inbound(self, request: HttpRequest) -> list[Inbound]:
        return [form_inbound(request.POST)]

    def parse_status(self, request: HttpRequest) -> list[StatusReport]:
        fields = request.POST
        return [
            StatusReport(required(fields, "id"), status_of(fields, STATUSES), fields.get("error", "")[:200])
        ]
