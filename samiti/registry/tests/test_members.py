"""The member pages: search, filters, add and edit with clear field errors, history."""

import pytest

from samiti.registry import services, testing
from samiti.registry.models import Member, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return testing.group()


@pytest.fixture
def leader(client, group):
    user = testing.staff(Role.ASSOCIATION_LEADER, organisation=group.parent)
    client.force_login(user)
    return user


def form_data(group, **changes):
    data = {"name_en": "Rahima Khatun", "name_bn": "রহিমা খাতুন", "sex": "F", "group": group.pk,
            "joined_on": "2025-01-15", "phone": "01712345678", "birth_year": "1980"}  # fmt: skip
    data.update(changes)
    return data


def test_a_leader_adds_a_member_and_lands_on_the_members_page(client, leader, group):
    response = client.post("/members/add/", form_data(group))
    member = Member.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/"
    assert member.phone == "+8801712345678" and member.code == f"{group.code}-001"
    page = client.get(response["Location"]).content.decode()
    assert "রহিমা খাতুন" in page or "Rahima Khatun" in page


def test_bad_input_shows_each_fields_error_and_saves_nothing(client, leader, group):
    response = client.post(
        "/members/add/", form_data(group, phone="12", sex="", birth_year="1700", name_en="", name_bn="")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "phone" in form.errors and "sex" in form.errors
    assert not Member.objects.exists()
    # The typed values are kept so nothing is lost.
    assert 'value="12"' in response.content.decode()


def test_a_service_rule_is_shown_on_its_field(client, leader, group):
    response = client.post("/members/add/", form_data(group, birth_year="1700"))
    assert response.status_code == 200
    assert "birth_year" in response.context["form"].errors
    assert not Member.objects.exists()


def test_editing_records_a_member_leaving_with_a_reason(client, leader, group):
    member = testing.member(group=group, name_en="Amena")
    data = form_data(
        group, name_en="Amena", name_bn="", phone="", left_on="2026-01-01", leaving_reason="moved away"
    )
    response = client.post(f"/members/{member.pk}/edit/", data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on.isoformat() == "2026-01-01" and not member.is_active


def test_search_finds_a_member_by_name_in_either_script_phone_or_national_id(client, leader, group):
    rahima = testing.member(group=group, name_en="Rahima Khatun", name_bn="রহিমা খাতুন", phone="01712000111",
                            national_id="1234567890123")  # fmt: skip
    testing.member(group=group, name_en="Karim Mia", sex="M")

    def found(q):
        page = client.get("/members/", {"q": q}).content.decode()
        return f"/members/{rahima.pk}/" in page and "Karim" not in page

    assert found("rahima")
    assert found("রহিমা")
    assert found("01712000111")
    assert found("০১৭১২০০০১১১")
    assert found("1234567890123")


def test_filters_narrow_the_list(client, leader, group):
    woman = testing.member(group=group, name_en="Woman One", sex="F", birth_year=1990, land_cultivated=20)
    man = testing.member(group=group, name_en="Man One", sex="M", birth_year=1950, land_cultivated=300)
    left = testing.member(group=group, name_en="Gone One")
    services.update_member(actor=None, member=left, left_on=left.joined_on, leaving_reason="moved")

    def listed(**params):
        page = client.get("/members/", params).content.decode()
        return {m.name_en for m in (woman, man, left) if f"/members/{m.pk}/" in page}

    assert listed() == {"Woman One", "Man One"}
    assert listed(sex="F") == {"Woman One"}
    assert listed(age_band="60plus") == {"Man One"}
    assert listed(farmer_category="marginal") == {"Woman One"}
    assert listed(status="left") == {"Gone One"}
    assert listed(status="all") == {"Woman One", "Man One", "Gone One"}
    assert listed(organisation=group.pk) == {"Woman One", "Man One"}


def test_the_member_list_makes_the_same_number_of_queries_for_many_members(
    client, leader, group, django_assert_max_num_queries
):
    for _ in range(3):
        testing.member(group=group)
    with django_assert_max_num_queries(12) as few:
        client.get("/members/")
    for _ in range(30):
        testing.member(group=group)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/members/")


def test_the_organisation_tree_counts_members_up_the_tree(client, leader, group):
    testing.member(group=group, sex="F")
    testing.member(group=group, sex="M")
    page = client.get("/organisations/").content.decode()
    assert str(group.parent) in page and str(group) in page
    assert page.count("2 members, 1 women") == 2  # the association and its group


def test_a_committee_office_passes_to_the_next_holder(client, leader, group):
    first, second = testing.member(group=group), testing.member(group=group)
    for member, day in ((first, "2024-01-01"), (second, "2025-01-01")):
        response = client.post(
            f"/organisations/{group.pk}/", {"member": member.pk, "office": "president", "started_on": day}
        )
        assert response.status_code == 302
    offices = list(group.offices.order_by("started_on").values_list("member_id", "ended_on"))
    assert offices[0][0] == first.pk and str(offices[0][1]) == "2025-01-01"
    assert offices[1] == (second.pk, None)


def test_the_page_reads_in_bengali_with_bengali_digits(client, leader, group):
    member = testing.member(group=group, name_bn="রহিমা", phone="01712345678")
    client.post("/i18n/setlang/", {"language": "bn", "next": "/"})
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "+৮৮০১৭১২৩৪৫৬৭৮" in page
    assert 'lang="bn"' in page


# Marital status, occupation, pregnancy; the household's income and children under 5 ---------------


def test_a_facilitator_records_marital_status_occupation_and_pregnancy(client, group):
    client.force_login(testing.staff(Role.FACILITATOR, organisation=group.parent))
    data = form_data(group, marital_status="widowed", occupation="tenant", pregnant="yes")
    response = client.post("/members/add/", data)
    member = Member.objects.get()
    assert (member.marital_status, member.occupation, member.pregnant) == ("widowed", "tenant", True)
    page = client.get(response["Location"]).content.decode()
    assert "widowed" in page and "tenant or sharecropper" in page
    edit = client.get(f"/members/{member.pk}/edit/").content.decode()
    assert '<option value="yes" selected>' in edit
    client.post(f"/members/{member.pk}/edit/", data | {"pregnant": ""})
    member.refresh_from_db()
    assert member.pregnant is None


def test_pregnancy_for_a_member_recorded_as_male_is_shown_on_its_field(client, group):
    client.force_login(testing.staff(Role.FACILITATOR, organisation=group.parent))
    response = client.post("/members/add/", form_data(group, sex="M", pregnant="yes"))
    assert response.status_code == 200
    assert "male" in response.context["form"].errors["pregnant"][0]
    assert not Member.objects.exists()


def test_a_role_without_sensitive_data_sees_no_marital_status_or_pregnancy(client, leader, group):
    member = testing.member(group=group, marital_status="deserted", pregnant=True, occupation="fisher")
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "deserted" not in page and "Pregnant" not in page
    assert "fisher" in page  # occupation is not sensitive
    form = client.get(f"/members/{member.pk}/edit/").context["form"]
    assert (
        "marital_status" not in form.fields and "pregnant" not in form.fields and "occupation" in form.fields
    )
    # Editing without those fields keeps them; the history masks them.
    client.post(f"/members/{member.pk}/edit/", form_data(group, name_en="Amena", occupation="trader"))
    member.refresh_from_db()
    assert (member.occupation, member.marital_status, member.pregnant) == ("trader", "deserted", True)
    services.update_member(actor=None, member=member, marital_status="widowed")
    history = client.get(f"/members/{member.pk}/").content.decode()
    assert "widowed" not in history and "•••" in history


def test_the_household_form_takes_income_in_taka_and_children_under_5(client, leader, group):
    member = testing.member(group=group)
    client.post(
        f"/members/{member.pk}/household/",
        {
            "household_code": "HH-50",
            "household_size": "6",
            "income_per_year": "১,২০,০০০",
            "children_under_5": "2",
        },
    )
    member.refresh_from_db()
    household = member.household
    assert (household.income_per_year, household.children_under_5) == (12_000_000, 2)
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "Tk 120,000" in page
    assert 'value="120000"' in page  # the form shows taka, not poisha
    response = client.post(
        f"/members/{member.pk}/household/", {"household_code": "HH-50", "children_under_5": "7"}, follow=True
    )
    assert "cannot have 7 children under 5" in response.content.decode()
    response = client.post(
        f"/members/{member.pk}/household/",
        {"household_code": "HH-50", "income_per_year": "lots"},
        follow=True,
    )
    assert "not an amount of taka" in response.content.decode()
    household.refresh_from_db()
    assert (household.income_per_year, household.children_under_5) == (12_000_000, 2)
