"""The SMS callbacks over HTTP: inbound messages counted once per gateway id and answered the same,
unknown gateways, the shared token, and delivery reports."""

import datetime
import json
import sys
import threading
import time
import types

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samiti.channels import broadcasts
from samiti.channels.models import Message
from samiti.channels.sending import notify, outbox, send_sms
from samiti.channels.services import opt_out
from samiti.channels.tests.test_gateways import FakeProvider
from samiti.registry import testing

pytestmark = pytest.mark.django_db
Status = Message.Status


@pytest.fixture
def handled(monkeypatch) -> list[int]:
    """A stand-in for samiti.channels.commands.handle_sms: answers "Got <text>" and marks the
    message handled; returns the ids of the messages it was given."""
    calls: list[int] = []

    def handle_sms(message: Message) -> str:
        calls.append(message.pk)
        message.status = Status.HANDLED
        message.save(update_fields=["status"])
        return f"Got {message.text}"

    module = types.ModuleType("samiti.channels.commands")
    module.handle_sms = handle_sms
    monkeypatch.setitem(sys.modules, "samiti.channels.commands", module)
    return calls


def at_inbound(client: Client, message_id: str = "ATXid_1", text: str = "BAL", phone: str = "+8801711000001"):
    fields = {"id": message_id, "text": text, "from": phone, "to": "16216", "date": "2026-11-30 03:10:00"}
    return client.post(reverse("channels:sms_inbound", args=["africastalking"]), fields)


def test_the_same_inbound_id_posted_twice_is_counted_once_and_answered_the_same(
    handled, django_capture_on_commit_callbacks
):
    member = testing.member(phone="01711000001")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        first = at_inbound(client)
    second = at_inbound(client)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"messages": [{"id": "ATXid_1", "reply": "Got BAL"}]}
    [received] = Message.objects.filter(direction="in")
    assert handled == [received.pk]
    assert (received.member, received.association_id, received.phone) == (
        member,
        member.association_id,
        "+8801711000001",
    )
    assert received.status == Status.HANDLED and received.gateway == "africastalking"
    [reply] = Message.objects.filter(direction="out")
    assert (reply.reply_to, reply.kind, reply.text, reply.member) == (received, "reply", "Got BAL", member)
    assert reply.status == Status.SENT and reply.gateway == "console"


def test_an_inbound_message_keeps_the_short_code_the_gateway_time_and_the_premium_link(handled):
    fields = {"id": "ATXid_9", "text": "BAL", "from": "+8801711000001", "to": "16216",
              "date": "2026-11-30 03:10:00", "linkId": "SampleLinkId123"}  # fmt: skip
    Client().post(reverse("channels:sms_inbound", args=["africastalking"]), fields)
    received = Message.objects.get(direction="in")
    assert (received.short_code, received.link_id) == ("16216", "SampleLinkId123")
    assert received.gateway_at == datetime.datetime(2026, 11, 30, 3, 10, tzinfo=datetime.UTC)


def test_the_same_id_from_two_gateways_is_two_messages_and_two_ids_from_one_are_two(handled):
    client = Client()
    at_inbound(client, "same")
    at_inbound(client, "other")
    client.post(
        reverse("channels:sms_inbound", args=["generic_json"]),
        json.dumps({"id": "same", "from": "+8801711000001", "text": "BAL"}),
        content_type="application/json",
    )
    assert Message.objects.filter(direction="in").count() == 3 and len(handled) == 3


def test_an_inbound_message_from_an_unknown_number_is_kept_without_a_member(handled):
    response = at_inbound(Client(), phone="+8801899999999")
    assert response.status_code == 200
    received = Message.objects.get(direction="in")
    assert received.member is None and received.association_id is None


def test_an_unknown_gateway_answers_404():
    client = Client()
    assert client.post(reverse("channels:sms_inbound", args=["pigeon"]), {"id": "1"}).status_code == 404
    assert client.post(reverse("channels:sms_status", args=["pigeon"]), {"id": "1"}).status_code == 404


def test_a_callback_is_a_post():
    assert Client().get(reverse("channels:sms_inbound", args=["africastalking"])).status_code == 405


def test_a_callback_the_gateway_cannot_have_meant_is_a_bad_request_and_keeps_nothing(handled):
    response = Client().post(reverse("channels:sms_inbound", args=["africastalking"]), {"text": "BAL"})
    assert response.status_code == 400 and not Message.objects.exists()


def test_with_a_callback_token_set_a_callback_needs_it_in_the_query_or_the_header(handled, settings):
    settings.SMS_CALLBACK_TOKEN = "s3cret"
    client = Client()
    url = reverse("channels:sms_inbound", args=["africastalking"])
    fields = {"id": "t1", "text": "BAL", "from": "+8801711000001"}
    assert client.post(url, fields).status_code == 403
    assert client.post(f"{url}?token=wrong", fields).status_code == 403
    assert not Message.objects.exists()
    assert client.post(f"{url}?token=s3cret", fields).status_code == 200
    assert client.post(url, {**fields, "id": "t2"}, headers={"X-Samiti-Token": "s3cret"}).status_code == 200
    status_url = reverse("channels:sms_status", args=["africastalking"])
    assert client.post(status_url, {"id": "x", "status": "Success"}).status_code == 403
    assert Message.objects.filter(direction="in").count() == 2


def test_a_handler_that_fails_keeps_nothing_so_the_retry_is_handled_afresh(monkeypatch):
    def failing(message: Message) -> str:
        raise RuntimeError("the handler broke")

    module = types.ModuleType("samiti.channels.commands")
    module.handle_sms = failing
    monkeypatch.setitem(sys.modules, "samiti.channels.commands", module)
    client = Client(raise_request_exception=False)
    assert at_inbound(client).status_code == 500
    assert not Message.objects.exists()


# ----- delivery reports ----------------------------------------------------------------------------


def sent_message(gateway: str, gateway_id: str, status: str = Status.SENT) -> Message:
    return Message.objects.create(
        direction="out",
        gateway=gateway,
        gateway_id=gateway_id,
        phone="+8801711000001",
        text="Hello",
        kind="notification",
        status=status,
    )


def test_a_delivery_report_from_africastalking_marks_the_message_delivered_or_failed():
    delivered, failed = sent_message("africastalking", "ATXid_a"), sent_message("africastalking", "ATXid_b")
    url = reverse("channels:sms_status", args=["africastalking"])
    client = Client()
    assert client.post(url, {"id": "ATXid_a", "status": "Success"}).status_code == 200
    client.post(url, {"id": "ATXid_b", "status": "Rejected", "failureReason": "DeliveryFailure"})
    delivered.refresh_from_db()
    failed.refresh_from_db()
    assert delivered.status == Status.DELIVERED and delivered.status_at is not None
    assert (failed.status, failed.error) == (Status.FAILED, "DeliveryFailure")


def test_a_late_sent_report_does_not_take_back_delivered():
    message = sent_message("africastalking", "ATXid_c", status=Status.DELIVERED)
    Client().post(
        reverse("channels:sms_status", args=["africastalking"]), {"id": "ATXid_c", "status": "Buffered"}
    )
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_a_report_of_another_gateway_or_an_unknown_id_changes_nothing():
    message = sent_message("generic_json", "77")
    client = Client()
    assert (
        client.post(
            reverse("channels:sms_status", args=["africastalking"]), {"id": "77", "status": "Success"}
        ).status_code
        == 200
    )
    response = client.post(
        reverse("channels:sms_status", args=["generic_json"]),
        json.dumps({"id": "78", "status": "delivered"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_message_sent_through_the_console_takes_its_delivery_report(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(phone="+8801711000001", text="Hello", kind="notification")
    message.refresh_from_db()
    assert message.status == Status.SENT and message.gateway_id == f"console-{message.pk}"
    Client().post(
        reverse("channels:sms_status", args=["console"]), {"id": message.gateway_id, "status": "delivered"}
    )
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


# ----- two deliveries of one message at the same moment --------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes one transaction at a time")
def test_two_deliveries_of_one_message_at_the_same_moment_are_counted_once(monkeypatch):
    started = threading.Barrier(2)
    calls: list[int] = []

    def slow(message: Message) -> str:
        calls.append(message.pk)
        time.sleep(0.3)  # the second delivery arrives while the first is being handled
        return "Got it"

    module = types.ModuleType("samiti.channels.commands")
    module.handle_sms = slow
    monkeypatch.setitem(sys.modules, "samiti.channels.commands", module)
    answers: list = []

    def deliver() -> None:
        started.wait()
        try:
            answers.append(at_inbound(Client(), "race").json())
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [{"messages": [{"id": "race", "reply": "Got it"}]}] * 2
    assert Message.objects.filter(direction="in").count() == 1 and len(calls) == 1
    assert Message.objects.filter(direction="out").count() == 1


# ----- handing replies to the gateway ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_callback_is_answered_without_waiting_for_the_gateway_to_take_the_reply(handled, settings):
    provider = FakeProvider()
    provider.delay, provider.answer = 1.0, json.dumps({"id": "agg-1"}).encode()
    settings.SMS_GATEWAY, settings.GENERIC_SMS_URL = "generic_json", provider.url
    try:
        testing.member(phone="01711000001")
        started = time.monotonic()
        response = at_inbound(Client())
        assert time.monotonic() - started < 0.8  # the gateway takes a second to answer
        assert response.json() == {"messages": [{"id": "ATXid_1", "reply": "Got BAL"}]}
        outbox.wait(timeout=10)
        reply = Message.objects.get(direction="out")
        assert (reply.status, reply.gateway_id, len(provider.requests)) == (Status.SENT, "agg-1", 1)
    finally:
        provider.close()


def test_messages_a_dead_process_left_are_sent_by_the_resume_and_live_ones_are_left_alone():
    member = testing.member(phone="01711000001")
    opt_out(member=member, channel="sms")
    asked = Message.objects.create(direction="in", gateway="console", gateway_id="in-1", phone=member.phone,
                                   member=member, text="STOP", kind="command", status="handled")  # fmt: skip

    def outbound(kind: str, status: str, **fields) -> Message:
        return Message.objects.create(direction="out", gateway="console", phone=member.phone, member=member,
                                      text=kind, kind=kind, status=status, **fields)  # fmt: skip

    reply = outbound("reply", "queued", reply_to=asked)
    notice = outbound("notification", "queued")
    caught = outbound("receipt", "sending", status_at=timezone.now() - datetime.timedelta(minutes=5))
    old = timezone.now() - datetime.timedelta(minutes=5)
    Message.objects.filter(direction="out").update(created_at=old)
    fresh = outbound("notification", "queued")  # a live process is about to send it
    sent = broadcasts.resume_messages(sleep=lambda seconds: None)
    status = dict(Message.objects.filter(direction="out").values_list("pk", "status"))
    assert sent == 1 and status[reply.pk] == Status.SENT  # a reply answers even STOP
    assert status[notice.pk] == Status.SKIPPED  # the member sent STOP before it went
    assert status[caught.pk] == Status.FAILED  # it may have reached the gateway: not sent twice
    assert status[fresh.pk] == Status.QUEUED


# ----- with the real command handler -----------------------------------------------------------------


def test_stop_sent_by_sms_is_answered_once_and_the_next_notification_is_skipped(
    django_capture_on_commit_callbacks,
):
    member = testing.member(phone="01711000001")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        first = at_inbound(client, "stop-1", text="STOP")
    assert at_inbound(client, "stop-1", text="STOP").json() == first.json()
    [reply] = Message.objects.filter(direction="out", kind="reply")
    assert first.json()["messages"][0]["reply"] == reply.text and reply.status == Status.SENT
    assert Message.objects.get(direction="in").status == Status.HANDLED
    with django_capture_on_commit_callbacks(execute=True):
        skipped = notify(member=member, kind="notification", texts={"bn": "সভা কাল", "en": "Meeting tomorrow"})
    assert skipped.status == Status.SKIPPED


def test_a_message_from_an_unknown_number_is_answered_in_both_languages():
    response = at_inbound(Client(), "who-1", phone="+8801899999999")
    reply = response.json()["messages"][0]["reply"]
    assert "group leader" in reply and "দলনেতা" in reply
