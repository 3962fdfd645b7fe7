"""Rules with many cases: the Washington Group cut-off, phone numbers, national IDs, name keys."""

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samiti.core.bengali import name_key, to_bengali_digits
from samiti.registry import services, testing
from samiti.registry.models import (
    WG_FIELDS,
    MaritalStatus,
    Member,
    Occupation,
    farmer_category,
    has_disability,
)
from samiti.registry.services import RegistryError, normalise_national_id, normalise_phone

ANSWERS = [None, 1, 2, 3, 4]


def test_the_washington_group_cut_off_holds_for_every_answer_pattern_class():
    # Every combination of the classes "not asked", "no/some difficulty", "a lot/cannot" over six
    # domains: disability iff at least one domain is answered 3 or 4.
    for pattern in itertools.product([None, 1, 2, 3, 4], repeat=3):
        for placement in (pattern + (None,) * 3, (None,) * 3 + pattern):
            answers = dict(zip(WG_FIELDS, placement, strict=True))
            assert has_disability(answers) == any((a or 0) >= 3 for a in placement)


@pytest.mark.django_db
def test_the_database_column_agrees_with_the_cut_off_for_each_class():
    group = testing.group()
    cases = [
        ({}, False),  # not asked
        ({f: 1 for f in WG_FIELDS}, False),  # no difficulty anywhere
        ({f: 2 for f in WG_FIELDS}, False),  # some difficulty everywhere is below the cut-off
        ({"wg_seeing": 3}, True),
        ({"wg_communication": 4}, True),
        ({"wg_hearing": 2, "wg_selfcare": 3}, True),
        ({"wg_walking": 1, "wg_cognition": 2}, False),
    ]
    for answers, expected in cases:
        member = testing.member(group=group, **answers)
        member.refresh_from_db()
        assert member.has_disability is expected, answers
        assert has_disability(answers) is expected
    # Answers are kept, not only the flag.
    assert Member.objects.filter(wg_hearing=2, wg_selfcare=3).exists()


@given(st.from_regex(r"01[3-9][0-9]{8}", fullmatch=True))
def test_a_bangladeshi_mobile_number_is_stored_in_e164_whatever_its_form(number):
    expected = "+880" + number[1:]
    assert normalise_phone(number) == expected
    assert normalise_phone("+88" + number) == expected
    assert normalise_phone(f"{number[:5]}-{number[5:]}") == expected
    assert normalise_phone(to_bengali_digits(number)) == expected


@given(st.from_regex(r"01[3-9][0-9]{5}|0[3-9][0-9]{3}|[a-z]{3,8}", fullmatch=True))
def test_a_number_that_cannot_be_a_phone_is_refused_with_the_field(text):
    with pytest.raises(RegistryError) as error:
        normalise_phone(text)
    assert error.value.field == "phone"


@given(st.sampled_from([10, 13, 17]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_a_national_id_of_10_13_or_17_digits_is_accepted_in_either_script(digits):
    assert normalise_national_id(digits) == digits
    assert normalise_national_id(to_bengali_digits(digits)) == digits
    assert normalise_national_id(f" {digits[:4]} {digits[4:]} ") == digits


@given(st.integers(min_value=1, max_value=25).filter(lambda n: n not in (10, 13, 17)))
def test_a_national_id_of_another_length_is_refused_with_the_count(length):
    with pytest.raises(RegistryError) as error:
        normalise_national_id("7" * length)
    assert error.value.field == "national_id"
    assert str(length) in str(error.value)


@given(st.text(min_size=1).map(lambda t: re.sub(r"[\s-]", "", t)).filter(lambda t: t and not t.isdigit()))
def test_a_national_id_with_other_characters_is_refused(text):
    with pytest.raises(RegistryError):
        normalise_national_id(text)


@pytest.mark.parametrize(
    ("bengali", "latin"),
    [
        ("মোছাম্মৎ রহিমা খাতুন", "Mst. Rahima Khatun"),
        ("মোঃ আব্দুল করিম", "Md. Abdul Karim"),
        ("শ্রীমতি লক্ষ্মী রানী", "Srimati Lokkhi Rani"),
        ("নাসরিন আক্তার", "Nasrin Akter"),
        ("ফাতেমা বেগম", "Fatema Begum"),
    ],
)
def test_a_name_keys_the_same_in_bengali_and_latin_script(bengali, latin):
    assert name_key(bengali) == name_key(latin)


def test_different_names_key_differently():
    assert name_key("Rahima Khatun") != name_key("Rokeya Khatun")


@given(st.one_of(st.none(), st.integers(min_value=0, max_value=100_000)))
def test_the_farmer_category_follows_land_cultivated(land):
    category = farmer_category(land)
    if land is None:
        assert category == ""
    elif land < 5:
        assert category == "landless"
    elif land < 50:
        assert category == "marginal"
    elif land < 250:
        assert category == "small"
    elif land < 750:
        assert category == "medium"
    else:
        assert category == "large"


@pytest.mark.django_db
def test_the_stored_farmer_category_matches_the_rule():
    group = testing.group()
    for land in (0, 4, 5, 49, 50, 249, 250, 749, 750, None):
        member = testing.member(group=group, land_cultivated=land)
        member.refresh_from_db()
        assert member.farmer_category == farmer_category(land)


@pytest.mark.django_db
def test_registering_a_member_with_a_bad_phone_names_the_field_and_writes_nothing():
    group = testing.group()
    with pytest.raises(RegistryError) as error:
        services.register_member(actor=None, group=group, name_en="Rina", sex="F", phone="12345")
    assert error.value.field == "phone"
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_a_member_cannot_leave_without_a_reason_or_before_joining():
    member = testing.member()
    with pytest.raises(RegistryError) as error:
        services.update_member(actor=None, member=member, left_on=member.joined_on)
    assert error.value.field == "leaving_reason"
    with pytest.raises(RegistryError) as error:
        services.update_member(
            actor=None, member=member, left_on=member.joined_on.replace(year=2000), leaving_reason="moved"
        )
    assert error.value.field == "left_on"


@given(
    sex=st.sampled_from(["F", "M", "T"]),
    pregnant=st.sampled_from([None, True, False]),
    marital=st.sampled_from(["", *MaritalStatus.values]),
    occupation=st.sampled_from(["", *Occupation.values]),
)
def test_pregnancy_is_refused_only_for_a_member_recorded_as_male(sex, pregnant, marital, occupation):
    fields = {
        "name_en": "Rina",
        "sex": sex,
        "pregnant": pregnant,
        "marital_status": marital,
        "occupation": occupation,
    }
    errors = services.check_member(fields)
    assert ("pregnant" in errors) == (sex == "M" and pregnant is True)
    assert "marital_status" not in errors and "occupation" not in errors
    if "pregnant" in errors:
        assert "male" in errors["pregnant"]


def test_an_unknown_marital_status_or_occupation_is_refused_with_its_field():
    errors = services.check_member(
        {"name_en": "Rina", "sex": "F", "marital_status": "engaged", "occupation": "astronaut"}
    )
    assert set(errors) == {"marital_status", "occupation"}


@pytest.mark.django_db
def test_a_pregnant_member_cannot_be_changed_to_male_and_nothing_is_written():
    member = testing.member(sex="F", pregnant=True, marital_status="deserted", occupation="agri_labourer")
    with pytest.raises(RegistryError) as error:
        services.update_member(actor=None, member=member, sex="M")
    assert error.value.field == "pregnant"
    member.refresh_from_db()
    assert (member.sex, member.pregnant, member.marital_status) == ("F", True, "deserted")
    assert member.get_occupation_display() == "agricultural labourer"


@given(
    size=st.one_of(st.none(), st.integers(min_value=-2, max_value=60)),
    children=st.one_of(st.none(), st.integers(min_value=-2, max_value=60)),
    income=st.one_of(st.none(), st.integers(min_value=-(10**12), max_value=10**12)),
)
def test_household_facts_are_checked_together(size, children, income):
    errors = services.check_household(
        {"household_size": size, "children_under_5": children, "income_per_year": income}
    )
    assert ("household_size" in errors) == (size is not None and not 1 <= size <= 50)
    assert ("income_per_year" in errors) == (income is not None and not 0 <= income <= services.MOST_INCOME)
    children_bad = children is not None and (
        not 0 <= children <= 50 or (size is not None and children > size)
    )
    assert ("children_under_5" in errors) == children_bad
