"""Screening in a real browser, as a facilitator does it: screen a group against the shipped
schemes, open the work list, open a member's explanation; on a laptop and at a phone's width.

Playwright drives the system Chromium (/usr/bin/chromium), as in samiti/registry/tests/test_browser.py.
Without it these tests are skipped locally and fail under CI=true.
"""

import datetime

import pytest

from samiti.access.models import Screening
from samiti.access.services.catalogue import load_schemes
from samiti.registry import testing
from samiti.registry.models import Household, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    """The shipped catalogue; a group with a poor widow of 70, a man whose income is not recorded,
    and a young farmer; the association's facilitator."""
    load_schemes()
    association = testing.organisation("association", testing.organisation("federation"))
    group = testing.organisation("group", association, name_en="Sonar Bangla Farmers' Group")
    poor = Household.objects.create(code="HH-B1", area=group.area, size=3, income_per_year=900_000)
    today = datetime.date.today()
    widow = testing.member(
        group,
        sex="F",
        name_en="Rahima Khatun",
        birth_date=today.replace(year=today.year - 70, day=1),
        marital_status="widowed",
        land_owned=0,
        household=poor,
    )
    unknown = testing.member(group, sex="M", name_en="Abdul Karim", birth_year=today.year - 70, land_owned=0)
    testing.member(group, sex="M", name_en="Milon Mree", birth_year=today.year - 25, occupation="farmer")
    testing.staff(role=Role.FACILITATOR, username="shyamal", organisation=association)
    return {"group": group, "widow": widow, "unknown": unknown}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def screen_the_group_and_follow_the_work_list(page, live_server, world) -> None:
    group, widow = world["group"], world["widow"]
    testing.log_in(page, live_server, "shyamal")
    testing.visit(page, f"{live_server.url}/access/screen/")
    page.select_option("#id_organisation", str(group.pk))
    testing.follow(page, "#screen-form [type=submit]")

    screening = Screening.objects.get()
    assert page.url.endswith(f"/access/screenings/{screening.pk}/")
    assert screening.members == 3
    counts = page.locator("#screening-counts").inner_text()
    assert "Old Age Allowance" in counts
    old_age = page.locator("#screening-counts tr", has_text="Old Age Allowance").inner_text().split("\t")
    assert old_age[1:3] == ["1", "1"], old_age  # the widow likely eligible; Abdul Karim cannot tell
    assert fits_the_screen(page)

    testing.follow(page, "main p a[href$='/access/worklist/']")
    table = page.locator("#worklist").inner_text()
    assert "Rahima Khatun" in table and "Old Age Allowance" in table
    assert fits_the_screen(page)

    page.select_option("#id_result", "cannot_tell")
    page.select_option("#id_scheme", label="Old Age Allowance")
    testing.follow(page, "#worklist-filters [type=submit]")
    unknown_row = page.locator("#worklist tr", has_text="Abdul Karim").first.inner_text()
    assert "household income per year" in unknown_row

    testing.visit(page, f"{live_server.url}/access/worklist/")
    testing.follow(page, f"#worklist a[href$='/access/members/{widow.pk}/']")
    old_age_card = page.locator("#scheme-old_age_allowance").inner_text()
    assert "likely eligible" in old_age_card
    assert "age 62 or more: yes" in old_age_card
    assert "household income per year under Tk 10,000: yes, Tk 9,000" in old_age_card
    assert "national ID card: lacking" in old_age_card
    assert page.locator("#scheme-old_age_allowance a[href*='scheme=old_age_allowance']").count() == 1
    assert fits_the_screen(page)


def test_a_facilitator_screens_a_group_opens_the_work_list_and_a_members_explanation(
    page, live_server, world
):
    screen_the_group_and_follow_the_work_list(page, live_server, world)


def test_the_same_at_a_phones_width(phone_page, live_server, world):
    screen_the_group_and_follow_the_work_list(phone_page, live_server, world)
