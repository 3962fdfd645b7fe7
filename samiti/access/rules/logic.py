"""Evaluate a rule for one member, and explain it condition by condition in plain words.

Three answers: True (likely eligible), False (not eligible), None (cannot tell: a fact the
answer depends on is not recorded). "and", "or" and "not" follow Kleene's three-valued logic,
which is also SQL's, so `sql.compile` gives the database the same answers.
"""

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samiti.access.rules.facts import FACTS, Fact, main_crops
from samiti.access.rules.syntax import All, Any, Condition, Flag, Grows, Node, Not, Receiving
from samiti.core.bengali import to_bengali_digits
from samiti.registry.models import Crop


def evaluate(node: Node, row: dict, on: datetime.date) -> bool | None:
    """The rule's answer for a member's facts (`facts.ROW_FIELDS` plus "receiving") on a date."""
    if isinstance(node, All):
        answers = [evaluate(part, row, on) for part in node.parts]
        return False if False in answers else (None if None in answers else True)
    if isinstance(node, Any):
        answers = [evaluate(part, row, on) for part in node.parts]
        return True if True in answers else (None if None in answers else False)
    if isinstance(node, Not):
        answer = evaluate(node.part, row, on)
        return None if answer is None else not answer
    if isinstance(node, Receiving):
        return node.scheme in row["receiving"]
    if isinstance(node, Grows):
        crops = main_crops(row)
        return None if crops is None else node.crop in crops
    fact = FACTS[node.fact]
    value = fact.read(row, on)
    if value is None:
        return None
    if isinstance(node, Flag):
        return bool(value)
    return _compare(value, node.operator, node.value if fact.kind != "choice" else fact.stored(node.value))


def _compare(value: object, operator: str, wanted: object) -> bool:
    if operator == "in":
        return value in wanted
    if operator == "not in":
        return value not in wanted
    return {
        "=": value == wanted,
        "!=": value != wanted,
        "<": value < wanted,
        "<=": value <= wanted,
        ">": value > wanted,
        ">=": value >= wanted,
    }[operator]


@dataclass(frozen=True)
class Step:
    """One line of an explanation: a condition or a group, its answer, and the member's value."""

    depth: int
    text: str
    answer: bool | None
    value: str = ""  # what the member's record says, for a condition
    fact: str = ""  # the fact a condition reads, so "cannot tell" can name what to collect

    @property
    def answer_text(self) -> str:
        return {True: _("yes"), False: _("no"), None: _("not recorded")}[self.answer]


def explain(
    node: Node, row: dict, on: datetime.date, scheme_names: dict[str, str] | None = None
) -> list[Step]:
    """Every condition and group of the rule with its answer, in the order written."""
    steps: list[Step] = []
    _explain(node, row, on, scheme_names or {}, 0, steps)
    return steps


def _explain(
    node: Node, row: dict, on: datetime.date, names: dict, depth: int, steps: list[Step]
) -> bool | None:
    if isinstance(node, All | Any | Not):
        at = len(steps)
        steps.append(None)  # the group's own line, filled in once its parts are known
        parts = node.parts if isinstance(node, All | Any) else (node.part,)
        answers = [_explain(part, row, on, names, depth + 1, steps) for part in parts]
        if isinstance(node, All):
            answer, text = (
                (False if False in answers else None if None in answers else True),
                _("all of these"),
            )
        elif isinstance(node, Any):
            answer, text = (
                (True if True in answers else None if None in answers else False),
                _("any of these"),
            )
        else:
            answer, text = (None if answers[0] is None else not answers[0]), _("not this")
        steps[at] = Step(depth, text, answer)
        return answer
    if isinstance(node, Receiving):
        answer = node.scheme in row["receiving"]
        steps.append(
            Step(
                depth,
                _("already receives %(scheme)s") % {"scheme": names.get(node.scheme, node.scheme)},
                answer,
            )
        )
        return answer
    if isinstance(node, Grows):
        crops = main_crops(row)
        answer = None if crops is None else node.crop in crops
        shown = ", ".join(str(Crop(c).label) for c in crops or () if c in Crop.values)
        steps.append(
            Step(
                depth,
                _("main crops include %(crop)s") % {"crop": Crop(node.crop).label},
                answer,
                shown,
                "main_crops",
            )
        )
        return answer
    fact = FACTS[node.fact]
    value = fact.read(row, on)
    if isinstance(node, Flag):
        answer = None if value is None else bool(value)
        steps.append(Step(depth, str(fact.label), answer, fact=fact.name))
        return answer
    answer = (
        None
        if value is None
        else _compare(value, node.operator, fact.stored(node.value) if fact.kind == "choice" else node.value)
    )
    steps.append(Step(depth, describe(node), answer, "" if value is None else show(fact, value), fact.name))
    return answer


def missing_facts(steps: list[Step]) -> list[str]:
    """The facts to collect so the rule can answer: those of conditions left unanswered."""
    return list(dict.fromkeys(step.fact for step in steps if step.fact and step.answer is None))


def facts_to_collect(steps: list[Step]) -> list[str]:
    """`missing_facts` in words, for people: "household income per year", "main crops"."""
    return [str(FACTS[name].label if name in FACTS else _("main crops")) for name in missing_facts(steps)]


def describe(node: Condition) -> str:
    """A condition in plain words: "age 62 or more", "household income per year under Tk 10,000"."""
    fact = FACTS[node.fact]
    shown = [
        show(fact, v, stored=False) for v in (node.value if isinstance(node.value, tuple) else (node.value,))
    ]
    value = _or_list(shown)
    phrases = {
        ">=": _("%(fact)s %(value)s or more"),
        ">": _("%(fact)s more than %(value)s"),
        "<": _("%(fact)s under %(value)s"),
        "<=": _("%(fact)s %(value)s or less"),
        "=": _("%(fact)s is %(value)s"),
        "!=": _("%(fact)s is not %(value)s"),
        "in": _("%(fact)s is %(value)s"),
        "not in": _("%(fact)s is not %(value)s"),
    }
    return phrases[node.operator] % {"fact": fact.label, "value": value}


def _or_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def show(fact: Fact, value: object, stored: bool = True) -> str:
    """A fact's value for people: its label for a choice, the unit for a number, digits by language."""
    if fact.kind == "choice":
        word = fact.word(value) if stored else value
        return str(fact.choices[word][1]) if word in fact.choices else str(value)
    if fact.kind == "yes/no":
        return _("yes") if value else _("no")
    number = value
    if isinstance(number, Fraction):
        number = round(number)
    text = f"{number:,}"
    if fact.unit == "taka":
        text = _("Tk %(amount)s") % {"amount": text}
    elif fact.unit == "decimals":
        text = _("%(amount)s decimals") % {"amount": text}
    return to_bengali_digits(text) if get_language() == "bn" else text
