"""Every create, change and delete of a member or organisation is kept: who, when, what, how."""

import pytest

from samiti.core.models import AuditEvent, Channel
from samiti.registry import services, testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db


def events(obj):
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk).order_by("id"))


def test_creating_a_member_records_who_through_which_channel_and_every_value():
    group = testing.group()
    admin = testing.staff()
    member = services.register_member(
        actor=admin, channel=Channel.API, group=group, name_en="Rina Begum", sex="F", phone="01711000001"
    )
    [event] = events(member)
    assert (event.action, event.actor, event.channel) == ("create", admin, "api")
    assert event.changes["name_en"] == [None, "Rina Begum"]
    assert event.changes["phone"] == [None, "+8801711000001"]
    assert event.association_id == group.parent_id


def test_changing_a_member_records_only_the_fields_that_changed_from_what_to_what():
    member = testing.member(name_en="Rina Begum", phone="01711000002")
    admin = testing.staff()
    services.update_member(actor=admin, member=member, name_en="Rina Khatun", phone="+8801711000002")
    event = events(member)[-1]
    assert event.action == "update" and event.actor == admin and event.channel == "web"
    # The phone was given in another form but is the same number: not a change.
    assert event.changes == {"name_en": ["Rina Begum", "Rina Khatun"]}


def test_saving_without_a_change_writes_no_audit_row():
    member = testing.member()
    before = AuditEvent.objects.count()
    services.update_member(actor=None, member=member, name_en=member.name_en)
    assert AuditEvent.objects.count() == before


def test_deleting_a_member_keeps_what_the_record_held():
    member = testing.member(name_en="Mistake Entry")
    pk = member.pk
    services.delete_member(actor=None, member=member)
    event = AuditEvent.objects.get(object_type="registry.member", object_id=pk, action="delete")
    assert event.changes["name_en"] == ["Mistake Entry", None]


def test_organisation_create_change_and_delete_are_audited():
    admin = testing.staff()
    place = testing.union()
    federation = services.create_organisation(
        actor=admin, kind="federation", code="F1", name_en="Fed", area=place
    )
    services.update_organisation(actor=admin, organisation=federation, name_bn="ফেডারেশন")
    pk = federation.pk
    services.delete_organisation(actor=admin, organisation=federation)
    actions = list(
        AuditEvent.objects.filter(object_type="registry.organisation", object_id=pk)
        .order_by("id")
        .values_list("action", "changes")
    )
    assert [a for a, _ in actions] == ["create", "update", "delete"]
    assert actions[1][1] == {"name_bn": ["", "ফেডারেশন"]}


def test_an_edit_through_the_page_is_audited_and_shown_in_the_members_history(client):
    group = testing.group()
    member = testing.member(group=group, name_en="Shapla Rani")
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    client.force_login(leader)
    form = {
        "name_en": "Shapla Rani Das",
        "sex": "F",
        "group": group.pk,
        "joined_on": member.joined_on.isoformat(),
        "phone": "01811000003",
    }
    response = client.post(f"/members/{member.pk}/edit/", form)
    assert response.status_code == 302
    event = events(member)[-1]
    assert event.actor == leader and event.channel == "web"
    assert event.changes["name_en"] == ["Shapla Rani", "Shapla Rani Das"]
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "Shapla Rani Das" in page and leader.username in page
