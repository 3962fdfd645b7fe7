"""A savings group's year in a real browser: a facilitator records a meeting of 25 members on one
screen, watching the totals as they type, and once the loan is repaid shares out and prints the
share-out sheet; the record page fits a phone.

Playwright drives the system Chromium (/usr/bin/chromium), as in samiti/registry/tests/test_browser.py.
Without it these tests are skipped locally and fail under CI=true.
"""

import datetime

import pytest
from django.utils import timezone

from samiti.finance import testing as finance_testing
from samiti.finance.models import Cycle, Loan, SavingsMeeting
from samiti.finance.services.savings import MemberLine
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    """A group of 25 with a cycle (share ৳50, social fund ৳10 a meeting) and its facilitator."""
    association = testing.organisation("association", testing.organisation("federation"))
    group = testing.organisation("group", association, name_en="Jamuna Women's Savings Group")
    members = finance_testing.members(group, 25)
    cycle = finance_testing.cycle(group)
    testing.staff(role=Role.FACILITATOR, username="nasrin", organisation=association)
    return {"group": group, "members": members, "cycle": cycle}


def errors(page) -> str:
    return " | ".join(page.locator(".errorlist").all_inner_texts())


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def poisha(page, selector: str) -> int:
    return int(page.get_attribute(selector, "data-poisha"))


def test_a_facilitator_records_a_meeting_of_25_then_shares_out_and_prints_the_sheet(page, live_server, world):
    members, cycle = world["members"], world["cycle"]
    today = timezone.localdate()
    held_on = today - datetime.timedelta(days=14)
    testing.log_in(page, live_server, "nasrin")
    testing.visit(page, f"{live_server.url}/finance/")
    testing.follow(page, "#groups a:has-text('Jamuna Women')")
    testing.follow(page, "#record-meeting")

    page.fill("#id_held_on", held_on.isoformat())
    for member in members:
        page.fill(f"[name=m{member.pk}-shares]", "2")
    borrower = members[0]
    page.click("#row-1 details summary")
    page.fill(f"[name=m{borrower.pk}-loan]", "২০০")  # Bengali digits, as a treasurer may type them
    page.fill(f"[name=m{borrower.pk}-loan_months]", "1")
    page.fill(f"[name=m{borrower.pk}-loan_purpose]", "Rice seedlings")
    # The totals as you type: 50 shares of ৳50 = ৳2,500 in, the loan of ৳200 out.
    assert page.inner_text("#total-shares") == "50"
    assert page.inner_text("#total-loan") == "৳200"
    assert page.inner_text("#expected-loan_fund") == "৳2,300"
    assert page.inner_text("#expected-social_fund") == "৳250"
    page.fill("#id_counted_loan_fund", "2,200")
    assert "differs" in page.inner_text("#mark-loan_fund")
    page.fill("#id_counted_loan_fund", "2300")
    page.fill("#id_counted_social_fund", "250")
    assert "matches" in page.inner_text("#mark-loan_fund")
    assert "matches" in page.inner_text("#mark-social_fund")
    testing.follow(page, "#save-button")
    assert "locked" in page.inner_text("main"), errors(page)
    meeting = SavingsMeeting.objects.get(cycle=cycle)
    assert (meeting.members_present, meeting.counted_loan_fund, meeting.counted_social_fund) == (
        25,
        230000,
        25000,
    )
    assert Loan.objects.get(member=borrower).purpose == "Rice seedlings"

    # A week later the loan comes back with its month's service charge (5 % of ৳200).
    finance_testing.meeting(
        cycle,
        held_on + datetime.timedelta(days=7),
        [MemberLine(borrower.pk, repayment=20000, service_charge=1000)],
    )
    testing.visit(page, f"{live_server.url}/finance/cycles/{cycle.pk}/share-out/")
    testing.follow(page, "#share-out-form [type=submit]")
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.SHARED_OUT, errors(page)
    # The fund is the loan fund: ৳2,300 + ৳200 repaid + ৳10 charge = ৳2,510, for 50 shares.
    assert poisha(page, "#fund") == 251000
    assert poisha(page, "#paid-out") + poisha(page, "#remainder") == poisha(page, "#fund")
    assert page.locator("#share-out-table tbody tr").count() == 25
    assert "৳2,510" in page.inner_text("#check-total")

    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("#print")
    assert page.evaluate("window.printed === true")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_the_record_page_fits_a_phone(phone_page, live_server, world):
    testing.log_in(phone_page, live_server, "nasrin")
    testing.visit(phone_page, f"{live_server.url}/finance/cycles/{world['cycle'].pk}/meetings/new/")
    assert phone_page.locator(".mrow").count() == 25
    phone_page.click("#row-1 details summary")
    assert fits_the_screen(phone_page)
