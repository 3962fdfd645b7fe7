"""Documents members hold, what an application still lacks, and the facilitator's task list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from samiti.access.errors import AccessError
from samiti.access.models import DocumentKind, MemberDocument
from samiti.access.services import applications
from samiti.access.services import documents as services
from samiti.access.tests.test_applications import facilitator_of, make_scheme
from samiti.core.models import AuditEvent
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NEEDS = [DocumentKind.NATIONAL_ID, DocumentKind.INCOME_CERTIFICATE, DocumentKind.BANK_ACCOUNT]


def test_missing_documents_reads_the_national_id_from_the_member_and_the_rest_from_documents():
    member = testing.member()
    scheme = make_scheme(documents=NEEDS)
    assert services.missing_documents(member, scheme) == NEEDS
    services.record_document(actor=None, member=member, kind=DocumentKind.BANK_ACCOUNT)
    member.national_id = "19901234567890123"
    member.save()
    assert services.missing_documents(member, scheme) == [DocumentKind.INCOME_CERTIFICATE]


def test_a_national_id_card_seen_counts_before_its_number_is_typed_in():
    member = testing.member()
    services.record_document(actor=None, member=member, kind=DocumentKind.NATIONAL_ID)
    assert services.missing_documents(member, make_scheme(documents=[DocumentKind.NATIONAL_ID])) == []


def test_recording_a_document_twice_keeps_one_and_updates_the_date_audited():
    group = testing.group()
    facilitator = facilitator_of(group)
    member = testing.member(group)
    first = services.record_document(actor=facilitator, member=member, kind=DocumentKind.PHOTO)
    again = services.record_document(
        actor=facilitator,
        member=member,
        kind=DocumentKind.PHOTO,
        obtained_on=TODAY - datetime.timedelta(days=3),
    )
    assert first.pk == again.pk and MemberDocument.objects.filter(member=member).count() == 1
    rows = AuditEvent.objects.filter(object_type="access.memberdocument", object_id=first.pk).order_by("id")
    assert [r.action for r in rows] == [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE]
    assert rows[0].actor == facilitator and rows[0].association_id == member.association_id


def test_bad_documents_are_refused_on_their_field():
    member = testing.member()
    with pytest.raises(AccessError) as error:
        services.record_document(actor=None, member=member, kind="passport")
    assert error.value.field == "kind"
    with pytest.raises(AccessError) as error:
        services.record_document(
            actor=None, member=member, kind=DocumentKind.PHOTO, obtained_on=TODAY + datetime.timedelta(days=1)
        )
    assert error.value.field == "obtained_on"
    with pytest.raises(AccessError) as error:
        services.remove_document(actor=None, member=member, kind=DocumentKind.PHOTO)
    assert error.value.field == "kind"


def test_removing_a_document_makes_it_missing_again_and_is_audited():
    member = testing.member()
    document = services.record_document(actor=None, member=member, kind=DocumentKind.BANK_ACCOUNT)
    services.remove_document(actor=None, member=member, kind=DocumentKind.BANK_ACCOUNT)
    assert not MemberDocument.objects.filter(member=member).exists()
    assert AuditEvent.objects.filter(
        object_type="access.memberdocument", object_id=document.pk, action=AuditEvent.Action.DELETE
    ).exists()


def test_documents_of_a_member_out_of_scope_are_refused():
    facilitator = facilitator_of(testing.group())
    with pytest.raises(AccessError) as error:
        services.record_document(actor=facilitator, member=testing.member(), kind=DocumentKind.PHOTO)
    assert error.value.code == "forbidden"


def _tasks_world():
    group = testing.group()
    scheme = make_scheme(name_en="Old Age Allowance", documents=NEEDS)
    other = make_scheme(
        name_en="Disability Allowance",
        documents=[DocumentKind.DISABILITY_CERTIFICATE, DocumentKind.NATIONAL_ID],
    )
    amina = testing.member(group, name_en="Amina", national_id="19901234567890123")
    bilkis = testing.member(group, name_en="Bilkis")
    done = testing.member(group, name_en="Champa", national_id="19901234567890124")
    for kind in (DocumentKind.INCOME_CERTIFICATE, DocumentKind.BANK_ACCOUNT):
        services.record_document(actor=None, member=done, kind=kind)
    for member in (amina, bilkis, done):
        applications.identify(actor=None, member=member, scheme=scheme)
    applications.identify(actor=None, member=bilkis, scheme=other)
    submitted = testing.member(group, name_en="Dilruba")
    application = applications.identify(actor=None, member=submitted, scheme=make_scheme())
    applications.mark_documents_ready(actor=None, application=application)
    applications.submit(actor=None, application=application, on=TODAY, where="UP")
    return group, scheme, other, amina, bilkis


def test_tasks_list_what_each_member_lacks_by_group_with_the_schemes_waiting():
    group, scheme, other, amina, bilkis = _tasks_world()
    (found,) = services.document_tasks(applications.applications_for(testing.staff()))
    assert found.group == group
    assert [t.member for t in found.members] == [amina, bilkis]
    assert amina_tasks(found) == {"income_certificate": [scheme], "bank_account": [scheme]}
    assert amina_tasks(found, 1) == {
        "national_id": [other, scheme],
        "income_certificate": [scheme],
        "bank_account": [scheme],
        "disability_certificate": [other],
    }


def amina_tasks(found, index=0):
    return {kind: schemes for kind, _label, schemes in found.members[index].items}


def test_the_task_page_lists_documents_and_ticking_one_records_it(client):
    group, scheme, _other, amina, _bilkis = _tasks_world()
    facilitator = facilitator_of(group)
    client.force_login(facilitator)
    url = reverse("access:tasks")
    response = client.get(url)
    assert response.status_code == 200
    assert b"Amina" in response.content and b"income certificate" in response.content
    response = client.post(url, {"member": amina.pk, "kind": DocumentKind.INCOME_CERTIFICATE})
    assert response.status_code == 302
    assert MemberDocument.objects.filter(member=amina, kind=DocumentKind.INCOME_CERTIFICATE).exists()
    assert services.missing_documents(amina, scheme) == [DocumentKind.BANK_ACCOUNT]


def test_the_task_page_refuses_members_out_of_scope_and_read_only_roles(client):
    group, _scheme, _other, amina, _bilkis = _tasks_world()
    client.force_login(facilitator_of(testing.group()))
    assert b"Amina" not in client.get(reverse("access:tasks")).content
    response = client.post(reverse("access:tasks"), {"member": amina.pk, "kind": DocumentKind.PHOTO})
    assert response.status_code == 404
    client.force_login(testing.staff(Role.VIEWER, organisation=group.parent))
    assert b"Amina" in client.get(reverse("access:tasks")).content
    response = client.post(reverse("access:tasks"), {"member": amina.pk, "kind": DocumentKind.PHOTO})
    assert response.status_code == 404
    assert not MemberDocument.objects.filter(member=amina, kind=DocumentKind.PHOTO).exists()


def test_the_task_page_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    _tasks_world()
    client.force_login(testing.staff())
    with django_assert_max_num_queries(12):
        assert client.get(reverse("access:tasks")).status_code == 200
