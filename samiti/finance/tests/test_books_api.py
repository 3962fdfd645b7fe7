"""The books in the API: accounts, reports, transactions; posting with an idempotent client id,
reversing and closing a period; scoped, read-only roles refused, errors in the one shape."""

import datetime
import uuid

import pytest
from django.test import Client

from samiti.core.models import AuditEvent
from samiti.finance import testing as finance_testing
from samiti.finance.models import Transaction
from samiti.finance.queries import balances
from samiti.finance.services.savings import MemberLine
from samiti.finance.tests.test_books_pages import YESTERDAY, grant, leader_of
from samiti.registry import testing
from samiti.registry.models import Role
from samiti.registry.services import issue_api_token

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _token, key = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def post_json(client, path, body, headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def test_the_api_posts_a_transaction_and_a_retry_with_its_client_id_answers_the_same_one():
    group = testing.group()
    client, headers = Client(), bearer(leader_of(group))
    client_id = str(uuid.uuid4())
    body = {
        "on": YESTERDAY.isoformat(),
        "kind": "expense",
        "memo": "rent of the meeting room",
        "reference": "V-17",
        "client_id": client_id,
        "lines": [{"account": "running_costs", "debit": 30000}, {"account": "cash", "amount": -30000}],
    }
    grant(group, 100000)
    made = post_json(client, f"/api/finance/organisations/{group.pk}/transactions", body, headers)
    assert made.status_code == 201, made.content
    answer = made.json()
    assert (answer["kind"], answer["amount"], answer["reference"]) == ("expense", 30000, "V-17")
    assert sorted((p["account"], p["amount"]) for p in answer["postings"]) == [
        ("cash", -30000),
        ("running_costs", 30000),
    ]
    again = post_json(client, f"/api/finance/organisations/{group.pk}/transactions", body, headers)
    assert again.status_code == 200 and again.json()["id"] == answer["id"]
    assert balances(group)["cash"] == 70000
    other = {**body, "lines": [{"account": "running_costs", "debit": 1}, {"account": "cash", "credit": 1}]}
    reused = post_json(client, f"/api/finance/organisations/{group.pk}/transactions", other, headers)
    assert reused.status_code == 400 and reused.json()["code"] == "id_reused"
    assert AuditEvent.objects.filter(object_type="finance.transaction", channel="api").count() == 1


def test_the_api_refuses_an_unbalanced_transaction_and_bad_lines_in_the_one_error_shape():
    group = testing.group()
    client, headers = Client(), bearer(leader_of(group))
    path = f"/api/finance/organisations/{group.pk}/transactions"
    lines = [{"account": "running_costs", "debit": 500}, {"account": "cash", "credit": 400}]
    unbalanced = post_json(
        client, path, {"on": YESTERDAY.isoformat(), "kind": "expense", "lines": lines}, headers
    )
    assert unbalanced.status_code == 400
    assert (
        set(unbalanced.json()) >= {"code", "field", "message"} and unbalanced.json()["code"] == "unbalanced"
    )
    both = [{"account": "cash", "debit": 5, "credit": 5}, {"account": "other_income", "amount": -5}]
    assert (
        post_json(
            client, path, {"on": YESTERDAY.isoformat(), "kind": "income", "lines": both}, headers
        ).json()["field"]
        == "lines"
    )
    stranger = testing.member(testing.group())
    savings = [
        {"account": "cash", "debit": 500},
        {"account": "member_savings", "credit": 500, "member": stranger.pk},
    ]
    refused = post_json(
        client, path, {"on": YESTERDAY.isoformat(), "kind": "opening", "lines": savings}, headers
    )
    assert refused.status_code == 400 and refused.json()["field"] == "member"
    meeting_kind = post_json(
        client, path, {"on": YESTERDAY.isoformat(), "kind": "shares", "lines": lines}, headers
    )
    assert meeting_kind.status_code == 422 and meeting_kind.json()["code"] == "invalid"
    assert not Transaction.objects.filter(organisation=group).exists()


def test_the_api_reverses_a_transaction_and_closes_a_period_which_then_refuses_postings():
    group = testing.group()
    client, headers = Client(), bearer(leader_of(group))
    posted = grant(group, 5000, on=YESTERDAY - datetime.timedelta(days=3))
    reversal = post_json(
        client,
        f"/api/finance/transactions/{posted.pk}/reversal",
        {"on": (YESTERDAY - datetime.timedelta(days=2)).isoformat(), "memo": "twice"},
        headers,
    )
    assert reversal.status_code == 201 and reversal.json()["reverses"] == posted.pk
    assert (
        client.get(f"/api/finance/transactions/{posted.pk}", headers=headers).json()["reversed_by"]
        == (reversal.json()["id"])
    )
    assert balances(group)["cash"] == 0
    closed = post_json(
        client,
        f"/api/finance/organisations/{group.pk}/period-closes",
        {"through": YESTERDAY.isoformat()},
        headers,
    )
    assert closed.status_code == 201 and closed.json()["through"] == YESTERDAY.isoformat()
    late = post_json(
        client,
        f"/api/finance/organisations/{group.pk}/transactions",
        {
            "on": YESTERDAY.isoformat(),
            "kind": "grant",
            "lines": [{"account": "cash", "debit": 100}, {"account": "grants_received", "credit": 100}],
        },
        headers,
    )
    assert late.status_code == 400 and late.json()["field"] == "on"


def test_the_api_reads_accounts_and_every_report():
    cycle = finance_testing.cycle()
    people = finance_testing.members(cycle.group, 2)
    finance_testing.meeting(
        cycle, finance_testing.START, [MemberLine(m.pk, shares=2, fine=500) for m in people]
    )
    group = cycle.group
    client, headers = Client(), bearer(leader_of(group, Role.VIEWER))
    base = f"/api/finance/organisations/{group.pk}"
    accounts = {a["code"]: a for a in client.get(f"{base}/accounts", headers=headers).json()}
    assert accounts["member_savings"]["amount"] == 20000 and accounts["member_savings"]["balance"] == -20000
    trial = client.get(f"{base}/trial-balance", {"on": "2026-12-31"}, headers=headers).json()
    assert trial["balanced"] and trial["total_debit"] == trial["total_credit"] == 21000
    savings = next(line for line in trial["lines"] if line["code"] == "member_savings")
    assert {m["member"] for m in savings["members"]} == {m.pk for m in people}
    sheet = client.get(f"{base}/balance-sheet", {"on": "2026-12-31"}, headers=headers).json()
    assert sheet["balanced"] and sheet["surplus"] == 1000
    ie = client.get(
        f"{base}/income-and-expenditure", {"start": "2026-01-01", "end": "2026-12-31"}, headers=headers
    )
    assert ie.json()["total_income"] == 1000
    cash = client.get(
        f"{base}/cash-book", {"start": "2026-01-01", "end": "2026-12-31"}, headers=headers
    ).json()
    assert cash["closing"] == cash["opening"] + cash["receipts"] - cash["payments"] == 21000
    social = client.get(f"{base}/cash-book", {"accounts": ["social_fund", "bank"]}, headers=headers).json()
    assert social["accounts"] == ["bank", "social_fund"] and social["rows"] == []
    book = client.get(f"/api/finance/members/{people[0].pk}/passbook", headers=headers).json()
    assert (book["savings"], book["loan"]) == (10000, 0)
    assert {row["kind"] for row in book["rows"]} == {"shares", "fine"}
    backwards = client.get(
        f"{base}/income-and-expenditure", {"start": "2026-05-01", "end": "2026-01-01"}, headers=headers
    )
    assert backwards.status_code == 400 and backwards.json()["field"] == "end"


def test_the_api_lists_transactions_filtered_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    group = testing.group()
    for day in range(20):
        grant(group, 100 + day, on=datetime.date(2026, 1, 1) + datetime.timedelta(days=day))
    client, headers = Client(), bearer(leader_of(group))
    with django_assert_max_num_queries(8):
        listed = client.get(f"/api/finance/organisations/{group.pk}/transactions", headers=headers).json()
    assert listed["count"] == 20 and listed["items"][0]["amount"] == 119
    some = client.get(
        f"/api/finance/organisations/{group.pk}/transactions",
        {"kind": "grant", "start": "2026-01-05", "end": "2026-01-09"},
        headers=headers,
    ).json()
    assert some["count"] == 5


def test_the_api_is_scoped_and_a_viewer_may_read_but_not_write():
    group, other = testing.group(), testing.group()
    theirs = grant(other, 1000)
    outsider = bearer(leader_of(group))
    client = Client()
    for path in (
        f"/api/finance/organisations/{other.pk}/accounts",
        f"/api/finance/organisations/{other.pk}/trial-balance",
        f"/api/finance/organisations/{other.pk}/transactions",
        f"/api/finance/transactions/{theirs.pk}",
        f"/api/finance/members/{testing.member(other).pk}/passbook",
    ):
        answer = client.get(path, headers=outsider)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", path
    reversal = post_json(
        client, f"/api/finance/transactions/{theirs.pk}/reversal", {"on": "2026-01-01", "memo": "x"}, outsider
    )
    assert reversal.status_code == 404
    viewer = bearer(leader_of(other, Role.VIEWER))
    assert client.get(f"/api/finance/transactions/{theirs.pk}", headers=viewer).status_code == 200
    refused = post_json(
        client,
        f"/api/finance/organisations/{other.pk}/transactions",
        {
            "on": YESTERDAY.isoformat(),
            "kind": "grant",
            "lines": [{"account": "cash", "debit": 100}, {"account": "grants_received", "credit": 100}],
        },
        viewer,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    closing = post_json(
        client, f"/api/finance/organisations/{other.pk}/period-closes", {"through": "2026-01-01"}, viewer
    )
    assert closing.status_code == 403
    assert Transaction.objects.filter(organisation=other).count() == 1
