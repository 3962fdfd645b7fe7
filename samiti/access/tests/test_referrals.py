"""Referrals to extension and health services: made, received or not, their pages, scoped."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samiti.access.errors import AccessError
from samiti.access.models import Referral, Scheme
from samiti.access.services import referrals as services
from samiti.access.tests.test_applications import bearer, days_ago, facilitator_of, make_scheme
from samiti.core.models import AuditEvent
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def extension() -> Scheme:
    return make_scheme(
        kind=Scheme.Kind.EXTENSION, name_en="Livestock vaccination", benefit=Scheme.Benefit.SERVICE
    )


def test_a_member_is_referred_to_an_extension_service_and_receives_it():
    group = testing.group()
    facilitator = facilitator_of(group)
    member = testing.member(group)
    referral = services.refer(
        actor=facilitator,
        member=member,
        service=extension(),
        referred_to="SAAO, block 4",
        reason="Cattle not vaccinated",
        on=days_ago(7),
    )
    assert (referral.status, referral.referred_on, referral.association_id) == (
        "referred",
        days_ago(7),
        member.association_id,
    )
    services.record_referral_outcome(
        actor=facilitator, referral=referral, received=True, on=days_ago(2), note="Two cows"
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome_on, referral.outcome_note) == (
        "received",
        days_ago(2),
        "Two cows",
    )
    rows = AuditEvent.objects.filter(object_type="access.referral", object_id=referral.pk).order_by("id")
    assert [r.action for r in rows] == ["create", "update"] and rows.last().changes["status"] == [
        "referred",
        "received",
    ]


def test_only_extension_and_health_services_take_referrals():
    with pytest.raises(AccessError) as error:
        services.refer(actor=None, member=testing.member(), service=make_scheme(), referred_to="UP")
    assert error.value.field == "service"
    health = make_scheme(kind=Scheme.Kind.HEALTH, benefit=Scheme.Benefit.SERVICE)
    assert services.refer(actor=None, member=testing.member(), service=health, referred_to="Community clinic")


def test_a_referral_says_to_whom_and_its_dates_are_checked():
    member, service = testing.member(), extension()
    with pytest.raises(AccessError) as error:
        services.refer(actor=None, member=member, service=service)
    assert error.value.field == "referred_to"
    with pytest.raises(AccessError) as error:
        services.refer(
            actor=None, member=member, service=service, referred_to="SAAO", on=TODAY + datetime.timedelta(1)
        )
    assert error.value.field == "on"
    referral = services.refer(actor=None, member=member, service=service, referred_to="SAAO", on=days_ago(3))
    with pytest.raises(AccessError) as error:
        services.record_referral_outcome(actor=None, referral=referral, received=False, on=days_ago(4))
    assert error.value.field == "on"
    services.record_referral_outcome(actor=None, referral=referral, received=False, note="Officer absent")
    assert (referral.status, referral.outcome_on) == ("not_received", TODAY)


def test_referrals_of_members_out_of_scope_are_refused():
    facilitator = facilitator_of(testing.group())
    with pytest.raises(AccessError) as error:
        services.refer(actor=facilitator, member=testing.member(), service=extension(), referred_to="SAAO")
    assert error.value.code == "forbidden"


def test_pages_refer_a_member_list_referrals_and_record_the_outcome(client):
    group = testing.group()
    member = testing.member(group, name_en="Rokeya")
    service = extension()
    client.force_login(facilitator_of(group))
    url = reverse("access:referral_new", args=[member.pk])
    response = client.post(url, {"service": service.code, "referred_to": "", "on": TODAY.isoformat()})
    assert response.status_code == 400 and response.context["form"].errors
    response = client.post(
        url, {"service": service.code, "referred_to": "SAAO", "reason": "Seed", "on": TODAY.isoformat()}
    )
    referral = Referral.objects.get(member=member)
    assert response.status_code == 302 and response["Location"] == reverse(
        "access:referral", args=[referral.pk]
    )
    listing = client.get(reverse("access:referrals"))
    assert listing.status_code == 200 and b"Rokeya" in listing.content
    assert [
        r.pk for r in client.get(reverse("access:referrals"), {"status": "received"}).context["referrals"]
    ] == []
    response = client.post(
        reverse("access:referral", args=[referral.pk]),
        {"received": "yes", "on": TODAY.isoformat(), "note": "Got seed"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "received"


def test_referral_pages_answer_404_outside_scope_and_to_read_only_writes(client):
    group = testing.group()
    referral = services.refer(
        actor=None, member=testing.member(group), service=extension(), referred_to="SAAO"
    )
    client.force_login(facilitator_of(testing.group()))
    assert client.get(reverse("access:referral", args=[referral.pk])).status_code == 404
    assert client.get(reverse("access:referral_new", args=[referral.member_id])).status_code == 404
    client.force_login(testing.staff(Role.VIEWER, organisation=group.parent))
    assert client.get(reverse("access:referral", args=[referral.pk])).status_code == 200
    response = client.post(
        reverse("access:referral", args=[referral.pk]), {"received": "yes", "on": TODAY.isoformat()}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "referred"


def test_the_api_refers_a_member_and_records_the_outcome_scoped():
    group = testing.group()
    member, service = testing.member(group), extension()
    headers = bearer(facilitator_of(group))
    client = Client()
    made = client.post(
        "/api/access/referrals",
        {"member": member.pk, "service": service.code, "referred_to": "SAAO"},
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201, made.content
    referral = made.json()
    wrong = client.post(
        "/api/access/referrals",
        {"member": member.pk, "service": make_scheme().code, "referred_to": "UP"},
        content_type="application/json",
        headers=headers,
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "service"
    done = client.post(
        f"/api/access/referrals/{referral['id']}/outcome",
        {"received": False, "note": "Absent"},
        content_type="application/json",
        headers=headers,
    )
    assert done.json()["status"] == "not_received"
    assert [
        r["id"]
        for r in client.get("/api/access/referrals", {"status": "not_received"}, headers=headers).json()[
            "items"
        ]
    ] == [referral["id"]]
    outsider = bearer(facilitator_of(testing.group()))
    assert client.get(f"/api/access/referrals/{referral['id']}", headers=outsider).status_code == 404
    viewer = bearer(testing.staff(Role.VIEWER, organisation=group.parent))
    refused = client.post(
        f"/api/access/referrals/{referral['id']}/outcome",
        {"received": True},
        content_type="application/json",
        headers=viewer,
    )
    assert refused.status_code == 403


def test_the_referral_form_starts_from_the_service_named_in_the_link(client):
    group = testing.group()
    member, service = testing.member(group), extension()
    client.force_login(facilitator_of(group))
    page = client.get(reverse("access:referral_new", args=[member.pk]), {"service": service.code})
    assert page.status_code == 200 and page.context["form"]["service"].value() == service.code
