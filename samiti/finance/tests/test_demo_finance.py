"""The finance demo command: savings cycles with weekly meetings, loans and share-outs, added once."""

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from samiti.core.models import AuditEvent
from samiti.finance.models import (
    Cycle,
    Loan,
    MembershipFee,
    Posting,
    Rental,
    SavingsMeeting,
    SharedAsset,
    Transaction,
)
from samiti.finance.services.assets import asset_report
from samiti.finance.services.dues import dues_status
from samiti.finance.services.shareout import share_out_sheet
from samiti.registry.models import Meeting, User
from samiti.registry.tests.test_demo import five_districts  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

MODELS = [
    Cycle,
    SavingsMeeting,
    Loan,
    Transaction,
    Posting,
    Meeting,
    MembershipFee,
    SharedAsset,
    Rental,
    AuditEvent,
]
MEMBERS = 3_000
GROUPS = 12


def _run(command: str, **options) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_demo_finance_keeps_balanced_books_shares_out_exactly_and_a_second_run_changes_nothing(
    settings,
    five_districts,  # noqa: F811
):
    settings.DEMO_MODE = True
    _run("demo", members=MEMBERS)
    started = time.process_time()  # the CPU it takes: other work on the machine does not count
    output = _run("demo_finance", groups=GROUPS)
    if connection.vendor == "sqlite":  # `make run` builds 40 groups in about 13 s (about 4 s here)
        assert time.process_time() - started < 15
    assert output.startswith("Finance demo:"), output
    today = timezone.localdate()

    # Cycles of varied constitutions, twenty weekly meetings each, the last one within a week.
    cycles = Cycle.objects.all()
    assert cycles.filter(status="open").count() >= 10
    assert len(set(cycles.values_list("share_price", flat=True))) >= 3
    assert all(2000 <= price <= 10_000 for price in cycles.values_list("share_price", flat=True))
    assert set(cycles.values_list("service_charge_method", flat=True)) == {"flat", "declining"}
    assert cycles.filter(share_social_fund=True).exists()
    for cycle in cycles.filter(status="open"):
        days = list(cycle.meetings.values_list("held_on", flat=True))
        assert len(days) == 20 and 0 < (today - max(days)).days <= 7
    meetings = SavingsMeeting.objects.aggregate(
        present=Sum("members_present"), expected=Sum("members_expected")
    )
    assert 0.78 <= meetings["present"] / meetings["expected"] <= 0.96

    # Loans within the rules, one overdue and one written off; fines and grants.
    loans = Loan.objects.all()
    assert loans.count() >= 100 and loans.filter(status="repaid").exists()
    assert all(loan.months <= 3 for loan in loans)
    assert loans.filter(status="written_off").count() == 1
    assert loans.filter(status="open", due_on__lt=today).count() == 1
    for kind in ("fine", "social_grant", "service_charge", "repayment", "write_off"):
        assert Transaction.objects.filter(kind=kind).exists(), kind

    # Every transaction balances, and so do the books as a whole.
    assert Posting.objects.aggregate(total=Sum("amount"))["total"] == 0
    assert not Posting.objects.values("transaction").annotate(total=Sum("amount")).exclude(total=0).exists()

    # Two groups (the demo group account's among them) shared a cycle out and run the next one.
    shared = cycles.filter(status="shared_out")
    assert shared.count() == 2
    group = User.objects.get(username="group").organisation
    assert list(Cycle.objects.filter(group=group).values_list("number", "status")) == [
        (2, "open"),
        (1, "shared_out"),
    ]
    for cycle in shared:
        sheet = share_out_sheet(cycle)
        assert sheet.done and sheet.total_shares > 0
        assert sum(row.payout for row in sheet.rows) + sheet.remainder == sheet.fund
        assert 0 <= sheet.remainder < len(sheet.rows)
        assert all(row.payout == row.shares * sheet.fund // sheet.total_shares for row in sheet.rows)
        made = Transaction.objects.get(cycle=cycle, kind="share_out")
        left = Posting.objects.filter(
            account__organisation=cycle.group, account__code="loan_fund", transaction_id__lte=made.pk
        ).aggregate(total=Sum("amount"))["total"]
        assert left == sheet.remainder  # what rounding leaves stays in the group's loan fund

    # Two associations' own books: dues with some members behind, an asset rented out, a grant, costs.
    fees = MembershipFee.objects.select_related("association")
    assert fees.count() == 2
    for fee in fees:
        dues = dues_status(fee.association, today)
        assert dues.in_arrears and 0.5 < dues.total.rate < 1
    assert {asset.kind for asset in SharedAsset.objects.all()} == {"power_tiller", "pump"}
    for asset in SharedAsset.objects.all():
        report = asset_report(asset, today)
        assert report.rentals >= 20 and report.income > 0 and report.costs > 0
    assert Rental.objects.filter(member=None).exists()  # some rent it who are not members
    for kind in ("grant", "expense", "dues"):
        assert Transaction.objects.filter(kind=kind).exists(), kind
    assert Transaction.objects.filter(kind="dues", reference__startswith="BK").exists()

    before = _snapshot()
    again = _run("demo_finance", groups=GROUPS)
    assert "nothing to do" in again
    assert _snapshot() == before


def test_demo_finance_needs_demo_mode_and_the_demo(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        _run("demo_finance")
    with pytest.raises(CommandError, match=r"manage\.py demo"):
        _run("demo_finance", force=True)
