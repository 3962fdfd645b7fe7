"""Households: members placed by a shared code, one representative, the size; all audited."""

import pytest

from samiti.core.models import AuditEvent
from samiti.registry import services, testing
from samiti.registry.models import Household, Role

pytestmark = pytest.mark.django_db


def test_two_members_share_a_household_and_one_represents_it(client):
    group = testing.group()
    wife, husband = testing.member(group=group), testing.member(group=group, sex="M")
    client.force_login(testing.staff(Role.GROUP_LEADER, organisation=group))
    client.post(
        f"/members/{wife.pk}/household/",
        {"household_code": "HH-7", "household_size": "5", "representative": "on"},
    )
    client.post(f"/members/{husband.pk}/household/", {"household_code": "HH-7"})
    household = Household.objects.get(code="HH-7")
    assert household.size == 5 and household.representative == wife
    assert set(household.members.values_list("pk", flat=True)) == {wife.pk, husband.pk}
    assert AuditEvent.objects.filter(object_type="registry.household", object_id=household.pk).count() == 1
    assert AuditEvent.objects.filter(object_id=husband.pk, changes__has_key="household").exists()


def test_leaving_a_household_gives_up_representing_it():
    member = testing.member()
    services.place_in_household(actor=None, member=member, code="HH-8", representative=True)
    services.place_in_household(actor=None, member=member, code="")
    member.refresh_from_db()
    assert member.household is None
    assert Household.objects.get(code="HH-8").representative is None


def test_a_household_size_out_of_range_is_refused_with_its_field():
    member = testing.member()
    with pytest.raises(services.RegistryError) as error:
        services.place_in_household(actor=None, member=member, code="HH-9", size=0)
    assert error.value.field == "household_size"
    assert not Household.objects.exists()


def test_another_associations_household_cannot_be_joined():
    a, b = testing.member(), testing.member()
    services.place_in_household(actor=None, member=a, code="HH-10")
    with pytest.raises(services.RegistryError) as error:
        services.place_in_household(actor=None, member=b, code="HH-10")
    assert error.value.field == "household_code"


def test_income_and_children_under_5_are_kept_in_poisha_and_audited():
    member = testing.member()
    services.place_in_household(
        actor=None, member=member, code="HH-11", size=4, income_per_year=8_500_000, children_under_5=2
    )
    household = Household.objects.get(code="HH-11")
    assert (household.income_per_year, household.children_under_5) == (8_500_000, 2)
    assert household.income_per_year_taka == 85_000
    services.place_in_household(actor=None, member=member, code="HH-11", income_per_year=9_000_000)
    household.refresh_from_db()
    assert (household.size, household.income_per_year, household.children_under_5) == (4, 9_000_000, 2)
    update = AuditEvent.objects.get(
        object_type="registry.household", object_id=household.pk, action=AuditEvent.Action.UPDATE
    )
    assert set(update.changes) == {"income_per_year"}


def test_more_children_under_5_than_people_is_refused_with_its_field():
    member = testing.member()
    services.place_in_household(actor=None, member=member, code="HH-12", size=3, children_under_5=1)
    with pytest.raises(services.RegistryError) as error:
        services.place_in_household(actor=None, member=member, code="HH-12", children_under_5=4)
    assert error.value.field == "children_under_5"
    with pytest.raises(services.RegistryError) as error:
        services.place_in_household(actor=None, member=member, code="HH-12", size=0)
    assert error.value.field == "household_size"
    with pytest.raises(services.RegistryError) as error:
        services.place_in_household(actor=None, member=member, code="HH-12", size=2, children_under_5=3)
    assert error.value.field == "children_under_5"
    assert Household.objects.get(code="HH-12").children_under_5 == 1


def test_a_negative_income_is_refused():
    member = testing.member()
    with pytest.raises(services.RegistryError) as error:
        services.place_in_household(actor=None, member=member, code="HH-13", income_per_year=-1)
    assert error.value.field == "income_per_year"
    assert not Household.objects.exists()
