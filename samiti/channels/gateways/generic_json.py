"""A plain HTTP/JSON gateway, standing in for a local aggregator.

Send: POST {"id": our message id, "to": "+8801…", "text": "…"} to GENERIC_SMS_URL with
`Authorization: Bearer GENERIC_SMS_TOKEN`; a 2xx answer means sent, and its JSON `id`, when there
is one, is the aggregator's id of the message (else ours is). Inbound: {"id", "from", "text",
"date"}; delivery reports: {"id", "status"} with status sent, delivered or failed (and an optional
"error"). A callback may carry one object or a list of them.
"""

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from samiti.channels.gateways.base import (
    Gateway,
    GatewayError,
    Inbound,
    Sent,
    StatusReport,
    json_body,
    parse_date,
    post,
    register,
    required,
    status_of,
)
from samiti.channels.models import Message

STATUSES = {
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "failed": Message.Status.FAILED,
}


def _objects(request: HttpRequest) -> list[Any]:
    body = json_body(request)
    items = body if isinstance(body, list) else [body]
    if not items or not all(isinstance(item, dict) for item in items):
        raise GatewayError(_("The callback carries no message."), code="bad_callback")
    return items


@register
class GenericJson(Gateway):
    name = "generic_json"

    def send(self, message: Message) -> Sent:
        url, token = settings.GENERIC_SMS_URL, settings.GENERIC_SMS_TOKEN
        if not url:
            return Sent("", Message.Status.FAILED, _("The JSON SMS gateway has no URL."))
        body = json.dumps({"id": str(message.pk), "to": message.phone, "text": message.text}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            answer = post(url, body, headers)
        except GatewayError as error:
            return Sent("", Message.Status.FAILED, str(error)[:200])
        their_id = answer.get("id") if isinstance(answer, dict) else None
        return Sent(str(their_id or message.pk), Message.Status.SENT)

    def parse_inbound(self, request: HttpRequest) -> list[Inbound]:
        return [
            Inbound(
                gateway_id=required(item, "id"),
                phone=required(item, "from"),
                text=str(item.get("text") or ""),
                received_at=parse_date(str(item.get("date") or "")),
            )
            for item in _objects(request)
        ]

    def parse_status(self, request: HttpRequest) -> list[StatusReport]:
        return [
            StatusReport(required(item, "id"), status_of(item, STATUSES), str(item.get("error") or "")[:200])
            for item in _objects(request)
        ]
