"""Applications: every allowed and refused step, dates, events, audit, the signal after commit,
scoping, and the pages."""

import datetime
import itertools

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.access.errors import AccessError
from samiti.access.models import (
    Application,
    ApplicationEvent,
    DocumentKind,
    Finding,
    RejectionReason,
    RuleVersion,
    Scheme,
    Screening,
)
from samiti.access.services import applications as services
from samiti.access.services.documents import record_document
from samiti.core.events import application_status_changed
from samiti.core.models import AuditEvent, Channel
from samiti.registry import testing
from samiti.registry.models import Role
from samiti.registry.services import issue_api_token

pytestmark = pytest.mark.django_db
Status = Application.Status
_codes = itertools.count(1)
TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def make_scheme(kind: str = Scheme.Kind.SAFETY_NET, documents: list[str] | None = None, **fields) -> Scheme:
    """A scheme for tests (the shipped catalogue is loaded by load_schemes)."""
    n = next(_codes)
    return Scheme.objects.create(
        code=fields.pop("code", f"scheme-{n}"),
        name_en=fields.pop("name_en", f"Scheme {n}"),
        kind=kind,
        benefit=fields.pop("benefit", Scheme.Benefit.CASH),
        benefit_en=fields.pop("benefit_en", "Tk 600 a month"),
        documents=documents if documents is not None else [],
        **fields,
    )


def facilitator_of(group, role: str = Role.FACILITATOR):
    return testing.staff(role, organisation=group.parent)


def receiving_application(actor=None, member=None, scheme=None) -> Application:
    """An application taken through every step to receiving, a step every 10 days."""
    member = member or testing.member()
    scheme = scheme or make_scheme()
    application = services.identify(actor=actor, member=member, scheme=scheme, on=days_ago(50))
    services.mark_documents_ready(actor=actor, application=application, on=days_ago(40))
    services.submit(actor=actor, application=application, on=days_ago(30), where="Union Parishad")
    services.approve(actor=actor, application=application, on=days_ago(20))
    return services.start_receiving(
        actor=actor, application=application, since=days_ago(10), amount_per_month=60000
    )


# ----- identify ----------------------------------------------------------------------------------


def test_identify_starts_an_application_with_the_rule_version_of_the_latest_finding():
    member, scheme = testing.member(), make_scheme()
    version = RuleVersion.objects.create(scheme=scheme, text="age >= 62", valid_from=days_ago(100))
    screening = Screening.objects.create(on=TODAY, scope="test")
    Finding.objects.create(
        member=member,
        scheme=scheme,
        association_id=member.association_id,
        outcome=Finding.Outcome.ELIGIBLE,
        rule_version=version,
        screening=screening,
        screened_on=TODAY,
    )
    application = services.identify(actor=None, member=member, scheme=scheme)
    assert application.status == Status.IDENTIFIED
    assert application.rule_version == version
    assert application.identified_on == application.updated_on == TODAY
    assert application.association_id == member.association_id
    assert list(application.events.values_list("status", "on")) == [(Status.IDENTIFIED, TODAY)]


def test_identify_without_a_finding_records_no_rule_version():
    application = services.identify(actor=None, member=testing.member(), scheme=make_scheme())
    assert application.rule_version is None


def test_a_second_open_application_for_the_same_member_and_scheme_is_refused():
    member, scheme = testing.member(), make_scheme()
    services.identify(actor=None, member=member, scheme=scheme)
    with pytest.raises(AccessError, match="already has an open application") as error:
        services.identify(actor=None, member=member, scheme=scheme)
    assert error.value.field == "scheme"
    assert Application.objects.filter(member=member).count() == 1


def test_text_longer_than_its_column_is_refused_on_its_field_not_cut_short():
    application = services.identify(actor=None, member=testing.member(), scheme=make_scheme(), on=days_ago(3))
    services.mark_documents_ready(actor=None, application=application, on=days_ago(3))
    for fields, field in [({"where": "x" * 201}, "where"), ({"to": "UP", "note": "n" * 301}, "note")]:
        with pytest.raises(AccessError, match="under") as error:
            services.submit(actor=None, application=application, on=days_ago(2), **fields)
        assert error.value.field == field
    application.refresh_from_db()
    assert application.status == Application.Status.DOCUMENTS_READY
    services.submit(actor=None, application=application, on=days_ago(2), to="UP", note="n" * 300)
    assert application.events.last().note == "n" * 300


def test_after_a_rejection_the_member_may_apply_again():
    member, scheme = testing.member(), make_scheme()
    application = services.identify(actor=None, member=member, scheme=scheme, on=days_ago(3))
    services.mark_documents_ready(actor=None, application=application, on=days_ago(3))
    services.submit(actor=None, application=application, on=days_ago(2), to="UP secretary")
    services.reject(actor=None, application=application, on=days_ago(1), reason=RejectionReason.QUOTA_FULL)
    again = services.identify(actor=None, member=member, scheme=scheme)
    assert again.pk != application.pk


def test_identify_refuses_a_day_in_the_future_a_member_who_left_and_an_inactive_scheme():
    member = testing.member()
    with pytest.raises(AccessError, match="happened"):
        services.identify(
            actor=None, member=member, scheme=make_scheme(), on=TODAY + datetime.timedelta(days=1)
        )
    with pytest.raises(AccessError, match="no longer active"):
        services.identify(actor=None, member=member, scheme=make_scheme(is_active=False))
    left = testing.member()
    left.left_on = TODAY
    left.save()
    left.refresh_from_db()
    with pytest.raises(AccessError, match="has left"):
        services.identify(actor=None, member=left, scheme=make_scheme())


def test_identify_is_audited_with_actor_and_channel():
    group = testing.group()
    facilitator = facilitator_of(group)
    member = testing.member(group)
    application = services.identify(
        actor=facilitator, member=member, scheme=make_scheme(), channel=Channel.API
    )
    row = AuditEvent.objects.get(object_type="access.application", object_id=application.pk)
    assert (row.actor, row.action, row.channel) == (facilitator, AuditEvent.Action.CREATE, Channel.API)
    assert row.changes["status"] == [None, Status.IDENTIFIED]
    assert row.association_id == member.association_id


# ----- record_receiving --------------------------------------------------------------------------


def test_record_receiving_creates_an_application_at_receiving_with_the_amount_in_poisha():
    member, scheme = testing.member(), make_scheme()
    application = services.record_receiving(
        actor=None, member=member, scheme=scheme, since=days_ago(400), amount_per_month=60000
    )
    assert application.status == Status.RECEIVING
    assert (application.receiving_since, application.amount_per_month) == (days_ago(400), 60000)
    assert list(application.events.values_list("status", flat=True)) == [Status.RECEIVING]


def test_record_receiving_moves_an_open_application_from_any_step_even_to_an_earlier_day():
    member, scheme = testing.member(), make_scheme()
    application = services.identify(actor=None, member=member, scheme=scheme, on=days_ago(5))
    found = services.record_receiving(actor=None, member=member, scheme=scheme, since=days_ago(300))
    assert found.pk == application.pk
    found.refresh_from_db()
    assert (found.status, found.receiving_since, found.updated_on) == (
        Status.RECEIVING,
        days_ago(300),
        days_ago(5),
    )
    assert list(found.events.values_list("status", flat=True)) == [Status.RECEIVING, Status.IDENTIFIED]


def test_record_receiving_again_corrects_the_date_and_amount_without_a_new_step():
    member, scheme = testing.member(), make_scheme()
    services.record_receiving(actor=None, member=member, scheme=scheme, since=days_ago(30))
    again = services.record_receiving(
        actor=None, member=member, scheme=scheme, since=days_ago(60), amount_per_month=55000
    )
    assert (again.receiving_since, again.amount_per_month) == (days_ago(60), 55000)
    assert again.events.count() == 1
    assert Application.objects.filter(member=member).count() == 1


def test_record_receiving_refuses_the_future_and_a_negative_amount():
    member, scheme = testing.member(), make_scheme()
    with pytest.raises(AccessError) as error:
        services.record_receiving(
            actor=None, member=member, scheme=scheme, since=TODAY + datetime.timedelta(days=1)
        )
    assert error.value.field == "since"
    with pytest.raises(AccessError) as error:
        services.record_receiving(actor=None, member=member, scheme=scheme, since=TODAY, amount_per_month=-1)
    assert error.value.field == "amount_per_month"
    assert not Application.objects.exists()


# ----- the pipeline ------------------------------------------------------------------------------


def test_an_application_goes_through_every_step_to_stopped_with_an_event_each():
    application = receiving_application()
    services.stop(actor=None, application=application, on=TODAY, note="moved away")
    application.refresh_from_db()
    assert application.status == Status.STOPPED
    assert (application.documents_ready_on, application.submitted_on, application.decided_on) == (
        days_ago(40),
        days_ago(30),
        days_ago(20),
    )
    assert (application.receiving_since, application.stopped_on, application.updated_on) == (
        days_ago(10),
        TODAY,
        TODAY,
    )
    assert list(application.events.values_list("status", "on")) == [
        (Status.IDENTIFIED, days_ago(50)),
        (Status.DOCUMENTS_READY, days_ago(40)),
        (Status.SUBMITTED, days_ago(30)),
        (Status.APPROVED, days_ago(20)),
        (Status.RECEIVING, days_ago(10)),
        (Status.STOPPED, TODAY),
    ]
    assert application.events.last().note == "moved away"


STEPS = {
    Status.DOCUMENTS_READY: lambda a, on: services.mark_documents_ready(actor=None, application=a, on=on),
    Status.SUBMITTED: lambda a, on: services.submit(actor=None, application=a, on=on, where="UP"),
    Status.APPROVED: lambda a, on: services.approve(actor=None, application=a, on=on),
    Status.REJECTED: lambda a, on: services.reject(
        actor=None, application=a, on=on, reason=RejectionReason.NOT_LISTED
    ),
    Status.RECEIVING: lambda a, on: services.start_receiving(actor=None, application=a, since=on),
    Status.STOPPED: lambda a, on: services.stop(actor=None, application=a, on=on),
}
PATHS = {  # a way to reach each status, from identified
    Status.IDENTIFIED: [],
    Status.DOCUMENTS_READY: [Status.DOCUMENTS_READY],
    Status.SUBMITTED: [Status.DOCUMENTS_READY, Status.SUBMITTED],
    Status.APPROVED: [Status.DOCUMENTS_READY, Status.SUBMITTED, Status.APPROVED],
    Status.REJECTED: [Status.DOCUMENTS_READY, Status.SUBMITTED, Status.REJECTED],
    Status.RECEIVING: [Status.DOCUMENTS_READY, Status.SUBMITTED, Status.RECEIVING],
    Status.STOPPED: [Status.DOCUMENTS_READY, Status.SUBMITTED, Status.RECEIVING, Status.STOPPED],
}


def _at(status: str) -> Application:
    application = services.identify(
        actor=None, member=testing.member(), scheme=make_scheme(), on=days_ago(10)
    )
    for step in PATHS[status]:
        STEPS[step](application, days_ago(5))
    return application


@pytest.mark.parametrize("start", Status.values)
@pytest.mark.parametrize("to", list(STEPS))
def test_each_step_is_allowed_only_from_the_steps_before_it(start, to):
    application = _at(start)
    events = application.events.count()
    if to in services.MOVES[start]:
        STEPS[to](application, days_ago(1))
        application.refresh_from_db()
        assert application.status == to
        assert application.events.count() == events + 1
    else:
        with pytest.raises(AccessError, match="cannot move") as error:
            STEPS[to](application, days_ago(1))
        assert error.value.code == "not_allowed"
        application.refresh_from_db()
        assert application.status == start
        assert application.events.count() == events


def test_receiving_straight_after_submitted_counts_as_the_decision():
    application = _at(Status.SUBMITTED)
    services.start_receiving(actor=None, application=application, since=days_ago(2), amount_per_month=85000)
    assert (application.decided_on, application.amount_per_month) == (days_ago(2), 85000)


def test_a_step_cannot_be_in_the_future_nor_before_the_previous_step():
    application = services.identify(
        actor=None, member=testing.member(), scheme=make_scheme(), on=days_ago(10)
    )
    with pytest.raises(AccessError, match="cannot be earlier") as error:
        services.mark_documents_ready(actor=None, application=application, on=days_ago(11))
    assert error.value.field == "on"
    with pytest.raises(AccessError, match="happened"):
        services.mark_documents_ready(
            actor=None, application=application, on=TODAY + datetime.timedelta(days=1)
        )
    services.mark_documents_ready(
        actor=None, application=application, on=days_ago(10)
    )  # the same day is fine
    with pytest.raises(AccessError, match="cannot be earlier") as error:
        STEPS[Status.SUBMITTED](application, days_ago(11))


def test_submitting_says_where_or_to_whom():
    application = _at(Status.DOCUMENTS_READY)
    with pytest.raises(AccessError, match="where or to whom") as error:
        services.submit(actor=None, application=application, on=TODAY, where="  ")
    assert error.value.field == "where"
    services.submit(actor=None, application=application, on=TODAY, to="Ward member Rahim")
    assert (application.submitted_to, application.submitted_where) == ("Ward member Rahim", "")


def test_a_rejection_needs_a_known_reason_and_a_note_when_the_reason_is_other():
    application = _at(Status.SUBMITTED)
    with pytest.raises(AccessError) as error:
        services.reject(actor=None, application=application, on=TODAY, reason="bad luck")
    assert error.value.field == "reason"
    with pytest.raises(AccessError) as error:
        services.reject(actor=None, application=application, on=TODAY, reason=RejectionReason.OTHER)
    assert error.value.field == "note"
    services.reject(
        actor=None,
        application=application,
        on=TODAY,
        reason=RejectionReason.DOCUMENTS,
        note="no income certificate",
    )
    assert (application.rejection_reason, application.rejection_note) == (
        "documents",
        "no income certificate",
    )


def test_documents_ready_is_refused_while_documents_are_missing_naming_them():
    member = testing.member()
    scheme = make_scheme(documents=[DocumentKind.NATIONAL_ID, DocumentKind.INCOME_CERTIFICATE])
    application = services.identify(actor=None, member=member, scheme=scheme, on=days_ago(3))
    with pytest.raises(AccessError, match="national ID card, income certificate") as error:
        services.mark_documents_ready(actor=None, application=application, on=TODAY)
    assert error.value.field == "on"
    record_document(actor=None, member=member, kind=DocumentKind.INCOME_CERTIFICATE)
    with pytest.raises(AccessError, match=r"Still missing: national ID card\."):
        services.mark_documents_ready(actor=None, application=application, on=TODAY)
    member.national_id = "1234567890"
    member.save()
    services.mark_documents_ready(actor=None, application=application, on=TODAY)
    assert application.status == Status.DOCUMENTS_READY


def test_each_step_is_audited_with_what_changed():
    group = testing.group()
    facilitator = facilitator_of(group)
    application = receiving_application(actor=facilitator, member=testing.member(group))
    rows = AuditEvent.objects.filter(object_type="access.application", object_id=application.pk).order_by(
        "id"
    )
    assert [r.changes.get("status") for r in rows] == [
        [None, "identified"],
        ["identified", "documents_ready"],
        ["documents_ready", "submitted"],
        ["submitted", "approved"],
        ["approved", "receiving"],
    ]
    assert rows.last().changes["amount_per_month"] == [None, 60000]
    assert all(r.actor == facilitator for r in rows)
    assert set(application.events.values_list("recorded_by", flat=True)) == {facilitator.pk}


# ----- the signal --------------------------------------------------------------------------------


def test_the_signal_is_sent_after_commit_with_the_step(django_capture_on_commit_callbacks):
    heard = []

    def listen(sender, **details):
        heard.append((details["previous"], details["status"], details["on"], details["application"].pk))

    application_status_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            application = services.identify(actor=None, member=testing.member(), scheme=make_scheme())
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert heard == [("", Status.IDENTIFIED, TODAY, application.pk)]
        with django_capture_on_commit_callbacks(execute=True):
            services.mark_documents_ready(actor=None, application=application)
        assert heard[-1] == (Status.IDENTIFIED, Status.DOCUMENTS_READY, TODAY, application.pk)
    finally:
        application_status_changed.disconnect(listen)


def test_a_step_that_fails_or_rolls_back_sends_nothing(django_capture_on_commit_callbacks):
    heard = []
    application_status_changed.connect(
        lambda sender, **details: heard.append(details), weak=False, dispatch_uid="test_rollback"
    )
    try:
        application = _at(Status.IDENTIFIED)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(AccessError):
                services.approve(actor=None, application=application, on=TODAY)
            try:
                with transaction.atomic():
                    services.mark_documents_ready(actor=None, application=application)
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
        assert callbacks == [] and heard == []
    finally:
        application_status_changed.disconnect(dispatch_uid="test_rollback")


# ----- scope -------------------------------------------------------------------------------------


def test_a_member_outside_the_actors_scope_or_a_read_only_role_cannot_be_written():
    group, other = testing.group(), testing.group()
    facilitator = facilitator_of(group)
    viewer = testing.staff(Role.VIEWER, organisation=group.parent)
    with pytest.raises(AccessError) as error:
        services.identify(actor=facilitator, member=testing.member(other), scheme=make_scheme())
    assert error.value.code == "forbidden"
    with pytest.raises(AccessError):
        services.identify(actor=viewer, member=testing.member(group), scheme=make_scheme())
    application = _at(Status.IDENTIFIED)
    with pytest.raises(AccessError) as error:
        services.mark_documents_ready(actor=facilitator, application=application)
    assert error.value.code == "forbidden"
    with pytest.raises(AccessError):
        services.record_receiving(
            actor=facilitator, member=application.member, scheme=application.scheme, since=TODAY
        )


def test_stalled_means_no_step_for_the_named_number_of_days_while_waiting():
    quiet = services.STALLED_AFTER_DAYS + 1
    waiting = services.identify(actor=None, member=testing.member(), scheme=make_scheme(), on=days_ago(quiet))
    fresh = services.identify(actor=None, member=testing.member(), scheme=make_scheme(), on=days_ago(1))
    receiving = services.record_receiving(
        actor=None, member=testing.member(), scheme=make_scheme(), since=days_ago(quiet)
    )
    found = set(Application.objects.filter(services.stalled(TODAY)).values_list("pk", flat=True))
    assert found == {waiting.pk}
    assert services.is_stalled(waiting, TODAY) and not services.is_stalled(fresh, TODAY)
    assert not services.is_stalled(receiving, TODAY)
    counts = services.status_counts(Application.objects.all(), TODAY)
    assert (counts["identified"], counts["receiving"], counts["stalled"]) == (2, 1, 1)
    assert ApplicationEvent.objects.count() == 3


# ----- pages -------------------------------------------------------------------------------------


def test_an_application_is_started_from_a_member_and_a_scheme(client):
    group = testing.group()
    member, scheme = testing.member(group), make_scheme()
    client.force_login(facilitator_of(group))
    url = reverse("access:application_new", args=[member.pk])
    page = client.get(url, {"scheme": scheme.code})
    assert page.status_code == 200 and page.context["form"].initial["scheme"] == scheme.code
    response = client.post(url, {"scheme": scheme.code, "on": TODAY.isoformat()})
    application = Application.objects.get(member=member)
    assert response.status_code == 302 and response["Location"] == reverse(
        "access:application", args=[application.pk]
    )
    response = client.post(url, {"scheme": scheme.code, "on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "already has an open application" in str(response.context["form"].errors["scheme"])


def test_the_application_page_shows_the_timeline_and_moves_one_step_at_a_time(client):
    group = testing.group()
    scheme = make_scheme(documents=[DocumentKind.INCOME_CERTIFICATE])
    application = services.identify(actor=None, member=testing.member(group), scheme=scheme, on=days_ago(5))
    client.force_login(facilitator_of(group))
    url = reverse("access:application", args=[application.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert [status for status, _h, _f in page.context["steps"]] == [Status.DOCUMENTS_READY]
    assert b"income certificate" in page.content
    step = reverse("access:application_step", args=[application.pk, Status.DOCUMENTS_READY])
    response = client.post(step, {"documents_ready-on": TODAY.isoformat()})
    assert response.status_code == 400 and b"Still missing: income certificate" in response.content
    record_document(actor=None, member=application.member, kind=DocumentKind.INCOME_CERTIFICATE)
    assert client.post(step, {"documents_ready-on": TODAY.isoformat()}).status_code == 302
    submit = reverse("access:application_step", args=[application.pk, Status.SUBMITTED])
    response = client.post(submit, {"submitted-on": days_ago(6).isoformat(), "submitted-where": "UP"})
    assert response.status_code == 400 and "cannot be earlier" in str(
        response.context["steps"][0][2].errors["on"]
    )
    client.post(submit, {"submitted-on": TODAY.isoformat(), "submitted-where": "Union digital centre"})
    receiving = reverse("access:application_step", args=[application.pk, Status.RECEIVING])
    response = client.post(
        receiving, {"receiving-since": TODAY.isoformat(), "receiving-amount_per_month": "৬০০"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.amount_per_month) == (Status.RECEIVING, 60000)
    page = client.get(url)
    assert "৳600" in page.content.decode()
    assert [e.status for e in page.context["events"]] == [
        "identified",
        "documents_ready",
        "submitted",
        "receiving",
    ]


def test_a_step_not_allowed_from_here_is_refused_on_the_page(client):
    group = testing.group()
    application = services.identify(actor=None, member=testing.member(group), scheme=make_scheme())
    client.force_login(facilitator_of(group))
    response = client.post(
        reverse("access:application_step", args=[application.pk, Status.APPROVED]),
        {"approved-on": TODAY.isoformat()},
    )
    assert response.status_code == 400 and b"cannot move" in response.content
    assert (
        client.post(reverse("access:application_step", args=[application.pk, "paid"]), {}).status_code == 404
    )


def test_application_pages_answer_404_outside_scope_and_read_only_roles_cannot_write(client):
    group = testing.group()
    application = services.identify(actor=None, member=testing.member(group), scheme=make_scheme())
    client.force_login(facilitator_of(testing.group()))
    assert client.get(reverse("access:application", args=[application.pk])).status_code == 404
    assert client.get(reverse("access:application_new", args=[application.member_id])).status_code == 404
    assert b"Member" not in client.get(reverse("access:applications")).content.split(b"<tbody>")[1][:20]
    client.force_login(testing.staff(Role.VIEWER, organisation=group.parent))
    page = client.get(reverse("access:application", args=[application.pk]))
    assert page.status_code == 200 and page.context["steps"] == []
    response = client.post(
        reverse("access:application_step", args=[application.pk, Status.DOCUMENTS_READY]),
        {"documents_ready-on": TODAY.isoformat()},
    )
    assert response.status_code == 404
    assert client.get(reverse("access:application_new", args=[application.member_id])).status_code == 404
    application.refresh_from_db()
    assert application.status == Status.IDENTIFIED


def test_the_list_counts_each_status_marks_stalled_ones_and_filters(client, django_assert_max_num_queries):
    group, other_group = testing.group(), testing.group()
    scheme, other = make_scheme(), make_scheme()
    quiet = services.STALLED_AFTER_DAYS + 1
    stalled = services.identify(actor=None, member=testing.member(group), scheme=scheme, on=days_ago(quiet))
    services.identify(actor=None, member=testing.member(group), scheme=other)
    receiving_application(member=testing.member(group), scheme=scheme)
    services.identify(actor=None, member=testing.member(other_group), scheme=scheme)
    client.force_login(facilitator_of(group))
    url = reverse("access:applications")
    with django_assert_max_num_queries(12):
        page = client.get(url)
    counts = {value: count for value, _label, count in page.context["counts"]}
    assert (counts["identified"], counts["receiving"], page.context["stalled"]) == (2, 1, 1)
    rows = list(page.context["page"].object_list)
    assert len(rows) == 3 and [a.pk for a in rows if a.stalled] == [stalled.pk]
    assert b"stalled" in page.content
    assert [a.pk for a in client.get(url, {"status": "stalled"}).context["page"].object_list] == [stalled.pk]
    assert len(client.get(url, {"scheme": other.code}).context["page"].object_list) == 1
    assert len(client.get(url, {"status": "receiving"}).context["page"].object_list) == 1
    assert len(client.get(url, {"group": group.pk}).context["page"].object_list) == 3


# ----- API ---------------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    _token, key = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_starts_an_application_and_moves_it_to_receiving_audited_as_api():
    group = testing.group()
    facilitator = facilitator_of(group)
    member, scheme = testing.member(group), make_scheme(documents=[DocumentKind.BANK_ACCOUNT])
    client, headers = Client(), bearer(facilitator)
    made = client.post(
        "/api/access/applications",
        {"member": member.pk, "scheme": scheme.code, "on": days_ago(3).isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["next_steps"], body["missing_documents"]) == (
        "identified",
        ["documents_ready"],
        ["bank_account"],
    )
    url = f"/api/access/applications/{body['id']}/steps"
    refused = client.post(
        url, {"status": "documents_ready"}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 400 and refused.json()["field"] == "on"
    documents = client.post(
        f"/api/access/members/{member.pk}/documents",
        {"kind": "bank_account"},
        content_type="application/json",
        headers=headers,
    )
    assert documents.json()["held"] == ["bank_account"]
    for step in (
        {"status": "documents_ready"},
        {"status": "submitted", "where": "UP"},
        {"status": "receiving", "amount_per_month": 60000},
    ):
        moved = client.post(url, step, content_type="application/json", headers=headers)
        assert moved.status_code == 200, moved.content
    body = moved.json()
    assert (body["status"], body["amount_per_month"], body["receiving_since"]) == (
        "receiving",
        60000,
        TODAY.isoformat(),
    )
    assert [e["status"] for e in body["events"]] == [
        "identified",
        "documents_ready",
        "submitted",
        "receiving",
    ]
    assert set(
        AuditEvent.objects.filter(object_type="access.application").values_list("channel", flat=True)
    ) == {"api"}
    wrong = client.post(url, {"status": "approved"}, content_type="application/json", headers=headers)
    assert wrong.status_code == 400 and wrong.json()["code"] == "not_allowed"
    listed = client.get("/api/access/applications", {"status": "receiving"}, headers=headers).json()
    assert [a["id"] for a in listed["items"]] == [body["id"]]


def test_the_api_records_receiving_learnt_at_screening():
    group = testing.group()
    member, scheme = testing.member(group), make_scheme()
    response = Client().post(
        f"/api/access/members/{member.pk}/receiving",
        {"scheme": scheme.code, "since": "2024-07-01", "amount_per_month": 55000},
        content_type="application/json",
        headers=bearer(facilitator_of(group)),
    )
    assert response.status_code == 200 and response.json()["status"] == "receiving"


def test_the_api_is_scoped_and_read_only_roles_cannot_write():
    group = testing.group()
    application = services.identify(actor=None, member=testing.member(group), scheme=make_scheme())
    outsider = bearer(facilitator_of(testing.group()))
    client = Client()
    assert client.get(f"/api/access/applications/{application.pk}", headers=outsider).status_code == 404
    assert client.get("/api/access/applications", headers=outsider).json()["count"] == 0
    assert (
        client.get(f"/api/access/members/{application.member_id}/documents", headers=outsider).status_code
        == 404
    )
    made = client.post(
        "/api/access/applications",
        {"member": application.member_id, "scheme": make_scheme().code},
        content_type="application/json",
        headers=outsider,
    )
    assert made.status_code == 400 and made.json()["field"] == "member"
    viewer = bearer(testing.staff(Role.VIEWER, organisation=group.parent))
    assert client.get(f"/api/access/applications/{application.pk}", headers=viewer).status_code == 200
    moved = client.post(
        f"/api/access/applications/{application.pk}/steps",
        {"status": "documents_ready"},
        content_type="application/json",
        headers=viewer,
    )
    assert moved.status_code == 403
    assert client.get("/api/access/applications").status_code == 401
    application.refresh_from_db()
    assert application.status == Status.IDENTIFIED


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.sampled_from(list(STEPS)), st.integers(-3, 12)), max_size=8))
def test_any_sequence_of_steps_is_taken_only_in_order_and_keeps_the_timeline_dated_in_order(moves):
    application = services.identify(
        actor=None, member=testing.member(), scheme=make_scheme(), on=days_ago(60)
    )
    status, last, taken = Status.IDENTIFIED, days_ago(60), [(Status.IDENTIFIED, days_ago(60))]
    for to, offset in moves:
        on = last + datetime.timedelta(days=offset)
        allowed = to in services.MOVES[status] and last <= on <= TODAY
        try:
            STEPS[to](application, on)
        except AccessError:
            assert not allowed
        else:
            assert allowed
            status, last = to, on
            taken.append((to, on))
    application.refresh_from_db()
    assert (application.status, application.updated_on) == (status, last)
    assert list(application.events.values_list("status", "on")) == taken


def test_the_application_page_reads_in_bengali_digits_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    group = testing.group()
    application = receiving_application(member=testing.member(group))
    client.force_login(facilitator_of(group))
    with django_assert_max_num_queries(16):
        page = client.get(reverse("access:application", args=[application.pk]))
    assert page.status_code == 200
    client.cookies["django_language"] = "bn"
    page = client.get(reverse("access:application", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="bn")
    assert "৳৬০০" in page.content.decode()
