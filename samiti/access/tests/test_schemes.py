"""Each shipped Bangladesh scheme against members at the edges of its published criteria.

Every case is answered twice, by `explain_member` (the rule evaluated in Python, with reasons)
and by `screen` (the rule compiled to SQL, leaving findings), and the two must agree.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.access.models import Application, Finding, Scheme
from samiti.access.rules.facts import FACTS, latest_birth_for_age
from samiti.access.services.catalogue import load_schemes
from samiti.access.services.screening import explain_member, screen
from samiti.registry import testing
from samiti.registry.models import Household, Member

ON = datetime.date(2026, 11, 29)
SOME_DIFFICULTY, A_LOT = 2, 3


def born(years: int, days_short: int = 0) -> datetime.date:
    """The date of birth that makes a person `years` old on ON, or that many days short of it."""
    return latest_birth_for_age(years, ON) + datetime.timedelta(days=days_short)


@dataclass
class Case:
    """A member's facts and the answer the scheme's rule must give."""

    expected: str  # eligible, not_eligible, cannot_tell or receiving
    facts: dict
    collect: str = ""  # for cannot_tell: the fact the facilitator must collect
    receiving: list[str] = field(default_factory=list)


def case(expected: str, collect: str = "", receiving: tuple[str, ...] = (), **facts) -> Case:
    return Case(expected, facts, collect, list(receiving))


def _person(group, facts: dict, receiving: list[str]) -> Member:
    facts = dict(facts)
    member = testing.member(group, sex=facts.pop("sex", "F"))
    household = None
    household_facts = {
        name: facts.pop(key)
        for key, name in [("income", "income_per_year"), ("size", "size")]
        if key in facts
    }
    children = facts.pop("children", None)
    head = facts.pop("head", None)
    if household_facts or head is not None or children is not None:
        income = household_facts.get("income_per_year")
        household = Household.objects.create(
            code=f"H-{member.pk}",
            area=group.area,
            size=household_facts.get("size"),
            income_per_year=None if income is None else income * 100,
            children_under_5=children,
            # Not the head: another member represents the household.
            representative=member if head else testing.member(group),
        )
    if "disability" in facts:
        facts["wg_walking"] = A_LOT if facts.pop("disability") else SOME_DIFFICULTY
        facts["wg_seeing"] = SOME_DIFFICULTY
    facts["national_id"] = "1990123456789" if facts.pop("nid", True) else ""
    facts["phone"] = "+8801711000000" if facts.pop("phone", True) else ""
    Member.objects.filter(pk=member.pk).update(household=household, **facts)
    for code in receiving:
        Application.objects.create(
            member=member,
            scheme=Scheme.objects.get(code=code),
            association=member.association,
            status=Application.Status.RECEIVING,
            identified_on=ON,
            updated_on=ON,
        )
    return Member.objects.get(pk=member.pk)


def sql_outcome(member: Member, scheme: Scheme, receiving: bool) -> str:
    """The outcome the screening's findings give: no finding is not eligible, or receiving."""
    finding = Finding.objects.filter(member=member, scheme=scheme).first()
    if finding is not None:
        return finding.outcome
    return "receiving" if receiving else "not_eligible"


def check(code: str, cases: list[Case]) -> None:
    """Every case answers as expected, in Python and in SQL alike."""
    load_schemes(on=ON)
    scheme = Scheme.objects.get(code=code)
    group = testing.group()
    members = [_person(group, c.facts, c.receiving) for c in cases]
    screen(Member.objects.filter(pk__in=[m.pk for m in members]), ON, None, "edges")
    for member, c in zip(members, cases, strict=True):
        (result,) = [r for r in explain_member(member, ON) if r.scheme.code == code]
        in_sql = sql_outcome(member, scheme, code in c.receiving)
        assert (result.outcome, in_sql) == (c.expected, c.expected), (code, c.facts, result.steps)
        if c.expected == "cannot_tell":
            assert str(FACTS[c.collect].label) in result.missing, (c.facts, result.missing)


pytestmark = pytest.mark.django_db


def test_old_age_allowance_women_from_62_men_from_65_income_under_10000_land_under_50():
    woman = {"sex": "F", "income": 9_999, "land_owned": 0}
    man = {"sex": "M", "income": 9_999, "land_owned": 0}
    check(
        "old_age_allowance",
        [
            case("eligible", birth_date=born(62), **woman),  # her 62nd birthday
            case("not_eligible", birth_date=born(62, 1), **woman),  # the day before it
            case("not_eligible", birth_date=born(62), **man),  # a man of 62 waits until 65
            case("not_eligible", birth_date=born(65, 1), **man),
            case("eligible", birth_date=born(65), **man),
            case("eligible", birth_year=ON.year - 62, **woman),  # born "1964": taken as 1 July
            case("not_eligible", birth_date=born(70), **(woman | {"income": 10_000})),  # at the ceiling
            case("not_eligible", birth_date=born(70), **(woman | {"land_owned": 50})),
            case("eligible", birth_date=born(70), **(woman | {"land_owned": 49})),
            case("cannot_tell", "household_income", birth_date=born(70), sex="F", land_owned=0),
            case("cannot_tell", "age", **woman),
            case("receiving", birth_date=born(70), receiving=("old_age_allowance",), **woman),
        ],
    )


def test_widow_allowance_widows_and_deserted_women_with_income_up_to_12000_and_no_other_allowance():
    widow = {"sex": "F", "birth_date": born(40), "marital_status": "widowed", "income": 12_000}
    check(
        "widow_allowance",
        [
            case("eligible", **widow),  # exactly at the ceiling: "Tk 12,000 or less"
            case("not_eligible", **(widow | {"income": 12_001})),  # one taka over
            case("not_eligible", **(widow | {"marital_status": "married"})),
            case("eligible", **(widow | {"marital_status": "deserted"})),
            case("eligible", **(widow | {"marital_status": "divorced"})),
            case("eligible", **(widow | {"birth_date": born(18)})),
            case("not_eligible", **(widow | {"birth_date": born(18, 1)})),
            case("not_eligible", **(widow | {"sex": "M"})),
            case("not_eligible", receiving=("old_age_allowance",), **widow),
            case("not_eligible", receiving=("disability_allowance",), **widow),
            case("cannot_tell", "marital_status", **(widow | {"marital_status": ""})),
        ],
    )


def test_disability_allowance_from_age_6_with_income_per_person_under_36000():
    disabled = {"disability": True, "birth_date": born(30), "size": 4, "income": 143_999}  # Tk 35,999.75 each
    check(
        "disability_allowance",
        [
            case("eligible", **disabled),
            case("not_eligible", **(disabled | {"income": 144_000})),  # Tk 36,000 each: the ceiling
            case(
                "eligible", **(disabled | {"size": 5, "income": 144_000})
            ),  # the same income, one more mouth
            case("not_eligible", **(disabled | {"disability": False})),  # only "some difficulty"
            case("cannot_tell", "has_disability", birth_date=born(30), size=4, income=100_000),
            case("eligible", **(disabled | {"birth_date": born(6)})),
            case("not_eligible", **(disabled | {"birth_date": born(6, 1)})),
            case("cannot_tell", "income_per_person", **(disabled | {"size": None})),
            case("not_eligible", receiving=("old_age_allowance",), **disabled),
            case("not_eligible", receiving=("widow_allowance",), **disabled),
        ],
    )


def test_vulnerable_women_benefit_women_20_to_50_with_a_national_id_and_a_phone():
    woman = {"sex": "F", "birth_date": born(35)}
    check(
        "vulnerable_women_benefit",
        [
            case("eligible", **woman),
            case("eligible", **(woman | {"birth_date": born(20)})),
            case("not_eligible", **(woman | {"birth_date": born(20, 1)})),
            case("eligible", **(woman | {"birth_date": born(51, 1)})),  # 50 until her 51st birthday
            case("not_eligible", **(woman | {"birth_date": born(51)})),
            case("not_eligible", **(woman | {"nid": False})),
            case("not_eligible", **(woman | {"phone": False})),
            case("not_eligible", **(woman | {"sex": "M"})),
            case("cannot_tell", "age", sex="F"),
        ],
    )


def test_vgf_the_landless_labourers_and_divorced_or_deserted_women():
    check(
        "vgf",
        [
            case("eligible", land_owned=4, occupation="farmer", marital_status="married"),
            case("not_eligible", land_owned=5, occupation="farmer", marital_status="married"),
            case("eligible", land_owned=100, occupation="day_labourer", marital_status="married"),
            case("eligible", land_owned=100, occupation="agri_labourer", marital_status="married"),
            case("eligible", sex="F", land_owned=100, occupation="farmer", marital_status="deserted"),
            case("not_eligible", sex="M", land_owned=100, occupation="farmer", marital_status="divorced"),
            case("cannot_tell", "land_owned", occupation="farmer", marital_status="married"),
        ],
    )


def test_egpp_labourers_18_to_60_with_under_half_an_acre_and_income_under_4000():
    worker = {"birth_date": born(40), "land_owned": 49, "income": 3_999, "occupation": "day_labourer"}
    check(
        "egpp",
        [
            case("eligible", **worker),
            case("not_eligible", **(worker | {"income": 4_000})),
            case("not_eligible", **(worker | {"land_owned": 50})),
            case("eligible", **(worker | {"birth_date": born(61, 1)})),  # 60 until the 61st birthday
            case("not_eligible", **(worker | {"birth_date": born(61)})),
            case("eligible", **(worker | {"birth_date": born(18)})),
            case("not_eligible", **(worker | {"birth_date": born(18, 1)})),
            case("not_eligible", **(worker | {"occupation": "farmer"})),
            case("not_eligible", receiving=("vulnerable_women_benefit",), **worker),
            case("not_eligible", receiving=("widow_allowance",), **worker),
            case("cannot_tell", "household_income", **(worker | {"income": None})),
        ],
    )


def test_food_friendly_programme_one_card_per_poor_household():
    check(
        "food_friendly",
        [
            case("eligible", head=True, land_owned=49, occupation="farmer"),
            case("not_eligible", head=True, land_owned=50, occupation="farmer"),
            case("eligible", head=True, land_owned=50, occupation="day_labourer"),
            case("not_eligible", head=False, land_owned=0, occupation="farmer"),  # another member holds it
            case("cannot_tell", "household_head", land_owned=0, occupation="farmer"),  # no household
        ],
    )


def test_agricultural_input_card_and_its_tk_10_account():
    farmer = {"birth_date": born(30), "occupation": "farmer"}
    check(
        "farmer_card",
        [
            case("eligible", **farmer),
            case("eligible", **(farmer | {"occupation": "tenant"})),
            case("eligible", **(farmer | {"occupation": "homemaker", "land_cultivated": 10})),
            case("not_eligible", **(farmer | {"occupation": "homemaker", "land_cultivated": 0})),
            case("cannot_tell", "land_cultivated", **(farmer | {"occupation": "homemaker"})),
            case("not_eligible", **(farmer | {"nid": False})),
            case("eligible", **(farmer | {"birth_date": born(18)})),
            case("not_eligible", **(farmer | {"birth_date": born(18, 1)})),
        ],
    )


def test_the_tk_10_account_is_for_card_holders():
    farmer = {"birth_date": born(30), "occupation": "farmer"}
    check(
        "farmer_account",
        [
            case("eligible", receiving=("farmer_card",), **farmer),
            case("not_eligible", **farmer),
            case("not_eligible", receiving=("farmer_card",), **(farmer | {"nid": False})),
        ],
    )


def test_mother_and_child_benefit_pregnant_women_20_to_35_with_income_up_to_8000_a_month():
    mother = {"sex": "F", "pregnant": True, "birth_date": born(25), "income": 96_000}
    check(
        "mother_child_benefit",
        [
            case("eligible", **mother),  # Tk 8,000 a month exactly
            case("not_eligible", **(mother | {"income": 96_001})),
            case("not_eligible", **(mother | {"pregnant": False})),
            case("cannot_tell", "pregnant", **(mother | {"pregnant": None})),
            case("eligible", **(mother | {"birth_date": born(20)})),
            case("not_eligible", **(mother | {"birth_date": born(20, 1)})),
            case("eligible", **(mother | {"birth_date": born(36, 1)})),
            case("not_eligible", **(mother | {"birth_date": born(36)})),
            case("not_eligible", **(mother | {"nid": False})),
        ],
    )


def test_extension_services_for_those_who_farm_or_keep_livestock():
    """Keeping animals is read from the main crops and animals; a trader who grows rice is not."""
    check(
        "saao_advice",
        [
            case("eligible", occupation="farmer"),
            case("eligible", occupation="agri_labourer"),
            case("eligible", occupation="homemaker", land_cultivated=5),
            case("not_eligible", occupation="trader", land_cultivated=0),
            case("cannot_tell", "occupation"),
        ],
    )
    check(
        "livestock_vaccination",
        [
            case("eligible", occupation="livestock"),
            case("eligible", occupation="trader", main_crops=["rice", "livestock"]),
            case("not_eligible", occupation="trader", main_crops=["rice"]),
            case("cannot_tell", "occupation", main_crops=["rice"]),
        ],
    )


def test_every_shipped_rule_parses_and_names_only_shipped_schemes():
    load_schemes(on=ON)
    codes = set(Scheme.objects.values_list("code", flat=True))
    for scheme in Scheme.objects.all():
        assert scheme.rules.count() == 1
        results = [r for r in explain_member(testing.member(), ON) if r.scheme == scheme]
        assert results and results[0].version is not None
    assert len(codes) == 12


def first_day_aged(years: int, birthday: datetime.date) -> datetime.date:
    """The day a person born on `birthday` turns `years` (1 March for 29 February in a common year)."""
    try:
        return birthday.replace(year=birthday.year + years)
    except ValueError:
        return datetime.date(birthday.year + years, 3, 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# From the first birthday on which the shipped rule (valid from 1 July 2025) is in force.
@given(birthday=st.dates(min_value=datetime.date(1963, 7, 2), max_value=datetime.date(1990, 12, 31)))
def test_a_woman_becomes_eligible_for_old_age_allowance_on_her_62nd_birthday_and_not_the_day_before(birthday):
    if not Scheme.objects.filter(code="old_age_allowance").exists():
        load_schemes(on=ON)
    scheme = Scheme.objects.get(code="old_age_allowance")
    member = testing.member(sex="F")
    household = Household.objects.create(code=f"H-{member.pk}", area=member.area, income_per_year=0)
    Member.objects.filter(pk=member.pk).update(birth_date=birthday, land_owned=0, household=household)
    sixty_second = first_day_aged(62, birthday)
    for day, expected in [
        (sixty_second, "eligible"),
        (sixty_second - datetime.timedelta(days=1), "not_eligible"),
    ]:
        (result,) = [r for r in explain_member(member, day) if r.scheme == scheme]
        screen(Member.objects.filter(pk=member.pk), day, None, "birthday")
        assert (result.outcome, sql_outcome(member, scheme, False)) == (expected, expected), (birthday, day)
