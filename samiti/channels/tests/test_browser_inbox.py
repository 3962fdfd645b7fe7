"""The leaders' inbox in a real browser at a phone's width: an association leader opens it from the
menu, marks a demand raised by SMS dealt with, and nothing scrolls sideways.

Playwright drives the system Chromium (/usr/bin/chromium), as in samiti/registry/tests/test_browser.py.
Without it these tests are skipped locally and fail under CI=true.
"""

import pytest

from samiti.channels.models import Message
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    """An association leader, and two messages from members waiting for a leader."""
    group = testing.group()
    rina = testing.member(group, name_en="Rina Begum", phone="01711000001")
    testing.staff(Role.ASSOCIATION_LEADER, username="amina", organisation=group.parent)
    made = {}
    for text in ("DEMAND a deep tube well for the school", "ক খ গ ঘ — বুঝিনি, আবার বলুন"):
        made[text] = Message.objects.create(
            direction=Message.Direction.IN,
            gateway="console",
            phone=rina.phone,
            member=rina,
            association_id=rina.association_id,
            text=text,
            kind=Message.Kind.COMMAND,
            status=Message.Status.NEEDS_ACTION,
            segments=1,
            encoding="GSM-7" if text.isascii() else "UCS-2",
        )
    return made


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_leader_marks_a_message_dealt_with_on_a_phone(phone_page, live_server, world):
    page = phone_page
    demand = world["DEMAND a deep tube well for the school"]
    testing.log_in(page, live_server, "amina")
    testing.visit(page, f"{live_server.url}/channels/")
    assert "DEMAND a deep tube well" in page.locator("main table").inner_text()
    assert fits_the_screen(page)

    testing.follow(page, "nav.sections a[href$='/channels/inbox/']")
    cards = page.locator("ul.inbox > li")
    assert cards.count() == 2
    assert "Rina Begum" in cards.first.inner_text()
    assert fits_the_screen(page)

    page.fill(f"#id_m{demand.pk}-note", "Added to the charter of demands")
    testing.follow(page, f"#message-{demand.pk} form [type=submit]")
    assert "Marked as dealt with." in page.locator(".messages").inner_text()
    assert page.locator("ul.inbox > li").count() == 1
    assert "DEMAND a deep tube well" not in page.locator("main").inner_text()
    assert fits_the_screen(page)

    demand.refresh_from_db()
    assert (demand.status, demand.handled_by.username) == ("done", "amina")
