"""The voice app in a real browser, as an association leader uses it: a demand and its endorsements,
a secret poll to its result, a charter of demands to the authority's commitment.

Playwright drives the system Chromium (/usr/bin/chromium), as in samiti/registry/tests/test_browser.py.
Without it these tests are skipped locally and fail under CI=true.
"""

import datetime
import re

import pytest

from samiti.core.models import Channel
from samiti.registry import testing
from samiti.registry.models import Role
from samiti.voice.models import Charter, Commitment, Demand, Poll
from samiti.voice.services.demands import endorse_many, raise_demand

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    """An association with a group of five members (three women, two men, one of them Garo) and
    the association's leader, who runs its demands, polls and charters."""
    association = testing.organisation(
        "association",
        testing.organisation("federation"),
        name_en="Anulia Union Farmers' Association",
        name_bn="আনুলিয়া ইউনিয়ন কৃষক সমিতি",
    )
    group = testing.organisation(
        "group", association, name_en="Sonar Bangla Farmers' Group", name_bn="সোনার বাংলা কৃষক দল"
    )
    women = [
        testing.member(group, sex="F", name_en=name)
        for name in ("Rahima Khatun", "Salma Akter", "Jahanara Begum")
    ]
    men = [
        testing.member(group, sex="M", name_en="Abdul Karim"),
        testing.member(group, sex="M", name_en="Milon Mree", ethnicity="garo"),
    ]
    leader = testing.staff(role=Role.ASSOCIATION_LEADER, username="nasrin", organisation=association)
    return {"association": association, "group": group, "women": women, "men": men, "leader": leader}


def errors(page) -> str:
    """The form errors on the page, to explain a form that did not save."""
    return " | ".join(page.locator(".errorlist, .error").all_inner_texts())


def facts(page, scope: str) -> dict[str, str]:
    """The term → value pairs of the first <dl class="facts"> inside `scope`."""
    return page.locator(f"{scope} dl.facts").first.evaluate(
        """dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(
            dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))"""
    )


def main_text(page) -> str:
    return page.locator("main").inner_text()


def test_a_leader_raises_a_demand_and_records_who_endorses_it(page, live_server, world):
    group, women, men = world["group"], world["women"], world["men"]
    testing.log_in(page, live_server, "nasrin")

    testing.visit(page, f"{live_server.url}/voice/demands/")
    testing.follow(page, "main a[href$='/voice/demands/raise/']")
    page.select_option("#id_organisation", str(group.pk))
    page.fill("#id_title", "Re-excavate the Kholpetua canal")
    page.fill("#id_description", "The canal silted up; 120 households lose their boro crop.")
    page.select_option("#id_category", "irrigation")
    page.fill("#id_households_affected", "120")
    testing.follow(page, "main form [type=submit]")

    demand = Demand.objects.filter(title="Re-excavate the Kholpetua canal").first()
    assert demand is not None, f"the demand was not raised ({page.url}): {errors(page)}"
    assert page.url.endswith(f"/voice/demands/{demand.pk}/")
    assert "Demand raised" in main_text(page)
    assert "Re-excavate the Kholpetua canal" in page.locator("main h1").inner_text()
    assert facts(page, "#endorsements")["Members"] == "0"

    # Two women ticked from the group's list, a man and a woman from a paper sheet by number
    # (one in Bengali digits, as a facilitator might type it).
    endorse = page.locator("form#endorse")
    endorse.get_by_label(f"{women[0]} · {women[0].code}").check()
    endorse.get_by_label(f"{women[1]} · {women[1].code}").check()
    bengali_code = men[1].code.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    endorse.locator("textarea[name=codes]").fill(f"{men[0].code}\n{bengali_code}\n")
    testing.follow(page, "form#endorse [type=submit]")

    assert page.url.endswith(f"/voice/demands/{demand.pk}/"), f"not recorded: {errors(page)}"
    assert "4 new endorsements recorded." in main_text(page)
    counts = facts(page, "#endorsements")
    assert (counts["Members"], counts["Women"], counts["Men"], counts["Third gender"]) == ("4", "2", "2", "0")
    # A leader does not see small counts of sensitive facts (DESIGN rule 7).
    assert counts["Ethnic minorities"] == "fewer than 5"
    assert "4 new endorsements" in page.locator("main table").last.inner_text()
    # Those who endorsed are no longer offered; the third woman still is.
    assert endorse.get_by_label(f"{women[0]} · {women[0].code}").count() == 0
    endorse.get_by_label(f"{women[2]} · {women[2].code}").check()
    testing.follow(page, "form#endorse [type=submit]")
    counts = facts(page, "#endorsements")
    assert (counts["Members"], counts["Women"], counts["Men"]) == ("5", "3", "2")

    testing.visit(page, f"{live_server.url}/voice/demands/")
    row = page.locator("main table tbody tr", has_text="Re-excavate the Kholpetua canal")
    assert row.locator("td.num").inner_text() == "5"
    endorsers = page.locator("main section.card", has_text="Members who endorsed")
    assert facts(page, "main section.card:has-text('Members who endorsed')")["Women"] == "3"
    assert "Each member counts once" in endorsers.inner_text()
    assert demand.endorsements.count() == 5


def test_a_secret_poll_runs_to_its_result(page, live_server, world):
    group, women, men = world["group"], world["women"], world["men"]
    testing.log_in(page, live_server, "nasrin")

    testing.visit(page, f"{live_server.url}/voice/polls/")
    testing.follow(page, "main a[href$='/voice/polls/add/']")
    page.select_option("#id_organisation", str(group.pk))
    page.fill("#id_question", "Should the group rent a power tiller for the boro season?")
    page.select_option("#id_kind", "yes_no")
    page.check("#id_secret")
    page.fill("#id_quorum_percent", "50")
    testing.follow(page, "main form [type=submit]")

    poll = Poll.objects.filter(organisation=group).first()
    assert poll is not None, f"the poll was not drafted ({page.url}): {errors(page)}"
    assert "Poll drafted" in main_text(page)
    assert "draft" in page.locator("main h1").inner_text()
    assert "secret ballot" in page.locator("main h1").inner_text()

    testing.follow(page, "main form:has(input[name=action][value=open]) [type=submit]")
    assert "Poll opened: 5 members may vote." in main_text(page)

    # One member's vote, recorded by the leader.
    vote = page.locator("main form:has(input[name=action][value=vote])")
    vote.locator("input[name=vote-member]").fill(women[0].code)
    vote.get_by_label("1. Yes").check()
    testing.follow(page, "main form:has(input[name=action][value=vote]) [type=submit]")
    assert f"Vote recorded for {women[0]}." in main_text(page), errors(page)

    # Paper ballots from the signature sheet: three members, two yes and one no.
    paper = page.locator("main form:has(input[name=action][value=paper])")
    paper.locator("textarea[name=paper-members]").fill(f"{women[1].code}\n{men[0].code}\n{men[1].code}")
    paper.locator("input[name=paper-count_1]").fill("2")
    paper.locator("input[name=paper-count_2]").fill("1")
    testing.follow(page, "main form:has(input[name=action][value=paper]) [type=submit]")
    assert "3 ballots counted." in main_text(page), errors(page)
    assert facts(page, "main section.card:has-text('Eligible members')") == {
        "Eligible members": "5",
        "Have voted": "4",
    }
    # A member's second vote is refused.
    vote.locator("input[name=vote-member]").fill(men[0].code)
    vote.get_by_label("2. No").check()
    testing.follow(page, "main form:has(input[name=action][value=vote]) [type=submit]")
    assert "Has already voted in this poll" in errors(page)
    assert facts(page, "main section.card:has-text('Eligible members')")["Have voted"] == "4"

    # While open, a secret poll shows nothing of its count.
    assert "its results are shown once the poll closes" in main_text(page)
    testing.follow(page, f"main a[href$='/voice/polls/{poll.pk}/results/']")
    assert "its results are shown once the poll closes" in main_text(page)
    assert "Turnout" not in main_text(page)
    assert page.locator("main table").count() == 0

    testing.follow(page, f"main a[href$='/voice/polls/{poll.pk}/']")
    testing.follow(page, "main form:has(input[name=action][value=close]) [type=submit]")
    assert "Poll closed." in main_text(page)
    assert "closed" in page.locator("main h1").inner_text()

    testing.follow(page, f"main a[href$='/voice/polls/{poll.pk}/results/']")
    text = main_text(page)
    assert "4 of 5 eligible members voted (80.0%)." in text, text
    assert "Quorum met" in text
    outcome = page.locator("main section.card", has_text="Outcome")
    assert outcome.locator("strong").inner_text() == "Yes"
    votes = page.locator("main table").first.locator("tbody tr")
    assert [r.locator("td").nth(1).inner_text() for r in votes.all()] == ["3", "1"]
    assert "winner" in votes.first.inner_text()
    sexes = page.locator("main section.card", has_text="Sex").locator("tbody").inner_text()
    assert re.search(r"Women\s+2\s+3", sexes) and re.search(r"\bMen\s+2\s+2", sexes), sexes


def test_a_charter_is_submitted_and_the_authority_commits(page, live_server, world):
    association, women = world["association"], world["women"]
    demand = raise_demand(
        actor=None,
        organisation=association,
        title="Pave the Anulia market road",
        category="roads",
        households_affected=45,
    )
    endorse_many(actor=None, demand=demand, members=[*women, world["men"][0]], channel=Channel.WEB)
    testing.log_in(page, live_server, "nasrin")

    # The authority and its chairman, through the pages.
    testing.visit(page, f"{live_server.url}/voice/authorities/")
    testing.follow(page, "main a[href$='/voice/authorities/add/']")
    page.select_option("#id_kind", "union_parishad")
    page.fill("#id_name_en", "Anulia Union Parishad")
    page.fill("#id_code", "UP-ANULIA")
    page.select_option("#id_area", str(association.area.pk))
    testing.follow(page, "main form [type=submit]")
    assert "Anulia Union Parishad added." in main_text(page), errors(page)
    page.fill("#id_post", "Chairman")
    page.fill("#id_name", "Abdul Hamid")
    testing.follow(page, "main form [name=add_official]")
    assert "Official added." in main_text(page), errors(page)
    assert "Abdul Hamid" in page.locator("main table").inner_text()

    testing.visit(page, f"{live_server.url}/voice/charters/")
    testing.follow(page, "main a[href$='/voice/charters/new/']")
    page.select_option("#id_organisation", str(association.pk))
    testing.follow(page, "main form[method=get] [type=submit]")
    page.select_option("#id_authority", label="Anulia Union Parishad")
    page.select_option("#id_official", label="Abdul Hamid, Chairman")
    page.fill("#id_subject", "Demands of the Anulia farmers for 2026")
    page.select_option("#id_language", "en")
    page.fill(f"#id_priority_{demand.pk}", "1")
    testing.follow(page, "main form[method=post] [type=submit]")

    charter = Charter.objects.filter(subject="Demands of the Anulia farmers for 2026").first()
    assert charter is not None, f"the charter was not prepared ({page.url}): {errors(page)}"
    assert "Charter prepared." in main_text(page)
    assert "Pave the Anulia market road" in page.locator("#charter-demands").inner_text()
    totals = facts(page, "main section.card:has-text('Members who endorsed')")
    assert totals["Members who endorsed"] == "4"
    assert (totals["Women"], totals["Households affected"]) == ("3", "45")

    # The letter to print is a PDF.
    letter = page.locator("main a[href$='/letter.pdf']").get_attribute("href")
    response = page.request.get(f"{live_server.url}{letter}")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    form = page.locator("main form:has([name=submit])")
    form.locator("select[name=method]").select_option("letter")
    assert form.locator("select[name=official]").input_value() == str(charter.official_id)
    testing.follow(page, "main form [name=submit]")
    assert "Submission recorded." in main_text(page), errors(page)
    assert "submitted" in page.locator("main h1").inner_text()
    assert "Abdul Hamid" in facts(page, "main section.card:has-text('Received by')")["Received by"]

    testing.follow(page, "#charter-demands a:has-text('Record the response')")
    assert page.locator("input[name=kind][value=committed]").is_checked()
    page.select_option("#id_official", label="Abdul Hamid, Chairman")
    page.fill("#id_what", "Pave 2 km of the market road with bricks")
    due = datetime.date.today() + datetime.timedelta(days=120)
    page.fill("#id_due_on", due.isoformat())
    page.fill("#id_budget", "1,50,000")
    page.fill("#id_responsible", "Ward 4 member")
    testing.follow(page, "main form [type=submit]")
    assert "Response recorded." in main_text(page), errors(page)
    line = page.locator("#charter-demands tbody tr", has_text="Pave the Anulia market road")
    assert "Pave 2 km of the market road with bricks" in line.inner_text()
    assert due.isoformat() in line.inner_text()

    commitment = Commitment.objects.get(charter=charter)
    assert commitment.budget_poisha == 150_000_00
    testing.visit(page, f"{live_server.url}/voice/commitments/")
    assert facts(page, "main section.card")["Made"] == "1"
    row = page.locator("main table tbody tr", has_text="Pave 2 km of the market road")
    assert "Anulia Union Parishad" in row.inner_text()
    assert due.isoformat() in row.inner_text()
    assert row.locator(f"a[href$='/voice/commitments/{commitment.pk}/']").count() == 1


def test_voice_pages_fit_a_phone_screen(phone_page, live_server, world):
    """Leaders use cheap Android phones: no page may scroll sideways at 360 px (tables scroll inside)."""
    page = phone_page
    demand = raise_demand(
        actor=None,
        organisation=world["group"],
        title="Re-excavate the Kholpetua canal so that the boro crop gets water in February",
        category="irrigation",
    )
    endorse_many(actor=None, demand=demand, members=world["women"], channel=Channel.WEB)
    testing.log_in(page, live_server, "nasrin")
    too_wide = []
    for path in ["/voice/demands/", f"/voice/demands/{demand.pk}/", "/voice/polls/add/"]:
        testing.visit(page, f"{live_server.url}{path}")
        page.evaluate("document.fonts.ready")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > testing.PHONE_WIDTH:
            too_wide.append(f"{path} is {width}px wide")

    assert not too_wide, ", ".join(too_wide)
