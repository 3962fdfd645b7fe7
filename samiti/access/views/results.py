"""The results of access to services: newly receiving, take-up, time to receiving, rejections,
grievances and referrals over a period, on a page and as a CSV or XLSX download."""

import csv
import io

import openpyxl
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from samiti.access import reports
from samiti.access.errors import AccessError
from samiti.core.files import csv_cell
from samiti.core.forms import ServiceErrors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(ServiceErrors, forms.Form):
    """The period of the report: a year, a quarter, a month, or from a day to a day."""

    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=reports.PeriodKind.choices, required=False
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False)
    quarter = forms.IntegerField(label=gettext_lazy("Quarter"), required=False)
    month = forms.IntegerField(label=gettext_lazy("Month"), required=False)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=pgettext_lazy("end of a period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                data["within"] = reports.period(
                    kind=data.get("period") or reports.PeriodKind.YEAR,
                    **{name: data.get(name) for name in ("year", "quarter", "month", "start", "end")},
                )
            except AccessError as error:
                self.add_service_error(error)
        return data


def _period(request: HttpRequest) -> tuple[PeriodForm, reports.Period | None]:
    form = PeriodForm(request.GET)
    return form, form.cleaned_data["within"] if form.is_valid() else None


@login_required
@require_http_methods(["GET", "HEAD"])
def results(request: HttpRequest) -> HttpResponse:
    form, within = _period(request)
    found = reports.results(request.user, within) if within else None
    context = {"form": form, "results": found, "query": request.GET.urlencode()}
    return render(request, "access/results/results.html", context, status=200 if found else 400)


@login_required
@require_http_methods(["GET", "HEAD"])
def results_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The page's tables as CSV or XLSX: one line per figure (table, scheme, column, value)."""
    form, within = _period(request)
    if within is None:
        return render(request, "access/results/results.html", {"form": form, "results": None}, status=400)
    header = [_("table"), _("scheme"), _("column"), _("value")]
    rows = [[csv_cell(cell) for cell in row] for row in csv_rows(reports.results(request.user, within))]
    filename = f"access-results-{within.start}-{within.end}.{fmt}"
    if fmt == "xlsx":
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(_("results"))
        for row in [header, *rows]:
            sheet.append(row)
        content = io.BytesIO()
        book.save(content)
        response = HttpResponse(content.getvalue(), content_type=XLSX)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # so spreadsheet programs read the Bengali as UTF-8
        csv.writer(response).writerows([header, *rows])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value: object) -> object:
    return f"<{reports.SMALL_CELL}" if value is None else value


def csv_rows(found: reports.Results) -> list[list[object]]:
    rows = []
    for table in [*found.newly, found.rejections]:
        title = table.title if table is found.rejections else f"{_('Newly receiving')}: {table.title}"
        for row in table.rows:
            rows.append([title, row.scheme.name, _("all"), _cell(row.total)])
            rows += [
                [title, row.scheme.name, c.label, _cell(n)]
                for c, n in zip(table.columns, row.cells, strict=True)
            ]
    for take_up in found.take_up:
        rate = None if take_up.rate is None else round(take_up.rate, 4)
        for label, value in [
            (_("receiving"), take_up.receiving), (_("likely eligible, not receiving"), take_up.eligible),
            (_("cannot tell"), take_up.cannot_tell), (_("take-up"), rate),
        ]:  # fmt: skip
            rows.append([_("Take-up"), take_up.scheme.name, label, _cell(value)])
    for waiting in found.waiting:
        for label, value in [
            (_("members"), waiting.members), (_("median days"), waiting.median),
            (_("75th percentile days"), waiting.p75),
        ]:  # fmt: skip
            rows.append([_("Days from identified to receiving"), waiting.scheme.name, label, _cell(value)])
    g = found.grievances
    for label, value in [
        (_("open"), g.open),
        (_("overdue"), g.overdue),
        (_("opened"), g.opened),
        (_("resolved"), g.resolved),
    ]:
        rows.append([_("Grievances"), "", label, value])
    for referral in found.referrals:
        name = referral.service.name if referral.service else _("all")
        for label, value in [
            (_("referred"), referral.referred), (_("received"), referral.received),
            (_("not received"), referral.not_received), (_("pending"), referral.pending),
        ]:  # fmt: skip
            rows.append([_("Referrals"), name, label, value])
    return rows


urlpatterns = [
    path("results/", results, name="results"),
    re_path(r"^results/export\.(?P<fmt>csv|xlsx)$", results_export, name="results_export"),
]
