"""Meetings: the quorum rule, attendance by who came, agenda, minutes, decisions, follow-up actions,
their pages and API, all scoped."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from samiti.core.bengali import to_bengali_digits
from samiti.core.models import AuditEvent
from samiti.registry import services as registry
from samiti.registry import testing
from samiti.registry.models import CommitteeOffice, Meeting, Member, Role
from samiti.voice.errors import VoiceError
from samiti.voice.models import AgendaItem, Decision, FollowUpAction, Minutes
from samiti.voice.services import meetings as services
from samiti.voice.services.demands import raise_demand

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _meeting(group, kind=Meeting.Kind.GROUP, actor=None, day=datetime.date(2026, 3, 1), **fields):
    return services.plan_meeting(actor=actor, organisation=group, kind=kind, starts_at=at(day), **fields)


# ----- the quorum rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "eligible", "percent", "required", "met"),
    [
        (10, 20, 50, 10, True),  # exactly half of 20
        (9, 20, 50, 10, False),
        (7, 21, 33, 7, True),  # a third of 21 is 6.93: seven are needed
        (6, 21, 33, 7, False),
        (1, 1, 50, 1, True),  # half of one member rounds up to the member
        (0, 0, 50, 1, False),  # an organisation with nobody cannot decide
        (1, 30, 5, 2, False),  # a ward shava's 5% of 30 voters is 1.5: two are needed
        (30, 30, 100, 30, True),
    ],
)
def test_quorum_rounds_the_share_up_and_needs_at_least_one(present, eligible, percent, required, met):
    result = services.quorum(present=present, eligible=eligible, percent=percent)
    assert (result.required, result.met) == (required, met)


@given(
    eligible=st.integers(min_value=1, max_value=10_000),
    percent=st.integers(min_value=1, max_value=100),
    data=st.data(),
)
def test_quorum_is_met_exactly_when_the_present_share_reaches_the_by_laws_percent(eligible, percent, data):
    present = data.draw(st.integers(min_value=0, max_value=eligible))
    result = services.quorum(present=present, eligible=eligible, percent=percent)
    assert result.met == (present * 100 >= eligible * percent)
    assert 1 <= result.required <= eligible
    assert result.missing == max(result.required - present, 0)
    # One fewer than required never meets it.
    assert not services.quorum(present=result.required - 1, eligible=eligible, percent=percent).met


def test_a_meeting_quorum_follows_the_by_laws_and_counts_present_members():
    group = testing.group()
    members = [testing.member(group) for _ in range(5)]
    meeting = _meeting(group)
    registry.record_attendance(actor=None, meeting=meeting, members=members[:2])
    assert not services.meeting_quorum(meeting).met  # 2 of 5 under the default 50%
    registry.save_by_laws(actor=None, organisation=group, quorum_percent=40)
    found = services.meeting_quorum(meeting)
    assert (found.present, found.eligible, found.required, found.met) == (2, 5, 2, True)


def test_a_committee_meeting_counts_only_the_office_holders_of_its_day():
    group = testing.group()
    president, secretary, former, plain = (testing.member(group) for _ in range(4))
    day = datetime.date(2026, 3, 1)
    registry.assign_office(
        actor=None,
        organisation=group,
        member=president,
        office="president",
        started_on=datetime.date(2025, 1, 1),
    )
    registry.assign_office(
        actor=None,
        organisation=group,
        member=secretary,
        office="secretary",
        started_on=datetime.date(2025, 1, 1),
    )
    registry.assign_office(
        actor=None,
        organisation=group,
        member=former,
        office="member",
        started_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2025, 12, 31),
    )
    assert CommitteeOffice.objects.filter(organisation=group).count() == 3
    meeting = _meeting(group, kind=Meeting.Kind.COMMITTEE, day=day)
    registry.record_attendance(actor=None, meeting=meeting, members=[president, former, plain])
    found = services.meeting_quorum(meeting)
    assert (found.eligible, found.present, found.met) == (2, 1, True)


def test_a_ward_shava_is_not_held_to_the_organisations_quorum():
    group = testing.group()
    testing.member(group)
    found = services.meeting_quorum(_meeting(group, kind=Meeting.Kind.WARD_SHAVA))
    assert not found.applies and not found.met


# ----- attendance breakdown ----------------------------------------------------------------------


def test_the_breakdown_counts_by_sex_age_ethnicity_and_disability_in_one_query(django_assert_num_queries):
    group = testing.group()
    testing.member(group, sex="F", birth_year=2010, ethnicity="garo")
    testing.member(group, sex="F", birth_year=1995, wg_walking=3)
    testing.member(group, sex="M", birth_year=1980)
    testing.member(group, sex="M", birth_year=1950, ethnicity="bengali")
    testing.member(group, sex="T")
    with django_assert_num_queries(1):
        counts = services.breakdown(Member.objects.filter(group=group), today=TODAY)
    assert counts == {
        "total": 5,
        "women": 2,
        "men": 2,
        "third_gender": 1,
        "under18": 1,
        "18_35": 1,
        "36_59": 1,
        "60plus": 1,
        "age_unknown": 1,
        "ethnic_minority": 1,
        "disability": 1,
    }


def test_the_attendance_breakdown_counts_only_who_came():
    group = testing.group()
    woman, man = testing.member(group, sex="F"), testing.member(group, sex="M")
    testing.member(group, sex="F")
    meeting = _meeting(group)
    registry.record_attendance(actor=None, meeting=meeting, members=[woman, man])
    counts = services.attendance_breakdown(meeting)
    assert (counts["total"], counts["women"], counts["men"]) == (2, 1, 1)


# ----- agenda, minutes, decisions ----------------------------------------------------------------


def test_planning_puts_the_agenda_in_order_and_audits_each_item():
    group = testing.group()
    meeting = _meeting(group, agenda=["Savings", "  ", "Irrigation canal", "Election"])
    assert list(meeting.agenda_items.values_list("position", "title")) == [
        (1, "Savings"),
        (2, "Irrigation canal"),
        (3, "Election"),
    ]
    assert AuditEvent.objects.filter(object_type="voice.agendaitem").count() == 3
    item = services.add_agenda_item(actor=None, meeting=meeting, title="Any other business")
    assert item.position == 4
    services.remove_agenda_item(actor=None, item=meeting.agenda_items.get(position=2))
    assert list(meeting.agenda_items.values_list("position", "title")) == [
        (1, "Savings"),
        (2, "Election"),
        (3, "Any other business"),
    ]


def test_planning_a_meeting_with_a_bad_date_writes_nothing():
    group = testing.group()
    with pytest.raises(VoiceError) as error:
        services.plan_meeting(actor=None, organisation=group, kind="group", starts_at=None, agenda=["A"])
    assert error.value.field == "starts_at"
    assert not Meeting.objects.filter(organisation=group).exists()
    assert not AgendaItem.objects.exists()


def test_minutes_are_kept_for_the_meeting_and_per_agenda_item_and_replaced_when_rewritten():
    group = testing.group()
    meeting = _meeting(group, agenda=["Savings"])
    item = meeting.agenda_items.get()
    services.record_minutes(actor=None, meeting=meeting, text="Opened at ten.")
    services.record_minutes(actor=None, meeting=meeting, text="Opened at half past ten.")
    services.record_minutes(actor=None, meeting=meeting, text="Each saves 50 taka.", agenda_item=item)
    assert Minutes.objects.get(meeting=meeting).text == "Opened at half past ten."
    item.refresh_from_db()
    assert item.minutes == "Each saves 50 taka."
    other = _meeting(group, agenda=["Other"]).agenda_items.get()
    with pytest.raises(VoiceError) as error:
        services.record_minutes(actor=None, meeting=meeting, text="x", agenda_item=other)
    assert error.value.field == "agenda_item"


def test_a_decision_needs_words_and_a_leader_cannot_decide_for_another_group():
    group, other = testing.group(), testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    meeting = _meeting(group, actor=leader)
    decision = services.record_decision(actor=leader, meeting=meeting, text="Ask the UP for a culvert.")
    assert Decision.objects.get() == decision
    with pytest.raises(VoiceError) as error:
        services.record_decision(actor=leader, meeting=meeting, text="  ")
    assert error.value.field == "text"
    with pytest.raises(VoiceError) as error:
        services.record_decision(actor=leader, meeting=_meeting(other), text="Not ours")
    assert error.value.code == "forbidden"


def test_a_decision_names_the_demand_it_concerns_only_when_the_recorder_may_see_it():
    group, other = testing.group(), testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    ours = raise_demand(actor=None, organisation=group, title="Culvert", category="roads")
    theirs = raise_demand(actor=None, organisation=other, title="Canal", category="irrigation")
    meeting = _meeting(group)
    decision = services.record_decision(actor=leader, meeting=meeting, text="Adopt it", demand=ours)
    assert list(ours.decisions.all()) == [decision]
    with pytest.raises(VoiceError) as error:
        services.record_decision(actor=leader, meeting=meeting, text="Adopt theirs", demand=theirs)
    assert error.value.field == "demand"
    assert Decision.objects.count() == 1


# ----- follow-up actions -------------------------------------------------------------------------


def test_an_action_is_overdue_once_its_due_date_passes_undone():
    group = testing.group()
    owner = testing.member(group)
    meeting = _meeting(group)
    late = services.add_action(
        actor=None,
        meeting=meeting,
        what="Visit the SAAO",
        owner_member=owner,
        due_on=datetime.date(2026, 3, 5),
    )
    on_time = services.add_action(
        actor=None,
        meeting=meeting,
        what="Collect receipts",
        owner_name="Facilitator",
        due_on=datetime.date(2026, 3, 20),
    )
    undated = services.add_action(actor=None, meeting=meeting, what="Paint the board", owner_name="Rina")
    assert [late.is_overdue(TODAY), on_time.is_overdue(TODAY), undated.is_overdue(TODAY)] == [
        True,
        False,
        False,
    ]
    assert list(FollowUpAction.objects.overdue(TODAY)) == [late]
    services.complete_action(actor=None, action=late, done_on=datetime.date(2026, 3, 6))
    late.refresh_from_db()
    assert not late.is_overdue(TODAY)
    assert not FollowUpAction.objects.overdue(TODAY).exists()


def test_an_action_needs_an_owner_from_the_organisation():
    group = testing.group()
    meeting = _meeting(group)
    with pytest.raises(VoiceError) as error:
        services.add_action(actor=None, meeting=meeting, what="Visit the SAAO")
    assert error.value.field == "owner_name"
    with pytest.raises(VoiceError) as error:
        services.add_action(actor=None, meeting=meeting, what="Visit", owner_member=testing.member())
    assert error.value.field == "owner_member"
    with pytest.raises(VoiceError) as error:
        services.add_action(
            actor=None, meeting=meeting, what="Visit", owner_name="Rina", due_on=datetime.date(2026, 2, 1)
        )
    assert error.value.field == "due_on"
    assert not FollowUpAction.objects.exists()


# ----- pages -------------------------------------------------------------------------------------


@pytest.fixture
def leader_client(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    client.force_login(leader)
    client.group, client.leader = group, leader
    return client


def test_the_calendar_lists_meetings_in_scope_only_with_a_bounded_number_of_queries(
    leader_client, django_assert_max_num_queries
):
    group = leader_client.group
    for day in (1, 2, 3):
        _meeting(group, day=datetime.date(2026, 1, day), title=f"Past {day}")
    _meeting(group, day=timezone.localdate() + datetime.timedelta(days=7), title="Next week")
    _meeting(testing.group(), title="Someone else's")
    with django_assert_max_num_queries(10):
        response = leader_client.get("/voice/meetings/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Next week" in page and "Past 3" in page
    assert "Someone else" not in page


def test_the_calendar_filters_by_organisation_and_kind_and_counts_overdue_actions_in_one_query(
    client, django_assert_num_queries
):
    association = testing.group().parent
    group, other = testing.group(association), testing.group(association)
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=association)
    client.force_login(leader)
    late = _meeting(group, title="Late one")
    for due in (datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)):
        services.add_action(actor=None, meeting=late, what="Letter", owner_name="Rina", due_on=due)
    done = services.add_action(
        actor=None, meeting=late, what="Done", owner_name="Rina", due_on=datetime.date(2026, 3, 2)
    )
    services.complete_action(actor=None, action=done, done_on=datetime.date(2026, 3, 2))
    _meeting(group, kind=Meeting.Kind.COMMITTEE, title="Committee one")
    _meeting(other, title="Other group's")
    coming = _meeting(group, day=timezone.localdate() + datetime.timedelta(days=7), title="Next week")
    services.add_action(actor=None, meeting=coming, what="Book the hall", owner_name="Rina")
    client.get("/voice/meetings/")  # the session and the language, read once
    # session, account, scope, the filter's organisation, upcoming, past (count, page), overdue
    # counts grouped by meeting, the filter's choices: the same however many meetings are listed.
    with django_assert_num_queries(9):
        response = client.get(f"/voice/meetings/?organisation={group.pk}&kind=group")
    page = response.content.decode()
    assert "Late one" in page and "Next week" in page
    assert "Committee one" not in page and "Other group" not in page
    assert response.context["page"].object_list[0].overdue_actions == 2
    assert response.context["upcoming"][0].overdue_actions == 0
    assert '<span class="badge warn">2</span>' in page


def test_planning_on_the_web_puts_the_meeting_and_its_agenda_on_the_calendar(leader_client):
    group = leader_client.group
    response = leader_client.post(
        "/voice/meetings/plan/",
        {
            "organisation": group.pk,
            "kind": "group",
            "title": "March meeting",
            "starts_at": "2026-03-01T10:00",
            "agenda": "Savings\nIrrigation canal\n",
        },
    )
    meeting = Meeting.objects.get(organisation=group)
    assert response.status_code == 302 and response["Location"] == f"/voice/meetings/{meeting.pk}/"
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Savings", "Irrigation canal"]
    assert AuditEvent.objects.filter(object_type="registry.meeting", channel="web").exists()


def test_a_meeting_of_another_group_is_not_found(leader_client):
    meeting = _meeting(testing.group())
    assert leader_client.get(f"/voice/meetings/{meeting.pk}/").status_code == 404
    response = leader_client.post(f"/voice/meetings/{meeting.pk}/minutes/", {"text": "x"})
    assert response.status_code == 404
    assert not Minutes.objects.exists()


def test_recording_attendance_on_the_page_shows_the_quorum_and_who_came(leader_client):
    group = leader_client.group
    women = [testing.member(group, sex="F") for _ in range(3)]
    testing.member(group, sex="M")
    meeting = _meeting(group)
    response = leader_client.post(
        f"/voice/meetings/{meeting.pk}/attendance/",
        {"members": [m.pk for m in women], "guests": "Abdul Hamid, UP member"},
    )
    assert response.status_code == 302
    page = leader_client.get(f"/voice/meetings/{meeting.pk}/").content.decode()
    assert "quorum met" in page
    assert "Abdul Hamid, UP member" in page
    assert services.attendance_breakdown(meeting)["women"] == 3


def test_minutes_decisions_and_actions_are_recorded_from_the_meeting_page(leader_client):
    group = leader_client.group
    owner = testing.member(group)
    meeting = _meeting(group, agenda=["Canal"])
    item = meeting.agenda_items.get()
    url = f"/voice/meetings/{meeting.pk}"
    assert (
        leader_client.post(f"{url}/minutes/", {"agenda_item": item.pk, "text": "Canal silted"}).status_code
        == 302
    )
    assert (
        leader_client.post(f"{url}/decisions/", {"text": "Ask the UP", "agenda_item": item.pk}).status_code
        == 302
    )
    response = leader_client.post(
        f"{url}/actions/", {"what": "Write the letter", "owner_member": owner.pk, "due_on": "2026-03-05"}
    )
    assert response.status_code == 302
    action = FollowUpAction.objects.get()
    assert (action.owner_member, action.due_on) == (owner, datetime.date(2026, 3, 5))
    item.refresh_from_db()
    assert item.minutes == "Canal silted"
    page = leader_client.get(f"{url}/").content.decode()
    assert "Ask the UP" in page and "Write the letter" in page and "overdue" in page
    assert leader_client.post(f"/voice/actions/{action.pk}/done/", {"done_on": ""}).status_code == 302
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()


def test_an_action_without_an_owner_is_refused_on_the_page_with_the_reason(leader_client):
    meeting = _meeting(leader_client.group)
    response = leader_client.post(f"/voice/meetings/{meeting.pk}/actions/", {"what": "Write the letter"})
    assert response.status_code == 400
    assert "Name who will do it" in response.content.decode()
    assert not FollowUpAction.objects.exists()


def test_the_actions_list_flags_overdue_actions_in_scope(leader_client):
    group = leader_client.group
    meeting = _meeting(group)
    services.add_action(
        actor=None, meeting=meeting, what="Late letter", owner_name="Rina", due_on=datetime.date(2026, 3, 2)
    )
    services.add_action(actor=None, meeting=_meeting(testing.group()), what="Not ours", owner_name="X")
    page = leader_client.get("/voice/actions/?show=overdue").content.decode()
    assert "Late letter" in page and "overdue" in page
    assert "Not ours" not in page


def test_pasted_member_numbers_in_bengali_digits_are_recorded_with_the_ticked_members(leader_client):
    group = leader_client.group
    ticked, pasted, named = (testing.member(group) for _ in range(3))
    meeting = _meeting(group)
    numbers = f"{to_bengali_digits(pasted.code)}\n\n  {named.code} {named.name_en}\n{pasted.code}\n"
    response = leader_client.post(
        f"/voice/meetings/{meeting.pk}/attendance/", {"members": [ticked.pk], "numbers": numbers}
    )
    assert response.status_code == 302
    assert set(meeting.attendance.values_list("member_id", flat=True)) == {ticked.pk, pasted.pk, named.pk}
    assert AuditEvent.objects.filter(object_type="registry.meeting", channel="web").exists()


def test_bad_pasted_lines_are_reported_by_line_and_nothing_is_recorded(leader_client):
    group = leader_client.group
    mine = testing.member(group)
    gone = testing.member(group)
    registry.update_member(actor=None, member=gone, left_on=timezone.localdate(), leaving_reason="moved")
    neighbour = testing.member(testing.group(group.parent))
    meeting = _meeting(group)
    numbers = "\n".join([mine.code, "NO-SUCH-1", neighbour.code, "", gone.code])
    response = leader_client.post(f"/voice/meetings/{meeting.pk}/attendance/", {"numbers": numbers})
    page = response.content.decode()
    assert response.status_code == 400
    assert "nothing was recorded" in page
    assert "Line 2 (NO-SUCH-1): no member has this number" in page
    assert f"Line 3 ({neighbour.code}): no member has this number" in page  # out of the leader's scope
    assert f"Line 5 ({gone.code}): this member has left" in page
    assert "Line 1 " not in page
    assert mine.code in page  # the pasted text is kept for correcting
    assert not meeting.attendance.exists()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_a_member_of_another_group_in_scope_is_reported_as_such():
    group = testing.group()
    other = testing.group(group.parent)
    officer = testing.staff(Role.ASSOCIATION_LEADER, organisation=group.parent)
    outsider = testing.member(other)
    meeting = _meeting(group)
    with pytest.raises(services.BadLinesError) as caught:
        services.record_attendance(actor=officer, meeting=meeting, numbers=f"\n{outsider.code}")
    assert [(b.line, b.number) for b in caught.value.lines] == [(2, outsider.code)]
    assert "a member of another organisation" in caught.value.lines[0].reason
    assert caught.value.field == "numbers"
    assert not meeting.attendance.exists()


# ----- API ---------------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    _token, key = registry.issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_plans_a_meeting_records_attendance_and_reports_the_quorum(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    members = [testing.member(group, sex=sex) for sex in "FFM"]
    headers = bearer(leader)
    created = client.post(
        "/api/voice/meetings",
        {
            "organisation": group.pk,
            "kind": "group",
            "starts_at": "2026-03-01T10:00:00+06:00",
            "agenda": ["Savings", "Canal"],
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    assert [a["title"] for a in created.json()["agenda"]] == ["Savings", "Canal"]
    recorded = client.put(
        f"/api/voice/meetings/{meeting_id}/attendance",
        {
            "members": [members[0].pk, members[1].pk],
            "officials": [{"name": "Abdul Hamid", "post": "UP member"}],
        },
        content_type="application/json",
        headers=headers,
    )
    body = recorded.json()
    assert recorded.status_code == 200, body
    assert (body["members_present"], body["officials_present"], body["status"]) == (2, 1, "held")
    assert body["quorum"] == {
        "applies": True,
        "eligible": 3,
        "present": 2,
        "percent": 50,
        "required": 2,
        "met": True,
    }
    assert (body["attendance"]["women"], body["attendance"]["men"]) == (2, 0)
    listed = client.get("/api/voice/meetings", headers=headers).json()
    assert [(m["id"], m["members_present"]) for m in listed["items"]] == [(meeting_id, 2)]
    assert AuditEvent.objects.filter(object_type="registry.meeting", channel="api").count() == 2


def test_the_api_answers_404_for_a_meeting_out_of_scope_and_refuses_strangers_at_it(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    headers = bearer(leader)
    elsewhere = _meeting(testing.group())
    assert client.get(f"/api/voice/meetings/{elsewhere.pk}", headers=headers).status_code == 404
    response = client.put(
        f"/api/voice/meetings/{elsewhere.pk}/attendance",
        {"members": []},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404
    mine = _meeting(group)
    stranger = testing.member()
    response = client.put(
        f"/api/voice/meetings/{mine.pk}/attendance",
        {"members": [stranger.pk]},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["field"] == "members"
    assert not mine.attendance.exists()


def test_the_api_records_minutes_decisions_and_actions_through_the_services(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    owner = testing.member(group)
    demand = raise_demand(
        actor=None, organisation=group, title="Repair the canal", category="irrigation", channel="web"
    )
    headers = bearer(leader)
    meeting = _meeting(group, agenda=["Savings", "Canal"])
    url = f"/api/voice/meetings/{meeting.pk}"

    def post(path, body):
        return client.post(path, body, content_type="application/json", headers=headers)

    response = post(f"{url}/minutes", {"text": "Canal silted", "agenda_item": 2})
    assert response.status_code == 200, response.content
    assert [a["minutes"] for a in response.json()["agenda"]] == ["", "Canal silted"]
    assert post(f"{url}/minutes", {"text": "All came on time"}).json()["minutes"] == "All came on time"
    response = post(f"{url}/decisions", {"text": "Ask the UP", "agenda_item": 2, "demand": demand.pk})
    assert response.status_code == 201, response.content
    decision = response.json()
    assert (decision["agenda_item"], decision["demand"], decision["poll"]) == (2, demand.pk, None)
    response = post(
        f"{url}/actions",
        {
            "what": "Write the letter",
            "owner_member": owner.pk,
            "due_on": "2026-03-05",
            "decision": decision["id"],
        },
    )
    assert response.status_code == 201, response.content
    action = response.json()
    assert (action["owner"], action["decision"], action["done_on"], action["overdue"]) == (
        str(owner),
        decision["id"],
        None,
        timezone.localdate() > datetime.date(2026, 3, 5),
    )
    response = post(f"/api/voice/actions/{action['id']}/done", {"done_on": "2026-03-04"})
    assert response.status_code == 200, response.content
    assert (response.json()["done_on"], response.json()["overdue"]) == ("2026-03-04", False)
    assert FollowUpAction.objects.get().done_on == datetime.date(2026, 3, 4)
    assert AuditEvent.objects.filter(channel="api", object_type__startswith="voice.").count() == 5


def test_the_api_refuses_bad_minutes_decisions_and_actions_with_the_field_at_fault(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    headers = bearer(leader)
    meeting = _meeting(group, agenda=["Savings"])
    stranger = testing.member()
    url = f"/api/voice/meetings/{meeting.pk}"

    def post(path, body):
        return client.post(path, body, content_type="application/json", headers=headers)

    assert post(f"{url}/minutes", {"text": "x", "agenda_item": 9}).json()["field"] == "agenda_item"
    response = post(f"{url}/actions", {"what": "Write the letter"})
    assert (response.status_code, response.json()["field"]) == (400, "owner_name")
    response = post(f"{url}/actions", {"what": "Write", "owner_member": stranger.pk})
    assert (response.status_code, response.json()["field"]) == (400, "owner_member")
    response = post(f"{url}/actions", {"what": "Write", "owner_name": "Rina", "due_on": "2026-02-01"})
    assert (response.status_code, response.json()["field"]) == (400, "due_on")
    elsewhere = _meeting(testing.group())
    assert post(f"/api/voice/meetings/{elsewhere.pk}/decisions", {"text": "No"}).status_code == 404
    theirs = services.add_action(actor=None, meeting=elsewhere, what="Theirs", owner_name="X")
    assert post(f"/api/voice/actions/{theirs.pk}/done", {}).status_code == 404
    viewer = testing.staff(Role.VIEWER, organisation=group)
    response = client.post(
        f"{url}/decisions", {"text": "Yes"}, content_type="application/json", headers=bearer(viewer)
    )
    assert response.status_code == 403
    assert not Decision.objects.exists() and not FollowUpAction.objects.filter(meeting=meeting).exists()
    assert not Minutes.objects.exists() and not meeting.agenda_items.exclude(minutes="").exists()


def test_the_meeting_page_in_bengali_prints_the_quorum_in_bengali_digits(leader_client):
    group = leader_client.group
    members = [testing.member(group) for _ in range(12)]
    meeting = _meeting(group)
    registry.record_attendance(actor=None, meeting=meeting, members=members[:7])
    leader_client.post("/i18n/setlang/", {"language": "bn", "next": "/"})
    page = leader_client.get(f"/voice/meetings/{meeting.pk}/").content.decode()
    assert "১২" in page and "৭" in page  # twelve members, seven present
