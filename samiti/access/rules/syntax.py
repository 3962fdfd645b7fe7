"""The eligibility language: its words, its grammar, and the tree a rule parses into.

A rule is one expression over a member's facts, for example::

    sex = "female" and age >= 62 or sex = "male" and age >= 65
    household_income < 10000 and not receiving("widow_allowance")
    marital_status in ["widowed", "divorced", "deserted"]

Grammar (lowest precedence first)::

    rule       := any
    any        := all ("or" all)*
    all        := negation ("and" negation)*
    negation   := "not" negation | "(" any ")" | condition
    condition  := FACT [operator value] | "receiving" "(" STRING ")" | "grows" "(" STRING ")"
    operator   := "=" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in"
    value      := NUMBER | STRING | "true" | "false" | "[" value ("," value)* "]"

A fact on its own is a yes/no fact ("has_disability"). Numbers are whole numbers in Latin or
Bengali digits; words may be written in any case. `parse` checks the grammar and the facts, and
refuses a bad rule with the position (1-based) and the reason.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from samiti.access.rules import facts as fact_catalogue
from samiti.core.bengali import to_latin_digits
from samiti.core.errors import SamitiError
from samiti.registry.models import Crop


class RuleError(SamitiError):
    """A rule does not parse or names something unknown; `position` is the 1-based character."""

    code = "rule"

    def __init__(self, message: str, position: int):
        super().__init__(_("Position %(position)s: %(reason)s") % {"position": position, "reason": message})
        self.reason = message
        self.position = position


@dataclass(frozen=True)
class Condition:
    """A fact set against a value: `age >= 62`, `sex = "female"`, `occupation in [...]`."""

    fact: str
    operator: str  # one of OPERATORS
    value: object  # int, str, bool, or a tuple of them for in / not in
    position: int


@dataclass(frozen=True)
class Flag:
    """A yes/no fact on its own: `has_disability`."""

    fact: str
    position: int


@dataclass(frozen=True)
class Receiving:
    """`receiving("code")`: the member already receives that scheme."""

    scheme: str
    position: int


@dataclass(frozen=True)
class Grows:
    """`grows("livestock")`: the crop or animal is among the member's main crops."""

    crop: str
    position: int


@dataclass(frozen=True)
class All:
    parts: tuple


@dataclass(frozen=True)
class Any:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: object


Node = Condition | Flag | Receiving | Grows | All | Any | Not
OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in")
_SYMBOLS = {"==": "=", "<>": "!=", "≠": "!=", "≤": "<=", "≥": ">="}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>[0-9০-৯]+(?:\.[0-9০-৯]+)?)
      | (?P<string>"[^"]*"|'[^']*')
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<symbol>==|!=|<>|<=|>=|≤|≥|≠|[=<>()\[\],])
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "receiving", "grows"}
_FUNCTIONS = {"receiving", "grows"}


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, word, symbol, end
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens, at = [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return [*tokens, _Token("end", "", at + 1)]
        match = _TOKEN.match(text, at)
        if not match or match.end() == at:
            raise RuleError(_("“%(text)s” is not part of the language") % {"text": text[at]}, at + 1)
        kind = match.lastgroup
        value = match.group(kind)
        tokens.append(_Token(kind, value, match.start(kind) + 1))
        at = match.end()


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.at = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def is_word(self, word: str) -> bool:
        return self.token.kind == "word" and self.token.text.lower() == word

    def take(self) -> _Token:
        token = self.token
        self.at += 1
        return token

    def expect(self, symbol: str, what: str) -> _Token:
        if self.token.kind == "symbol" and self.token.text == symbol:
            return self.take()
        raise RuleError(
            _("expected %(what)s, found %(found)s") % {"what": what, "found": self.found()},
            self.token.position,
        )

    def found(self) -> str:
        return _("the end of the rule") if self.token.kind == "end" else f"“{self.token.text}”"

    def rule(self) -> Node:
        if self.token.kind == "end":
            raise RuleError(_("the rule is empty"), 1)
        node = self.any()
        if self.token.kind != "end":
            raise RuleError(
                _("expected “and”, “or” or the end of the rule, found %(found)s") % {"found": self.found()},
                self.token.position,
            )
        return node

    def any(self) -> Node:
        parts = [self.all()]
        while self.is_word("or"):
            self.take()
            parts.append(self.all())
        return parts[0] if len(parts) == 1 else Any(tuple(parts))

    def all(self) -> Node:
        parts = [self.negation()]
        while self.is_word("and"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def negation(self) -> Node:
        if self.is_word("not"):
            self.take()
            return Not(self.negation())
        if self.token.kind == "symbol" and self.token.text == "(":
            self.take()
            node = self.any()
            self.expect(")", _("“)”"))
            return node
        return self.condition()

    def condition(self) -> Node:
        token = self.token
        if token.kind != "word" or token.text.lower() in _KEYWORDS - _FUNCTIONS:
            raise RuleError(_("expected a fact, found %(found)s") % {"found": self.found()}, token.position)
        self.take()
        name = token.text.lower()
        if name == "receiving":
            return Receiving(self.argument(_("expected a scheme's code in quotes")), token.position)
        if name == "grows":
            position = self.tokens[self.at + 1].position
            crop = self.argument(_("expected a crop in quotes")).lower()
            if crop not in Crop.values:
                raise RuleError(
                    _("“%(value)s” is not a crop; it may be %(allowed)s")
                    % {"value": crop, "allowed": ", ".join(f'"{c}"' for c in Crop.values)},
                    position,
                )
            return Grows(crop, token.position)
        fact = fact_catalogue.FACTS.get(name)
        if fact is None:
            raise RuleError(_("“%(name)s” is not a known fact") % {"name": token.text}, token.position)
        operator = self.operator()
        if operator is None:
            if fact.kind != "yes/no":
                raise RuleError(
                    _("“%(name)s” must be compared with a value, e.g. %(name)s >= 1") % {"name": name},
                    self.token.position,
                )
            return Flag(name, token.position)
        value_position = self.token.position
        value = self.list_value() if operator in ("in", "not in") else self.value()
        if fact.kind == "yes/no":
            if operator not in ("=", "!=") or not isinstance(value, bool):
                raise RuleError(
                    _("“%(name)s” is a yes/no fact: write %(name)s, or not %(name)s") % {"name": name},
                    token.position,
                )
            flag = Flag(name, token.position)
            return flag if (operator == "=") == value else Not(flag)
        return Condition(name, operator, fact.check(value, value_position, operator), token.position)

    def argument(self, expected: str) -> str:
        """The one quoted word of receiving("…") or grows("…")."""
        self.expect("(", _("“(”"))
        word = self.take()
        if word.kind != "string":
            raise RuleError(expected, word.position)
        self.expect(")", _("“)”"))
        return word.text[1:-1].strip()

    def operator(self) -> str | None:
        token = self.token
        if token.kind == "symbol" and token.text not in "()[],":
            self.take()
            return _SYMBOLS.get(token.text, token.text)
        if self.is_word("in"):
            self.take()
            return "in"
        if (
            self.is_word("not")
            and self.tokens[self.at + 1].kind == "word"
            and self.tokens[self.at + 1].text.lower() == "in"
        ):
            self.at += 2
            return "not in"
        return None

    def list_value(self) -> tuple:
        self.expect("[", _("a list in [ ]"))
        values = [self.value()]
        while self.token.kind == "symbol" and self.token.text == ",":
            self.take()
            values.append(self.value())
        self.expect("]", _("“,” or “]”"))
        return tuple(values)

    def value(self) -> object:
        token = self.take()
        if token.kind == "number":
            text = to_latin_digits(token.text)
            if not text.isdigit():
                raise RuleError(_("write whole numbers only, without a decimal point"), token.position)
            return int(text)
        if token.kind == "string":
            return token.text[1:-1].strip()
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            return token.text.lower() == "true"
        self.at -= 1
        raise RuleError(_("expected a value, found %(found)s") % {"found": self.found()}, token.position)


def parse(text: str) -> Node:
    """The tree of a rule, or RuleError with the position and reason of the first mistake."""
    return _Parser(text).rule()


def schemes_named(node: Node) -> list[Receiving]:
    """Every receiving("code") in a rule, so the caller can check the codes exist."""
    if isinstance(node, Receiving):
        return [node]
    if isinstance(node, Not):
        return schemes_named(node.part)
    if isinstance(node, All | Any):
        return [found for part in node.parts for found in schemes_named(part)]
    return []


def facts_used(node: Node) -> list[str]:
    """The facts a rule reads, in the order written, each once."""
    if isinstance(node, Condition | Flag):
        return [node.fact]
    if isinstance(node, Not):
        return facts_used(node.part)
    if isinstance(node, All | Any):
        return list(dict.fromkeys(fact for part in node.parts for fact in facts_used(part)))
    return []
