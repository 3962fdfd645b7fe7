"""The results of access to services: newly receiving, take-up, time to receiving, rejections,
grievances and referrals over a period, on a page and as a CSV download."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from samiti.access import reports
from samiti.access.errors import AccessError
from samiti.core.forms import ServiceErrors


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
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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
def results_csv(request: HttpRequest) -> HttpResponse:
    """The page's tables as CSV: one line per figure (table, scheme, column, value)."""
    form, within = _period(request)
    if within is None:
        return render(request, "access/results/results.html", {"form": form, "results": None}, status=400)
    found = reports.results(request.user, within)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-results-{within.start}-{within.end}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the Bengali as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("table"), _("scheme"), _("column"), _("value")])
    writer.writerows(csv_rows(found))
    return response


def _cell(value: object) -> str:
    return f"<{reports.SMALL_CELL}" if value is None else str(value)


def csv_rows(found: reports.Results) -> list[list[str]]:
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
        rate = None if take_up.rate is None else f"{take_up.rate:.4f}"
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
        rows.append([_("Grievances"), "", label, str(value)])
    for referral in found.referrals:
        name = referral.service.name if referral.service else _("all")
        for label, value in [
            (_("referred"), referral.referred), (_("received"), referral.received),
            (_("not received"), referral.not_received), (_("pending"), referral.pending),
        ]:  # fmt: skip
            rows.append([_("Referrals"), name, label, str(value)])
    return rows


urlpatterns = [
    path("results/", results, name="results"),
    path("results/export.csv", results_csv, name="results_csv"),
]
