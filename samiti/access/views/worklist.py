"""The facilitator's work list: members likely eligible and not receiving, most needed first."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, re_path
from django.utils import timezone
from django.utils.http import urlencode

from samiti.access import exporting, queries
from samiti.access.forms.screening import WorklistFilterForm
from samiti.access.models import Finding

PAGE_SIZE = 50
SCOPED_FILTERS = {"group", "union"}


def _filters(request: HttpRequest) -> tuple[WorklistFilterForm, dict]:
    form = WorklistFilterForm(request.GET or None, user=request.user)
    if not request.GET:
        return form, {"result": Finding.Outcome.ELIGIBLE}
    if not form.is_valid():
        if SCOPED_FILTERS & form.errors.keys():
            raise Http404  # a group or union outside the user's scope does not exist for them
        return form, {"result": Finding.Outcome.ELIGIBLE}
    return form, form.filters()


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    findings = queries.worklist(request.user, **filters)
    number = _page_number(request)
    start = (number - 1) * PAGE_SIZE
    rows = queries.page_of(findings, start, PAGE_SIZE + 1)
    total = queries.bounded_count(findings)
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "access/worklist/list.html",
        {
            "form": form,
            "items": queries.work_items(rows[:PAGE_SIZE]),
            "number": number,
            "has_next": len(rows) > PAGE_SIZE,
            "pages": None if total > queries.COUNT_CAP else max(1, -(-total // PAGE_SIZE)),
            "total": total,
            "capped": total > queries.COUNT_CAP,
            "cap": queries.COUNT_CAP,
            "query": query,
            "cannot_tell": filters["result"] == Finding.Outcome.CANNOT_TELL,
        },
    )


@login_required
def worklist_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The work list as filtered on its page, as CSV or XLSX; one audit row per export."""
    _form, filters = _filters(request)
    findings = queries.worklist(request.user, **filters)
    columns = exporting.columns_for(request.user)
    described = "; ".join(f"{k}={v}" for k, v in request.GET.items() if v)
    exporting.record_export(
        user=request.user, file_format=fmt, filters=described, count=findings.order_by().count()
    )
    filename = f"work-list-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exporting.csv_lines(findings, columns), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(exporting.xlsx_file(findings, columns), as_attachment=True, filename=filename)


urlpatterns = [
    path("worklist/", worklist, name="worklist"),
    re_path(r"^worklist/export\.(?P<fmt>csv|xlsx)$", worklist_export, name="worklist_export"),
]
