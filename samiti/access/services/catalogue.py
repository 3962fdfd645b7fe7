"""The scheme catalogue: loading the shipped Bangladesh schemes, editing a scheme and its windows.

Loading is idempotent and never overwrites an admin's edits: it creates what is missing (a
scheme, its first rule version valid from its 'as of' date, its coming windows, a grievance
category) and, with `update`, adds a dated rule version when the shipped text of a rule changed.
"""

import calendar
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.models import DocumentKind, Finding, GrievanceCategory, RuleVersion, Scheme, Window
from samiti.access.rules.facts import FACTS, ROW_FIELDS
from samiti.access.rules.logic import Step, explain
from samiti.access.rules.syntax import parse
from samiti.access.services.rules import check_rule
from samiti.core import audit
from samiti.core.cells import SMALL_CELL, sees_detail
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry.models import Authority, Official, User

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "schemes.json"

SCHEME_FIELDS = [
    "code", "kind", "name_en", "name_bn", "agency_en", "agency_bn", "office", "benefit", "benefit_en",
    "benefit_bn", "value_per_year", "how_to_apply_en", "how_to_apply_bn", "documents", "source", "as_of",
]  # fmt: skip
# What a programme admin may change on a scheme's edit page (its code and rule are kept apart).
EDITABLE_FIELDS = [
    "name_en", "name_bn", "kind", "agency_en", "agency_bn", "office", "benefit", "benefit_en", "benefit_bn",
    "value_per_year", "how_to_apply_en", "how_to_apply_bn", "documents", "source", "as_of", "is_active",
]  # fmt: skip
SHIPPED_NOTE = "Shipped with Samiti"
UPDATED_NOTE = "Shipped rule changed (load_schemes --update)"
MONTHS_AHEAD = 12


def shipped_catalogue(path: Path | str | None = None) -> dict[str, Any]:
    """The schemes and grievance categories in the shipped file (or another of the same shape)."""
    with open(path or SHIPPED, encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_schemes(
    path: Path | str | None = None,
    *,
    update: bool = False,
    on: datetime.date | None = None,
    user: User | None = None,
) -> int:
    """Create the shipped schemes, rules, windows and grievance categories that are missing.

    Returns how many records it created. With `update`, a scheme whose shipped rule text is not
    among its versions gets a new version valid from `on` (today by default).
    """
    data = shipped_catalogue(path)
    on = on or timezone.localdate()
    created = 0
    schemes = []
    # Every scheme first, so a rule may name any of them in receiving("…").
    for entry in data["schemes"]:
        scheme, is_new = _scheme(entry, user)
        created += is_new
        schemes.append((scheme, entry, is_new))
    for scheme, entry, is_new in schemes:
        created += _rule(scheme, entry, update=update, on=on, user=user)
        if entry.get("windows") and (is_new or not scheme.windows.filter(closes_on__gte=on).exists()):
            created += len(_add_windows(scheme, coming_windows(entry["windows"], on), user))
    for entry in data.get("grievance_categories", []):
        created += _category(entry, user)
    return created


def _scheme(entry: dict[str, Any], user: User | None) -> tuple[Scheme, bool]:
    scheme = Scheme.objects.filter(code=entry["code"]).first()
    if scheme is not None:
        return scheme, False
    values = {name: entry.get(name) for name in SCHEME_FIELDS if name in entry}
    unknown = [kind for kind in values.get("documents", []) if kind not in DocumentKind.values]
    if unknown or values.get("office", "") not in ("", *Authority.Kind.values):
        raise AccessError(
            _("Scheme %(code)s names an unknown document or office: %(names)s")
            % {"code": entry["code"], "names": ", ".join(unknown) or values.get("office")}
        )
    if values.get("as_of"):
        values["as_of"] = datetime.date.fromisoformat(values["as_of"])
    scheme = Scheme.objects.create(**values)
    audit.record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=scheme,
        changes=audit.created(scheme, SCHEME_FIELDS),
        channel=Channel.SYSTEM,
    )
    return scheme, True


def _rule(
    scheme: Scheme, entry: dict[str, Any], *, update: bool, on: datetime.date, user: User | None
) -> int:
    text = " ".join(entry["rule"].split())
    versions = list(scheme.rules.all())
    if versions and not update:
        return 0
    if any(" ".join(v.text.split()) == text for v in versions):
        return 0
    check_rule(text)
    if versions:
        # Dated `on` (or the first free day after): an admin's version dated later still follows.
        taken = {v.valid_from for v in versions}
        valid_from, note = on, UPDATED_NOTE
        while valid_from in taken:
            valid_from += datetime.timedelta(days=1)
    else:
        valid_from, note = scheme.as_of or on, SHIPPED_NOTE
    version = RuleVersion.objects.create(
        scheme=scheme, text=text, valid_from=valid_from, note=note, created_by=user
    )
    audit.record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=version,
        changes=audit.created(version, ["text", "valid_from", "note"]),
        channel=Channel.SYSTEM,
    )
    return 1


def _category(entry: dict[str, Any], user: User | None) -> int:
    if GrievanceCategory.objects.filter(code=entry["code"]).exists():
        return 0
    category = GrievanceCategory.objects.create(
        code=entry["code"],
        name_en=entry["name_en"],
        name_bn=entry.get("name_bn", ""),
        resolution_days=entry["resolution_days"],
    )
    audit.record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=category,
        changes=audit.created(category, ["code", "name_en", "name_bn", "resolution_days"]),
        channel=Channel.SYSTEM,
    )
    return 1


def coming_windows(pattern: dict[str, Any], on: datetime.date) -> list[Window]:
    """The windows of a shipped pattern for the coming months, from the month of `on`, not yet closed.

    `{"each_month": [1, 20]}`: the 1st to the 20th of every month. `{"months": [3, 4]}`: those
    whole months. Each window carries the pattern's note in English.
    """
    windows = []
    year, month = on.year, on.month
    for _step in range(MONTHS_AHEAD):
        last = calendar.monthrange(year, month)[1]
        if "each_month" in pattern:
            first_day, last_day = pattern["each_month"]
            opens = datetime.date(year, month, first_day)
            closes = datetime.date(year, month, min(last_day, last))
        elif month in pattern.get("months", []):
            opens, closes = datetime.date(year, month, 1), datetime.date(year, month, last)
        else:
            opens = closes = None
        if opens and closes >= on:
            windows.append(Window(opens_on=opens, closes_on=closes, note=pattern.get("note_en", "")))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return windows


def _add_windows(scheme: Scheme, windows: Iterable[Window], user: User | None) -> list[Window]:
    known = set(scheme.windows.values_list("opens_on", flat=True))
    added = []
    for window in windows:
        if window.opens_on in known:
            continue
        window.scheme = scheme
        window.save()
        audit.record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            obj=window,
            changes=audit.created(window, ["scheme", "opens_on", "closes_on", "note"]),
            channel=Channel.SYSTEM,
        )
        added.append(window)
    return added


@transaction.atomic
def update_scheme(*, scheme: Scheme, user: User | None, channel: str = Channel.WEB, **values: Any) -> Scheme:
    """Change what a programme admin may change on a scheme; only the fields given change."""
    _check_admin(user)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise AccessError(_("These fields cannot be changed here: %(names)s") % {"names": names})
    if not (values.get("name_en", scheme.name_en) or values.get("name_bn", scheme.name_bn)):
        raise AccessError(_("A scheme needs a name in English or Bengali."), field="name_en")
    if values.get("value_per_year", 0) < 0:
        raise AccessError(_("The value per year cannot be negative."), field="value_per_year")
    bad = [kind for kind in values.get("documents", []) if kind not in DocumentKind.values]
    if bad:
        raise AccessError(_("Unknown documents: %(names)s") % {"names": ", ".join(bad)}, field="documents")
    before = audit.snapshot(scheme, EDITABLE_FIELDS)
    for name, value in values.items():
        setattr(scheme, name, value)
    try:
        scheme.full_clean(validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise AccessError(messages[0], field=field) from None
    scheme.save()
    changes = audit.diff(before, audit.snapshot(scheme, EDITABLE_FIELDS))
    if changes:
        audit.record(
            actor=user, action=AuditEvent.Action.UPDATE, obj=scheme, changes=changes, channel=channel
        )
    return scheme


@transaction.atomic
def add_window(
    *,
    scheme: Scheme,
    opens_on: datetime.date,
    closes_on: datetime.date,
    note: str = "",
    user: User | None,
    channel: str = Channel.WEB,
) -> Window:
    """A new period in which the scheme takes applications."""
    _check_admin(user)
    if closes_on < opens_on:
        raise AccessError(_("A window cannot close before it opens."), field="closes_on")
    if scheme.windows.filter(opens_on__lte=closes_on, closes_on__gte=opens_on).exists():
        raise AccessError(_("This window overlaps another window of the scheme."), field="opens_on")
    window = Window.objects.create(scheme=scheme, opens_on=opens_on, closes_on=closes_on, note=note)
    audit.record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=window,
        changes=audit.created(window, ["scheme", "opens_on", "closes_on", "note"]),
        channel=channel,
    )
    return window


@transaction.atomic
def remove_window(*, window: Window, user: User | None, channel: str = Channel.WEB) -> None:
    """Take a window off the scheme's calendar."""
    _check_admin(user)
    audit.record(
        actor=user,
        action=AuditEvent.Action.DELETE,
        obj=window,
        changes={"opens_on": [str(window.opens_on), None], "closes_on": [str(window.closes_on), None]},
        channel=channel,
    )
    window.delete()


def _check_admin(user: User | None) -> None:
    if user is not None and not user.sees_whole_programme:
        raise AccessError(_("Only a programme admin may change the catalogue."))


# Reads of the catalogue, shared by its pages and the API.


@dataclass
class SchemeLine:
    """A scheme as the catalogue lists it, with when to apply and how many in scope may qualify."""

    scheme: Scheme
    open_now: Window | None  # the window open today, if the scheme has windows
    next_window: Window | None  # otherwise the next one
    eligible: int | None  # likely eligible in the user's scope, at the latest screening; None if hidden

    @property
    def agency(self) -> str:
        return self._in_language("agency")

    @property
    def benefit_text(self) -> str:
        return self._in_language("benefit")

    @property
    def how_to_apply(self) -> str:
        return self._in_language("how_to_apply")

    @property
    def value_taka(self) -> int:
        return self.scheme.value_per_year // 100

    def _in_language(self, name: str) -> str:
        english, bengali = getattr(self.scheme, f"{name}_en"), getattr(self.scheme, f"{name}_bn")
        return (bengali or english) if (get_language() or "").startswith("bn") else (english or bengali)

    @property
    def open_all_year(self) -> bool:
        return self.open_now is None and self.next_window is None and not self.scheme.has_windows

    @property
    def open_today(self) -> bool:
        return self.open_now is not None or self.open_all_year


def catalogue_for(
    user: User, today: datetime.date, schemes: QuerySet[Scheme] | None = None
) -> list[SchemeLine]:
    """Every scheme (the active ones unless `schemes` says otherwise) with its windows and counts."""
    schemes = (schemes if schemes is not None else Scheme.objects.filter(is_active=True)).annotate(
        has_windows=Exists(Window.objects.filter(scheme=OuterRef("pk")))
    )
    coming = Window.objects.filter(closes_on__gte=today).order_by("opens_on")
    schemes = schemes.prefetch_related(Prefetch("windows", queryset=coming, to_attr="coming_windows"))
    counts = eligible_in_scope(user)
    lines = []
    for scheme in schemes.order_by("kind", "name_en"):
        open_now = next((w for w in scheme.coming_windows if w.opens_on <= today), None)
        following = next((w for w in scheme.coming_windows if w.opens_on > today), None)
        lines.append(SchemeLine(scheme, open_now, None if open_now else following, counts.get(scheme.pk, 0)))
    if not sees_detail(user):
        for line in lines:
            if line.eligible is not None and 0 < line.eligible < SMALL_CELL:
                line.eligible = None
    return lines


def eligible_in_scope(user: User) -> dict[int, int]:
    """Scheme id → members in the user's scope found likely eligible at their latest screening."""
    findings = Finding.objects.filter(outcome=Finding.Outcome.ELIGIBLE)
    if not user.sees_whole_programme:
        findings = findings.filter(member__in=queries.members_for(user).values("pk"))
    return dict(findings.values("scheme").annotate(n=Count("pk")).order_by().values_list("scheme", "n"))


def scheme_or_404(code: str) -> Scheme:
    """A scheme by its code; the catalogue is the same for everyone who may read it."""
    scheme = Scheme.objects.filter(code=code).first()
    if scheme is None:
        raise Http404
    return scheme


def rule_in_words(text: str, on: datetime.date | None = None) -> list[Step]:
    """A rule's conditions and groups in plain words, in the order written, without a member."""
    names = dict(Scheme.objects.values_list("code", "name_en"))
    if (get_language() or "").startswith("bn"):
        names |= {code: name for code, name in Scheme.objects.values_list("code", "name_bn") if name}
    nobody = dict.fromkeys(ROW_FIELDS) | {"receiving": set()}
    steps = explain(parse(text), nobody, on or timezone.localdate(), names)
    # "not this" over a single condition reads better as one line: "not: already receives …".
    words: list[Step] = []
    for at, step in enumerate(steps):
        if words and words[-1] is None:
            words[-1] = Step(step.depth - 1, _("not: %(condition)s") % {"condition": step.text}, None)
            continue
        following = steps[at + 2].depth if at + 2 < len(steps) else -1
        if step.text == _("not this") and following <= step.depth:
            words.append(None)  # filled by its one condition, next
            continue
        words.append(step)
    return words


def version_note(version: RuleVersion) -> str:
    """The reason for a version, in the reader's language when the loader wrote it."""
    shipped = {SHIPPED_NOTE: _("Shipped with Samiti"), UPDATED_NOTE: _("The shipped rule changed")}
    return shipped.get(version.note, version.note)


def offices_for(user: User, kind: str, today: datetime.date) -> QuerySet[Authority]:
    """Offices of a kind that serve the user's members, with their officials in post today.

    An office serves members when its area holds theirs (the Union Parishad of their union, the
    upazila's office) or lies inside the user's area; the whole programme sees every office.
    """
    in_post = Official.objects.filter(Q(until__isnull=True) | Q(until__gte=today)).filter(
        Q(since__isnull=True) | Q(since__lte=today)
    )
    offices = (
        Authority.objects.filter(kind=kind)
        .select_related("area")
        .prefetch_related(Prefetch("officials", queryset=in_post.order_by("post", "name")))
        .order_by("name_en", "pk")
    )
    if user.sees_whole_programme:
        return offices
    paths = set(queries.organisations_for(user).values_list("area__path", flat=True))
    if user.area is not None:
        paths.add(user.area.path)
    around = {prefix for path in paths for prefix in _ancestor_paths(path)}
    inside = Q(area__path__startswith=user.area.path) if user.area is not None else Q(pk__in=[])
    return offices.filter(Q(area__path__in=around) | inside)


def _ancestor_paths(path: str) -> list[str]:
    """ "/A/B/C/" → ["/A/", "/A/B/", "/A/B/C/"]: the area and every area above it."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: n + 1]) + "/" for n in range(len(codes))]


@dataclass(frozen=True)
class FactGuide:
    """One fact of the rule language as the rule editor explains it."""

    name: str
    label: str
    kind: str
    unit: str
    words: list[tuple[str, str]]  # for a choice: the word a rule writes and what it means


def fact_guide() -> list[FactGuide]:
    """Every fact a rule may read, with its meaning, unit and allowed words, from `facts.FACTS`."""
    return [
        FactGuide(
            name=fact.name,
            label=str(fact.label),
            kind=fact.kind,
            unit=fact.unit,
            words=[(word, str(label)) for word, (_stored, label) in fact.choices.items()],
        )
        for fact in FACTS.values()
    ]


def rule_error_at(text: str, position: int) -> tuple[int, int, str]:
    """The line number, column (both 1-based) and text of the line where a rule's error lies."""
    before = text[: max(position - 1, 0)]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return line, column, text.split("\n")[line - 1] if text else ""
