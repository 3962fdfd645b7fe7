"""Meetings and attendance, authorities and their officials, an organisation's by-laws."""

import datetime

import pytest
from django.utils import timezone

from samiti.core.models import AuditEvent
from samiti.registry import queries, services, testing
from samiti.registry.models import Attendance, Authority, Meeting, Role
from samiti.registry.services import RegistryError

pytestmark = pytest.mark.django_db


def _meeting(group, actor=None, **fields):
    fields.setdefault("starts_at", timezone.make_aware(datetime.datetime(2026, 3, 1, 10)))
    return services.plan_meeting(actor=actor, organisation=group, kind=Meeting.Kind.GROUP, **fields)


def test_attendance_records_who_was_there_and_replaces_on_a_second_recording():
    group = testing.group()
    a, b, c = (testing.member(group) for _ in range(3))
    meeting = _meeting(group)
    services.record_attendance(
        actor=None, meeting=meeting, members=[a, b, a], officials=[("Rahim", "UP Member", None)]
    )
    assert set(Attendance.objects.filter(meeting=meeting).values_list("member", flat=True)) == {a.pk, b.pk}
    assert meeting.status == Meeting.Status.HELD
    assert list(meeting.officials_present.values_list("name", "post")) == [("Rahim", "UP Member")]
    services.record_attendance(actor=None, meeting=meeting, members=[c])
    assert list(meeting.attendance.values_list("member", flat=True)) == [c.pk]
    event = AuditEvent.objects.filter(object_type="registry.meeting", action="update").order_by("id").last()
    assert event.changes["attendance"] == [2, 1]
    assert f"+ {c.code}" in event.note and f"- {a.code}" in event.note


def test_only_members_of_the_organisation_attend_its_meeting():
    group, other = testing.group(), testing.group()
    stranger = testing.member(other)
    with pytest.raises(RegistryError, match=stranger.code):
        services.record_attendance(actor=None, meeting=_meeting(group), members=[stranger])


def test_an_association_meeting_counts_members_of_its_groups():
    group = testing.group()
    second_group = testing.organisation("group", group.parent)
    members = [testing.member(group), testing.member(second_group)]
    meeting = services.plan_meeting(
        actor=None, organisation=group.parent, kind=Meeting.Kind.GENERAL_ASSEMBLY, starts_at=timezone.now()
    )
    services.record_attendance(actor=None, meeting=meeting, members=members)
    assert meeting.attendance.count() == 2
    assert queries.active_members(group.parent).count() == 2


def test_a_leader_plans_meetings_only_for_organisations_in_scope():
    group, other = testing.group(), testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    assert _meeting(group, actor=leader).organisation == group
    with pytest.raises(RegistryError):
        _meeting(other, actor=leader)
    assert queries.meetings_for(leader).count() == 1


def test_by_laws_default_until_set_and_refuse_impossible_values():
    group = testing.group()
    rules = queries.by_laws(group)
    assert (rules.pk, rules.quorum_percent, rules.term_years, rules.women_seats_percent) == (None, 50, 3, 33)
    services.save_by_laws(actor=None, organisation=group, quorum_percent=60)
    assert queries.by_laws(group).quorum_percent == 60
    with pytest.raises(RegistryError) as error:
        services.save_by_laws(actor=None, organisation=group, quorum_percent=0)
    assert error.value.field == "quorum_percent"
    assert queries.by_laws(group).quorum_percent == 60


def test_authorities_and_their_officials_are_kept_with_an_audit_trail():
    union = testing.union()
    parishad = services.save_authority(
        actor=None, kind=Authority.Kind.UNION_PARISHAD, code="UP-1", name_en="Kholahati UP", area=union
    )
    ward = services.save_authority(
        actor=None, kind=Authority.Kind.UP_WARD, code="UP-1-W3", name_en="Ward 3", area=union, parent=parishad
    )
    services.add_official(actor=None, authority=parishad, post="Chairman", name="Abdul Hamid")
    assert list(parishad.parts.all()) == [ward]
    assert parishad.officials.get().post == "Chairman"
    with pytest.raises(RegistryError):
        services.save_authority(actor=None, kind=Authority.Kind.UP_WARD, code="X", area=union)
    viewer = testing.staff(Role.VIEWER)
    with pytest.raises(RegistryError):
        services.add_official(actor=viewer, authority=parishad, post="Secretary", name="K")
    assert AuditEvent.objects.filter(object_type="registry.authority").count() == 2


def test_a_long_attendance_list_is_audited_within_the_note_s_length():
    group = testing.group()
    members = [testing.member(group) for _ in range(40)]
    services.record_attendance(actor=None, meeting=_meeting(group), members=members)
    event = AuditEvent.objects.filter(object_type="registry.meeting", action="update").get()
    assert event.changes["attendance"] == [0, 40]
    assert 0 < len(event.note) <= 300 and event.note.startswith("+ ")
