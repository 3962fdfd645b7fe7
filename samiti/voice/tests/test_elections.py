"""Committee elections: nominations, the secret ballot, the women's quota, terms and the registry."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from samiti.core.models import AuditEvent
from samiti.registry import services as registry_services
from samiti.registry import testing
from samiti.registry.models import CommitteeOffice, Role
from samiti.voice.errors import VoiceError
from samiti.voice.models.elections import Candidate, Election
from samiti.voice.services import elections as services
from samiti.voice.services.elections import Allocation, Standing, allocate_seats

pytestmark = pytest.mark.django_db

Office = CommitteeOffice.Office
DAY = datetime.date(2026, 3, 1)


# ----- allocate_seats: pure, checked by hand and by hypothesis ------------------------------------


def _s(candidate: int, office: str, votes: int, sex: str) -> Standing:
    return Standing(candidate=candidate, office=office, votes=votes, sex=sex, order=candidate)


def test_women_with_most_votes_replace_the_lowest_voted_men_among_committee_members():
    # 5 seats at 33%: ceil(1.65) = 2 women required; the count elects none.
    candidates = [
        _s(1, Office.PRESIDENT, 10, "M"),
        _s(2, Office.PRESIDENT, 8, "F"),
        _s(3, Office.SECRETARY, 7, "M"),
        _s(4, Office.MEMBER, 9, "M"),
        _s(5, Office.MEMBER, 6, "M"),
        _s(6, Office.MEMBER, 5, "M"),
        _s(7, Office.MEMBER, 4, "F"),  # ties with 8 but was nominated earlier
        _s(8, Office.MEMBER, 4, "F"),
        _s(9, Office.MEMBER, 1, "F"),
    ]
    seats = {Office.PRESIDENT: 1, Office.SECRETARY: 1, Office.MEMBER: 3}
    result = allocate_seats(candidates, seats, 33)
    assert (result.women_required, result.women_elected, result.quota_met) == (2, 2, True)
    assert result.gave_way == [6, 5]  # the lowest-voted man first
    assert result.by_quota == [7, 8]  # the earlier of two equal women first
    assert result.seats == {1: Office.PRESIDENT, 3: Office.SECRETARY, 4: Office.MEMBER, 7: Office.MEMBER,
                            8: Office.MEMBER}  # fmt: skip


def test_the_quota_leaves_single_holder_offices_as_voted():
    candidates = [
        _s(1, Office.PRESIDENT, 10, "M"),
        _s(2, Office.PRESIDENT, 9, "F"),
        _s(3, Office.MEMBER, 3, "F"),
    ]
    result = allocate_seats(candidates, {Office.PRESIDENT: 1, Office.MEMBER: 1}, 50)
    assert result.seats == {1: Office.PRESIDENT, 3: Office.MEMBER}
    assert result.gave_way == [] and result.quota_met


def test_a_quota_that_not_enough_women_stood_for_is_reported_unmet():
    candidates = [_s(1, Office.MEMBER, 5, "M"), _s(2, Office.MEMBER, 4, "M"), _s(3, Office.MEMBER, 3, "M"),
                  _s(4, Office.MEMBER, 1, "F")]  # fmt: skip
    result = allocate_seats(candidates, {Office.MEMBER: 3}, 100)
    assert (result.women_required, result.women_elected) == (3, 1)
    assert not result.quota_met and result.shortfall == 2
    assert result.by_quota == [4] and result.gave_way == [3]


def test_equal_votes_go_to_the_earlier_nomination_and_empty_posts_are_vacant():
    candidates = [_s(2, Office.CASHIER, 4, "M"), _s(1, Office.CASHIER, 4, "F")]
    result = allocate_seats(candidates, {Office.CASHIER: 1, Office.SECRETARY: 1}, 0)
    assert result.seats == {1: Office.CASHIER}
    assert result.vacant == {Office.SECRETARY: 1} and result.seats_filled == 1


SEXES = st.sampled_from(["F", "M", "T"])
OFFICES = st.sampled_from(Office.values)


@st.composite
def fields(draw):
    seats = {
        o: draw(st.integers(1, 5)) if o == Office.MEMBER else 1 for o in draw(st.sets(OFFICES, min_size=1))
    }
    people = draw(st.lists(st.tuples(st.sampled_from(sorted(seats)), st.integers(0, 6), SEXES), max_size=14))
    candidates = [_s(i, office, votes, sex) for i, (office, votes, sex) in enumerate(people, 1)]
    return candidates, seats, draw(st.integers(0, 100))


@settings(max_examples=150, deadline=None)
@given(fields())
def test_the_allocation_keeps_its_promises(field):
    candidates, seats, percent = field
    result: Allocation = allocate_seats(candidates, seats, percent)
    by_id = {c.candidate: c for c in candidates}
    plain = allocate_seats(candidates, seats, 0)
    # Every post fills as many seats as it has candidates for, never more.
    for office, count in seats.items():
        standing = sum(1 for c in candidates if c.office == office)
        assert sum(1 for o in result.seats.values() if o == office) == min(count, standing)
    assert result.seats_filled == len(result.seats)
    women = sum(1 for pk in result.seats if by_id[pk].sex == "F")
    assert women == result.women_elected
    # Only committee-member men give way, only committee-member women take their seats, pairwise.
    assert len(result.by_quota) == len(result.gave_way)
    assert all(by_id[pk].sex == "M" and by_id[pk].office == Office.MEMBER for pk in result.gave_way)
    assert all(by_id[pk].sex == "F" and by_id[pk].office == Office.MEMBER for pk in result.by_quota)
    # The quota never costs a woman her seat, and changes nothing once it is met.
    assert {pk for pk in plain.seats if by_id[pk].sex == "F"} <= set(result.seats)
    if sum(1 for pk in plain.seats if by_id[pk].sex == "F") >= result.women_required:
        assert result.seats == plain.seats
    # When the quota is not met, no pair was left to swap.
    if not result.quota_met:
        men_in = [pk for pk in result.seats if by_id[pk].sex == "M" and by_id[pk].office == Office.MEMBER]
        women_out = [c for c in candidates if c.candidate not in result.seats and c.sex == "F"
                     and c.office == Office.MEMBER]  # fmt: skip
        assert not men_in or not women_out
    # The order of the input does not matter.
    assert allocate_seats(list(reversed(candidates)), seats, percent).seats == result.seats


# ----- nominations -------------------------------------------------------------------------------


@pytest.fixture
def world():
    group = testing.group()
    members = {name: testing.member(group, name_en=name, sex=sex) for name, sex in [
        ("Amina", "F"), ("Bilkis", "F"), ("Champa", "F"), ("Dilip", "M"), ("Enamul", "M"), ("Faruk", "M"),
        ("Gopal", "M"), ("Hasina", "F"),
    ]}  # fmt: skip
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    return {"group": group, "leader": leader, **members}


def _election(world, **fields):
    fields.setdefault("held_on", DAY)
    fields.setdefault("member_seats", 2)
    return services.call_election(actor=world["leader"], organisation=world["group"], **fields)


def _nominate(world, election, office, name, by="Amina", second="Bilkis"):
    return services.nominate(
        actor=world["leader"],
        election=election,
        office=office,
        member=world[name],
        nominated_by=world[by],
        seconded_by=world[second] if second else None,
    )


def test_an_election_takes_its_term_and_womens_share_from_the_by_laws(world):
    registry_services.save_by_laws(
        actor=None, organisation=world["group"], term_years=2, women_seats_percent=40
    )
    election = _election(world, offices=[Office.SECRETARY, Office.MEMBER], member_seats=3)
    assert (election.term_years, election.women_seats_percent) == (2, 40)
    assert {p.office: p.seats for p in election.posts.all()} == {Office.SECRETARY: 1, Office.MEMBER: 3}
    assert services.term_end(election) == datetime.date(2028, 3, 1)
    with pytest.raises(VoiceError, match="already has an election"):
        _election(world)


def test_a_member_cannot_nominate_themselves(world):
    election = _election(world)
    with pytest.raises(VoiceError) as error:
        _nominate(world, election, Office.PRESIDENT, "Dilip", by="Dilip")
    assert error.value.field == "nominated_by"
    assert not Candidate.objects.exists()


def test_the_seconder_must_be_a_member_of_the_organisation_and_not_the_proposer(world):
    election = _election(world)
    outsider = testing.member(testing.group(), name_en="Stranger")
    world["Stranger"] = outsider
    with pytest.raises(VoiceError, match="seconder must be a member") as error:
        _nominate(world, election, Office.PRESIDENT, "Dilip", second="Stranger")
    assert error.value.field == "seconded_by"
    with pytest.raises(VoiceError, match="proposer must be a member"):
        _nominate(world, election, Office.PRESIDENT, "Dilip", by="Stranger")
    with pytest.raises(VoiceError, match="another member than the proposer"):
        _nominate(world, election, Office.PRESIDENT, "Dilip", by="Amina", second="Amina")
    with pytest.raises(VoiceError, match="own nomination"):
        _nominate(world, election, Office.PRESIDENT, "Dilip", second="Dilip")


def test_a_member_is_nominated_once_per_election(world):
    election = _election(world)
    _nominate(world, election, Office.PRESIDENT, "Dilip")
    with pytest.raises(VoiceError, match="already nominated for president") as error:
        _nominate(world, election, Office.SECRETARY, "Dilip", by="Champa", second="Hasina")
    assert error.value.field == "member"


def test_a_candidate_who_withdraws_may_be_nominated_again_but_only_before_voting(world):
    election = _election(world)
    first = _nominate(world, election, Office.PRESIDENT, "Dilip")
    services.withdraw_candidate(actor=world["leader"], candidate=first)
    again = _nominate(world, election, Office.SECRETARY, "Dilip")
    assert again.status == Candidate.Status.STANDING
    assert AuditEvent.objects.filter(object_type="voice.candidate").count() == 3


def test_a_nomination_is_seconded_later_and_only_once(world):
    election = _election(world)
    candidate = _nominate(world, election, Office.PRESIDENT, "Dilip", second=None)
    assert not candidate.seconded
    services.second_nomination(actor=world["leader"], candidate=candidate, seconded_by=world["Enamul"])
    candidate.refresh_from_db()
    assert candidate.seconded_by == world["Enamul"]
    with pytest.raises(VoiceError, match="already seconded"):
        services.second_nomination(actor=world["leader"], candidate=candidate, seconded_by=world["Faruk"])


def test_only_members_in_good_standing_stand(world):
    registry_services.update_member(
        actor=None, member=world["Gopal"], left_on=datetime.date.today(), leaving_reason="moved"
    )
    world["Gopal"].refresh_from_db()
    registry_services.assign_office(
        actor=None, organisation=world["group"], member=world["Hasina"], office=Office.CASHIER,
        started_on=datetime.date(2024, 1, 1), ended_on=datetime.date(2027, 1, 1),
    )  # fmt: skip
    by_election = _election(world, offices=[Office.SECRETARY])
    with pytest.raises(VoiceError, match="has left"):
        _nominate(world, by_election, Office.SECRETARY, "Gopal")
    with pytest.raises(VoiceError, match="already holds the office of cashier"):
        _nominate(world, by_election, Office.SECRETARY, "Hasina")
    with pytest.raises(VoiceError, match="does not fill that office"):
        _nominate(world, by_election, Office.PRESIDENT, "Dilip")
    services.cancel_election(actor=world["leader"], election=by_election)
    # In a full election the sitting cashier may stand again.
    assert _nominate(world, _election(world), Office.CASHIER, "Hasina").member == world["Hasina"]


def test_a_leader_cannot_run_another_groups_election(world):
    other = testing.group()
    with pytest.raises(VoiceError) as error:
        services.call_election(actor=world["leader"], organisation=other, held_on=DAY, member_seats=2)
    assert error.value.code == "forbidden"


# ----- the ballot and the new committee ----------------------------------------------------------


def _run_to_voting(world):
    """President: Dilip v Amina; secretary: Champa alone; two member seats: Enamul, Faruk, Bilkis, Hasina."""
    registry_services.assign_office(
        actor=None, organisation=world["group"], member=world["Gopal"], office=Office.PRESIDENT,
        started_on=datetime.date(2023, 3, 1), ended_on=datetime.date(2026, 3, 1),
    )  # fmt: skip
    registry_services.assign_office(
        actor=None, organisation=world["group"], member=world["Gopal"], office=Office.MEMBER,
        started_on=datetime.date(2023, 3, 1),
    )  # fmt: skip
    election = _election(world, offices=[Office.PRESIDENT, Office.SECRETARY, Office.MEMBER], member_seats=2)
    c = {
        "Dilip": _nominate(world, election, Office.PRESIDENT, "Dilip", by="Gopal", second="Hasina"),
        "Amina": _nominate(world, election, Office.PRESIDENT, "Amina", by="Gopal", second="Hasina"),
        "Champa": _nominate(world, election, Office.SECRETARY, "Champa"),
        "Enamul": _nominate(world, election, Office.MEMBER, "Enamul"),
        "Faruk": _nominate(world, election, Office.MEMBER, "Faruk"),
        "Bilkis": _nominate(world, election, Office.MEMBER, "Bilkis", by="Amina", second="Champa"),
        "Hasina": _nominate(world, election, Office.MEMBER, "Hasina", by="Amina", second="Champa"),
    }
    services.open_voting(actor=world["leader"], election=election)
    election.refresh_from_db()
    for candidate in c.values():
        candidate.refresh_from_db()
    return election, c


def _vote(world, election, voter, **choices):
    services.cast_ballot(actor=world["leader"], election=election, member=world[voter], choices=choices)


def test_voting_opens_a_secret_poll_per_contested_post_and_elects_the_uncontested(world):
    election, c = _run_to_voting(world)
    posts = {p.office: p for p in election.posts.select_related("poll")}
    assert election.status == Election.Status.VOTING
    assert posts[Office.PRESIDENT].poll.secret and posts[Office.PRESIDENT].poll.kind == "single"
    assert posts[Office.MEMBER].poll.kind == "approval" and posts[Office.MEMBER].poll.is_open
    assert posts[Office.SECRETARY].poll is None
    assert [o.pk for o in posts[Office.MEMBER].poll.options.order_by("position")] == [
        c[n].option_id for n in ("Enamul", "Faruk", "Bilkis", "Hasina")
    ]
    with pytest.raises(VoiceError, match="Nominations are closed"):
        _nominate(world, election, Office.MEMBER, "Gopal")
    with pytest.raises(VoiceError, match="before voting opens"):
        services.withdraw_candidate(actor=world["leader"], candidate=c["Faruk"])


def test_a_ballot_chooses_at_most_the_seats_and_each_member_votes_once(world):
    election, c = _run_to_voting(world)
    with pytest.raises(VoiceError, match="at most 2") as error:
        _vote(world, election, "Amina", member=[c["Enamul"], c["Faruk"], c["Bilkis"]])
    assert error.value.field == "member"
    with pytest.raises(VoiceError, match="not on the ballot"):
        _vote(world, election, "Amina", president=c["Enamul"])
    _vote(world, election, "Amina", president=c["Amina"], member=[c["Bilkis"]])
    with pytest.raises(VoiceError, match="already voted"):
        _vote(world, election, "Amina", president=c["Dilip"])
    stranger = testing.member(testing.group())
    with pytest.raises(VoiceError, match="Only members"):
        services.cast_ballot(
            actor=None, election=election, member=stranger, choices={"president": c["Dilip"]}
        )


def test_declared_results_seat_the_winners_with_the_womens_quota_and_end_the_old_committee(world):
    election, c = _run_to_voting(world)
    # Men win the count of member seats: Enamul 4, Faruk 3, Bilkis 2, Hasina 1; Dilip wins president 3–2.
    _vote(world, election, "Amina", president=c["Amina"], member=[c["Enamul"], c["Faruk"]])
    _vote(world, election, "Bilkis", president=c["Amina"], member=[c["Enamul"], c["Bilkis"]])
    _vote(world, election, "Champa", president=c["Dilip"], member=[c["Enamul"], c["Faruk"]])
    _vote(world, election, "Dilip", president=c["Dilip"], member=[c["Enamul"], c["Faruk"]])
    _vote(world, election, "Enamul", president=c["Dilip"], member=[c["Bilkis"], c["Hasina"]])
    services.declare_results(actor=world["leader"], election=election)
    election.refresh_from_db()
    for candidate in c.values():
        candidate.refresh_from_db()
    # 4 seats at 33%: 2 women. Champa (secretary) is one; Bilkis takes Faruk's seat.
    assert (election.seats_filled, election.women_required, election.women_elected) == (4, 2, 2)
    assert election.quota_met and election.status == Election.Status.DECLARED
    assert c["Bilkis"].by_quota and c["Faruk"].gave_way and not c["Faruk"].elected
    assert (c["Enamul"].votes, c["Faruk"].votes, c["Bilkis"].votes, c["Hasina"].votes) == (4, 3, 2, 1)
    assert c["Champa"].elected and c["Champa"].votes is None  # unopposed
    new = CommitteeOffice.objects.filter(organisation=world["group"], started_on=DAY)
    assert {(s.member.name_en, s.office) for s in new} == {
        ("Dilip", Office.PRESIDENT), ("Champa", Office.SECRETARY), ("Enamul", Office.MEMBER),
        ("Bilkis", Office.MEMBER),
    }  # fmt: skip
    assert {s.ended_on for s in new} == {datetime.date(2029, 3, 1)}
    old = CommitteeOffice.objects.filter(organisation=world["group"], member=world["Gopal"])
    assert {s.ended_on for s in old} == {DAY}
    # Only the seat without an end needed ending; the presidency's term ended that day anyway.
    ended = AuditEvent.objects.get(object_type="registry.committeeoffice", action="update")
    assert ended.changes == {"ended_on": [None, "2026-03-01"]} and ended.actor == world["leader"]
    with pytest.raises(VoiceError, match="only once"):
        services.declare_results(actor=world["leader"], election=election)


def test_results_say_when_not_enough_women_stood(world):
    registry_services.save_by_laws(actor=None, organisation=world["group"], women_seats_percent=100)
    election = _election(world, offices=[Office.MEMBER], member_seats=2)
    for name in ("Dilip", "Enamul", "Hasina"):
        _nominate(world, election, Office.MEMBER, name)
    services.open_voting(actor=world["leader"], election=election)
    services.declare_results(actor=world["leader"], election=election)
    election.refresh_from_db()
    assert (election.women_required, election.women_elected, election.quota_met) == (2, 1, False)
    note = AuditEvent.objects.filter(object_type="voice.election").order_by("id").last().note
    assert "short by 1" in note


def test_an_unseconded_nomination_holds_up_the_vote(world):
    election = _election(world)
    _nominate(world, election, Office.PRESIDENT, "Dilip", second=None)
    with pytest.raises(VoiceError, match="seconded or withdrawn") as error:
        services.open_voting(actor=world["leader"], election=election)
    assert error.value.field == "candidates"


# ----- committees whose term has run out ---------------------------------------------------------


def test_a_committee_whose_term_ran_out_is_overdue_until_an_election_is_called(world):
    group = world["group"]
    registry_services.assign_office(
        actor=None, organisation=group, member=world["Amina"], office=Office.PRESIDENT,
        started_on=datetime.date(2022, 1, 10),
    )  # fmt: skip
    fresh = testing.organisation("group", group.parent)
    registry_services.assign_office(
        actor=None, organisation=fresh, member=testing.member(fresh), office=Office.PRESIDENT,
        started_on=datetime.date(2025, 1, 10), ended_on=datetime.date(2028, 1, 10),
    )  # fmt: skip
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    today = datetime.date(2026, 1, 10)
    overdue = services.overdue_committees(admin, today=today)
    assert [(o.organisation, o.term_ended_on) for o in overdue] == [(group, datetime.date(2025, 1, 10))]
    assert services.overdue_committees(admin, today=datetime.date(2025, 1, 9)) == []
    # The group's leader sees it too; another group's leader does not.
    assert len(services.overdue_committees(world["leader"], today=today)) == 1
    assert (
        services.overdue_committees(testing.staff(Role.GROUP_LEADER, organisation=fresh), today=today) == []
    )
    _election(world)
    assert services.overdue_committees(admin, today=today) == []


def test_by_laws_with_a_longer_term_postpone_the_warning(world):
    registry_services.assign_office(
        actor=None, organisation=world["group"], member=world["Amina"], office=Office.PRESIDENT,
        started_on=datetime.date(2022, 1, 10),
    )  # fmt: skip
    registry_services.save_by_laws(actor=None, organisation=world["group"], term_years=5)
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    assert services.overdue_committees(admin, today=datetime.date(2026, 1, 10)) == []
    assert len(services.overdue_committees(admin, today=datetime.date(2027, 1, 10))) == 1


# ----- pages -------------------------------------------------------------------------------------


def test_a_leader_runs_an_election_through_the_pages(client, world):
    client.force_login(world["leader"])
    response = client.post(
        reverse("voice:election_add"),
        {"organisation": world["group"].pk, "held_on": "2026-03-01", "offices": ["president", "member"],
         "member_seats": 2},
    )  # fmt: skip
    election = Election.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "voice:election_detail", args=[election.pk]
    )
    detail = reverse("voice:election_detail", args=[election.pk])
    code = {name: world[name].code for name in ("Amina", "Bilkis", "Champa", "Dilip", "Enamul", "Hasina")}
    refused = client.post(
        detail, {"office": "president", "member": code["Dilip"], "nominated_by": code["Dilip"]}
    )
    assert "cannot nominate themselves" in refused.content.decode()
    unknown = client.post(detail, {"office": "president", "member": "NOPE-1", "nominated_by": code["Amina"]})
    assert "No member with the number NOPE-1" in unknown.content.decode()
    for office, name in [
        ("president", "Dilip"),
        ("president", "Hasina"),
        ("member", "Enamul"),
        ("member", "Bilkis"),
        ("member", "Champa"),
    ]:
        client.post(detail, {"office": office, "member": code[name], "nominated_by": code["Amina"]})
    assert Candidate.objects.count() == 5
    for candidate in Candidate.objects.all():
        second = reverse("voice:candidate_second", args=[election.pk, candidate.pk])
        seconder = code["Bilkis"] if candidate.member != world["Bilkis"] else code["Dilip"]
        assert client.post(second, {"seconded_by": seconder}).status_code == 302
    assert not Candidate.objects.filter(seconded_by__isnull=True).exists()
    client.post(reverse("voice:election_open", args=[election.pk]))
    ballot = reverse("voice:election_ballot", args=[election.pk])
    page = client.get(ballot)
    assert page.status_code == 200 and "Choose up to 2" in page.content.decode()
    hasina, bilkis, champa = (Candidate.objects.get(member=world[n]) for n in ("Hasina", "Bilkis", "Champa"))
    for voter in ("Amina", "Bilkis", "Dilip"):
        response = client.post(
            ballot, {"voter": code[voter], "president": hasina.pk, "member": [bilkis.pk, champa.pk]}
        )
        assert response.status_code == 302, response.content.decode()
    again = client.post(ballot, {"voter": code["Amina"], "president": hasina.pk})
    assert "already voted" in again.content.decode()
    client.post(reverse("voice:election_declare", args=[election.pk]))
    results = client.get(reverse("voice:election_results", args=[election.pk])).content.decode()
    assert "Women&#x27;s share of seats" in results or "Women's share of seats" in results
    assert "3 of 3 seats (100%)" in results
    assert set(
        CommitteeOffice.objects.filter(organisation=world["group"]).values_list("member__name_en", "office")
    ) == {("Hasina", "president"), ("Bilkis", "member"), ("Champa", "member")}


def test_the_results_page_explains_the_womens_quota(client, world):
    election, c = _run_to_voting(world)
    _vote(world, election, "Amina", president=c["Dilip"], member=[c["Enamul"], c["Faruk"]])
    services.declare_results(actor=world["leader"], election=election)
    client.force_login(world["leader"])
    page = client.get(reverse("voice:election_results", args=[election.pk])).content.decode()
    assert "gave way" in page and "Seated by the quota" in page
    assert "Faruk" in page.split("Gave way")[1].split("</dd>")[0]


def test_the_election_list_warns_of_overdue_committees_in_few_queries(
    client, world, django_assert_max_num_queries
):
    registry_services.assign_office(
        actor=None, organisation=world["group"], member=world["Amina"], office=Office.PRESIDENT,
        started_on=datetime.date(2019, 1, 1),
    )  # fmt: skip
    for _n in range(3):
        services.cancel_election(actor=None, election=_election(world))
    client.force_login(world["leader"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("voice:election_list")).content.decode()
    assert 'id="overdue-committees"' in page and str(world["group"]) in page
    assert page.count(reverse("voice:election_detail", args=[Election.objects.first().pk])) == 1


def test_another_groups_leader_gets_404_on_every_election_page(client, world):
    election, c = _run_to_voting(world)
    outsider = testing.staff(Role.GROUP_LEADER, organisation=testing.group())
    client.force_login(outsider)
    for name in ("election_detail", "election_ballot", "election_results"):
        assert client.get(reverse(f"voice:{name}", args=[election.pk])).status_code == 404
    for name in ("election_open", "election_declare", "election_cancel"):
        assert client.post(reverse(f"voice:{name}", args=[election.pk])).status_code == 404
    assert (
        client.post(reverse("voice:candidate_withdraw", args=[election.pk, c["Faruk"].pk])).status_code == 404
    )
    assert client.get(reverse("voice:election_list")).content.decode().count(str(world["group"])) == 0
    election.refresh_from_db()
    assert election.status == Election.Status.VOTING


def test_a_viewer_reads_elections_but_changes_nothing(client, world):
    election = _election(world)
    client.force_login(testing.staff(Role.VIEWER, organisation=world["group"]))
    assert client.get(reverse("voice:election_detail", args=[election.pk])).status_code == 200
    assert client.get(reverse("voice:election_add")).status_code == 404
    assert client.post(reverse("voice:election_open", args=[election.pk])).status_code == 404


# ----- API ---------------------------------------------------------------------------------------


def _headers(user):
    _token, key = registry_services.issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_lists_and_reads_elections_and_their_results_in_scope(client, world):
    election, c = _run_to_voting(world)
    headers = _headers(world["leader"])
    listed = client.get("/api/voice/elections", headers=headers).json()
    assert [e["id"] for e in listed["items"]] == [election.pk]
    assert (
        client.get(f"/api/voice/elections/{election.pk}/results", headers=headers).json()["code"] == "hidden"
    )
    _vote(world, election, "Amina", president=c["Amina"], member=[c["Enamul"], c["Faruk"]])
    services.declare_results(actor=world["leader"], election=election)
    read = client.get(f"/api/voice/elections/{election.pk}", headers=headers).json()
    assert [p["office"] for p in read["posts"]] == ["president", "secretary", "member"]
    assert read["term_ends_on"] == "2029-03-01"
    results = client.get(f"/api/voice/elections/{election.pk}/results", headers=headers).json()
    assert {c["name"] for c in results["elected"]} == {"Amina", "Champa", "Enamul", "Faruk"}
    assert (results["women_required"], results["women_elected"], results["quota_met"]) == (2, 2, True)
    outsider = _headers(testing.staff(Role.GROUP_LEADER, organisation=testing.group()))
    assert client.get(f"/api/voice/elections/{election.pk}", headers=outsider).status_code == 404
    assert client.get(f"/api/voice/elections/{election.pk}/results", headers=outsider).status_code == 404
    assert client.get("/api/voice/elections", headers=outsider).json()["items"] == []


def test_the_api_lists_overdue_committees(client, world):
    registry_services.assign_office(
        actor=None, organisation=world["group"], member=world["Amina"], office=Office.PRESIDENT,
        started_on=datetime.date(2019, 1, 1),
    )  # fmt: skip
    found = client.get("/api/voice/committees/overdue", headers=_headers(world["leader"])).json()
    assert found == [
        {
            "organisation": world["group"].pk,
            "organisation_name": str(world["group"]),
            "term_ended_on": "2022-01-01",
        }
    ]


def test_the_election_pages_render_in_bengali_with_bengali_digits(client, world):
    election, c = _run_to_voting(world)
    client.force_login(world["leader"])
    client.post("/i18n/setlang/", {"language": "bn", "next": "/"})
    detail = client.get(reverse("voice:election_detail", args=[election.pk])).content.decode()
    assert 'lang="bn"' in detail and "২০২৬-০৩-০১" in detail
    assert client.get(reverse("voice:election_ballot", args=[election.pk])).status_code == 200
    _vote(world, election, "Amina", president=c["Dilip"], member=[c["Enamul"], c["Faruk"]])
    services.declare_results(actor=world["leader"], election=election)
    results = client.get(reverse("voice:election_results", args=[election.pk])).content.decode()
    assert "২০২৯-০৩-০১" in results
    assert client.get(reverse("voice:election_list")).status_code == 200
