"""What every SMS gateway does, one class per provider, found by name.

A gateway sends a message and reads the two callbacks its provider makes to us: an inbound SMS and
a delivery report. Each provider is one module of this package on `Gateway`, registered with
`@register`; `gateway(name)` gives one, built from the settings of the moment (so a test may
change them). Failures to reach a provider are answered as a failed `Sent`, never raised, so that
one message that cannot leave never stops the others.
"""

import abc
import dataclasses
import datetime
import json
import urllib.error
import urllib.request
from typing import Any, ClassVar

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.channels.errors import ChannelError
from samiti.channels.models import Message

# Seconds to wait for a provider's send API: a reply is sent while the gateway's callback waits.
HTTP_TIMEOUT = 10


@dataclasses.dataclass(frozen=True)
class Sent:
    """The provider's answer to one message: its id there, and sent or failed (with why)."""

    gateway_id: str
    status: str  # Message.Status.SENT or FAILED
    error: str = ""


@dataclasses.dataclass(frozen=True)
class Inbound:
    """One SMS a member sent, as the provider's callback gives it."""

    gateway_id: str
    phone: str
    text: str
    received_at: datetime.datetime | None = None
    to: str = ""  # the short code or number it was sent to
    link_id: str = ""  # Africa's Talking's premium-SMS link, needed to reply on a premium code


@dataclasses.dataclass(frozen=True)
class StatusReport:
    """A delivery report: the provider's id of one of our messages and its new status."""

    gateway_id: str
    status: str  # Message.Status.SENT, DELIVERED or FAILED
    error: str = ""


class GatewayError(ChannelError):
    """A gateway is unknown, not configured, unreachable, or sent us a callback we cannot read."""

    code = "gateway"


class Gateway(abc.ABC):
    """One SMS provider. Subclasses set `name` and implement the three methods."""

    name: ClassVar[str] = ""

    @abc.abstractmethod
    def send(self, message: Message) -> Sent:
        """Hand the message to the provider; say what it answered."""

    @abc.abstractmethod
    def parse_inbound(self, request: HttpRequest) -> list[Inbound]:
        """The messages an inbound callback carries."""

    @abc.abstractmethod
    def parse_status(self, request: HttpRequest) -> list[StatusReport]:
        """The delivery reports a status callback carries."""


GATEWAYS: dict[str, type[Gateway]] = {}


def register(cls: type[Gateway]) -> type[Gateway]:
    GATEWAYS[cls.name] = cls
    return cls


def gateway(name: str) -> Gateway:
    """The gateway called `name`, or GatewayError when there is none."""
    try:
        return GATEWAYS[name]()
    except KeyError:
        raise GatewayError(
            _("There is no SMS gateway called “%(name)s”.") % {"name": name}, code="unknown_gateway"
        ) from None


# ----- helpers of the HTTP gateways --------------------------------------------------------------


def post(url: str, body: bytes, headers: dict[str, str]) -> Any:
    """POST `body` to `url` and read the JSON answer; GatewayError when that cannot be done."""
    if not url.startswith(("https://", "http://")):
        raise GatewayError(
            _("The gateway's URL “%(url)s” is not an http(s) URL.") % {"url": url}, code="not_configured"
        )
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - checked above
            answer = response.read()
    except urllib.error.HTTPError as error:
        detail = error.read()[:120].decode("utf-8", "replace")
        raise GatewayError(f"HTTP {error.code}: {detail}".strip()) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise GatewayError(_("Cannot reach the gateway: %(error)s") % {"error": error}) from error
    try:
        return json.loads(answer or b"{}")
    except ValueError as error:
        raise GatewayError(_("The gateway's answer is not JSON.")) from error


def json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except ValueError as error:
        raise GatewayError(_("The callback's body is not JSON."), code="bad_callback") from error


def parse_date(value: str) -> datetime.datetime | None:
    """A callback's date (ISO 8601, or `YYYY-MM-DD HH:MM:SS`), taken as UTC when it names no zone."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)


def required(fields: Any, name: str) -> str:
    """A callback field that must be there (a message id, a phone number)."""
    value = fields.get(name) if hasattr(fields, "get") else None
    if value is None or str(value).strip() == "":
        raise GatewayError(_("The callback has no “%(name)s”.") % {"name": name}, code="bad_callback")
    return str(value).strip()


def form_inbound(fields: Any) -> Inbound:
    """An inbound SMS posted as a form in Africa's Talking's shape: id, from, text, date, to, linkId."""
    return Inbound(
        gateway_id=required(fields, "id"),
        phone=required(fields, "from"),
        text=fields.get("text", ""),
        received_at=parse_date(fields.get("date", "")),
        to=fields.get("to", ""),
        link_id=fields.get("linkId", ""),
    )


def status_of(fields: Any, statuses: dict[str, str]) -> str:
    """Our status for a delivery report's `status` field, read through the gateway's table (whose
    keys are lower case: a provider's "Success" and "success" are one)."""
    status = required(fields, "status").lower()
    if status not in statuses:
        raise GatewayError(
            _("Unknown delivery status “%(status)s”.") % {"status": status}, code="bad_callback"
        )
    return statuses[status]
