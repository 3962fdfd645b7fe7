"""The administrative areas: wards and villages added by hand, and the shipped list loaded."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Area, User
from samiti.registry.services._common import RegistryError


@transaction.atomic
def add_area(
    *, actor: User | None, parent: Area, level: str, name_en: str, name_bn: str = "", code: str = ""
) -> Area:
    """Add a ward or a village under a union (or a village under a ward)."""
    allowed = {Area.Level.WARD: {Area.Level.UNION}, Area.Level.VILLAGE: {Area.Level.UNION, Area.Level.WARD}}
    if level not in allowed or parent.level not in allowed[level]:
        raise RegistryError(
            _("Wards are added under a union, villages under a union or a ward."), field="level"
        )
    if not (name_en or name_bn):
        raise RegistryError(_("A name is required, in Bengali or in English."), field="name_en")
    code = code or f"{parent.code}-{level[0].upper()}{parent.children.count() + 1:02d}"
    area = Area(level=level, code=code, parent=parent, name_en=name_en, name_bn=name_bn)
    save_area(area)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=area, channel=Channel.WEB)
    return area


def save_area(area: Area) -> Area:
    area.path = f"{area.parent.path if area.parent else '/'}{area.code}/"
    area.save()
    return area


AREA_COLUMNS = ["level", "code", "name_en", "name_bn", "parent_code", "latitude", "longitude", "website"]


@transaction.atomic
def load_areas(rows: Iterable[dict[str, str]]) -> tuple[int, int]:
    """Create or update areas from rows shaped like data/areas.csv; return (created, updated).

    Parents must come before their children, as they do in the shipped file.
    """
    existing = {a.code: a for a in Area.objects.all()}
    created = updated = 0
    for line, row in enumerate(rows, start=2):
        level = row["level"].strip()
        if level not in Area.Level.values:
            raise RegistryError(
                _("Line %(line)d: unknown level “%(level)s”.") % {"line": line, "level": level}
            )
        parent = existing.get(row.get("parent_code", "").strip()) if row.get("parent_code") else None
        if row.get("parent_code") and parent is None:
            raise RegistryError(
                _("Line %(line)d: unknown parent %(code)s.") % {"line": line, "code": row["parent_code"]}
            )
        values = {
            "level": level,
            "name_en": row.get("name_en", "").strip(),
            "name_bn": row.get("name_bn", "").strip(),
            "parent": parent,
            "latitude": row.get("latitude") or None,
            "longitude": row.get("longitude") or None,
            "website": row.get("website", "").strip(),
        }
        area = existing.get(row["code"].strip())
        if area is None:
            area = Area(code=row["code"].strip(), **values)
            created += 1
        elif any(
            str(getattr(area, k) or "") != str(v or "")
            for k, v in values.items()
            if k not in ("latitude", "longitude")
        ):
            for key, value in values.items():
                setattr(area, key, value)
            updated += 1
        else:
            continue
        save_area(area)
        existing[area.code] = area
    return created, updated
