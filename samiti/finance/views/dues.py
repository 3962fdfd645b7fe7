"""Dues pages of an association: who is in arrears and the collection rate by group (with the
arrears list as CSV or XLSX), setting the fee, recording a payment. Thin: parse, call a service,
render."""

import csv
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.core import audit
from samiti.core.files import Echo, csv_cell, xlsx_cell
from samiti.core.models import Channel
from samiti.core.money import format_taka, taka_amount
from samiti.core.views import require_editor
from samiti.finance.errors import FinanceError
from samiti.finance.forms.dues import DuesFilterForm, FeeForm, PaymentForm
from samiti.finance.models import Frequency, MembershipFee
from samiti.finance.services import dues as services
from samiti.registry.models import Organisation, User
from samiti.registry.queries import organisation_or_404

PAGE_SIZE = 100


def association_or_404(user: User, pk: int) -> Organisation:
    """An association in the user's scope; anything else (a group, another association) is 404."""
    found = organisation_or_404(user, pk)
    if found.kind != Organisation.Kind.ASSOCIATION:
        raise Http404
    return found


def _status(request: HttpRequest, association: Organisation) -> tuple[DuesFilterForm, Any, list]:
    """The filter form, the association's dues and its members in arrears, as filtered."""
    form = DuesFilterForm(request.GET or None, association=association)
    group, on = None, timezone.localdate()
    if form.is_valid():
        group = form.cleaned_data["group"]
        on = form.cleaned_data["on"] or on
    elif "group" in form.errors:
        raise Http404  # a group of another association does not exist here
    status = services.dues_status(association, on)
    arrears = [row for row in status.in_arrears if group is None or row.group_id == group.pk]
    return form, status, arrears


@login_required
def dues(request: HttpRequest, pk: int) -> HttpResponse:
    association = association_or_404(request.user, pk)
    form, status, arrears = _status(request, association)
    page = Paginator(arrears, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = {row.group_id: row for row in status.groups}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "association": association,
        "form": form,
        "status": status,
        "page": page,
        "arrears": [(row, groups.get(row.group_id)) for row in page.object_list],
        "fee_frequency": Frequency(status.fee.frequency).label if status.fee else "",
        "query": query.urlencode(),
    }
    return render(request, "finance/dues/status.html", context)


@login_required
def arrears_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The members in arrears as filtered on the page, as CSV or XLSX; one audit row per export."""
    association = association_or_404(request.user, pk)
    _form, status, arrears = _status(request, association)
    groups = {row.group_id: row for row in status.groups}
    audit.record_export(
        actor=request.user,
        model=MembershipFee,
        what=f"{len(arrears)} members in arrears",
        note=f"dues arrears, {fmt}, {len(arrears)} rows, on {status.on.isoformat()}",
        association_id=association.pk,
    )
    rows = [_cells(row, groups) for row in arrears]
    filename = f"dues-arrears-{association.code}-{status.on:%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(_xlsx_file(rows), as_attachment=True, filename=filename)


COLUMNS = [
    "member_code", "name", "group_code", "group", "joined_on", "periods_due", "expected_taka",
    "paid_taka", "arrears_taka",
]  # fmt: skip


def _cells(row: services.MemberDues, groups: dict) -> list[Any]:
    group = groups.get(row.group_id)
    return [
        row.code,
        row.name,
        group.code if group else "",
        group.name if group else "",
        row.joined_on,
        row.periods,
        taka_amount(row.expected),
        taka_amount(row.paid),
        taka_amount(row.arrears),
    ]


def _csv_lines(rows: Sequence[list[Any]]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def _xlsx_file(rows: Sequence[list[Any]]) -> IO[bytes]:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("arrears")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([xlsx_cell(value) for value in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    book.save(handle)
    handle.seek(0)
    return handle


@login_required
def fee(request: HttpRequest, pk: int) -> HttpResponse:
    association = association_or_404(request.user, pk)
    require_editor(request)
    form = FeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_membership_fee(
                actor=request.user, association=association, channel=Channel.WEB, **form.cleaned_data
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The membership fee is set."))
            return redirect("finance:dues", pk=association.pk)
    history = MembershipFee.objects.filter(association=association).order_by("-starts_on")
    context = {"association": association, "form": form, "history": history}
    return render(request, "finance/dues/fee.html", context, status=400 if form.is_bound else 200)


@login_required
def payment(request: HttpRequest, pk: int) -> HttpResponse:
    association = association_or_404(request.user, pk)
    require_editor(request)
    initial = {"member": request.GET.get("member", "")}
    form = PaymentForm(request.POST or None, initial=initial, user=request.user, association=association)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_dues_payment(actor=request.user, channel=Channel.WEB, **data)
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(amount)s of dues recorded for %(member)s.")
                % {"amount": format_taka(data["amount"]), "member": data["member"]},
            )
            return redirect("finance:dues_payment", pk=association.pk)
    context = {"association": association, "form": form}
    return render(request, "finance/dues/payment.html", context, status=400 if form.is_bound else 200)


urlpatterns = [
    path("associations/<int:pk>/dues/", dues, name="dues"),
    re_path(
        r"^associations/(?P<pk>\d+)/dues/arrears\.(?P<fmt>csv|xlsx)$", arrears_export, name="dues_arrears"
    ),
    path("associations/<int:pk>/dues/fee/", fee, name="dues_fee"),
    path("associations/<int:pk>/dues/payment/", payment, name="dues_payment"),
]
