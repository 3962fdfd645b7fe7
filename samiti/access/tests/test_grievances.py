"""Grievances: opened from rejected or stalled applications, due by the category's days, overdue
flagged, escalated, resolved or dropped; their pages, scoped."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samiti.access.errors import AccessError
from samiti.access.models import Grievance, GrievanceCategory, RejectionReason
from samiti.access.services import applications
from samiti.access.services import grievances as services
from samiti.access.tests.test_applications import bearer, days_ago, facilitator_of, make_scheme
from samiti.core.models import AuditEvent
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def category(days: int = 30, code: str = "") -> GrievanceCategory:
    code = code or f"category-{days}-{GrievanceCategory.objects.count()}"
    return GrievanceCategory.objects.create(
        code=code, name_en=f"Category of {days} days", resolution_days=days
    )


def rejected(member=None, on=None):
    on = on or days_ago(20)
    application = applications.identify(
        actor=None, member=member or testing.member(), scheme=make_scheme(), on=on
    )
    applications.mark_documents_ready(actor=None, application=application, on=on)
    applications.submit(actor=None, application=application, on=on, where="UP")
    applications.reject(actor=None, application=application, on=on, reason=RejectionReason.PAYMENT_ASKED)
    return application


def grievance(member=None, days=30, opened=10) -> Grievance:
    return services.open_grievance(
        actor=None,
        application=rejected(member),
        category=category(days),
        description="A bribe was asked",
        raised_with="UP chairman",
        opened_on=days_ago(opened),
    )


def test_a_grievance_is_due_the_categorys_days_after_it_is_opened():
    found = grievance(days=15, opened=10)
    assert (found.opened_on, found.due_on, found.status) == (
        days_ago(10),
        days_ago(10) + datetime.timedelta(15),
        "open",
    )
    assert found.association_id == found.application.association_id


def test_overdue_on_a_given_day():
    found = grievance(days=15, opened=10)  # due in 5 days
    due = found.due_on
    assert not found.is_overdue(due)
    assert found.is_overdue(due + datetime.timedelta(days=1))
    assert not Grievance.objects.filter(services.overdue(due)).exists()
    assert Grievance.objects.filter(services.overdue(due + datetime.timedelta(days=1))).get() == found


def test_a_stalled_application_can_become_a_grievance_but_a_fresh_one_cannot():
    quiet = applications.STALLED_AFTER_DAYS + 1
    stalled = applications.identify(
        actor=None, member=testing.member(), scheme=make_scheme(), on=days_ago(quiet)
    )
    services.open_grievance(actor=None, application=stalled, category=category(), description="No news")
    fresh = applications.identify(actor=None, member=testing.member(), scheme=make_scheme())
    with pytest.raises(AccessError, match="Only a rejected application") as error:
        services.open_grievance(actor=None, application=fresh, category=category(), description="No news")
    assert error.value.field == "application"


def test_opening_needs_a_description_and_only_one_open_grievance_per_application():
    application = rejected()
    with pytest.raises(AccessError) as error:
        services.open_grievance(actor=None, application=application, category=category(), description="  ")
    assert error.value.field == "description"
    services.open_grievance(
        actor=None, application=application, category=category(), description="Asked to pay"
    )
    with pytest.raises(AccessError, match="already has an open grievance"):
        services.open_grievance(actor=None, application=application, category=category(), description="Again")


def test_escalating_restarts_the_count_from_the_day_it_is_raised_again():
    found = grievance(days=15, opened=40)
    services.escalate_grievance(
        actor=None, grievance=found, raised_with="Upazila Nirbahi Officer", on=days_ago(5)
    )
    found.refresh_from_db()
    assert (found.status, found.raised_with, found.due_on) == (
        "escalated",
        "Upazila Nirbahi Officer",
        days_ago(5) + datetime.timedelta(15),
    )
    assert not found.is_overdue(TODAY)


def test_resolving_records_the_resolution_and_the_date_and_it_is_no_longer_overdue():
    found = grievance(days=5, opened=20)
    assert found.is_overdue(TODAY)
    with pytest.raises(AccessError) as error:
        services.resolve_grievance(actor=None, grievance=found, resolution="")
    assert error.value.field == "resolution"
    with pytest.raises(AccessError) as error:
        services.resolve_grievance(actor=None, grievance=found, resolution="Listed", on=days_ago(21))
    assert error.value.field == "on"
    services.resolve_grievance(actor=None, grievance=found, resolution="Put back on the list", on=days_ago(2))
    assert (found.status, found.resolved_on, found.resolution) == (
        "resolved",
        days_ago(2),
        "Put back on the list",
    )
    assert not found.is_overdue(TODAY)
    with pytest.raises(AccessError, match="closed"):
        services.escalate_grievance(actor=None, grievance=found, raised_with="DC")


def test_dropping_closes_it_with_a_note_and_every_change_is_audited():
    group = testing.group()
    facilitator = facilitator_of(group)
    found = grievance(member=testing.member(group))
    services.drop_grievance(actor=facilitator, grievance=found, note="Member moved away")
    assert (found.status, found.resolution, found.resolved_on) == ("dropped", "Member moved away", TODAY)
    rows = AuditEvent.objects.filter(object_type="access.grievance", object_id=found.pk).order_by("id")
    assert [r.action for r in rows] == [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE]
    assert rows.last().changes["status"] == ["open", "dropped"] and rows.last().actor == facilitator


def test_grievances_of_members_out_of_scope_are_refused():
    facilitator = facilitator_of(testing.group())
    with pytest.raises(AccessError) as error:
        services.open_grievance(
            actor=facilitator, application=rejected(), category=category(), description="x"
        )
    assert error.value.code == "forbidden"


def test_the_list_shows_overdue_first_flagged_and_filters_by_status(client):
    group = testing.group()
    late = grievance(member=testing.member(group, name_en="Late"), days=5, opened=20)
    calm = grievance(member=testing.member(group, name_en="Calm"), days=60, opened=1)
    client.force_login(facilitator_of(group))
    response = client.get(reverse("access:grievances"))
    assert response.status_code == 200
    assert [g.pk for g in response.context["grievances"]] == [late.pk, calm.pk]
    assert response.context["grievances"][0].overdue and not response.context["grievances"][1].overdue
    assert b"overdue" in response.content
    assert [
        g.pk for g in client.get(reverse("access:grievances"), {"overdue": "1"}).context["grievances"]
    ] == [late.pk]
    services.resolve_grievance(actor=None, grievance=calm, resolution="Done")
    response = client.get(reverse("access:grievances"), {"status": "resolved"})
    assert [g.pk for g in response.context["grievances"]] == [calm.pk]


def test_a_grievance_is_opened_escalated_and_resolved_from_its_pages(client):
    group = testing.group()
    client.force_login(facilitator_of(group))
    application = rejected(testing.member(group))
    kind = category(21)
    url = reverse("access:grievance_new", args=[application.pk])
    response = client.post(url, {"category": kind.pk, "description": "", "opened_on": TODAY.isoformat()})
    assert response.status_code == 400 and "description" in response.context["form"].errors
    response = client.post(
        url,
        {
            "category": kind.pk,
            "description": "Asked Tk 2,000",
            "raised_with": "UP",
            "opened_on": TODAY.isoformat(),
        },
    )
    found = Grievance.objects.get(application=application)
    assert response.status_code == 302 and response["Location"] == reverse(
        "access:grievance", args=[found.pk]
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Asked Tk 2,000" in page.content
    client.post(
        reverse("access:grievance_step", args=[found.pk, "escalate"]),
        {"escalate-raised_with": "UNO", "escalate-on": TODAY.isoformat()},
    )
    found.refresh_from_db()
    assert (found.status, found.raised_with) == ("escalated", "UNO")
    client.post(
        reverse("access:grievance_step", args=[found.pk, "resolve"]),
        {"resolve-resolution": "Listed", "resolve-on": TODAY.isoformat()},
    )
    found.refresh_from_db()
    assert found.status == "resolved"


def test_grievance_pages_answer_404_outside_scope_and_to_read_only_writes(client):
    group = testing.group()
    found = grievance(member=testing.member(group))
    client.force_login(facilitator_of(testing.group()))
    assert client.get(reverse("access:grievance", args=[found.pk])).status_code == 404
    client.force_login(testing.staff(Role.VIEWER, organisation=group.parent))
    assert client.get(reverse("access:grievance", args=[found.pk])).status_code == 200
    response = client.post(
        reverse("access:grievance_step", args=[found.pk, "resolve"]), {"resolve-resolution": "x"}
    )
    assert response.status_code == 404
    found.refresh_from_db()
    assert found.status == "open"


def test_the_grievance_list_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    group = testing.group()
    for _ in range(4):
        grievance(member=testing.member(group))
    client.force_login(testing.staff())
    with django_assert_max_num_queries(10):
        assert client.get(reverse("access:grievances")).status_code == 200


def test_the_api_opens_lists_overdue_first_and_resolves_grievances():
    group = testing.group()
    facilitator = facilitator_of(group)
    headers = bearer(facilitator)
    client = Client()
    late = grievance(member=testing.member(group), days=5, opened=20)
    application = rejected(testing.member(group))
    kind = category(10, code="bribe")
    made = client.post(
        "/api/access/grievances",
        {"application": application.pk, "category": "bribe", "description": "Asked Tk 500"},
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201, made.content
    assert made.json()["due_on"] == (TODAY + datetime.timedelta(days=kind.resolution_days)).isoformat()
    listed = client.get("/api/access/grievances", headers=headers).json()["items"]
    assert [(g["id"], g["overdue"]) for g in listed] == [(late.pk, True), (made.json()["id"], False)]
    assert [
        g["id"]
        for g in client.get("/api/access/grievances", {"overdue": True}, headers=headers).json()["items"]
    ] == [late.pk]
    moved = client.post(
        f"/api/access/grievances/{late.pk}/steps",
        {"step": "resolve", "resolution": "Listed"},
        content_type="application/json",
        headers=headers,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "resolved" and not moved.json()["overdue"]
    assert AuditEvent.objects.filter(object_type="access.grievance", channel="api").count() == 2
    outsider = bearer(facilitator_of(testing.group()))
    assert client.get(f"/api/access/grievances/{late.pk}", headers=outsider).status_code == 404
