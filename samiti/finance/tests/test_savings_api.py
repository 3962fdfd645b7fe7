"""The savings-group API: cycles, books, meetings recorded once, loans, write-offs and share-out,
scoped so that another association's records answer 404."""

import datetime
import uuid

import pytest
from django.test import Client

from samiti.finance import testing as finance
from samiti.finance.models import Cycle, Loan, Posting, SavingsMeeting, Transaction
from samiti.finance.services.savings import MemberLine
from samiti.registry import testing
from samiti.registry.models import Role
from samiti.registry.services import issue_api_token

pytestmark = pytest.mark.django_db

START = finance.START
WEEK = datetime.timedelta(days=7)


def bearer(user) -> dict[str, str]:
    _token, key = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def leader_of(group, role: str = Role.ASSOCIATION_LEADER):
    return testing.staff(role, organisation=group.parent)


@pytest.fixture
def world():
    """A group of four members with a running cycle (share Tk 50, social fund Tk 10), its
    association's leader with a token, and another association's group with its own cycle."""
    group = testing.group()
    members = finance.members(group, 4)
    cycle = finance.cycle(group)
    leader = leader_of(group)
    elsewhere = finance.cycle(testing.group())
    return {
        "group": group,
        "members": members,
        "cycle": cycle,
        "leader": leader,
        "client": Client(headers=bearer(leader)),
        "elsewhere": elsewhere,
    }


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def savings_week(world, held_on=START, shares=2):
    """A meeting where every member buys `shares` and pays the social fund."""
    return finance.meeting(
        world["cycle"],
        held_on,
        [MemberLine(member=m.pk, shares=shares, social_fund=1000) for m in world["members"]],
    )


def meeting_body(world, rows, held_on, **extra):
    """A meeting's body, counted as the books expect (asked of the API's own check)."""
    body = {"client_id": str(uuid.uuid4()), "held_on": held_on.isoformat(), "rows": rows, **extra}
    check = post(world["client"], f"/api/finance/cycles/{world['cycle'].pk}/meetings/check", body)
    assert check.status_code == 200, check.content
    expected = check.json()
    body.setdefault("counted_loan_fund", expected["loan_fund"])
    body.setdefault("counted_social_fund", expected["social_fund"])
    return body


# ----- tokens and scope --------------------------------------------------------------------------


def test_every_savings_endpoint_needs_a_token(world):
    anonymous = Client()
    cycle = world["cycle"].pk
    for url in ("/api/finance/cycles", f"/api/finance/cycles/{cycle}", "/api/finance/loans"):
        response = anonymous.get(url)
        assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert post(anonymous, f"/api/finance/cycles/{cycle}/meetings", {}).status_code == 401


def test_another_associations_cycle_meeting_and_loan_answer_404(world):
    client, other = world["client"], world["elsewhere"]
    stranger = testing.member(other.group)
    made = finance.meeting(other, START, [MemberLine(member=stranger.pk, shares=5, social_fund=1000)])
    loaned = finance.meeting(
        other, START + WEEK, [MemberLine(member=stranger.pk, loan=10_000, loan_months=1)]
    )
    loan = Loan.objects.get(meeting=loaned)
    for url in (
        f"/api/finance/cycles/{other.pk}",
        f"/api/finance/cycles/{other.pk}/books",
        f"/api/finance/cycles/{other.pk}/meetings",
        f"/api/finance/cycles/{other.pk}/share-out",
        f"/api/finance/meetings/{made.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"code": "not_found", "field": None, "message": "Not found."}
    body = {"client_id": str(uuid.uuid4()), "held_on": "2026-02-01", "rows": []}
    for url, data in (
        (
            f"/api/finance/cycles/{other.pk}/meetings",
            {**body, "counted_loan_fund": 0, "counted_social_fund": 0},
        ),
        (f"/api/finance/cycles/{other.pk}/meetings/check", body),
        (f"/api/finance/cycles/{other.pk}/share-out", {"on": "2026-03-01"}),
        (f"/api/finance/cycles/{other.pk}/payouts", {"member": stranger.pk, "on": "2026-03-01"}),
        (f"/api/finance/loans/{loan.pk}/write-off", {"on": "2026-03-01", "reason": "left"}),
        (
            f"/api/finance/groups/{other.group_id}/cycles",
            {"share_price": 2000, "starts_on": "2027-01-01", "planned_end_on": "2027-12-01"},
        ),
    ):
        assert post(client, url, data).status_code == 404, url
    assert [c["id"] for c in client.get("/api/finance/cycles").json()["items"]] == [world["cycle"].pk]
    assert client.get("/api/finance/loans").json()["items"] == []
    assert SavingsMeeting.objects.filter(cycle=other).count() == 2 and Loan.objects.get(
        pk=loan.pk
    ).is_overdue(datetime.date(2026, 11, 1))


def test_a_viewer_reads_the_books_but_may_not_record_a_meeting(world):
    viewer = testing.staff(Role.VIEWER, organisation=world["group"].parent)
    client = Client(headers=bearer(viewer))
    cycle = world["cycle"].pk
    assert client.get(f"/api/finance/cycles/{cycle}/books").status_code == 200
    body = {
        "client_id": str(uuid.uuid4()),
        "held_on": START.isoformat(),
        "rows": [],
        "counted_loan_fund": 0,
        "counted_social_fund": 0,
    }
    refused = post(client, f"/api/finance/cycles/{cycle}/meetings", body)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert not SavingsMeeting.objects.exists()


# ----- cycles ------------------------------------------------------------------------------------


def test_a_leader_starts_a_cycle_with_its_constitution_and_finds_it_by_group():
    group = testing.group()
    client = Client(headers=bearer(leader_of(group)))
    made = post(
        client,
        f"/api/finance/groups/{group.pk}/cycles",
        {
            "share_price": 2000,
            "starts_on": "2026-01-05",
            "planned_end_on": "2026-12-28",
            "service_charge_method": "declining",
            "service_charge_percent": "10",
            "share_social_fund": True,
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["number"], body["status"], body["share_price"], body["max_shares_per_meeting"]) == (
        1,
        "open",
        2000,
        5,
    )
    assert (body["service_charge_method"], body["service_charge_percent"], body["share_social_fund"]) == (
        "declining",
        "10.00",
        True,
    )
    assert (body["loan_multiple"], body["max_loan_months"], body["meetings_held"]) == (3, 3, 0)
    again = post(
        client,
        f"/api/finance/groups/{group.pk}/cycles",
        {"share_price": 2000, "starts_on": "2026-02-01", "planned_end_on": "2026-12-28"},
    )
    assert again.status_code == 400 and "still running" in again.json()["message"]
    bad = post(
        client,
        f"/api/finance/groups/{group.parent_id}/cycles",
        {"share_price": 2000, "starts_on": "2026-02-01", "planned_end_on": "2026-12-28"},
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "group")
    listed = client.get("/api/finance/cycles", {"group": group.pk}).json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    assert client.get("/api/finance/cycles", {"status": "shared_out"}).json()["items"] == []
    read = client.get(f"/api/finance/cycles/{body['id']}").json()
    assert read["group"] == group.pk and read["planned_end_on"] == "2026-12-28"


def test_listing_cycles_and_loans_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for _n in range(3):
        group = testing.group(world["group"].parent)
        member = testing.member(group)
        cycle = finance.cycle(group)
        finance.meeting(cycle, START, [MemberLine(member=member.pk, shares=5)])
        finance.meeting(cycle, START + WEEK, [MemberLine(member=member.pk, loan=5000, loan_months=1)])
    client = world["client"]
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/finance/cycles").json()["items"]) == 4
    with django_assert_max_num_queries(8):
        loans = client.get("/api/finance/loans").json()["items"]
    assert len(loans) == 3 and all(loan["owed"] == 5000 for loan in loans)
    with django_assert_max_num_queries(8):
        meetings = client.get(f"/api/finance/cycles/{cycle.pk}/meetings").json()["items"]
    assert [m["number"] for m in meetings] == [2, 1]
    assert len(client.get("/api/finance/loans", {"group": group.pk}).json()["items"]) == 1
    assert client.get("/api/finance/loans", {"member": member.pk}).json()["items"][0]["code"] == member.code


# ----- books and meetings ------------------------------------------------------------------------


def test_the_books_show_both_funds_and_each_members_savings_shares_loan_and_charge_due(world):
    savings_week(world)
    first, second = world["members"][:2]
    finance.meeting(world["cycle"], START + WEEK, [MemberLine(member=first.pk, loan=20_000, loan_months=2)])
    books = world["client"].get(
        f"/api/finance/cycles/{world['cycle'].pk}/books", {"on": (START + 2 * WEEK).isoformat()}
    )
    assert books.status_code == 200
    body = books.json()
    assert (body["loan_fund"], body["social_fund"]) == (4 * 10_000 - 20_000, 4 * 1000)
    rows = {row["member"]: row for row in body["members"]}
    assert len(rows) == 4
    loan = Loan.objects.get(member=first)
    assert rows[first.pk] == {
        "member": first.pk,
        "code": first.code,
        "name": str(first),
        "savings": 10_000,
        "shares": 2,
        "owed": 20_000,
        "service_charge_due": 1000,  # 5 % of Tk 200 for the first month
        "loan": loan.pk,
    }
    assert (rows[second.pk]["owed"], rows[second.pk]["loan"], rows[second.pk]["shares"]) == (0, None, 2)


def test_a_meeting_is_checked_then_recorded_and_read_back_row_by_row_from_the_ledger(world):
    savings_week(world)
    a, b, c, d = world["members"]
    rows = [
        {
            "member": a.code.lower(),
            "shares": 1,
            "social_fund": 1000,
            "loan": 15_000,
            "loan_months": 3,
            "loan_purpose": "seed",
        },
        {"member": b.pk, "share_cash": 10_000, "social_fund": 1000, "fine": 500},
        {"member": c.pk, "present": False, "grant": 2000},
        {"member": d.pk, "shares": 3, "social_fund": 1000},
    ]
    held_on = START + WEEK
    check = post(
        world["client"],
        f"/api/finance/cycles/{world['cycle'].pk}/meetings/check",
        {"held_on": held_on.isoformat(), "rows": rows, "counted_loan_fund": 1, "counted_social_fund": 0},
    ).json()
    loan_fund = 40_000 + (1 + 2 + 3) * 5000 + 500 - 15_000
    social_fund = 4000 + 3000 - 2000
    assert check == {
        "loan_fund": loan_fund,
        "social_fund": social_fund,
        "counted_loan_fund": 1,
        "counted_social_fund": 0,
        "balanced": False,
        "present": 3,
    }
    assert SavingsMeeting.objects.count() == 1  # the check wrote nothing
    body = meeting_body(world, rows, held_on)
    made = post(world["client"], f"/api/finance/cycles/{world['cycle'].pk}/meetings", body)
    assert made.status_code == 201, made.content
    meeting = made.json()
    assert (meeting["number"], meeting["members_present"], meeting["members_expected"]) == (2, 3, 4)
    assert (meeting["counted_loan_fund"], meeting["counted_social_fund"]) == (loan_fund, social_fund)
    read = world["client"].get(f"/api/finance/meetings/{meeting['id']}").json()
    assert read == meeting
    by_member = {row["member"]: row for row in read["rows"]}
    assert by_member[a.pk] | {"member": 0} == {
        "member": 0,
        "code": a.code,
        "present": True,
        "shares": 1,
        "social_fund": 1000,
        "repayment": 0,
        "service_charge": 0,
        "fine": 0,
        "loan": 15_000,
        "loan_months": 3,
        "loan_purpose": "seed",
        "grant": 0,
    }
    assert (by_member[b.pk]["shares"], by_member[b.pk]["fine"]) == (2, 500)
    assert (by_member[c.pk]["present"], by_member[c.pk]["grant"]) == (False, 2000)
    assert sorted(read["transactions"]) == sorted(
        Transaction.objects.filter(meeting_id=meeting["meeting"]).values_list("pk", flat=True)
    )
    listed = world["client"].get(f"/api/finance/cycles/{world['cycle'].pk}/meetings").json()["items"]
    assert [m["number"] for m in listed] == [2, 1]


def test_a_retried_meeting_client_id_is_recorded_once_and_answers_the_same_meeting(world):
    body = meeting_body(
        world, [{"member": m.pk, "shares": 2, "social_fund": 1000} for m in world["members"]], START
    )
    url = f"/api/finance/cycles/{world['cycle'].pk}/meetings"
    first = post(world["client"], url, body)
    assert first.status_code == 201, first.content
    postings = Posting.objects.count()
    again = post(world["client"], url, body)
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert SavingsMeeting.objects.filter(cycle=world["cycle"]).count() == 1
    assert Posting.objects.count() == postings
    elsewhere = post(world["client"], url, {**body, "held_on": (START + WEEK).isoformat()})
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (400, "client_id")


def test_a_meeting_needs_its_client_id(world):
    response = post(
        world["client"],
        f"/api/finance/cycles/{world['cycle'].pk}/meetings",
        {"held_on": START.isoformat(), "rows": [], "counted_loan_fund": 0, "counted_social_fund": 0},
    )
    assert (response.status_code, response.json()["field"]) == (422, "client_id")


def test_a_cash_mismatch_answers_400_with_its_code_and_records_nothing(world):
    body = meeting_body(
        world, [{"member": m.pk, "shares": 1, "social_fund": 1000} for m in world["members"]], START
    )
    body["counted_loan_fund"] -= 500
    response = post(world["client"], f"/api/finance/cycles/{world['cycle'].pk}/meetings", body)
    assert response.status_code == 400
    error = response.json()
    assert (error["code"], error["field"]) == ("cash_mismatch", "counted_loan_fund")
    assert "does not match" in error["message"]
    assert not SavingsMeeting.objects.exists() and not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("row", "field", "problem"),
    [
        ({"shares": 6}, "shares", "at most 5 shares"),
        ({"share_cash": 7500}, "share_cash", "does not buy whole shares"),
        ({"loan": 45_001, "loan_months": 1}, "loan", "may borrow at most"),
        ({"loan": 10_000, "loan_months": 4}, "loan_months", "1 to 3 months"),
        ({"repayment": 100}, "repayment", "owes"),
    ],
)
def test_a_row_that_breaks_a_rule_is_refused_naming_the_row_and_nothing_is_written(
    world, row, field, problem
):
    savings_week(world)
    rows = [{"member": m.pk, "shares": 1} for m in world["members"][:2]]
    rows[1] |= row
    body = {
        "client_id": str(uuid.uuid4()),
        "held_on": (START + WEEK).isoformat(),
        "rows": rows,
        "counted_loan_fund": 0,
        "counted_social_fund": 0,
    }
    before = Posting.objects.count()
    for url in ("meetings/check", "meetings"):
        response = post(world["client"], f"/api/finance/cycles/{world['cycle'].pk}/{url}", body)
        assert response.status_code == 400, response.content
        error = response.json()
        assert error["field"] == field
        assert error["message"].startswith(f"Row 2, member {world['members'][1].code}:")
        assert problem in error["message"]
    assert Posting.objects.count() == before and SavingsMeeting.objects.count() == 1


def test_an_unknown_member_number_and_a_loan_fund_too_small_are_refused(world):
    url = f"/api/finance/cycles/{world['cycle'].pk}/meetings/check"
    a = world["members"][0]
    stranger = testing.member(world["elsewhere"].group)
    unknown = post(
        world["client"],
        url,
        {"held_on": START.isoformat(), "rows": [{"member": a.pk}, {"member": "NOBODY-1"}]},
    ).json()
    assert unknown["field"] == "member" and unknown["message"].startswith("Row 2:")
    outsider = post(
        world["client"], url, {"held_on": START.isoformat(), "rows": [{"member": stranger.pk}]}
    ).json()
    assert outsider["field"] == "member" and outsider["message"].startswith("Row 1:")
    savings_week(world, shares=1)
    a, b = world["members"][:2]
    rows = [
        {"member": a.pk, "loan": 15_000, "loan_months": 1},
        {"member": b.pk, "loan": 15_000, "loan_months": 1},
    ]
    too_much = post(world["client"], url, {"held_on": (START + WEEK).isoformat(), "rows": rows}).json()
    assert (too_much["code"], too_much["field"]) == ("loan_fund_too_small", "loan")


def test_a_meeting_reverses_an_earlier_transaction_named_in_its_corrections(world):
    a = world["members"][0]
    finance.meeting(world["cycle"], START, [MemberLine(member=a.pk, shares=1, fine=500)])
    fine = Transaction.objects.get(kind="fine")
    stranger = testing.member(world["elsewhere"].group)
    finance.meeting(world["elsewhere"], START, [MemberLine(member=stranger.pk, fine=500)])
    other = Transaction.objects.get(organisation=world["elsewhere"].group)
    rows = [{"member": a.pk, "shares": 1}]
    url = f"/api/finance/cycles/{world['cycle'].pk}/meetings"
    hidden = post(
        world["client"], url + "/check", {"held_on": "2026-01-12", "rows": rows, "corrections": [other.pk]}
    )
    assert (hidden.status_code, hidden.json()["field"]) == (400, "corrections")
    body = meeting_body(world, rows, START + WEEK, corrections=[fine.pk])
    assert body["counted_loan_fund"] == 5000 + 5000  # the fine is taken back out of the box
    made = post(world["client"], url, body)
    assert made.status_code == 201, made.content
    assert made.json()["corrections"] == [fine.pk]
    assert Transaction.objects.get(reverses=fine).meeting_id == made.json()["meeting"]


# ----- loans -------------------------------------------------------------------------------------


def test_loans_are_listed_by_cycle_and_status_and_one_is_written_off(world):
    savings_week(world)
    a, b = world["members"][:2]
    finance.meeting(
        world["cycle"],
        START + WEEK,
        [
            MemberLine(member=a.pk, loan=10_000, loan_months=1),
            MemberLine(member=b.pk, loan=8000, loan_months=2),
        ],
    )
    finance.meeting(
        world["cycle"], START + 2 * WEEK, [MemberLine(member=a.pk, repayment=4000, service_charge=500)]
    )
    client = world["client"]
    loans = client.get("/api/finance/loans", {"cycle": world["cycle"].pk}).json()["items"]
    assert {loan["code"]: loan["owed"] for loan in loans} == {a.code: 6000, b.code: 8000}
    overdue = client.get("/api/finance/loans", {"status": "overdue"}).json()["items"]
    assert {loan["code"] for loan in overdue} == {a.code, b.code}  # due in February, it is later now
    loan = Loan.objects.get(member=a)
    refused = post(client, f"/api/finance/loans/{loan.pk}/write-off", {"on": "2026-03-01", "reason": " "})
    assert (refused.status_code, refused.json()["field"]) == (400, "reason")
    written = post(
        client, f"/api/finance/loans/{loan.pk}/write-off", {"on": "2026-03-01", "reason": "Moved to Dhaka"}
    )
    assert written.status_code == 200, written.content
    assert (written.json()["status"], written.json()["owed"], written.json()["closed_on"]) == (
        "written_off",
        0,
        "2026-03-01",
    )
    assert Posting.objects.filter(account__code="loan_write_offs", member=a).get().amount == 6000
    open_loans = client.get("/api/finance/loans", {"status": "open"}).json()["items"]
    assert [loan["code"] for loan in open_loans] == [b.code]
    again = post(client, f"/api/finance/loans/{loan.pk}/write-off", {"on": "2026-03-02", "reason": "again"})
    assert again.status_code == 400


# ----- share-out ---------------------------------------------------------------------------------


def test_a_cycle_is_shared_out_through_the_api_and_the_payouts_and_remainder_equal_the_fund(world):
    a, b, c, _d = world["members"]
    savings_week(world, shares=1)
    finance.meeting(
        world["cycle"],
        START + WEEK,
        [
            MemberLine(member=a.pk, shares=2),
            MemberLine(member=b.pk, loan=10_000, loan_months=1),
            MemberLine(member=c.pk, fine=333),
        ],
    )
    client, cycle = world["client"], world["cycle"].pk
    projection = client.get(f"/api/finance/cycles/{cycle}/share-out").json()
    assert (projection["done"], projection["open_loans"]) == (False, 1)
    refused = post(client, f"/api/finance/cycles/{cycle}/share-out", {"on": "2026-03-01"})
    assert (refused.status_code, refused.json()["code"]) == (400, "loans_open")
    finance.meeting(
        world["cycle"], START + 2 * WEEK, [MemberLine(member=b.pk, repayment=10_000, service_charge=500)]
    )
    client_id = str(uuid.uuid4())
    made = post(
        client, f"/api/finance/cycles/{cycle}/share-out", {"on": "2026-03-01", "client_id": client_id}
    )
    assert made.status_code == 200, made.content
    sheet = made.json()
    assert sheet["done"] is True and sheet["total_shares"] == 6
    assert sheet["fund"] == 6 * 5000 + 333 + 500 == sheet["loan_fund"]
    assert sum(row["payout"] for row in sheet["rows"]) + sheet["remainder"] == sheet["fund"]
    assert sheet["total_payout"] == sum(row["payout"] for row in sheet["rows"])
    assert all(row["payout"] == row["savings"] + row["profit"] for row in sheet["rows"])
    assert Cycle.objects.get(pk=cycle).status == "shared_out"
    again = post(
        client, f"/api/finance/cycles/{cycle}/share-out", {"on": "2026-03-01", "client_id": client_id}
    )
    assert again.status_code == 200 and again.json() == sheet
    assert client.get(f"/api/finance/cycles/{cycle}/share-out").json() == sheet
    twice = post(client, f"/api/finance/cycles/{cycle}/share-out", {"on": "2026-03-02"})
    assert twice.status_code == 400


def test_a_member_who_leaves_mid_cycle_is_paid_out_by_her_number(world):
    savings_week(world, shares=2)
    leaving = world["members"][3]
    url = f"/api/finance/cycles/{world['cycle'].pk}/payouts"
    paid = post(world["client"], url, {"member": leaving.code, "on": "2026-01-20"})
    assert paid.status_code == 201, paid.content
    assert paid.json() == {
        "cycle": world["cycle"].pk,
        "member": leaving.pk,
        "code": leaving.code,
        "on": "2026-01-20",
        "payout": 10_000,
    }
    books = world["client"].get(f"/api/finance/cycles/{world['cycle'].pk}/books").json()
    assert books["loan_fund"] == 30_000
    nobody = post(world["client"], url, {"member": "NOBODY-9", "on": "2026-01-20"})
    assert (nobody.status_code, nobody.json()["field"]) == (400, "member")
    stranger = testing.member(world["elsewhere"].group)
    outsider = post(world["client"], url, {"member": stranger.pk, "on": "2026-01-20"})
    assert (outsider.status_code, outsider.json()["field"]) == (400, "member")
