"""The treasurer's savings pages: who may open them, recording a meeting through the form (refused
rows, the check without saving, a double submit), the share-out, a loan written off, a member paid
out, and the queries the busy pages make."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samiti.finance import testing as finance_testing
from samiti.finance.models import Cycle, Loan, SavingsMeeting, Transaction, TransactionKind
from samiti.finance.queries import balances
from samiti.finance.services.savings import MemberLine, group_books
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
D = datetime.date
FIRST = D(2026, 1, 12)  # the first meeting, a week after the cycle starts (testing.START)


@pytest.fixture
def world(client):
    """A group of 4 with a running cycle (share ৳50, social fund ৳10) and one meeting held, where
    member 1 borrowed ৳300; the group's facilitator is logged in."""
    association = testing.organisation("association", testing.organisation("federation"))
    group = testing.organisation("group", association, name_en="Padma Savings Group")
    members = finance_testing.members(group, 4)
    cycle = finance_testing.cycle(group)
    first = finance_testing.meeting(
        cycle,
        FIRST,
        [MemberLine(m.pk, shares=4, social_fund=1000) for m in members],
    )
    second = finance_testing.meeting(
        cycle,
        FIRST + datetime.timedelta(days=7),
        [MemberLine(members[0].pk, shares=1, social_fund=1000, loan=30000, loan_months=2)]
        + [MemberLine(m.pk, shares=1, social_fund=1000) for m in members[1:]],
    )
    editor = testing.staff(Role.FACILITATOR, organisation=association)
    client.force_login(editor)
    loan = Loan.objects.get(member=members[0])
    return {
        "association": association,
        "group": group,
        "members": members,
        "cycle": cycle,
        "meetings": [first, second],
        "loan": loan,
        "editor": editor,
    }


def pages(world) -> dict[str, str]:
    cycle, group = world["cycle"], world["group"]
    return {
        "home": reverse("finance:home"),
        "group": reverse("finance:group", args=[group.pk]),
        "meeting_record": reverse("finance:meeting_record", args=[cycle.pk]),
        "meeting_detail": reverse("finance:meeting_detail", args=[world["meetings"][1].pk]),
        "loan_write_off": reverse("finance:loan_write_off", args=[world["loan"].pk]),
        "share_out": reverse("finance:share_out", args=[cycle.pk]),
        "share_out_sheet": reverse("finance:share_out_sheet", args=[cycle.pk]),
        "payout": reverse("finance:payout", args=[cycle.pk]),
    }


WRITING = ["meeting_record", "loan_write_off", "share_out", "payout"]


def meeting_data(world, rows: dict[int, dict], held_on: D, **fields) -> dict[str, str]:
    """The form as a browser without JavaScript posts it: every member present unless told."""
    data = {"held_on": held_on.isoformat(), "client_id": str(uuid.uuid4()), **fields}
    for number, member in enumerate(world["members"]):
        values = {"present": True, "social_fund": "10", **rows.get(number, {})}
        if values.pop("present"):
            data[f"m{member.pk}-present"] = "1"
        data |= {f"m{member.pk}-{name}": str(value) for name, value in values.items()}
    return data


# ----- who may open what -----------------------------------------------------------------------


def test_every_savings_page_opens_for_the_groups_facilitator(client, world):
    for name, url in pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, name
    page = client.get(pages(world)["group"]).content.decode()
    assert "Padma Savings Group" in page
    assert "Record a meeting" in page and "Pay out a leaving member" in page


def test_the_finance_home_lists_the_groups_running_cycle_and_links_to_the_associations_books(client, world):
    page = client.get(reverse("finance:home")).content.decode()
    assert reverse("finance:group", args=[world["group"].pk]) in page
    assert reverse("finance:books", args=[world["association"].pk]) in page
    # Cycle 1: 5 shares of ৳50 from each of 4 members (৳1,000 saved), ৳300 of it lent out.
    row = page[page.index("Padma Savings Group") :]
    assert "৳700" in row and "৳1,000" in row and "৳300" in row


def test_the_start_of_a_cycle_is_offered_when_none_runs(client, world):
    group = testing.organisation("group", world["association"])
    page = client.get(reverse("finance:group", args=[group.pk])).content.decode()
    assert "No savings cycle is running" in page
    assert reverse("finance:cycle_start", args=[group.pk]) in page
    assert client.get(reverse("finance:cycle_start", args=[group.pk])).status_code == 200


def test_another_associations_staff_are_told_the_pages_do_not_exist(client, world):
    other = testing.organisation("association", testing.organisation("federation"))
    client.force_login(testing.staff(Role.ASSOCIATION_LEADER, organisation=other))
    for name, url in pages(world).items():
        if name == "home":
            continue
        assert client.get(url).status_code == 404, name
    assert client.get(reverse("finance:cycle_start", args=[world["group"].pk])).status_code == 404
    assert "Padma Savings Group" not in client.get(reverse("finance:home")).content.decode()


def test_a_viewer_reads_the_books_but_the_writing_pages_do_not_exist_for_them(client, world):
    client.force_login(testing.staff(Role.VIEWER, organisation=world["association"]))
    urls = pages(world)
    for name in WRITING:
        assert client.get(urls[name]).status_code == 404, name
        assert client.post(urls[name], {}).status_code == 404, name
    assert client.get(reverse("finance:cycle_start", args=[world["group"].pk])).status_code == 404
    for name in ("home", "group", "meeting_detail", "share_out_sheet"):
        assert client.get(urls[name]).status_code == 200, name
    assert "Record a meeting" not in client.get(urls["group"]).content.decode()


# ----- starting a cycle ------------------------------------------------------------------------


def test_a_cycle_is_started_from_the_constitution_in_taka(client, world):
    group = testing.organisation("group", world["association"])
    response = client.post(
        reverse("finance:cycle_start", args=[group.pk]),
        {
            "share_price": "১০০",  # Bengali digits
            "max_shares_per_meeting": "5",
            "social_fund_per_meeting": "20.50",
            "service_charge_percent": "5",
            "service_charge_method": "declining",
            "loan_multiple": "3",
            "max_loan_months": "3",
            "fine_absent": "10",
            "fine_late": "",
            "meeting_frequency": "weekly",
            "starts_on": "2026-02-01",
            "planned_end_on": "2027-01-31",
        },
    )
    assert response.status_code == 302
    cycle = Cycle.objects.get(group=group)
    assert (cycle.share_price, cycle.social_fund_per_meeting, cycle.fine_absent, cycle.fine_late) == (
        10000,
        2050,
        1000,
        0,
    )
    assert cycle.service_charge_method == "declining" and not cycle.share_social_fund


def test_a_cycle_that_ends_before_it_starts_is_refused_on_the_form(client, world):
    group = testing.organisation("group", world["association"])
    response = client.post(
        reverse("finance:cycle_start", args=[group.pk]),
        {
            "share_price": "100",
            "max_shares_per_meeting": "5",
            "service_charge_percent": "5",
            "service_charge_method": "flat",
            "loan_multiple": "3",
            "max_loan_months": "3",
            "meeting_frequency": "weekly",
            "starts_on": "2026-02-01",
            "planned_end_on": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert not Cycle.objects.filter(group=group).exists()


# ----- recording a meeting ---------------------------------------------------------------------


def test_the_record_page_shows_each_members_loan_and_the_balances_before(client, world):
    response = client.get(pages(world)["meeting_record"])
    page = response.content.decode()
    borrower = world["members"][0]
    assert f'name="m{borrower.pk}-repayment"' in page  # only a member who owes is asked to repay
    assert f'name="m{world["members"][1].pk}-repayment"' not in page
    assert "owes ৳300" in page
    books = group_books(world["cycle"], D.today())
    assert f'data-loan-fund="{books.loan_fund}"' in page
    assert f'data-social-fund="{books.social_fund}"' in page
    assert f'name="m{borrower.pk}-social_fund" value="10"' in page  # the constitution's amount


def test_the_record_page_speaks_bengali_digits_to_a_bengali_reader(client, world):
    world["editor"].language = "bn"
    world["editor"].save(update_fields=["language"])
    page = client.get(pages(world)["meeting_record"]).content.decode()
    assert 'lang="bn"' in page and 'data-bengali="1"' in page  # meeting.js writes totals in Bengali too
    assert "৳৩০০" in page  # what the borrower owes


def test_a_meeting_recorded_through_the_form_posts_every_row_and_closes(client, world):
    cycle, members = world["cycle"], world["members"]
    held_on = FIRST + datetime.timedelta(days=14)
    before = group_books(cycle, held_on)
    rows = {
        0: {"shares": "2", "repayment": "১০০", "service_charge": "15"},
        1: {"shares": "3", "fine": "5"},
        2: {"present": False, "social_fund": ""},
        3: {"shares": "1", "loan": "100", "loan_months": "1", "loan_purpose": "seed"},
    }
    expected_loan_fund = before.loan_fund + 6 * 5000 + 10000 + 1500 + 500 - 10000
    expected_social = before.social_fund + 3 * 1000
    data = meeting_data(
        world,
        rows,
        held_on,
        counted_loan_fund=str(expected_loan_fund / 100),
        counted_social_fund=str(expected_social // 100),
        save="1",
    )
    response = client.post(pages(world)["meeting_record"], data)
    assert response.status_code == 302, response.content.decode()
    meeting = SavingsMeeting.objects.get(cycle=cycle, number=3)
    assert response["Location"] == reverse("finance:meeting_detail", args=[meeting.pk])
    assert (meeting.members_present, meeting.members_expected) == (3, 4)
    assert meeting.counted_loan_fund == expected_loan_fund
    books = balances(world["group"])
    assert books["loan_fund"] == expected_loan_fund and books["social_fund"] == expected_social
    assert Loan.objects.get(member=members[3]).purpose == "seed"

    detail = client.get(response["Location"]).content.decode()
    assert "locked" in detail
    assert "৳100" in detail and "৳15" in detail and "seed" in detail


def test_a_refused_row_is_named_and_everything_typed_is_kept(client, world):
    member = world["members"][2]
    held_on = FIRST + datetime.timedelta(days=14)
    data = meeting_data(
        world,
        {1: {"shares": "2"}, 2: {"shares": "1", "loan": "5000", "loan_months": "2", "loan_purpose": "a cow"}},
        held_on,
        counted_loan_fund="1",
        counted_social_fund="1",
        save="1",
    )
    response = client.post(pages(world)["meeting_record"], data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Row 3, member {member.code}: may borrow at most" in page
    assert 'id="row-3"' in page and "mrow has-error" in page
    assert f'name="m{member.pk}-loan" value="5000"' in page
    assert f'name="m{member.pk}-loan_purpose" value="a cow"' in page
    assert f'name="m{world["members"][1].pk}-shares" value="2"' in page
    assert f'value="{data["client_id"]}"' in page  # a retry is the same meeting
    assert SavingsMeeting.objects.filter(cycle=world["cycle"]).count() == 2


def test_a_cell_that_is_not_an_amount_is_refused_on_its_row(client, world):
    member = world["members"][1]
    data = meeting_data(world, {1: {"fine": "ten"}}, FIRST + datetime.timedelta(days=14), save="1")
    response = client.post(pages(world)["meeting_record"], data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not an amount of taka" in page
    assert f'<a href="#row-2">row 2, member {member.code}</a>' in page  # above the form, a link to the row
    assert f'name="m{member.pk}-fine" value="ten"' in page


def test_check_shows_what_the_box_should_hold_and_saves_nothing(client, world):
    held_on = FIRST + datetime.timedelta(days=14)
    before = group_books(world["cycle"], held_on)
    data = meeting_data(
        world, {0: {"shares": "1"}, 1: {"shares": "2"}}, held_on, check="1", counted_loan_fund="1"
    )
    response = client.post(pages(world)["meeting_record"], data)
    assert response.status_code == 200
    page = response.content.decode()
    loan_fund = before.loan_fund + 3 * 5000
    assert "Checked: nothing is saved yet" in page
    assert f'id="check-loan_fund">৳{loan_fund // 100:,}<' in page
    assert f'id="check-social_fund">৳{(before.social_fund + 4000) // 100:,}<' in page
    assert "the count differs by" in page
    assert SavingsMeeting.objects.filter(cycle=world["cycle"]).count() == 2


def test_saving_without_counting_the_box_asks_for_the_count(client, world):
    data = meeting_data(world, {}, FIRST + datetime.timedelta(days=14), save="1")
    response = client.post(pages(world)["meeting_record"], data)
    assert response.status_code == 400
    assert "Count the cash in the bag" in response.content.decode()


def test_a_cash_count_that_differs_from_the_books_is_refused_above_the_form(client, world):
    data = meeting_data(
        world,
        {},
        FIRST + datetime.timedelta(days=14),
        counted_loan_fund="1",
        counted_social_fund="1",
        save="1",
    )
    response = client.post(pages(world)["meeting_record"], data)
    assert response.status_code == 400
    assert "The cash in the box does not match the books" in response.content.decode()


def test_a_meeting_submitted_twice_is_recorded_once(client, world):
    held_on = FIRST + datetime.timedelta(days=14)
    before = group_books(world["cycle"], held_on)
    data = meeting_data(
        world,
        {},
        held_on,
        counted_loan_fund=str(before.loan_fund // 100),
        counted_social_fund=str((before.social_fund + 4000) // 100),
        save="1",
    )
    first = client.post(pages(world)["meeting_record"], data)
    again = client.post(pages(world)["meeting_record"], data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert SavingsMeeting.objects.filter(cycle=world["cycle"]).count() == 3
    assert balances(world["group"])["social_fund"] == before.social_fund + 4000


def test_a_correction_reverses_an_entry_of_the_last_meeting(client, world):
    held_on = FIRST + datetime.timedelta(days=14)
    fines = finance_testing.meeting(world["cycle"], held_on, [MemberLine(world["members"][1].pk, fine=700)])
    wrong = Transaction.objects.get(meeting=fines.meeting, kind=TransactionKind.FINE)
    page = client.get(pages(world)["meeting_record"]).content.decode()
    assert f'name="corrections" value="{wrong.pk}" data-loan-fund="-700"' in page
    before = group_books(world["cycle"], held_on)
    data = meeting_data(
        world,
        {i: {"social_fund": ""} for i in range(4)},
        held_on + datetime.timedelta(days=7),
        corrections=str(wrong.pk),
        counted_loan_fund=str((before.loan_fund - 700) / 100),
        counted_social_fund=str(before.social_fund // 100),
        save="1",
    )
    response = client.post(pages(world)["meeting_record"], data)
    assert response.status_code == 302, response.content.decode()
    assert Transaction.objects.filter(reverses=wrong).exists()
    detail = client.get(reverse("finance:meeting_detail", args=[fines.pk])).content.decode()
    assert "Reversed later" in detail and response["Location"] in detail


# ----- loans, share-out, payout ----------------------------------------------------------------


def test_a_loan_is_written_off_with_its_reason(client, world):
    loan = world["loan"]
    url = pages(world)["loan_write_off"]
    assert client.post(url, {"on": "2026-03-01", "reason": ""}).status_code == 400
    response = client.post(url, {"on": "2026-03-01", "reason": "Moved to Dhaka"})
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.WRITTEN_OFF
    assert balances(world["group"])["loan_write_offs"] == 30000


def test_the_share_out_waits_for_open_loans_and_lists_them(client, world):
    page = client.get(pages(world)["share_out"]).content.decode()
    assert "waits until every loan is repaid or written off" in page
    assert world["members"][0].code in page
    assert 'id="share-out-form"' not in page


def test_the_share_out_is_confirmed_and_its_sheet_adds_up_to_the_fund(client, world):
    cycle = world["cycle"]
    client.post(pages(world)["loan_write_off"], {"on": "2026-03-01", "reason": "Moved away"})
    page = client.get(pages(world)["share_out"]).content.decode()
    assert 'id="share-out-form"' in page
    response = client.post(pages(world)["share_out"], {"on": "2026-03-02", "client_id": str(uuid.uuid4())})
    assert response.status_code == 302
    assert response["Location"] == pages(world)["share_out_sheet"]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.SHARED_OUT
    sheet = client.get(response["Location"])
    assert (
        sheet.context["sheet"].total_payout + sheet.context["sheet"].remainder == sheet.context["sheet"].fund
    )
    text = sheet.content.decode()
    assert "Shared out on 2026-03-02" in text and "stays with the group" in text and "Cashier" in text
    # A second click of the button shows the sheet; nothing is paid twice.
    again = client.post(pages(world)["share_out"], {"on": "2026-03-02", "client_id": str(uuid.uuid4())})
    assert again.status_code == 302
    assert Transaction.objects.filter(cycle=cycle, kind=TransactionKind.SHARE_OUT).count() == 1
    group_page = client.get(pages(world)["group"]).content.decode()
    assert "Earlier cycles" in group_page and pages(world)["share_out_sheet"] in group_page


def test_a_leaving_member_is_previewed_then_paid_out(client, world):
    member = world["members"][2]
    url = pages(world)["payout"]
    preview = client.post(url, {"member": member.pk, "on": "2026-03-01", "preview": "1"})
    assert preview.status_code == 200
    shown = preview.context["preview"]["payout"]
    assert shown >= 25000  # five shares of ৳50, and their part of nothing earned yet
    assert not Transaction.objects.filter(kind=TransactionKind.PAYOUT).exists()
    response = client.post(url, {"member": member.pk, "on": "2026-03-01", "confirm": "1"})
    assert response.status_code == 302
    paid = Transaction.objects.get(kind=TransactionKind.PAYOUT)
    assert -sum(p.amount for p in paid.postings.all() if p.amount < 0) == shown
    assert group_books(world["cycle"], D(2026, 3, 1)).savings.get(member.pk, 0) == 0


def test_a_borrower_is_not_paid_out_and_the_form_says_why(client, world):
    response = client.post(
        pages(world)["payout"], {"member": world["members"][0].pk, "on": "2026-03-01", "preview": "1"}
    )
    assert response.status_code == 400
    assert "still owes on a loan" in response.content.decode()


# ----- queries ----------------------------------------------------------------------------------


def test_the_finance_home_reads_a_page_of_groups_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for _ in range(12):
        group = testing.organisation("group", world["association"])
        cycle = finance_testing.cycle(group)
        member = testing.member(group)
        finance_testing.meeting(cycle, FIRST, [MemberLine(member.pk, shares=2)])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("finance:home"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") >= 14


def test_the_record_page_makes_as_many_queries_for_25_members_as_for_4(client, world):
    url = pages(world)["meeting_record"]
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    finance_testing.members(world["group"], 21)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('class="mrow') == 25
    assert len(many) == len(few) <= 20
