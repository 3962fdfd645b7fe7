"""Each gateway's send against a fake provider on loopback, and the shapes of its callbacks."""

import datetime
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import RequestFactory

from samiti.channels.gateways import GatewayError, Inbound, Sent, StatusReport, gateway
from samiti.channels.gateways import africastalking as at
from samiti.channels.models import Message

pytestmark = pytest.mark.django_db
Status = Message.Status


class FakeProvider:
    """An HTTP server on loopback that records each request and answers what the test set."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status, self.answer = 200, b"{}"
        self.delay = 0.0  # seconds before it answers, as a gateway far away
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.requests.append({"path": self.path, "headers": self.headers, "body": body})
                time.sleep(provider.delay)
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(provider.answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    yield fake
    fake.close()


def outbound(text: str = "Savings Tk 1,250. No loan.") -> Message:
    return Message.objects.create(
        direction="out", gateway="x", phone="+8801711000001", text=text, kind="reply", status="queued"
    )


# ----- the registry ------------------------------------------------------------------------------


def test_gateways_are_found_by_name_and_an_unknown_name_is_an_error():
    assert {gateway(n).name for n in ("console", "africastalking", "generic_json")} == {
        "console",
        "africastalking",
        "generic_json",
    }
    with pytest.raises(GatewayError):
        gateway("pigeon")


# ----- console -------------------------------------------------------------------------------------


def test_the_console_gateway_sends_by_keeping_the_message_and_logging_it(caplog):
    message = outbound()
    with caplog.at_level("INFO", logger="samiti.channels.gateways.console"):
        sent = gateway("console").send(message)
    assert sent == Sent(f"console-{message.pk}", Status.SENT)
    assert "+8801711000001" in caplog.text and "Savings Tk 1,250" in caplog.text


def test_the_console_gateway_reads_an_inbound_message_posted_as_a_form():
    request = RequestFactory().post("/", {"id": "c1", "from": "01711000001", "text": "BAL"})
    [message] = gateway("console").parse_inbound(request)
    assert (message.gateway_id, message.phone, message.text) == ("c1", "01711000001", "BAL")


# ----- Africa's Talking ----------------------------------------------------------------------------


AT_ANSWER = {
    "SMSMessageData": {
        "Message": "Sent to 1/1 Total Cost: BDT 0.2500",
        "Recipients": [
            {
                "statusCode": 101,
                "number": "+8801711000001",
                "status": "Success",
                "cost": "BDT 0.2500",
                "messageId": "ATXid_abc123",
            }
        ],
    }
}


@pytest.fixture
def africastalking(provider, settings, monkeypatch) -> FakeProvider:
    settings.AFRICASTALKING_USERNAME = "samiti"
    settings.AFRICASTALKING_API_KEY = "key-123"
    settings.AFRICASTALKING_SENDER = "SAMITI"
    monkeypatch.setattr(at, "LIVE_URL", provider.url)
    provider.status, provider.answer = 201, json.dumps(AT_ANSWER).encode()
    return provider


def test_africastalking_posts_username_to_message_and_from_with_the_api_key_and_keeps_the_message_id(
    africastalking,
):
    message = outbound("আপনার ব্যালেন্স ১২০ টাকা")
    sent = gateway("africastalking").send(message)
    assert sent == Sent("ATXid_abc123", Status.SENT)
    [request] = africastalking.requests
    assert request["headers"]["apiKey"] == "key-123"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(request["body"].decode()) == {
        "username": ["samiti"],
        "to": ["+8801711000001"],
        "message": ["আপনার ব্যালেন্স ১২০ টাকা"],
        "from": ["SAMITI"],
    }


def test_a_reply_on_a_premium_short_code_goes_from_that_code_with_its_link_billed_to_the_member(
    africastalking,
):
    asked = Message.objects.create(
        direction="in", gateway="africastalking", gateway_id="ATXid_in7", phone="+8801711000001",
        text="BAL", kind="command", status="handled", short_code="16216", link_id="link-9",
    )  # fmt: skip
    reply = Message.objects.create(
        direction="out", gateway="africastalking", phone="+8801711000001", text="Savings Tk 400.",
        kind="reply", status="queued", reply_to=asked,
    )  # fmt: skip
    assert gateway("africastalking").send(reply).status == Status.SENT
    [request] = africastalking.requests
    fields = urllib.parse.parse_qs(request["body"].decode())
    assert (fields["from"], fields["linkId"], fields["bulkSMSMode"]) == (["16216"], ["link-9"], ["0"])
    # A reply to an ordinary message, and a notice, go from the sender id, billed to us.
    asked.link_id = ""
    asked.save()
    gateway("africastalking").send(Message.objects.get(pk=reply.pk))
    gateway("africastalking").send(outbound())
    for request in africastalking.requests[1:]:
        fields = urllib.parse.parse_qs(request["body"].decode())
        assert fields["from"] == ["SAMITI"] and "linkId" not in fields and "bulkSMSMode" not in fields


def test_africastalking_uses_the_sandbox_when_the_username_is_sandbox(settings):
    settings.AFRICASTALKING_USERNAME = "sandbox"
    assert gateway("africastalking").url() == at.SANDBOX_URL
    settings.AFRICASTALKING_USERNAME = "samiti"
    assert gateway("africastalking").url() == at.LIVE_URL


def test_a_recipient_africastalking_refuses_is_a_failed_message_with_its_status(africastalking):
    refused = {"SMSMessageData": {"Recipients": [{"status": "InvalidPhoneNumber", "messageId": "None"}]}}
    africastalking.answer = json.dumps(refused).encode()
    sent = gateway("africastalking").send(outbound())
    assert sent.status == Status.FAILED and sent.error == "InvalidPhoneNumber"


def test_an_http_error_from_africastalking_is_a_failed_message_not_an_exception(africastalking):
    africastalking.status, africastalking.answer = 401, b"The supplied authentication is invalid"
    sent = gateway("africastalking").send(outbound())
    assert sent.status == Status.FAILED and "401" in sent.error and "authentication" in sent.error


def test_africastalking_without_credentials_fails_the_message_without_calling_out(settings, provider):
    settings.AFRICASTALKING_USERNAME = ""
    sent = gateway("africastalking").send(outbound())
    assert sent.status == Status.FAILED and not provider.requests


def test_africastalking_inbound_callback_fields_are_read():
    request = RequestFactory().post(
        "/",
        {
            "id": "ATXid_in1",
            "text": "BAL",
            "from": "+8801711000001",
            "to": "16216",
            "date": "2026-11-30 03:10:00",
            "linkId": "link-9",
            "networkCode": "47001",
        },
    )
    [message] = gateway("africastalking").parse_inbound(request)
    assert message == Inbound(
        gateway_id="ATXid_in1",
        phone="+8801711000001",
        text="BAL",
        received_at=datetime.datetime(2026, 11, 30, 3, 10, tzinfo=datetime.UTC),
        to="16216",
        link_id="link-9",
    )


def test_an_africastalking_inbound_callback_without_an_id_is_refused():
    request = RequestFactory().post("/", {"text": "BAL", "from": "+8801711000001"})
    with pytest.raises(GatewayError):
        gateway("africastalking").parse_inbound(request)


@pytest.mark.parametrize(
    ("status", "ours"),
    [
        ("Success", Status.DELIVERED),
        ("Sent", Status.SENT),
        ("Buffered", Status.SENT),
        ("Rejected", Status.FAILED),
        ("Failed", Status.FAILED),
        ("Expired", Status.FAILED),
    ],
)
def test_africastalking_delivery_reports_map_to_our_statuses(status, ours):
    fields = {"id": "ATXid_abc123", "status": status, "phoneNumber": "+8801711000001"}
    if ours == Status.FAILED:
        fields["failureReason"] = "UserInBlacklist"
    [report] = gateway("africastalking").parse_status(RequestFactory().post("/", fields))
    assert report == StatusReport("ATXid_abc123", ours, "UserInBlacklist" if ours == Status.FAILED else "")


def test_an_unknown_africastalking_delivery_status_is_refused():
    with pytest.raises(GatewayError):
        gateway("africastalking").parse_status(RequestFactory().post("/", {"id": "x", "status": "Maybe"}))


# ----- generic JSON --------------------------------------------------------------------------------


@pytest.fixture
def generic(provider, settings) -> FakeProvider:
    settings.GENERIC_SMS_URL = provider.url
    settings.GENERIC_SMS_TOKEN = "token-456"
    provider.answer = json.dumps({"id": "agg-77"}).encode()
    return provider


def test_the_json_gateway_posts_id_to_and_text_with_a_bearer_token_and_keeps_its_id(generic):
    message = outbound()
    sent = gateway("generic_json").send(message)
    assert sent == Sent("agg-77", Status.SENT)
    [request] = generic.requests
    assert request["headers"]["Authorization"] == "Bearer token-456"
    assert json.loads(request["body"]) == {
        "id": str(message.pk),
        "to": "+8801711000001",
        "text": "Savings Tk 1,250. No loan.",
    }


def test_the_json_gateway_keeps_our_id_when_the_aggregator_gives_none(generic):
    generic.answer = b""
    message = outbound()
    assert gateway("generic_json").send(message) == Sent(str(message.pk), Status.SENT)


def test_an_unreachable_json_gateway_fails_the_message(settings):
    settings.GENERIC_SMS_URL = "http://127.0.0.1:9/send"  # the discard port: nothing listens
    sent = gateway("generic_json").send(outbound())
    assert sent.status == Status.FAILED and sent.error


def test_a_json_gateway_with_a_non_http_url_fails_the_message(settings):
    settings.GENERIC_SMS_URL = "file:///etc/passwd"
    sent = gateway("generic_json").send(outbound())
    assert sent.status == Status.FAILED and "http" in sent.error


def test_the_json_gateway_reads_one_inbound_message_or_a_list():
    one = {"id": "g1", "from": "+8801711000001", "text": "ব্যালেন্স", "date": "2026-11-30T03:10:00+06:00"}
    request = RequestFactory().post("/", json.dumps(one), content_type="application/json")
    [message] = gateway("generic_json").parse_inbound(request)
    assert (message.gateway_id, message.phone, message.text) == ("g1", "+8801711000001", "ব্যালেন্স")
    assert message.received_at == datetime.datetime(2026, 11, 29, 21, 10, tzinfo=datetime.UTC)
    two = [one, {**one, "id": "g2"}]
    request = RequestFactory().post("/", json.dumps(two), content_type="application/json")
    assert [m.gateway_id for m in gateway("generic_json").parse_inbound(request)] == ["g1", "g2"]


@pytest.mark.parametrize("body", ["not json", "[]", '"text"', '{"from": "+8801711000001"}'])
def test_a_json_inbound_callback_that_is_not_a_message_with_an_id_is_refused(body):
    request = RequestFactory().post("/", body, content_type="application/json")
    with pytest.raises(GatewayError):
        gateway("generic_json").parse_inbound(request)


def test_the_json_gateway_reads_delivery_reports():
    body = json.dumps(
        [{"id": "agg-77", "status": "delivered"}, {"id": "agg-78", "status": "FAILED", "error": "off"}]
    )
    reports = gateway("generic_json").parse_status(
        RequestFactory().post("/", body, content_type="application/json")
    )
    assert reports == [StatusReport("agg-77", Status.DELIVERED), StatusReport("agg-78", Status.FAILED, "off")]
