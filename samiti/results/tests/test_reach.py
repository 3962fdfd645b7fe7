"""The reach page: counts against targets, by district and association, scoped and suppressed."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samiti.registry import services, testing
from samiti.registry.models import Role
from samiti.results import queries
from samiti.results.queries import Counts

pytestmark = pytest.mark.django_db

# Who is in each association: (sex, ethnicity, has a disability); counted by hand below.
ALPHA_ONE = [
    ("F", "bengali", False),
    ("F", "garo", False),
    ("F", "garo", True),
    ("F", "bengali", False),
    ("F", "bengali", False),
    ("F", "bengali", False),
    ("M", "bengali", False),
    ("M", "bengali", False),
    ("M", "bengali", False),
    ("M", "bengali", False),
]
BETA_ONE = [
    ("F", "santal", True),
    ("F", "santal", False),
    ("F", "bengali", False),
    ("M", "santal", True),
    ("M", "santal", False),
    ("M", "santal", False),
    ("M", "bengali", False),
    ("T", "bengali", False),
]
BETA_TWO = [("F", "bengali", False)] * 6


def _hand_count(people: list[tuple[str, str, bool]]) -> Counts:
    return Counts(
        members=len(people),
        women=sum(sex == "F" for sex, _e, _d in people),
        ethnic_minority=sum(ethnicity != "bengali" for _s, ethnicity, _d in people),
        disability=sum(disability for _s, _e, disability in people),
    )


def _fill(group, people):
    for sex, ethnicity, disability in people:
        testing.member(
            group=group,
            sex=sex,
            ethnicity=ethnicity,
            **({"wg_walking": 3} if disability else {"wg_walking": 1}),
        )


@pytest.fixture
def programme():
    """Two districts: Alpha with one association, Beta with two; and someone who left."""
    division = testing.area("division")
    alpha = testing.area("district", division, name_en="Alpha", name_bn="আলফা")
    beta = testing.area("district", division, name_en="Beta", name_bn="বেটা")
    federation = testing.organisation("federation", place=alpha)
    one = testing.organisation("association", federation, place=testing.union(alpha), name_en="Alpha One")
    two = testing.organisation("association", federation, place=testing.union(beta), name_en="Beta One")
    three = testing.organisation("association", federation, place=testing.union(beta), name_en="Beta Two")
    _fill(testing.group(one), ALPHA_ONE)
    _fill(testing.group(two), BETA_ONE)
    group_three = testing.group(three)
    _fill(group_three, BETA_TWO)
    leaver = testing.member(group=group_three, sex="F", ethnicity="garo", wg_seeing=4)
    services.update_member(
        actor=None, member=leaver, left_on=datetime.date.today(), leaving_reason="moved away"
    )
    return {"alpha": alpha, "beta": beta, "federation": federation, "one": one, "two": two, "three": three}


def _counts(row: queries.Row) -> Counts:
    return Counts(
        members=row.members,
        women=row.women.count,
        ethnic_minority=row.ethnic_minority.count,
        disability=row.disability.count,
    )


def test_reach_matches_a_hand_count_overall_by_district_and_by_association(programme):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    reach = queries.reach(admin)

    alpha, beta_one, beta_two = _hand_count(ALPHA_ONE), _hand_count(BETA_ONE), _hand_count(BETA_TWO)
    assert _counts(reach.total) == alpha + beta_one + beta_two == Counts(24, 15, 7, 3)
    assert [d.row.name for d in reach.districts] == ["Alpha", "Beta"]
    assert _counts(reach.districts[0].row) == alpha
    assert _counts(reach.districts[1].row) == beta_one + beta_two
    assert [(a.name, _counts(a)) for a in reach.districts[1].associations] == [
        ("Beta One", beta_one),
        ("Beta Two", beta_two),
    ]
    assert reach.total.women.share == pytest.approx(15 / 24)
    assert reach.districts[1].row.ethnic_minority.share == pytest.approx(5 / 14)
    assert reach.total.disability.share == pytest.approx(3 / 24)
    assert reach.members_target_share == pytest.approx(24 / 20_000)
    assert not reach.suppressed


def test_members_who_left_are_not_counted(programme):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    beta_two = queries.reach(admin).districts[1].associations[1]
    # The leaver was a Garo woman with a disability: none of it counts.
    assert _counts(beta_two) == Counts(6, 6, 0, 0)


def test_targets_come_from_the_targets_table(programme):
    reach = queries.reach(testing.staff(Role.PROGRAMME_ADMIN))
    assert reach.targets == queries.Targets(members=20_000, women=0.5, ethnic_minority=0.1, disability=0.05)
    assert reach.total.women.target == 0.5
    assert not reach.total.women.short  # 62.5% against 50%
    assert reach.total.disability.short is False  # 12.5% against 5%


def test_an_association_leader_sees_only_the_reach_of_their_association(programme):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=programme["two"])
    leader.role = Role.FACILITATOR  # a role with detail, so the numbers are not suppressed
    reach = queries.reach(leader)
    assert [d.row.name for d in reach.districts] == ["Beta"]
    assert [a.name for a in reach.districts[0].associations] == ["Beta One"]
    assert _counts(reach.total) == _hand_count(BETA_ONE)


def test_the_page_of_an_association_leader_names_no_other_association(client, programme):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=programme["two"])
    client.force_login(leader)
    page = client.get(reverse("results:reach")).content.decode()
    assert "Beta One" in page
    assert "Alpha One" not in page and "Beta Two" not in page and "Alpha" not in page
    # The programme's member target is not theirs to reach alone.
    assert "of a target of" not in page and "whole programme" in page


def test_a_viewer_sees_small_cells_as_fewer_than_five(client, programme):
    viewer = testing.staff(Role.VIEWER, organisation=programme["federation"])
    reach = queries.reach(viewer)
    assert reach.suppressed
    alpha = reach.districts[0].row
    assert alpha.members == 10
    assert alpha.ethnic_minority.hidden and alpha.ethnic_minority.count is None  # 2 Garo members
    assert alpha.disability.hidden and alpha.disability.share is None  # 1 person
    assert not alpha.women.hidden and alpha.women.count == 6
    client.force_login(viewer)
    page = client.get(reverse("results:reach")).content.decode()
    assert "&lt;5" in page
    assert "fewer than 5 people" in page


def test_a_role_with_detail_sees_the_small_cells(programme):
    facilitator = testing.staff(Role.FACILITATOR, area=programme["alpha"])
    alpha = queries.reach(facilitator).districts[0].row
    assert alpha.ethnic_minority.count == 2 and alpha.disability.count == 1


def test_a_lone_small_cell_takes_its_nearest_sibling_with_it():
    # Were only the 2 hidden, the district's total minus 8 would give it away.
    hidden = queries._hidden_cells([Counts(10, 6, 2, 5), Counts(20, 10, 8, 9), Counts(30, 15, 12, 6)])
    assert [("ethnic_minority" in h) for h in hidden] == [True, True, False]
    assert not any("disability" in h for h in hidden)


def test_the_page_renders_in_bengali_with_bengali_digits(client, programme):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    page = client.get(reverse("results:reach")).content.decode()
    assert 'lang="bn"' in page
    assert "আলফা" in page and "বেটা" in page  # the districts' Bengali names
    assert "২৪" in page  # 24 members
    assert "৬২.৫%" in page  # 62.5% women
    assert "২০,০০০" in page  # the target


def test_the_page_shows_bars_as_svg_without_inline_styles(client, programme):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    response = client.get(reverse("results:reach"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and 'class="bar' in page
    assert "style=" not in page and "<script" not in page


def test_the_page_needs_a_login(client):
    response = client.get(reverse("results:reach"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_with_no_scope_sees_an_empty_page(client, programme):
    client.force_login(testing.staff(Role.VIEWER))
    page = client.get(reverse("results:reach")).content.decode()
    assert "no active members in your scope" in page


def _queries_for_page(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("results:reach")).status_code == 200
    return len(captured)


def test_the_page_makes_the_same_few_queries_however_many_districts(
    client, programme, django_assert_max_num_queries
):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    before = _queries_for_page(client)
    # Another district with two associations and members.
    gamma = testing.area("district", programme["alpha"].parent, name_en="Gamma")
    for _ in range(2):
        association = testing.organisation("association", programme["federation"], place=testing.union(gamma))
        _fill(testing.group(association), BETA_ONE)
    with django_assert_max_num_queries(before):
        assert client.get(reverse("results:reach")).status_code == 200
    assert before <= 8


def test_the_aggregate_is_one_grouped_query_over_the_reach_index(programme):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    with CaptureQueriesContext(connection) as captured:
        queries.reach_counts(admin)
    assert len(captured) == 1
    sql = captured[0]["sql"]
    assert "GROUP BY" in sql and "COUNT(" in sql
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "member_reach" in plan
