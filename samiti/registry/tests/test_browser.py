"""A leader's day in a real browser: log in, switch to Bengali, find a member, correct the record.

Playwright drives the system Chromium (/usr/bin/chromium; `make test` installs it with apt when
it is missing). Without it these tests are skipped locally and fail under CI=true.
Set SAMITI_SCREENSHOTS=/some/dir to keep phone-width screenshots of the main pages.
"""

import os
import re
from pathlib import Path

import pytest

from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BENGALI_LETTER = re.compile(r"[\u0985-\u09b9]")
BENGALI_DIGIT = re.compile(r"[০-৯]")


@pytest.fixture
def programme(transactional_db):
    """A group with two members and a programme admin who may see and edit them.

    The names are as long as real ones, so that layouts are tried with realistic text.
    """
    association = testing.organisation(
        "association",
        testing.organisation("federation"),
        name_en="Anulia Union Farmers' Association, Assasuni Upazila, Satkhira",
        name_bn="আনুলিয়া ইউনিয়ন কৃষক সমিতি, আশাশুনি উপজেলা, সাতক্ষীরা",
    )
    group = testing.organisation(
        "group", association, name_en="Sonar Bangla Farmers' Group", name_bn="সোনার বাংলা কৃষক দল, খেজুরবাড়ী"
    )
    rahima = testing.member(group, name_en="Rahima Khatun", name_bn="রহিমা খাতুন", birth_year=1985)
    salma = testing.member(group, name_en="Salma Akter", name_bn="সালমা আক্তার", birth_year=1990)
    admin = testing.staff(role=Role.PROGRAMME_ADMIN, username="asha")
    return {"group": group, "rahima": rahima, "salma": salma, "admin": admin}


def switch_to_bengali(page) -> None:
    testing.follow(page, "#switch-language")
    assert page.evaluate("document.documentElement.lang") == "bn"


def test_a_leader_logs_in_reads_bengali_finds_a_member_and_corrects_the_record(page, live_server, programme):
    rahima = programme["rahima"]

    testing.log_in(page, live_server, "asha")
    testing.visit(page, f"{live_server.url}/members/")
    switch_to_bengali(page)
    heading = page.locator("main h1").first.inner_text()
    assert BENGALI_LETTER.search(heading), f"the heading is not in Bengali: {heading!r}"
    assert BENGALI_DIGIT.search(heading), f"the member count is not in Bengali digits: {heading!r}"
    assert not re.search(r"[0-9]", heading), f"Latin digits in a Bengali heading: {heading!r}"

    page.fill("input[name=q]", "রহিমা")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert "q=" in page.url
    results = page.locator("main table tbody")
    assert "রহিমা খাতুন" in results.inner_text()
    assert "সালমা" not in results.inner_text()

    testing.follow(page, f"main table a[href$='/members/{rahima.pk}/']")
    testing.follow(page, f"main a[href$='/members/{rahima.pk}/edit/']")
    assert page.input_value("input[name=name_en]") == "Rahima Khatun"
    page.fill("input[name=name_en]", "Rahima Begum")
    page.fill("input[name=name_bn]", "রহিমা বেগম")
    testing.follow(page, "form:has(input[name=name_en]) [type=submit]")

    errors = page.locator(".field:has(.errorlist)").all_inner_texts()
    assert page.url.endswith(f"/members/{rahima.pk}/"), f"the form did not save ({page.url}): {errors}"
    assert "রহিমা বেগম" in page.locator("main").inner_text()
    rahima.refresh_from_db()
    assert (rahima.name_en, rahima.name_bn) == ("Rahima Begum", "রহিমা বেগম")
    assert page.evaluate("document.documentElement.lang") == "bn"


def test_pages_raise_no_content_security_policy_violations(page, live_server, programme):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    rahima = programme["rahima"]

    testing.log_in(page, live_server, "asha")
    for path in ["/", "/members/", f"/members/{rahima.pk}/", f"/members/{rahima.pk}/edit/"]:
        testing.visit(page, f"{live_server.url}{path}")

    assert not violations, "\n".join(violations)


def test_main_pages_fit_a_phone_screen_in_bengali(phone_page, live_server, programme):
    """Leaders use cheap Android phones: no page may scroll sideways at 360 px (tables scroll inside)."""
    page = phone_page
    testing.log_in(page, live_server, "asha")
    testing.visit(page, f"{live_server.url}/members/")
    switch_to_bengali(page)
    shots = os.environ.get("SAMITI_SCREENSHOTS")
    too_wide = []
    for name, path in [("reach", "/"), ("members", "/members/")]:
        testing.visit(page, f"{live_server.url}{path}")
        page.evaluate("document.fonts.ready")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}-bn-{testing.PHONE_WIDTH}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > testing.PHONE_WIDTH:
            too_wide.append(f"{path} is {width}px wide")

    assert not too_wide, ", ".join(too_wide)


def test_the_bengali_web_font_is_loaded(page, live_server, programme):
    testing.log_in(page, live_server, "asha")
    testing.visit(page, f"{live_server.url}/members/")
    switch_to_bengali(page)
    page.evaluate("document.fonts.ready")

    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family).join(',')"
    )
    assert "Noto Sans Bengali" in loaded, f"fonts loaded: {loaded!r}"
