"""Scope: an account sees and changes only the organisations under the one it is attached to."""

import pytest

from samiti.registry import queries, services, testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    """Two federations; the first has two associations, the first of which has two groups."""
    fed_a = testing.organisation("federation")
    fed_b = testing.organisation("federation")
    assoc_a1 = testing.organisation("association", fed_a)
    assoc_a2 = testing.organisation("association", fed_a, place=testing.union())
    assoc_b = testing.organisation("association", fed_b)
    groups = {
        "a1x": testing.organisation("group", assoc_a1),
        "a1y": testing.organisation("group", assoc_a1),
        "a2": testing.organisation("group", assoc_a2),
        "b": testing.organisation("group", assoc_b),
    }
    members = {name: testing.member(group=g) for name, g in groups.items()}
    return {"fed_a": fed_a, "assoc_a1": assoc_a1, "groups": groups, "members": members}


def visible(user, programme):
    ids = set(queries.members_for(user).values_list("pk", flat=True))
    return {name for name, m in programme["members"].items() if m.pk in ids}


def test_each_role_sees_exactly_the_members_under_its_organisation(programme):
    assert visible(testing.staff(Role.PROGRAMME_ADMIN), programme) == {"a1x", "a1y", "a2", "b"}
    fed = testing.staff(Role.FEDERATION_LEADER, organisation=programme["fed_a"])
    assert visible(fed, programme) == {"a1x", "a1y", "a2"}
    assoc = testing.staff(Role.ASSOCIATION_LEADER, organisation=programme["assoc_a1"])
    assert visible(assoc, programme) == {"a1x", "a1y"}
    leader = testing.staff(Role.GROUP_LEADER, organisation=programme["groups"]["a1x"])
    assert visible(leader, programme) == {"a1x"}
    assert visible(testing.staff(Role.VIEWER), programme) == set()


def test_a_facilitator_attached_to_an_area_sees_the_members_living_there(programme):
    place = programme["members"]["a2"].area
    facilitator = testing.staff(Role.FACILITATOR, area=place)
    assert visible(facilitator, programme) == {"a2"}
    district = programme["members"]["b"].district
    assert "b" in visible(testing.staff(Role.FACILITATOR, area=district), programme)


def test_a_group_leader_gets_404_for_another_groups_member_page_and_edit(client, programme):
    leader = testing.staff(Role.GROUP_LEADER, organisation=programme["groups"]["a1x"])
    client.force_login(leader)
    own, other = programme["members"]["a1x"], programme["members"]["a1y"]
    assert client.get(f"/members/{own.pk}/").status_code == 200
    assert client.get(f"/members/{other.pk}/").status_code == 404
    assert client.get(f"/members/{other.pk}/edit/").status_code == 404
    response = client.post(f"/members/{other.pk}/edit/", {"name_en": "Changed", "sex": "F"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name_en != "Changed"


def test_a_group_leader_gets_404_for_another_groups_organisation_page(client, programme):
    leader = testing.staff(Role.GROUP_LEADER, organisation=programme["groups"]["a1x"])
    client.force_login(leader)
    assert client.get(f"/organisations/{programme['groups']['a1x'].pk}/").status_code == 200
    assert client.get(f"/organisations/{programme['groups']['a1y'].pk}/").status_code == 404
    assert client.get(f"/organisations/{programme['fed_a'].pk}/").status_code == 404


def test_the_member_list_shows_only_members_in_scope(client, programme):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=programme["assoc_a1"])
    client.force_login(leader)
    page = client.get("/members/").content.decode()
    for name, member in programme["members"].items():
        assert (f"/members/{member.pk}/" in page) == (name in {"a1x", "a1y"})


def test_a_service_refuses_a_write_outside_the_actors_scope(programme):
    leader = testing.staff(Role.GROUP_LEADER, organisation=programme["groups"]["a1x"])
    with pytest.raises(services.RegistryError) as error:
        services.register_member(actor=leader, group=programme["groups"]["b"], name_en="Out", sex="F")
    assert error.value.code == "forbidden"
    with pytest.raises(services.RegistryError):
        services.update_member(actor=leader, member=programme["members"]["b"], name_en="Out")


def test_a_viewer_reads_but_cannot_change(client, programme):
    viewer = testing.staff(Role.VIEWER, organisation=programme["assoc_a1"])
    client.force_login(viewer)
    member = programme["members"]["a1x"]
    assert client.get(f"/members/{member.pk}/").status_code == 200
    assert client.get(f"/members/{member.pk}/edit/").status_code == 404
    assert client.get("/members/add/").status_code == 404
    with pytest.raises(services.RegistryError):
        services.update_member(actor=viewer, member=member, name_en="Nope")


def test_sensitive_fields_show_only_to_roles_that_need_them(client, programme):
    member = programme["members"]["a1x"]
    services.update_member(
        actor=None, member=member, national_id="1990123456789", ethnicity="garo", wg_seeing=4
    )
    leader = testing.staff(Role.GROUP_LEADER, organisation=programme["groups"]["a1x"])
    client.force_login(leader)
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "1990123456789" not in page and "789" in page
    assert "Garo" not in page and "cannot do at all" not in page
    facilitator = testing.staff(Role.FACILITATOR, organisation=programme["assoc_a1"])
    client.force_login(facilitator)
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "1990123456789" in page and "Garo" in page and "cannot do at all" in page


def test_pasted_member_numbers_name_members_in_scope_only():
    mine, theirs = testing.group(), testing.group()
    rina, other = testing.member(mine), testing.member(theirs)
    leader = testing.staff(Role.GROUP_LEADER, organisation=mine)
    bengali = rina.code.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")).lower()
    text = f"{rina.code} Rina Begum\n\n{bengali},\n{other.code}\nNOBODY-1"
    lines = queries.members_by_number(leader, text)
    assert [(x.line, x.member) for x in lines] == [(1, rina), (3, rina), (4, None), (5, None)]
    assert [x.member for x in queries.members_by_number(None, other.code)] == [other]
