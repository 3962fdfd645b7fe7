"""Pages of an organisation's books: its accounts, the reports (on the page, as PDF and XLSX),
a member's passbook, the transactions with their reversal, manual transactions, opening balances
and closing a period. Thin: parse, call the ledger service or a report, render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.finance import exporting, reports
from samiti.finance.errors import FinanceError
from samiti.finance.forms.books import (
    CashBookForm,
    CloseForm,
    ManualTransactionForm,
    OnForm,
    OpeningForm,
    OpeningLines,
    PeriodForm,
    ReverseForm,
    TransactionFilterForm,
)
from samiti.finance.models import PeriodClose, Transaction, TransactionKind
from samiti.finance.queries import transactions_for
from samiti.finance.services.chart import accounts_of
from samiti.finance.services.ledger import (
    UNREVERSIBLE,
    close_period,
    last_closed,
    post_transaction,
    reverse_transaction,
)
from samiti.registry.models import Organisation
from samiti.registry.queries import member_or_404, members_of, organisation_or_404

PAGE_SIZE = 50
RECENT = 10
READ = ["GET", "HEAD"]


def _download(request: HttpRequest, report: exporting.Report) -> HttpResponse | None:
    """The report as a file when the page is asked for ?format=pdf or ?format=xlsx."""
    fmt = request.GET.get("format")
    if fmt == "pdf":
        response = HttpResponse(exporting.report_pdf(report), content_type=exporting.PDF)
    elif fmt == "xlsx":
        response = HttpResponse(exporting.report_xlsx(report), content_type=exporting.XLSX)
    else:
        return None
    response["Content-Disposition"] = f'attachment; filename="{exporting.filename(report, fmt)}"'
    return response


def _query(request: HttpRequest) -> str:
    """The page's query without its page number and format, for links that keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def _with_amounts(transactions: QuerySet[Transaction]) -> QuerySet[Transaction]:
    """Each transaction with its amount: the sum of its debits."""
    return transactions.annotate(amount=Sum("postings__amount", filter=Q(postings__amount__gt=0)))


# ----- the books and their reports ---------------------------------------------------------------


@login_required
@require_http_methods(READ)
def books(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_or_404(request.user, pk)
    lines = reports.account_balances(organisation, with_members=False)
    recent = _with_amounts(
        Transaction.objects.filter(organisation=organisation).order_by("-on", "-id")
    ).select_related("reversed_by")[:RECENT]
    # A group's members, each to their passbook (an association's are reached from its groups).
    members = (
        members_of(request.user, organisation).order_by("code")
        if organisation.kind == Organisation.Kind.GROUP
        else None
    )
    context = {
        "organisation": organisation,
        "lines": [line for line in lines if line.balance],
        "closed": last_closed(organisation),
        "recent": recent,
        "members": members,
    }
    return render(request, "finance/books/books.html", context)


def _report(template: str, form: Callable[..., Any], build: Callable[[Organisation, Any], Any]):
    """A report's page: `form` reads the query, `build` makes the report from the organisation and
    the valid form; ?format=pdf or xlsx answers the report as a file."""

    @login_required
    @require_http_methods(READ)
    def page(request: HttpRequest, pk: int) -> HttpResponse:
        organisation = organisation_or_404(request.user, pk)
        bound = form(request.GET or None, organisation)
        context = {"organisation": organisation, "form": bound, "query": _query(request)}
        if bound.is_bound and not bound.is_valid():
            return render(request, template, {**context, "report": None}, status=400)
        report = build(organisation, bound)
        return _download(request, report) or render(request, template, {**context, "report": report})

    return page


trial_balance = _report(
    "finance/books/trial_balance.html",
    lambda data, _organisation: OnForm(data),
    lambda organisation, form: reports.trial_balance(organisation, form.day()),
)
balance_sheet = _report(
    "finance/books/balance_sheet.html",
    lambda data, _organisation: OnForm(data),
    lambda organisation, form: reports.balance_sheet(organisation, form.day()),
)
income_expenditure = _report(
    "finance/books/income_expenditure.html",
    lambda data, _organisation: PeriodForm(data),
    lambda organisation, form: reports.income_and_expenditure(organisation, *form.period()),
)
cash_book = _report(
    "finance/books/cash_book.html",
    lambda data, organisation: CashBookForm(data, organisation=organisation),
    lambda organisation, form: reports.cash_book(organisation, *form.period(), accounts=form.chosen()),
)


@login_required
@require_http_methods(READ)
def passbook(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_or_404(request.user, pk)
    form = PeriodForm(request.GET or None)
    context = {"member": member, "form": form, "query": _query(request)}
    if form.is_bound and not form.is_valid():
        return render(request, "finance/books/passbook.html", {**context, "report": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    report = reports.passbook(member, data.get("start"), data.get("end"))
    return _download(request, report) or render(
        request, "finance/books/passbook.html", {**context, "report": report}
    )


# ----- transactions ------------------------------------------------------------------------------


@login_required
@require_http_methods(READ)
def transaction_list(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_or_404(request.user, pk)
    found = transactions_for(request.user).filter(organisation=organisation)
    form = TransactionFilterForm(request.GET or None)
    if form.is_valid():
        start, end = form.period()
        if form.cleaned_data["kind"]:
            found = found.filter(kind=form.cleaned_data["kind"])
        if start:
            found = found.filter(on__gte=start)
        if end:
            found = found.filter(on__lte=end)
    found = _with_amounts(found).select_related("reversed_by", "created_by").order_by("-on", "-id")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "form": form,
        "page": page,
        "transactions": page.object_list,
        "query": _query(request),
    }
    return render(
        request,
        "finance/books/transaction_list.html",
        context,
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


def _transaction_or_404(request: HttpRequest, pk: int) -> Transaction:
    found = (
        transactions_for(request.user)
        .select_related("organisation", "reverses", "reversed_by", "created_by", "meeting")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def transaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A transaction's postings; an editor may reverse it here (POST)."""
    found = _transaction_or_404(request, pk)
    form = None
    if request.method == "POST":
        require_editor(request)
        form = ReverseForm(request.POST)
        if form.is_valid():
            try:
                reversal = reverse_transaction(
                    actor=request.user,
                    original=found,
                    on=form.cleaned_data["on"],
                    memo=form.cleaned_data["memo"],
                    client_id=form.cleaned_data["client_id"],
                    channel=Channel.WEB,
                )
            except FinanceError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The transaction was reversed."))
                return redirect("finance:transaction_detail", pk=reversal.pk)
    elif request.user.can_edit:
        form = ReverseForm()
    reversible = (
        found.kind != TransactionKind.REVERSAL
        and found.kind not in UNREVERSIBLE
        and not hasattr(found, "reversed_by")
    )
    postings = [
        (posting, max(posting.amount, 0), max(-posting.amount, 0))
        for posting in found.postings.select_related("account", "member").order_by("id")
    ]
    context = {
        "transaction": found,
        "organisation": found.organisation,
        "postings": postings,
        "debits": sum(debit for _posting, debit, _credit in postings),
        "form": form if reversible else None,
    }
    return render(
        request, "finance/books/transaction_detail.html", context, status=400 if form and form.errors else 200
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def transaction_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A manual transaction; with ?kind=opening the opening balances, line by line."""
    organisation = organisation_or_404(request.user, pk)
    require_editor(request)
    accounts_of(organisation)  # the standard chart, made on first use, for the forms' choices
    if request.GET.get("kind") == TransactionKind.OPENING:
        return _opening(request, organisation)
    data = request.POST if request.method == "POST" else None
    form = ManualTransactionForm(data, organisation=organisation, initial={"kind": request.GET.get("kind")})
    if form.is_bound and form.is_valid():
        try:
            posted = post_transaction(
                actor=request.user,
                organisation=organisation,
                on=form.cleaned_data["on"],
                kind=form.cleaned_data["kind"],
                lines=form.lines(),
                memo=form.cleaned_data["memo"],
                reference=form.cleaned_data["reference"],
                client_id=form.cleaned_data["client_id"],
                channel=Channel.WEB,
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The transaction was recorded."))
            return redirect("finance:transaction_detail", pk=posted.pk)
    context = {"organisation": organisation, "form": form}
    return render(
        request, "finance/books/transaction_new.html", context, status=400 if form.is_bound else 200
    )


def _opening(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = OpeningForm(data)
    members = members_of(request.user, organisation)
    lines = OpeningLines(data, prefix="lines", organisation=organisation, members=members)
    if form.is_bound and form.is_valid() and lines.is_valid():
        try:
            posted = post_transaction(
                actor=request.user,
                organisation=organisation,
                on=form.cleaned_data["on"],
                kind=TransactionKind.OPENING,
                lines=lines.lines(),
                memo=form.cleaned_data["memo"] or _("Opening balances"),
                reference=form.cleaned_data["reference"],
                client_id=form.cleaned_data["client_id"],
                channel=Channel.WEB,
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The opening balances were recorded."))
            return redirect("finance:transaction_detail", pk=posted.pk)
    context = {
        "organisation": organisation,
        "form": form,
        "lines": lines,
        "difference": lines.difference() if lines.is_bound else None,
    }
    return render(request, "finance/books/opening.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_or_404(request.user, pk)
    require_editor(request)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            closed = close_period(
                actor=request.user, organisation=organisation, through=form.cleaned_data["through"]
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("The books are closed through %(date)s.") % {"date": closed.through.isoformat()}
            )
            return redirect("finance:period_close", pk=organisation.pk)
    closes = (
        PeriodClose.objects.filter(organisation=organisation).select_related("closed_by").order_by("-through")
    )
    context = {"organisation": organisation, "form": form, "closes": closes}
    return render(request, "finance/books/period_close.html", context, status=400 if form.is_bound else 200)


urlpatterns = [
    path("organisations/<int:pk>/", books, name="books"),
    path("organisations/<int:pk>/trial-balance/", trial_balance, name="trial_balance"),
    path("organisations/<int:pk>/balance-sheet/", balance_sheet, name="balance_sheet"),
    path("organisations/<int:pk>/income-and-expenditure/", income_expenditure, name="income_expenditure"),
    path("organisations/<int:pk>/cash-book/", cash_book, name="cash_book"),
    path("organisations/<int:pk>/transactions/", transaction_list, name="transaction_list"),
    path("organisations/<int:pk>/transactions/new/", transaction_new, name="transaction_new"),
    path("organisations/<int:pk>/close/", period_close, name="period_close"),
    path("transactions/<int:pk>/", transaction_detail, name="transaction_detail"),
    path("members/<int:pk>/passbook/", passbook, name="passbook"),
]
