"""Applications in a real browser, as a facilitator follows one: from the list to the application,
its missing document ticked on the task list, then step by step to receiving, on a laptop and at
a phone's width.

Playwright drives the system Chromium (/usr/bin/chromium), as in samiti/registry/tests/test_browser.py.
Without it these tests are skipped locally and fail under CI=true.
"""

import pytest

from samiti.access.models import Application, DocumentKind, Scheme
from samiti.access.services.applications import identify
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    """A facilitator of an association, and a member identified for the Old Age Allowance."""
    association = testing.organisation("association", testing.organisation("federation"))
    group = testing.organisation("group", association, name_en="Sonar Bangla Farmers' Group")
    member = testing.member(group, sex="F", name_en="Rahima Khatun", national_id="19501234567890123")
    scheme = Scheme.objects.create(
        code="old_age_allowance",
        name_en="Old Age Allowance",
        kind=Scheme.Kind.SAFETY_NET,
        benefit=Scheme.Benefit.CASH,
        benefit_en="Tk 600 a month",
        documents=[DocumentKind.NATIONAL_ID, DocumentKind.INCOME_CERTIFICATE],
    )
    testing.staff(role=Role.FACILITATOR, username="shyamal", organisation=association)
    application = identify(actor=None, member=member, scheme=scheme)
    return {"application": application, "member": member}


def errors(page) -> str:
    return " | ".join(page.locator(".errorlist, .error").all_inner_texts())


def status(page) -> str:
    return page.locator("#application-status").inner_text()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def follow_to_receiving(page, live_server, world) -> None:
    application = world["application"]
    testing.log_in(page, live_server, "shyamal")
    testing.visit(page, f"{live_server.url}/access/applications/")
    assert "Rahima Khatun" in page.locator("main table").inner_text()
    testing.follow(page, f"main a[href$='/access/applications/{application.pk}/']")
    assert "identified" in status(page)
    assert fits_the_screen(page)

    # Documents ready is refused while the income certificate is missing, and says so.
    page.click("#step-documents_ready [type=submit]")
    page.wait_for_selector(".errorlist")
    assert "income certificate" in errors(page)

    # Ticked on the task list, the document is recorded.
    testing.visit(page, f"{live_server.url}/access/tasks/")
    assert "Rahima Khatun" in page.locator("main").inner_text()
    testing.follow(page, "main ul.tasks form [type=submit]")
    assert "recorded" in page.locator(".messages").inner_text()
    assert "No document to collect" in page.locator("main").inner_text()

    testing.visit(page, f"{live_server.url}/access/applications/{application.pk}/")
    testing.follow(page, "#step-documents_ready [type=submit]")
    assert "documents ready" in status(page), errors(page)

    page.fill("#id_submitted-where", "Union digital centre")
    page.fill("#id_submitted-to", "UP secretary")
    testing.follow(page, "#step-submitted [type=submit]")
    assert "submitted" in status(page), errors(page)

    # Approval was not told: the facilitator records receiving straight away, in taka.
    assert page.locator("#step-approved").count() == 1 and page.locator("#step-rejected").count() == 1
    page.fill("#id_receiving-amount_per_month", "600")
    testing.follow(page, "#step-receiving [type=submit]")
    assert "receiving" in status(page), errors(page)
    main = page.locator("main").inner_text()
    assert "৳600 a month" in main
    timeline = page.locator("#timeline").inner_text()
    for step in ("Identified", "Documents ready", "Submitted", "Receiving"):
        assert step in timeline
    assert page.locator("#step-stopped").count() == 1
    assert fits_the_screen(page)

    application.refresh_from_db()
    assert (application.status, application.amount_per_month) == (Application.Status.RECEIVING, 60000)
    assert application.submitted_where == "Union digital centre"


def test_a_facilitator_moves_an_application_step_by_step_to_receiving(page, live_server, world):
    follow_to_receiving(page, live_server, world)


def test_the_same_works_at_a_phones_width(phone_page, live_server, world):
    follow_to_receiving(phone_page, live_server, world)
