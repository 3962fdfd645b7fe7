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
    user.set_password(PASSWORD)
    user.save()
    return user


# Browser tests: the password of testing.staff() accounts, a phone's width, and page helpers.
PASSWORD = "correct horse battery"  # noqa: S105 - test accounts only
PHONE_WIDTH = 360


def visit(page, url: str) -> None:
    """Open `url`, failing at once (not after a timeout) when the server answers with an error."""
    response = page.goto(url)
    assert response is not None and response.ok, f"GET {url} answered {response and response.status}"


def follow(page, selector: str) -> None:
    """Click what submits a form or opens a link, and check the page it leads to loaded."""
    with page.expect_navigation() as navigation:
        page.click(selector)
    response = navigation.value
    assert response is not None and response.ok, (
        f"{selector} led to {page.url}: {response and response.status}"
    )


def log_in(page, live_server, username: str) -> None:
    visit(page, f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    follow(page, "form:has(#id_password) [type=submit]")
    assert page.locator("#id_password").count() == 0, f"still on the login form at {page.url}"
