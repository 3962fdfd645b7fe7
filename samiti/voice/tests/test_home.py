"""The voice overview: demands raised and won by category, commitments, and women's share of voice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from samiti.core.models import Channel
from samiti.registry import services as registry_services
from samiti.registry import testing
from samiti.registry.models import Authority, CommitteeOffice, Role
from samiti.voice import queries
from samiti.voice.models import Charter, Response
from samiti.voice.services import charters
from samiti.voice.services.demands import endorse_many, raise_demand

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 7, 1)


@pytest.fixture
def world():
    """An association whose canal demand (3 women and 1 man endorsing) won an overdue commitment,
    and whose road demand (1 woman) waits; a woman presides the group, a man is its secretary."""
    group = testing.group()
    association = group.parent
    women = [testing.member(group, sex="F") for _ in range(3)]
    man = testing.member(group, sex="M")
    parishad = registry_services.save_authority(
        actor=None, kind=Authority.Kind.UNION_PARISHAD, code="UP-9", name_en="Char UP", area=association.area
    )
    canal = raise_demand(
        actor=None, organisation=association, title="Re-dig the canal", category="irrigation"
    )
    road = raise_demand(actor=None, organisation=association, title="Pave the road", category="roads")
    endorse_many(actor=None, demand=canal, members=[*women, man], channel=Channel.WEB)
    endorse_many(actor=None, demand=road, members=[women[0]], channel=Channel.WEB)
    charter = charters.create_charter(
        actor=None, organisation=association, authority=parishad, subject="Our demands", demands=[canal]
    )
    march = datetime.date(2026, 3, 1)
    charter = charters.submit_charter(
        actor=None,
        charter=charter,
        submitted_on=march,
        method=Charter.Method.LETTER,
        to_name="Secretary",
        today=march,
    )
    charters.record_response(
        actor=None,
        item=charter.items.get(),
        kind=Response.Kind.COMMITTED,
        responded_on=march,
        official_name="Chairman",
        what="Re-dig 2 km",
        due_on=datetime.date(2026, 6, 1),
        today=march,
    )
    registry_services.assign_office(
        actor=None,
        organisation=group,
        member=women[1],
        office="president",
        started_on=datetime.date(2025, 1, 1),
    )
    registry_services.assign_office(
        actor=None, organisation=group, member=man, office="secretary", started_on=datetime.date(2025, 1, 1)
    )
    return {"group": group, "association": association}


def test_the_overview_counts_demands_by_how_far_they_went_and_women_s_share_of_voice(world):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    overview = queries.overview(admin, today=TODAY)
    rows = {row.category: (row.raised, row.submitted, row.won, row.delivered) for row in overview.categories}
    assert rows == {"irrigation": (1, 1, 1, 0), "roads": (1, 0, 0, 0)}
    assert (overview.total.raised, overview.total.won) == (2, 1)
    assert overview.commitments["open"] == 1 and overview.overdue == 1
    assert (overview.endorsements.part, overview.endorsements.whole) == (4, 5)
    assert (overview.seats.part, overview.seats.whole) == (1, 2)
    assert overview.votes.share is None


def test_a_leader_of_another_association_sees_none_of_it(world):
    elsewhere = testing.group()
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=elsewhere.parent)
    overview = queries.overview(leader, today=TODAY)
    assert overview.categories == [] and overview.total.raised == 0
    assert overview.endorsements.whole == 0 and overview.seats.whole == 0


def test_the_overview_page_renders_in_both_languages(client, world):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    page = client.get(reverse("voice:home")).content.decode()
    assert "Demands by category" in page and "80.0%" in page
    client.post("/i18n/setlang/", {"language": "bn", "next": "/"})
    translation.activate("bn")
    page = client.get(reverse("voice:home")).content.decode()
    assert 'lang="bn"' in page and "৮০.০%" in page


def test_current_seats_leave_out_offices_that_ended(world):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    CommitteeOffice.objects.filter(office="secretary").update(ended_on=datetime.date(2026, 1, 1))
    assert queries.current_seats(admin, TODAY).count() == 1
