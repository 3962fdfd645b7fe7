"""The treasurer's pages of a savings group: its cycle, recording a meeting, loans written off, the
share-out and its printable sheet, and a member paid out on leaving. Thin: parse, call a service,
render."""

import datetime
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samiti.core.money import format_taka
from samiti.core.views import require_editor
from samiti.finance import queries
from samiti.finance.errors import FinanceError
from samiti.finance.forms.savings import (
    LABELS,
    CycleForm,
    MeetingSheet,
    PayoutForm,
    ShareOutForm,
    WriteOffForm,
)
from samiti.finance.models import Cycle, Loan, Posting, SavingsMeeting, Transaction
from samiti.finance.models import TransactionKind as K
from samiti.finance.performance import group_performance
from samiti.finance.services import savings as services
from samiti.finance.services import shareout
from samiti.finance.services.ledger import UNREVERSIBLE
from samiti.registry.models import Attendance, Member, Organisation
from samiti.registry.queries import organisation_or_404


def _group_or_404(request: HttpRequest, pk: int) -> Organisation:
    group = organisation_or_404(request.user, pk)
    if group.kind != Organisation.Kind.GROUP:
        raise Http404
    return group


def _cycle_or_404(request: HttpRequest, pk: int) -> Cycle:
    cycle = queries.cycles_for(request.user).select_related("group__parent").filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def _shared_out(request: HttpRequest, cycle: Cycle) -> HttpResponse:
    """A shared-out cycle takes no more money: back to the group's page, saying why."""
    messages.error(request, _("This cycle has been shared out; start the next cycle."))
    return redirect("finance:group", pk=cycle.group_id)


def _open_loans(cycle: Cycle, on: datetime.date) -> list[dict[str, Any]]:
    """The group's open loans with what is owed (principal and service charge due), oldest due first."""
    books = services.group_books(cycle, on)
    members = Member.objects.in_bulk(list(books.loans))
    loans = [
        {
            "loan": state.loan,
            "member": members[member_id],
            "owed": state.owed,
            "charge_due": state.charge_due,
            "total": state.owed + state.charge_due,
            "overdue": state.loan.is_overdue(on),
        }
        for member_id, state in books.loans.items()
    ]
    return sorted(loans, key=lambda row: (row["loan"].due_on, row["member"].code))


# ----- the group's savings page -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def group_page(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group_or_404(request, pk)
    today = timezone.localdate()
    cycles = list(Cycle.objects.filter(group=group).order_by("-number"))
    cycle = next((c for c in cycles if c.is_open), None)
    context: dict[str, Any] = {
        "group": group,
        "cycle": cycle,
        "earlier": [c for c in cycles if not c.is_open],
        "today": today,
    }
    if cycle is not None:
        cycle.group = group
        context |= {
            "performance": group_performance(cycle, today),
            "meetings": cycle.meetings.order_by("-number"),
            "loans": _open_loans(cycle, today),
        }
    return render(request, "finance/savings/group.html", context)


@login_required
def cycle_start(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group_or_404(request, pk)
    require_editor(request)
    previous = queries.latest_cycle(group)
    if previous is not None and previous.is_open:
        messages.error(request, _("Cycle %(number)s is still running.") % {"number": previous.number})
        return redirect("finance:group", pk=group.pk)
    form = CycleForm(request.POST or None, previous=previous)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.start_cycle(actor=request.user, group=group, **form.constitution())
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Cycle %(number)s started.") % {"number": cycle.number})
            return redirect("finance:group", pk=group.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "finance/savings/cycle_form.html", {"form": form, "group": group}, status=status)


# ----- recording a meeting ------------------------------------------------------------------------


def _reversible(cycle: Cycle) -> list[Transaction]:
    """The transactions of the cycle's last meeting that a correction may still reverse, each with
    what reversing it does to the loan fund and the social fund (for the totals as you type)."""
    last = SavingsMeeting.objects.filter(cycle=cycle).order_by("-number").only("meeting_id").first()
    if last is None:
        return []
    found = list(
        Transaction.objects.filter(meeting_id=last.meeting_id, reversed_by__isnull=True)
        .exclude(kind__in=[K.REVERSAL, *UNREVERSIBLE])
        .order_by("pk")
    )
    effects: dict[int, dict[str, int]] = defaultdict(dict)
    sizes: dict[int, int] = defaultdict(int)
    for transaction_id, code, amount in Posting.objects.filter(transaction__in=found).values_list(
        "transaction_id", "account__code", "amount"
    ):
        if code in ("loan_fund", "social_fund"):
            effects[transaction_id][code] = effects[transaction_id].get(code, 0) - amount
        if amount > 0:
            sizes[transaction_id] += amount
    for found_one in found:
        found_one.loan_fund_effect = effects[found_one.pk].get("loan_fund", 0)
        found_one.social_fund_effect = effects[found_one.pk].get("social_fund", 0)
        found_one.label = f"{found_one} · {format_taka(sizes[found_one.pk])}"
    return found


def _posted_day(data: Any) -> datetime.date:
    """The meeting's date as posted (its loans' charges are due on it), else today."""
    try:
        return forms.DateField().clean(data.get("held_on")) if data else timezone.localdate()
    except forms.ValidationError:
        return timezone.localdate()


@login_required
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request, pk)
    require_editor(request)
    if not cycle.is_open:
        return _shared_out(request, cycle)
    data = request.POST if request.method == "POST" else None
    day = _posted_day(data)
    books = services.group_books(cycle, day)
    members = list(
        Member.objects.filter(
            Q(is_active=True) | Q(pk__in=[m for m, owed in books.owed.items() if owed]), group=cycle.group
        )
        .only("pk", "code", "name_en", "name_bn", "left_on")
        .order_by("code")
    )
    reversible = _reversible(cycle)
    sheet = MeetingSheet(data, cycle=cycle, members=members, books=books, reversible=reversible)
    check = None
    if data is not None and sheet.is_valid():
        meeting = sheet.form.cleaned_data
        chosen = set(meeting["corrections"])
        corrections = [t for t in reversible if t.pk in chosen]
        try:
            if "check" in data:
                check = services.check_meeting(
                    cycle=cycle, held_on=meeting["held_on"], lines=sheet.lines(), corrections=corrections
                )
            elif _counted(sheet):
                recorded = services.record_meeting(
                    actor=request.user,
                    cycle=cycle,
                    held_on=meeting["held_on"],
                    lines=sheet.lines(),
                    counted_loan_fund=meeting["counted_loan_fund"],
                    counted_social_fund=meeting["counted_social_fund"],
                    corrections=corrections,
                    client_id=meeting["client_id"],
                )
                messages.success(
                    request, _("Meeting %(number)s recorded and closed.") % {"number": recorded.number}
                )
                return redirect("finance:meeting_detail", pk=recorded.pk)
        except FinanceError as error:
            sheet.add_service_error(error)
    context = {
        "cycle": cycle,
        "group": cycle.group,
        "sheet": sheet,
        "form": sheet.form,
        "books": books,
        "reversible": reversible,
        "chosen": {str(v) for v in (sheet.form["corrections"].value() or [])},
        "check": check,
    }
    if data is not None:
        sums = sheet.totals()
        context["total_shares"] = sums.pop("shares")
        context["totals"] = [(LABELS[name], amount) for name, amount in sums.items() if amount]
    if check is not None:
        counted = sheet.form.cleaned_data
        context["matches"] = {
            "loan_fund": _match(counted["counted_loan_fund"], check.loan_fund),
            "social_fund": _match(counted["counted_social_fund"], check.social_fund),
        }
    status = 400 if sheet.has_errors else 200
    return render(request, "finance/savings/meeting_form.html", context, status=status)


def _counted(sheet: MeetingSheet) -> bool:
    """Saving closes the meeting, so the cash in both bags must have been counted."""
    ok = True
    for name in ("counted_loan_fund", "counted_social_fund"):
        if sheet.form.cleaned_data.get(name) is None:
            sheet.form.add_error(name, _("Count the cash in the bag and write it here (0 if empty)."))
            ok = False
    return ok


def _match(counted: int | None, expected: int) -> dict[str, Any] | None:
    if counted is None:
        return None
    return {"ok": counted == expected, "difference": counted - expected}


# ----- a recorded meeting -------------------------------------------------------------------------

# How a member's line reads in each column: money paid in is a credit, money going out a debit.
PAID_IN = {
    K.SHARES: "savings",
    K.SOCIAL_FUND: "social_fund",
    K.REPAYMENT: "repayment",
    K.SERVICE_CHARGE: "service_charge",
    K.FINE: "fine",
}
PAID_OUT = {K.LOAN: "loan", K.SOCIAL_GRANT: "grant"}
DETAIL_COLUMNS = ("savings", "social_fund", "repayment", "service_charge", "fine", "loan", "grant")


@login_required
@require_http_methods(["GET", "HEAD"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = (
        queries.savings_meetings_for(request.user)
        .select_related("cycle__group", "meeting", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    cycle = found.cycle
    amounts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DETAIL_COLUMNS, 0))
    for kind, member_id, amount in Posting.objects.filter(
        transaction__meeting_id=found.meeting_id,
        member__isnull=False,
        transaction__kind__in=[*PAID_IN, *PAID_OUT],
    ).values_list("transaction__kind", "member_id", "amount"):
        if kind in PAID_IN:
            amounts[member_id][PAID_IN[kind]] -= amount
        else:
            amounts[member_id][PAID_OUT[kind]] += amount
    present = set(Attendance.objects.filter(meeting_id=found.meeting_id).values_list("member_id", flat=True))
    members = Member.objects.filter(pk__in=set(amounts) | present).only("pk", "code", "name_en", "name_bn")
    rows = [
        {
            "member": m,
            "present": m.pk in present,
            "shares": amounts[m.pk]["savings"] // cycle.share_price,
            **amounts[m.pk],
        }
        for m in sorted(members, key=lambda m: m.code)
    ]
    totals = {name: sum(row[name] for row in rows) for name in (*DETAIL_COLUMNS, "shares")}
    transactions = list(
        Transaction.objects.filter(meeting_id=found.meeting_id)
        .select_related("reverses__meeting__savings", "reversed_by__meeting__savings")
        .order_by("pk")
    )
    context = {
        "found": found,
        "cycle": cycle,
        "group": cycle.group,
        "rows": rows,
        "totals": totals,
        "corrections_made": [t for t in transactions if t.reverses_id],
        "reversed_later": [t for t in transactions if _reversed(t)],
        "loans": found.loans_given.select_related("member").order_by("member__code"),
    }
    return render(request, "finance/savings/meeting_detail.html", context)


def _reversed(found: Transaction) -> bool:
    try:
        return found.reversed_by is not None
    except Transaction.DoesNotExist:
        return False


# ----- a loan written off -------------------------------------------------------------------------


@login_required
def loan_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    loan = queries.loans_for(request.user).select_related("cycle__group", "member").filter(pk=pk).first()
    if loan is None:
        raise Http404
    require_editor(request)
    group = loan.cycle.group
    if loan.status != Loan.Status.OPEN:
        messages.error(request, _("This loan is already closed."))
        return redirect("finance:group", pk=group.pk)
    form = WriteOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.write_off_loan(
                actor=request.user, loan=loan, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The loan of %(member)s was written off.") % {"member": loan.member})
            return redirect("finance:group", pk=group.pk)
    books = services.group_books(loan.cycle, timezone.localdate())
    state = books.loans.get(loan.member_id)
    context = {
        "loan": loan,
        "group": group,
        "form": form,
        "owed": books.owed.get(loan.member_id, 0),
        "charge_due": state.charge_due if state else 0,
    }
    return render(
        request, "finance/savings/write_off.html", context, status=400 if request.method == "POST" else 200
    )


# ----- the share-out ------------------------------------------------------------------------------


@login_required
def share_out(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request, pk)
    require_editor(request)
    if not cycle.is_open:  # already shared out (a second click of the button lands here too)
        return redirect("finance:share_out_sheet", pk=cycle.pk)
    form = ShareOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shareout.share_out(
                actor=request.user,
                cycle=cycle,
                on=form.cleaned_data["on"],
                client_id=form.cleaned_data["client_id"],
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Cycle %(number)s shared out.") % {"number": cycle.number})
            return redirect("finance:share_out_sheet", pk=cycle.pk)
    sheet = shareout.share_out_sheet(cycle)
    open_loans = _open_loans(cycle, timezone.localdate()) if sheet.open_loans else []
    context = {
        "cycle": cycle,
        "group": cycle.group,
        "sheet": sheet,
        "per_share": _per_share(sheet),
        "form": form,
        "open_loans": open_loans,
    }
    return render(
        request, "finance/savings/share_out.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def share_out_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request, pk)
    sheet = shareout.share_out_sheet(cycle)
    context = {
        "cycle": cycle,
        "group": cycle.group,
        "sheet": sheet,
        "per_share": _per_share(sheet),
        "total": sheet.total_payout + sheet.remainder,
        "social_kept": sheet.social_fund if not sheet.social_fund_shared else 0,
    }
    return render(request, "finance/savings/share_out_sheet.html", context)


def _per_share(sheet: shareout.ShareOutSheet) -> Decimal:
    """The value of a share in taka, to a hundredth of a poisha (payouts round down to the poisha)."""
    return (sheet.value_per_share / 100).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


# ----- a member paid out on leaving ---------------------------------------------------------------


@login_required
def payout(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_or_404(request, pk)
    require_editor(request)
    if not cycle.is_open:
        return _shared_out(request, cycle)
    books = services.group_books(cycle, timezone.localdate())
    savers = Member.objects.filter(group=cycle.group, pk__in=[m for m, s in books.savings.items() if s > 0])
    form = PayoutForm(request.POST or None, members=savers.order_by("code"), savings=books.savings)
    preview = None
    if request.method == "POST" and form.is_valid():
        member, on = form.cleaned_data["member"], form.cleaned_data["on"]
        try:
            if "confirm" in request.POST:
                paid = shareout.pay_out_member(actor=request.user, cycle=cycle, member=member, on=on)
                messages.success(
                    request,
                    _("%(member)s was paid out %(amount)s.")
                    % {"member": member, "amount": format_taka(paid)},
                )
                return redirect("finance:group", pk=cycle.group_id)
            paid = shareout.payout_of(cycle, member, on)
            preview = {
                "member": member,
                "on": on,
                "savings": paid.savings,
                "payout": paid.payout,
                "profit": paid.profit,
            }
        except FinanceError as error:
            form.add_service_error(error)
    context = {"cycle": cycle, "group": cycle.group, "form": form, "preview": preview}
    return render(request, "finance/savings/payout.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("groups/<int:pk>/", group_page, name="group"),
    path("groups/<int:pk>/cycles/new/", cycle_start, name="cycle_start"),
    path("cycles/<int:pk>/meetings/new/", meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("loans/<int:pk>/write-off/", loan_write_off, name="loan_write_off"),
    path("cycles/<int:pk>/share-out/", share_out, name="share_out"),
    path("cycles/<int:pk>/share-out/sheet/", share_out_sheet, name="share_out_sheet"),
    path("cycles/<int:pk>/pay-out/", payout, name="payout"),
]
