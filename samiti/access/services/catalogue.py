"""The scheme catalogue: loading the shipped Bangladesh schemes, editing a scheme and its windows.

Loading is idempotent and never overwrites an admin's edits: it creates what is missing (a
scheme, its first rule version valid from its 'as of' date, its coming windows, a grievance
category) and, with `update`, adds a dated rule version when the shipped text of a rule changed.
"""

import calendar
import datetime
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.models import DocumentKind, GrievanceCategory, RuleVersion, Scheme, Window
from samiti.access.services.rules import check_rule
from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Authority, User

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
        latest = max(v.valid_from for v in versions)
        valid_from, note = max(on, latest + datetime.timedelta(days=1)), UPDATED_NOTE
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
