"""Africa's Talking: the messaging API to send, and its inbound-SMS and delivery-report callbacks.

Send: POST urlencoded `username`, `to`, `message` (and `from`, a sender id or short code, when
set) with the `apiKey` header; the answer's SMSMessageData.Recipients[] give each number's
`status` ("Success" when accepted) and `messageId`. A reply to a message sent to a premium short
code goes from that code with the message's `linkId` and `bulkSMSMode` 0. Inbound: `id`, `text`,
`from`, `to`, `date`, `linkId`. Delivery reports: `id`, `status` (Success | Sent | Buffered |
Rejected | Failed | Expired) and `failureReason`. The sandbox is used when the username is "sandbox".
"""

import urllib.parse

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from samiti.channels.gateways.base import (
    Gateway,
    GatewayError,
    Inbound,
    Sent,
    StatusReport,
    form_inbound,
    post,
    register,
    required,
    status_of,
)
from samiti.channels.models import Message

LIVE_URL = "https://api.africastalking.com/version1/messaging"
SANDBOX_URL = "https://api.sandbox.africastalking.com/version1/messaging"

# A delivery report's status as ours: "Success" is the handset's receipt.
STATUSES = {
    "success": Message.Status.DELIVERED,
    "sent": Message.Status.SENT,
    "buffered": Message.Status.SENT,
    "rejected": Message.Status.FAILED,
    "failed": Message.Status.FAILED,
    "expired": Message.Status.FAILED,
}


@register
class AfricasTalking(Gateway):
    name = "africastalking"

    def url(self) -> str:
        return SANDBOX_URL if settings.AFRICASTALKING_USERNAME == "sandbox" else LIVE_URL

    def send(self, message: Message) -> Sent:
        username, key = settings.AFRICASTALKING_USERNAME, settings.AFRICASTALKING_API_KEY
        if not (username and key):
            return Sent("", Message.Status.FAILED, _("Africa's Talking is not configured."))
        fields = {"username": username, "to": message.phone, "message": message.text}
        if settings.AFRICASTALKING_SENDER:
            fields["from"] = settings.AFRICASTALKING_SENDER
        asked = message.reply_to if message.reply_to_id else None
        if asked is not None and asked.link_id:
            # A reply on a premium short code: from that code, with the inbound message's link, and
            # billed to the member as the service promises (bulkSMSMode 0), not to us.
            fields.update({"from": asked.short_code, "linkId": asked.link_id, "bulkSMSMode": "0"})
        headers = {
            "apiKey": key,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            answer = post(self.url(), urllib.parse.urlencode(fields).encode(), headers)
            recipients = answer["SMSMessageData"]["Recipients"]
        except GatewayError as error:
            return Sent("", Message.Status.FAILED, str(error)[:200])
        except (KeyError, TypeError):
            return Sent("", Message.Status.FAILED, _("Africa's Talking answered without recipients."))
        if not recipients:
            return Sent("", Message.Status.FAILED, _("Africa's Talking accepted no recipient."))
        first = recipients[0]
        status = str(first.get("status", ""))
        if status == "Success":
            return Sent(str(first.get("messageId", "")), Message.Status.SENT)
        return Sent(str(first.get("messageId", "") or ""), Message.Status.FAILED, status[:200])

    def parse_inbound(self, request: HttpRequest) -> list[Inbound]:
        return [form_inbound(request.POST)]

    def parse_status(self, request: HttpRequest) -> list[StatusReport]:
        fields = request.POST
        status = status_of(fields, STATUSES)
        error = fields.get("failureReason", "") if status == Message.Status.FAILED else ""
        return [StatusReport(required(fields, "id"), status, error[:200])]
