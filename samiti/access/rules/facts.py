"""The member and household facts a rule may read: their names, types, and how each is known.

Each fact is read two ways that must agree (a property test holds them to it): from a member's
row in Python, to explain one member's result, and as SQL, to screen a million members in the
database. A fact that is not recorded reads as None in Python and NULL in SQL, and SQL's own
three-valued logic then gives the same *cannot tell* as `logic.evaluate`.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samiti.registry.models import WG_FIELDS, Ethnicity, Household, MaritalStatus, Member, Occupation, Sex
from samiti.registry.models import has_disability as wg_has_disability

# A member's facts in Python: the values of these fields of Member (household ones through
# the household), plus "receiving", the set of scheme codes the member already receives.
ROW_FIELDS = [
    "id", "birth_date", "birth_year", "sex", *WG_FIELDS, "ethnicity", "marital_status", "occupation",
    "pregnant", "land_owned", "land_cultivated", "main_crops", "national_id", "phone", "household_id",
    "household__size", "household__income_per_year", "household__children_under_5",
    "household__representative_id",
]  # fmt: skip

# Facts whose values only roles that see sensitive data are shown (DESIGN rule 7; the registry's
# member page hides the same ones); other roles see a condition's answer without the value.
SENSITIVE_VALUES = {"has_disability", "ethnic_minority", "has_national_id", "marital_status", "pregnant"}
# Facts so sensitive that even a rule's answer is shown only to those roles: "likely eligible
# for the Disability Allowance" would say that the member has a disability.
SENSITIVE_ANSWERS = {"has_disability", "ethnic_minority"}

# When only the year of birth is known, the member is taken as born on 1 July of that year.
ASSUMED_BIRTHDAY = (7, 1)


class Columns:
    """SQL for the member's own columns and, through the member's household, the household's."""

    def __init__(self, member_table: str | None = None):
        quote = connection.ops.quote_name
        self.quote = quote
        self.table = member_table or quote(Member._meta.db_table)

    def member(self, name: str) -> str:
        return f"{self.table}.{self.quote(Member._meta.get_field(name).column)}"

    def household(self, name: str) -> str:
        table = self.quote(Household._meta.db_table)
        column = self.quote(Household._meta.get_field(name).column)
        return f"(SELECT h.{column} FROM {table} h WHERE h.{self.quote('id')} = {self.member('household')})"  # noqa: S608 (quoted names)


@dataclass(frozen=True)
class Fact:
    name: str
    label: Promise
    kind: str  # "number", "yes/no" or "choice"
    read: Callable[[dict, datetime.date], object]  # the value from a member's row, None if not recorded
    sql: Callable[[Columns], str] | None = None  # the value as SQL, NULL if not recorded
    unit: str = ""  # "years", "taka" or "decimals"; shown with the numbers
    scale: int = 1  # stored units per unit of the rule: 100 poisha to the taka
    choices: dict[str, tuple[str, Promise]] = field(default_factory=dict)  # word -> (stored, label)

    def check(self, value: object, position: int, operator: str) -> object:
        """The value a rule compares this fact with, refused if it cannot be one."""
        from samiti.access.rules.syntax import RuleError

        values = value if isinstance(value, tuple) else (value,)
        if self.kind == "number":
            if any(type(v) is not int for v in values):
                raise RuleError(
                    _("“%(name)s” is a number: compare it with a whole number") % {"name": self.name},
                    position,
                )
            return value
        if self.kind == "choice":
            if operator not in ("=", "!=", "in", "not in"):
                raise RuleError(
                    _("“%(name)s” is one of a list of words: use =, !=, in or not in") % {"name": self.name},
                    position,
                )
            words = tuple(str(v).lower() for v in values)
            for word in words:
                if word not in self.choices:
                    raise RuleError(
                        _("“%(value)s” is not a value of %(name)s; it may be %(allowed)s")
                        % {
                            "value": word,
                            "name": self.name,
                            "allowed": ", ".join(f'"{w}"' for w in self.choices),
                        },
                        position,
                    )
            return words if isinstance(value, tuple) else words[0]
        return value

    def compare_sql(
        self, columns: Columns, operator: str, value: object, on: datetime.date
    ) -> tuple[str, list]:
        """SQL that is true, false, or NULL (not recorded) as `fact operator value` is."""
        expression = self.sql(columns)
        stored = self.stored(value)
        if operator in ("in", "not in"):
            marks = ", ".join(["%s"] * len(stored))
            return f"({expression} {operator.upper()} ({marks}))", list(stored)
        return f"({expression} {'<>' if operator == '!=' else operator} %s)", [stored]

    def stored(self, value: object) -> object:
        if isinstance(value, tuple):
            return tuple(self.stored(v) for v in value)
        if self.kind == "choice":
            return self.choices[value][0]
        return value * self.scale

    def word(self, stored: object) -> str | None:
        """The rule's word for a stored choice."""
        return next((word for word, (value, _label) in self.choices.items() if value == stored), None)


def age_on(row: dict, on: datetime.date) -> int | None:
    """Whole years at `on`, from the date of birth, or from the year with ASSUMED_BIRTHDAY."""
    born = row["birth_date"]
    if born is not None:
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if row["birth_year"] is not None:
        return on.year - row["birth_year"] - ((on.month, on.day) < ASSUMED_BIRTHDAY)
    return None


def main_crops(row: dict) -> list[str] | None:
    """The member's main crops and animals, None when none are recorded."""
    return row.get("main_crops") or None


def latest_birth_for_age(age: int, on: datetime.date) -> datetime.date:
    """The last date of birth that makes a person at least `age` on `on`."""
    year = on.year - age
    try:
        return on.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return datetime.date(year, 2, 28)


class Age(Fact):
    """Compared through dates of birth, so the database uses its index and needs no date arithmetic."""

    def compare_sql(
        self, columns: Columns, operator: str, value: object, on: datetime.date
    ) -> tuple[str, list]:
        if operator in ("in", "not in"):
            parts = [self.compare_sql(columns, "=", v, on) for v in value]
            sql = "(" + " OR ".join(part for part, _params in parts) + ")"
            sql = f"(NOT {sql})" if operator == "not in" else sql
            return sql, [p for _part, params in parts for p in params]
        at_least = {">=": [value], ">": [value + 1], "<": [value], "<=": [value + 1]}.get(operator)
        if at_least:
            sql, params = self._at_least(columns, at_least[0], on)
            return (sql if operator in (">=", ">") else f"(NOT {sql})"), params
        low, low_params = self._at_least(columns, value, on)
        high, high_params = self._at_least(columns, value + 1, on)
        sql = f"({low} AND NOT {high})"
        return (sql if operator == "=" else f"(NOT {sql})"), low_params + high_params

    def _at_least(self, columns: Columns, age: int, on: datetime.date) -> tuple[str, list]:
        born, year = columns.member("birth_date"), columns.member("birth_year")
        last_year = on.year - age - ((on.month, on.day) < ASSUMED_BIRTHDAY)
        sql = (
            f"(CASE WHEN {born} IS NOT NULL THEN {born} <= %s WHEN {year} IS NOT NULL THEN {year} <= %s END)"
        )
        return sql, [latest_birth_for_age(age, on), last_year]


class IncomePerPerson(Fact):
    """Household income per year divided by household size, compared without division."""

    def compare_sql(
        self, columns: Columns, operator: str, value: object, on: datetime.date
    ) -> tuple[str, list]:
        income, size = columns.household("income_per_year"), columns.household("size")
        if operator in ("in", "not in"):
            parts = [self.compare_sql(columns, "=", v, on) for v in value]
            sql = "(" + " OR ".join(part for part, _params in parts) + ")"
            sql = f"(NOT {sql})" if operator == "not in" else sql
            return sql, [p for _part, params in parts for p in params]
        sql_operator = "<>" if operator == "!=" else operator
        return f"(CASE WHEN {size} > 0 THEN {income} {sql_operator} %s * {size} END)", [value * self.scale]


def _income_per_person(row: dict, on: datetime.date) -> Fraction | None:
    income, size = row["household__income_per_year"], row["household__size"]
    if income is None or not size:
        return None
    return Fraction(income, 100 * size)


def _disability(row: dict, on: datetime.date) -> bool | None:
    answers = {name: row[name] for name in WG_FIELDS}
    if all(answer is None for answer in answers.values()):
        return None
    return wg_has_disability(answers)


def _household_head(row: dict, on: datetime.date) -> bool | None:
    if row["household_id"] is None or row["household__representative_id"] is None:
        return None
    return row["household__representative_id"] == row["id"]


def _choices(choices: type, words: dict[str, str] | None = None) -> dict[str, tuple[str, Promise]]:
    words = words or {}
    return {words.get(value, value): (value, label) for value, label in choices.choices}


def _all_none(columns: Columns, names: list[str]) -> str:
    return " AND ".join(f"{columns.member(name)} IS NULL" for name in names)


def _unless_blank(text: str, name: str) -> Callable[[Columns], str]:
    return lambda c: f"(CASE WHEN {c.member(text)} = '' THEN NULL ELSE {c.member(name)} END)"


def _text_or_null(name: str) -> Callable[[Columns], str]:
    return lambda c: f"NULLIF({c.member(name)}, '')"


def _facts() -> dict[str, Fact]:
    facts = [
        Age("age", gettext_lazy("age"), "number", age_on, unit="years"),
        Fact(
            "sex",
            gettext_lazy("sex"),
            "choice",
            lambda r, on: r["sex"] or None,
            _text_or_null("sex"),
            choices=_choices(Sex, {"F": "female", "M": "male", "T": "third_gender"}),
        ),
        Fact(
            "has_disability",
            gettext_lazy("has a disability"),
            "yes/no",
            _disability,
            lambda c: (
                f"(CASE WHEN {_all_none(c, WG_FIELDS)} THEN NULL ELSE {c.member('has_disability')} END)"
            ),
        ),
        Fact(
            "ethnic_minority",
            gettext_lazy("belongs to an ethnic minority"),
            "yes/no",
            lambda r, on: None if not r["ethnicity"] else r["ethnicity"] != Ethnicity.BENGALI,
            _unless_blank("ethnicity", "is_ethnic_minority"),
        ),
        Fact(
            "marital_status",
            gettext_lazy("marital status"),
            "choice",
            lambda r, on: r["marital_status"] or None,
            _text_or_null("marital_status"),
            choices=_choices(MaritalStatus),
        ),
        Fact(
            "occupation",
            gettext_lazy("occupation"),
            "choice",
            lambda r, on: r["occupation"] or None,
            _text_or_null("occupation"),
            choices=_choices(Occupation),
        ),
        Fact(
            "pregnant",
            gettext_lazy("pregnant"),
            "yes/no",
            lambda r, on: r["pregnant"],
            lambda c: c.member("pregnant"),
        ),
        Fact(
            "has_national_id",
            gettext_lazy("has a national ID"),
            "yes/no",
            lambda r, on: bool(r["national_id"]),
            lambda c: f"({c.member('national_id')} <> '')",
        ),
        Fact(
            "has_phone",
            gettext_lazy("has a phone"),
            "yes/no",
            lambda r, on: bool(r["phone"]),
            lambda c: f"({c.member('phone')} <> '')",
        ),
        Fact(
            "land_owned",
            gettext_lazy("land owned"),
            "number",
            lambda r, on: r["land_owned"],
            lambda c: c.member("land_owned"),
            unit="decimals",
        ),
        Fact(
            "land_cultivated",
            gettext_lazy("land cultivated"),
            "number",
            lambda r, on: r["land_cultivated"],
            lambda c: c.member("land_cultivated"),
            unit="decimals",
        ),
        Fact(
            "household_head",
            gettext_lazy("represents the household"),
            "yes/no",
            _household_head,
            lambda c: f"({c.household('representative')} = {c.member('id')})",
        ),
        Fact(
            "household_size",
            gettext_lazy("household size"),
            "number",
            lambda r, on: r["household__size"],
            lambda c: c.household("size"),
        ),
        Fact(
            "household_income",
            gettext_lazy("household income per year"),
            "number",
            lambda r, on: (
                None
                if r["household__income_per_year"] is None
                else Fraction(r["household__income_per_year"], 100)
            ),
            lambda c: c.household("income_per_year"),
            unit="taka",
            scale=100,
        ),
        IncomePerPerson(
            "income_per_person",
            gettext_lazy("household income per person per year"),
            "number",
            _income_per_person,
            unit="taka",
            scale=100,
        ),
        Fact(
            "children_under_5",
            gettext_lazy("children under 5 in the household"),
            "number",
            lambda r, on: r["household__children_under_5"],
            lambda c: c.household("children_under_5"),
        ),
    ]
    return {fact.name: fact for fact in facts}


FACTS = _facts()
