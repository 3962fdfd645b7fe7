"""A leader's day in a real browser: log in, switch to Bengali, find a member, correct the record.

Playwright drives the system Chromium (/usr/bin/chromium; `make test` installs it with apt when
it is missing). Without it these tests are skipped locally and fail under CI=true.
Set SAMITI_SCREENSHOTS=/some/dir to keep phone-width screenshots of the main pages.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"  # what testing.staff() sets
BENGALI_LETTER = re.compile(r"[\u0985-\u09b9]")
BENGALI_DIGIT = re.compile(r"[০-৯]")
PHONE_WIDTH = 360


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}; browser tests are required under CI")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium, or run `make test` as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements-dev.txt)")
    # Playwright's sync API keeps an event loop running in this thread, which makes Django
    # refuse database access from the test itself (and from the database teardown).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


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


def switch_to_bengali(page) -> None:
    follow(page, "#switch-language")
    assert page.evaluate("document.documentElement.lang") == "bn"


def test_a_leader_logs_in_reads_bengali_finds_a_member_and_corrects_the_record(page, live_server, programme):
    rahima = programme["rahima"]

    log_in(page, live_server, "asha")
    visit(page, f"{live_server.url}/members/")
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

    follow(page, f"main table a[href$='/members/{rahima.pk}/']")
    follow(page, f"main a[href$='/members/{rahima.pk}/edit/']")
    assert page.input_value("input[name=name_en]") == "Rahima Khatun"
    page.fill("input[name=name_en]", "Rahima Begum")
    page.fill("input[name=name_bn]", "রহিমা বেগম")
    follow(page, "form:has(input[name=name_en]) [type=submit]")

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

    log_in(page, live_server, "asha")
    for path in ["/", "/members/", f"/members/{rahima.pk}/", f"/members/{rahima.pk}/edit/"]:
        visit(page, f"{live_server.url}{path}")

    assert not violations, "\n".join(violations)


def test_main_pages_fit_a_phone_screen_in_bengali(phone_page, live_server, programme):
    """Leaders use cheap Android phones: no page may scroll sideways at 360 px (tables scroll inside)."""
    page = phone_page
    log_in(page, live_server, "asha")
    visit(page, f"{live_server.url}/members/")
    switch_to_bengali(page)
    shots = os.environ.get("SAMITI_SCREENSHOTS")
    too_wide = []
    for name, path in [("reach", "/"), ("members", "/members/")]:
        visit(page, f"{live_server.url}{path}")
        page.evaluate("document.fonts.ready")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}-bn-{PHONE_WIDTH}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide.append(f"{path} is {width}px wide")

    assert not too_wide, ", ".join(too_wide)


def test_the_bengali_web_font_is_loaded(page, live_server, programme):
    log_in(page, live_server, "asha")
    visit(page, f"{live_server.url}/members/")
    switch_to_bengali(page)
    page.evaluate("document.fonts.ready")

    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family).join(',')"
    )
    assert "Noto Sans Bengali" in loaded, f"fonts loaded: {loaded!r}"
