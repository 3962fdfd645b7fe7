"""A USSD screen that takes longer than the gateway waits: promised by SMS, and sent once built.

These tests commit their data (transaction=True): the screen is built in another thread, on its
own database connection, which would not see the rows of a test's open transaction."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from samiti.channels import services
from samiti.channels.models import Message, UssdSession
from samiti.channels.sending import outbox
from samiti.channels.ussd import engine, menus
from samiti.channels.ussd.screens import Menu
from samiti.registry import testing

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "+8801711000001"


@pytest.fixture
def builders(monkeypatch):
    """One builder thread of the test's own, whose connection is closed after the test."""
    pool = ThreadPoolExecutor(max_workers=1)
    monkeypatch.setattr(engine, "_builders", pool)
    yield pool
    pool.submit(connections.close_all).result()
    pool.shutdown()


@pytest.fixture
def member(settings, builders):
    settings.USSD_ANSWER_SECONDS = 0.3
    member = testing.member(testing.group(), phone=PHONE)
    services.set_language(member=member, language="en", channel="sms")
    return member


def slow_savings(seconds: float, secret: bool = False):
    def savings(member):
        time.sleep(seconds)
        return Menu([f"Savings of {member.pk}: Tk 300"], secret=secret)

    return savings


def dial(session: str, *inputs: str) -> str:
    response = Client().post(
        reverse("channels:ussd_africastalking"),
        {"sessionId": session, "serviceCode": "*384#", "phoneNumber": PHONE, "text": "*".join(inputs)},
    )
    assert response.status_code == 200
    return response.content.decode()


def promised_sms(timeout: float = 5.0) -> list[Message]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = list(Message.objects.filter(kind=Message.Kind.USSD_FOLLOW_UP))
        if sent:
            return sent
        time.sleep(0.05)
    return []


def test_a_screen_built_in_time_is_shown_and_nothing_is_sent_by_sms(member, monkeypatch):
    monkeypatch.setattr(menus, "savings", slow_savings(0.0))
    assert dial("s1").startswith("CON 1 My savings")
    assert dial("s1", "1") == f"CON Savings of {member.pk}: Tk 300\n00 back"
    assert not promised_sms(timeout=0.5)


def test_a_slow_screen_is_promised_by_sms_and_sent_when_it_is_built(member, monkeypatch):
    monkeypatch.setattr(menus, "savings", slow_savings(1.0))
    dial("s2")
    started = time.monotonic()
    text = dial("s2", "1")
    assert time.monotonic() - started < 0.9  # the gateway had its answer before the screen was built
    assert text == "END This takes a moment. The answer will come by SMS."
    assert UssdSession.objects.get(session_id="s2").ended_at is not None
    [sms] = promised_sms()
    assert (sms.member, sms.phone, sms.direction) == (member, PHONE, "out")
    assert sms.text == f"Savings of {member.pk}: Tk 300"
    outbox.wait(timeout=5)
    sms.refresh_from_db()
    assert sms.status == Message.Status.SENT


def test_a_slow_secret_ballot_screen_is_never_put_in_an_sms(member, monkeypatch):
    monkeypatch.setattr(menus, "savings", slow_savings(1.0, secret=True))
    dial("s3")
    assert dial("s3", "1").startswith("END ")
    [sms] = promised_sms()
    assert sms.text == "Your answer took too long. Please dial again."
    assert "Tk 300" not in sms.text
    assert UssdSession.objects.get(session_id="s3").last_input == ""
