"""The eligibility language: it parses, refuses bad rules with the position and reason, and its
three answers are the same whether Python evaluates one member, explains it, or SQL screens all."""

import datetime
import random

import pytest
from django.db.models.expressions import RawSQL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.access.models import Application, Scheme
from samiti.access.rules.facts import latest_birth_for_age
from samiti.access.rules.logic import describe, evaluate, explain, facts_to_collect, missing_facts
from samiti.access.rules.sql import outcome_sql
from samiti.access.rules.syntax import All, Any, Condition, Flag, Grows, Not, Receiving, RuleError, parse
from samiti.access.services.screening import member_rows
from samiti.registry import testing
from samiti.registry.models import Household, Member


def test_a_rule_parses_into_conditions_joined_by_and_or_not():
    node = parse('sex = "female" and age >= 62 or SEX = "Male" AND age ≥ ৬৫ and not receiving("oaa")')
    assert node == Any(
        (
            All((Condition("sex", "=", "female", 1), Condition("age", ">=", 62, 20))),
            All(
                (Condition("sex", "=", "male", 33), Condition("age", ">=", 65, 50), Not(Receiving("oaa", 67)))
            ),
        )
    )


def test_lists_yes_no_facts_and_parentheses():
    node = parse('(marital_status in ["widowed", "deserted"] or has_disability) and pregnant = false')
    assert node == All(
        (
            Any((Condition("marital_status", "in", ("widowed", "deserted"), 2), Flag("has_disability", 47))),
            Not(Flag("pregnant", 67)),
        )
    )
    assert parse('occupation not in ["student"]') == Condition("occupation", "not in", ("student",), 1)


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("", 1, "the rule is empty"),
        ("age >= ", 8, "expected a value, found the end of the rule"),
        ("age >= 62 and", 14, "expected a fact, found the end of the rule"),
        ("agee >= 62", 1, "“agee” is not a known fact"),
        ("age >= 6.5", 8, "write whole numbers only, without a decimal point"),
        ('sex = "woman"', 7, "“woman” is not a value of sex"),
        ("age", 4, "“age” must be compared with a value"),
        ("(age > 1", 9, "expected “)”, found the end of the rule"),
        ("age > 1 age < 3", 9, "expected “and”, “or” or the end of the rule, found “age”"),
        ("has_disability > 1", 1, "“has_disability” is a yes/no fact"),
        ('age = "old"', 7, "“age” is a number"),
        ("age > 1 ; x", 9, "“;” is not part of the language"),
        ("receiving(oaa)", 11, "expected a scheme's code in quotes"),
    ],
)
def test_a_bad_rule_is_refused_with_its_position_and_reason(text, position, reason):
    with pytest.raises(RuleError) as refused:
        parse(text)
    assert refused.value.position == position
    assert reason in refused.value.reason
    assert str(refused.value).startswith(f"Position {position}:")


def test_a_crop_the_member_grows_or_cannot_tell():
    rule = parse('grows("Livestock") and not grows("fish")')
    assert rule == All((Grows("livestock", 1), Not(Grows("fish", 28))))
    on = datetime.date(2026, 1, 1)
    assert evaluate(rule, _row(main_crops=["rice", "livestock"]), on) is True
    assert evaluate(rule, _row(main_crops=["fish", "livestock"]), on) is False
    assert evaluate(rule, _row(main_crops=[]), on) is None
    steps = explain(rule, _row(main_crops=["rice", "livestock"]), on)
    assert (steps[1].text, steps[1].answer_text, steps[1].value) == (
        "main crops include livestock and poultry",
        "yes",
        "rice, livestock and poultry",
    )
    assert facts_to_collect(explain(rule, _row(main_crops=[]), on)) == ["main crops"]
    with pytest.raises(RuleError) as refused:
        parse('grows("goats")')
    assert refused.value.position == 7
    assert "“goats” is not a crop" in refused.value.reason


def test_conditions_read_as_plain_words():
    assert describe(parse("age >= 62")) == "age 62 or more"
    assert describe(parse("household_income < 10000")) == "household income per year under Tk 10,000"
    assert describe(parse('marital_status in ["widowed", "divorced", "deserted"]')) == (
        "marital status is widowed, divorced or deserted or abandoned"
    )
    assert describe(parse("land_owned <= 50")) == "land owned 50 decimals or less"


def _row(**facts):
    row = dict.fromkeys(
        ["id", "birth_date", "birth_year", "sex", "wg_seeing", "wg_hearing", "wg_walking", "wg_cognition",
         "wg_selfcare", "wg_communication", "marital_status", "occupation", "pregnant", "land_owned",
         "land_cultivated", "household_id", "household__size", "household__income_per_year",
         "household__children_under_5", "household__representative_id", "main_crops"],
    )  # fmt: skip
    row.update(ethnicity="", national_id="", phone="", receiving=set())
    row.update(facts)
    return row


def test_the_birthday_that_makes_a_woman_62():
    rule = parse('sex = "female" and age >= 62')
    born = datetime.date(1964, 12, 1)
    woman = _row(sex="F", birth_date=born)
    assert evaluate(rule, woman, datetime.date(2026, 11, 30)) is False
    assert evaluate(rule, woman, datetime.date(2026, 12, 1)) is True
    steps = explain(rule, woman, datetime.date(2026, 12, 1))
    assert [(s.text, s.answer_text, s.value) for s in steps[1:]] == [
        ("sex is female", "yes", "female"),
        ("age 62 or more", "yes", "62"),
    ]


def test_a_missing_fact_cannot_tell_and_names_what_to_collect():
    rule = parse("age >= 62 and household_income < 10000")
    old = _row(sex="F", birth_year=1950)
    steps = explain(rule, old, datetime.date(2026, 11, 29))
    assert evaluate(rule, old, datetime.date(2026, 11, 29)) is None
    assert [(s.text, s.answer_text, s.value) for s in steps] == [
        ("all of these", "not recorded", ""),
        ("age 62 or more", "yes", "76"),
        ("household income per year under Tk 10,000", "not recorded", ""),
    ]
    assert missing_facts(steps) == ["household_income"]
    # a known "no" decides whatever is missing
    assert (
        evaluate(parse("age >= 80 and household_income < 10000"), old, datetime.date(2026, 11, 29)) is False
    )


def test_income_exactly_at_the_ceiling():
    under = parse("household_income < 10000")
    at_most = parse("household_income <= 10000")
    row = _row(household_id=1, household__income_per_year=1_000_000)
    assert evaluate(under, row, datetime.date(2026, 1, 1)) is False
    assert evaluate(at_most, row, datetime.date(2026, 1, 1)) is True


def test_the_last_birthday_for_an_age_on_29_february():
    assert latest_birth_for_age(62, datetime.date(2028, 2, 29)) == datetime.date(1966, 2, 28)
    assert latest_birth_for_age(64, datetime.date(2028, 2, 29)) == datetime.date(1964, 2, 29)


# --- Python and SQL agree ---------------------------------------------------------------------

NUMBER_FACTS = {
    "age": range(0, 100),
    "land_owned": range(0, 300, 10),
    "land_cultivated": range(0, 300, 10),
    "household_size": range(0, 9),
    "household_income": range(0, 60001, 2500),
    "income_per_person": range(0, 20001, 1000),
    "children_under_5": range(0, 4),
}
WORDS = {
    "sex": ["female", "male", "third_gender"],
    "marital_status": ["married", "never_married", "widowed", "divorced", "separated", "deserted"],
    "occupation": ["farmer", "day_labourer", "homemaker", "student"],
}
FLAGS = ["has_disability", "ethnic_minority", "pregnant", "has_national_id", "has_phone", "household_head"]
OPERATORS = ["=", "!=", "<", "<=", ">", ">="]


def _leaf():
    number = st.sampled_from(sorted(NUMBER_FACTS)).flatmap(
        lambda fact: st.one_of(
            st.builds(
                lambda op, n: f"{fact} {op} {n}",
                st.sampled_from(OPERATORS),
                st.sampled_from(NUMBER_FACTS[fact]),
            ),
            st.builds(
                lambda op, ns: f"{fact} {op} [{', '.join(map(str, ns))}]",
                st.sampled_from(["in", "not in"]),
                st.lists(st.sampled_from(NUMBER_FACTS[fact]), min_size=1, max_size=3),
            ),
        )
    )
    word = st.sampled_from(sorted(WORDS)).flatmap(
        lambda fact: st.one_of(
            st.builds(
                lambda op, w: f'{fact} {op} "{w}"', st.sampled_from(["=", "!="]), st.sampled_from(WORDS[fact])
            ),
            st.lists(st.sampled_from(WORDS[fact]), min_size=1, max_size=3).map(
                lambda ws: f"{fact} in [{', '.join(f'{w!r}' for w in ws)}]".replace("'", '"')
            ),
        )
    )
    flag = st.sampled_from(FLAGS)
    receiving = st.just('receiving("oaa")')
    grows = st.sampled_from(['grows("livestock")', 'grows("rice")'])
    return st.one_of(number, word, flag, receiving, grows)


RULES = st.recursive(
    _leaf(),
    lambda inner: st.one_of(
        inner.map(lambda r: f"not ({r})"),
        st.lists(inner, min_size=2, max_size=3).map(lambda rs: "(" + " and ".join(rs) + ")"),
        st.lists(inner, min_size=2, max_size=3).map(lambda rs: "(" + " or ".join(rs) + ")"),
    ),
    max_leaves=6,
)
DAYS = st.sampled_from(
    [
        datetime.date(2026, 11, 29),
        datetime.date(2028, 2, 29),
        datetime.date(2027, 7, 1),
        datetime.date(2027, 6, 30),
    ]
)


def _random_members(count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    group = testing.group()
    choice = rng.choice
    for n in range(count):
        born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(0, 95 * 365))
        if n % 23 == 0:
            born = datetime.date(1964, 2, 29)
        member = testing.member(group, sex=choice("FFMT"))
        household = None
        if rng.random() < 0.8:
            household = Household.objects.create(
                code=f"H{member.pk}", area=group.area, size=choice([None, 0, 1, 3, 5]),
                income_per_year=choice([None, 0, 1_000_000, 999_999, 2_500_000, rng.randrange(0, 6_000_000)]),
                children_under_5=choice([None, 0, 1, 2]), representative=choice([None, member]),
            )  # fmt: skip
        Member.objects.filter(pk=member.pk).update(
            birth_date=choice([born, None]), birth_year=choice([born.year, None]),
            wg_seeing=choice([None, 1, 3]), wg_walking=choice([None, 1, 2, 4]),
            ethnicity=choice(["", "bengali", "garo"]),
            marital_status=choice(["", "married", "widowed", "deserted"]),
            occupation=choice(["", "farmer", "day_labourer"]), pregnant=choice([None, True, False]),
            land_owned=choice([None, 0, 40, 50, 120]), land_cultivated=choice([None, 10, 250]),
            main_crops=choice([[], ["rice"], ["rice", "livestock"], ["fish"]]),
            national_id=choice(["", "1234567890"]), phone=choice(["", "+8801711000000"]), household=household,
        )  # fmt: skip
        if rng.random() < 0.2:
            Application.objects.create(
                member=member, scheme=Scheme.objects.get(code="oaa"), association=member.association,
                status=choice(["receiving", "submitted"]), identified_on=born, updated_on=born,
            )  # fmt: skip


@pytest.mark.django_db
def test_python_explanation_and_sql_give_the_same_answer_for_every_member():
    scheme = Scheme.objects.create(code="oaa", kind="safety_net", benefit="cash", benefit_en="Tk 600 a month")
    _random_members(60)
    rows = {row["id"]: row for row in member_rows(Member.objects.all())}

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=RULES, on=DAYS)
    def agree(text, on):
        node = parse(text)
        sql, params = outcome_sql(node, on, {"oaa": scheme.pk})
        in_sql = dict(Member.objects.annotate(o=RawSQL(sql, params)).values_list("pk", "o"))  # noqa: S611
        for member_id, row in rows.items():
            answer = evaluate(node, row, on)
            steps = explain(node, row, on)
            assert steps[0].answer is answer, (text, row)
            expected = None if answer is None else int(answer)
            assert in_sql[member_id] == expected, (text, on, row)

    agree()
