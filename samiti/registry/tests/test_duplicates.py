"""Possible duplicates are flagged for a person, never merged silently; merging keeps both histories."""

import pytest

from samiti.core.models import AuditEvent
from samiti.registry import services, testing
from samiti.registry.models import DuplicateFlag, Member, Role

pytestmark = pytest.mark.django_db


def reasons(a, b):
    first, second = sorted([a.pk, b.pk])
    return set(
        DuplicateFlag.objects.filter(member_id=first, other_id=second).values_list("reason", flat=True)
    )


def test_same_national_id_same_phone_and_same_name_across_scripts_are_flagged():
    group = testing.group()
    a = testing.member(
        group=group, name_en="Mst. Rahima Khatun", national_id="1234567890", phone="01712000001"
    )
    b = testing.member(group=group, name_bn="মোছাম্মৎ রহিমা খাতুন", national_id="1234567890")
    c = testing.member(group=group, name_en="Karim", sex="M", phone="01712000001")
    assert reasons(a, b) == {"national_id", "name"}
    assert reasons(a, c) == {"phone"}
    assert reasons(b, c) == set()
    # Flagged, not merged.
    assert Member.objects.filter(merged_into__isnull=False).count() == 0


def test_the_same_name_in_another_village_is_not_flagged():
    a = testing.member(name_en="Rahima Khatun")
    b = testing.member(name_en="Rahima Khatun")
    assert a.area_id != b.area_id
    assert reasons(a, b) == set()


def test_merging_fills_blanks_retires_the_other_record_and_keeps_both_histories(client):
    group = testing.group()
    keep = testing.member(group=group, name_en="Rahima Khatun", phone="01712000009")
    drop = testing.member(group=group, name_bn="রহিমা খাতুন", national_id="1234567890123", phone="01712000009")
    flag = DuplicateFlag.objects.filter(reason="phone").get()
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    client.force_login(admin)
    decision = "keep_member" if flag.member_id == keep.pk else "keep_other"
    response = client.post(f"/duplicates/{flag.pk}/", {"decision": decision})
    assert response.status_code == 302
    keep.refresh_from_db()
    drop.refresh_from_db()
    assert keep.name_bn == "রহিমা খাতুন" and keep.national_id == "1234567890123"
    assert drop.merged_into == keep and not drop.is_active
    assert not DuplicateFlag.objects.filter(status="open").exists()
    page = client.get(f"/members/{keep.pk}/").content.decode()
    # The kept record's page shows the history of both records.
    assert page.count("merged") >= 2
    assert AuditEvent.objects.filter(object_id=drop.pk, action="merge").exists()


def test_keeping_apart_closes_the_flag_without_changing_either_record(client):
    group = testing.group()
    a = testing.member(group=group, name_en="Amena", phone="01712000010")
    b = testing.member(group=group, name_en="Jahanara", phone="01712000010")
    flag = DuplicateFlag.objects.get()
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    client.post(f"/duplicates/{flag.pk}/", {"decision": "apart"})
    flag.refresh_from_db()
    assert flag.status == "kept_apart"
    assert Member.objects.filter(pk__in=[a.pk, b.pk], merged_into__isnull=True).count() == 2


def test_a_leader_cannot_resolve_a_flag_outside_scope(client):
    a = testing.member(phone="01712000011")
    b = testing.member(phone="01712000011")
    flag = DuplicateFlag.objects.get()
    client.force_login(testing.staff(Role.GROUP_LEADER, organisation=a.group))
    assert client.post(f"/duplicates/{flag.pk}/", {"decision": "keep_member"}).status_code == 404
    assert client.get("/duplicates/").context["page"].paginator.count == 0
    with pytest.raises(services.RegistryError):
        services.merge_members(actor=testing.staff(Role.GROUP_LEADER, organisation=a.group), keep=a, drop=b)
