"""Small builders for tests and benchmarks: a tiny area tree, organisations, members, staff."""

import itertools
from typing import Any

from samiti.registry import services
from samiti.registry.models import Area, Member, Organisation, Role, User

_seq = itertools.count(1)


def area(level: str, parent: Area | None = None, **fields: Any) -> Area:
    n = next(_seq)
    a = Area(
        level=level,
        code=fields.pop("code", f"T-{level[:3].upper()}-{n}"),
        name_en=fields.pop("name_en", f"{level.title()} {n}"),
        name_bn=fields.pop("name_bn", ""),
        parent=parent,
        **fields,
    )
    return services.save_area(a)


def union(district: Area | None = None) -> Area:
    """A union in a district (a new district unless one is given)."""
    if district is None:
        district = area("district", area("division"))
    return area("union", area("upazila", district))


def organisation(
    kind: str, parent: Organisation | None = None, place: Area | None = None, **fields: Any
) -> Organisation:
    n = next(_seq)
    return Organisation.objects.create(
        kind=kind,
        code=fields.pop("code", f"{kind[:3].upper()}{n}"),
        name_en=fields.pop("name_en", f"{kind.title()} {n}"),
        parent=parent,
        area=place or (parent.area if parent else union()),
        **fields,
    )


def group(association: Organisation | None = None, place: Area | None = None) -> Organisation:
    if association is None:
        association = organisation("association", organisation("federation", place=place), place=place)
    return organisation("group", association, place=place)


def member(group: Organisation | None = None, **fields: Any) -> Member:
    n = next(_seq)
    fields.setdefault("name_en", f"Member {n}")
    fields.setdefault("sex", "F")
    return services.register_member(actor=None, group=group or globals()["group"](), **fields)


def staff(role: str = Role.PROGRAMME_ADMIN, **fields: Any) -> User:
    n = next(_seq)
    user = User(username=fields.pop("username", f"staff{n}"), role=role, **fields)
    user.set_password("correct horse battery")
    user.save()
    return user
