"""Member import (upload, preview with column mapping, apply, result) and member list export."""

import contextlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from samiti.registry import exporting, importing
from samiti.registry.forms import MemberFilterForm
from samiti.registry.importing import ImportFileError
from samiti.registry.queries import search_members

MAX_UPLOAD = 200 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (CSV or XLSX)"),
        help_text=_("A KoboToolbox or ODK export, or a spreadsheet with one member per row."),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 200 MB: split it into parts."))
        return file


class MappingForm(forms.Form):
    """One select per file column: which field of a member it fills."""

    def __init__(self, *args, headers: list[str], mapping: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— ignore this column —"))] + [(t, importing.LABELS[t]) for t in importing.TARGETS]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("column %(number)d") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=mapping[index] if index < len(mapping) else "",
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]


def _editor(request: HttpRequest) -> None:
    if not request.user.can_edit:
        raise PermissionDenied


def _upload(request: HttpRequest, key: str) -> importing.Upload:
    _editor(request)
    upload = importing.load_upload(key=key, user=request.user)
    if upload is None:
        raise Http404
    return upload


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _editor(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = importing.save_upload(user=request.user, filename=file.name, chunks=file.chunks())
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            # If the guessed mapping will not do, the preview page says why and lets the user fix it.
            with contextlib.suppress(ImportFileError):
                importing.preview_upload(upload=upload, user=request.user)
            return redirect("registry:import_preview", key=upload.key)
    return render(request, "registry/import_start.html", {"form": form})


@login_required
def import_preview(request: HttpRequest, key: str) -> HttpResponse:
    upload = _upload(request, key)
    if upload.summary("result") is not None:
        return redirect("registry:import_result", key=key)
    form = MappingForm(request.POST or None, headers=upload.headers, mapping=upload.mapping)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            importing.preview_upload(upload=upload, user=request.user, mapping=form.mapping())
        except ImportFileError as problem:
            error = str(problem)
        else:
            return redirect("registry:import_preview", key=key)
    summary = upload.summary("preview")
    if summary is None and not error:
        try:
            importing.check_mapping(upload.mapping)
        except ImportFileError as problem:
            error = str(problem)
    context = {"upload": upload, "summary": summary, "form": form, "error": error}
    return render(request, "registry/import_preview.html", context)


@require_POST
@login_required
def import_apply(request: HttpRequest, key: str) -> HttpResponse:
    upload = _upload(request, key)
    mode = request.POST.get("mode")
    if mode not in ("all", "good"):
        return HttpResponseBadRequest()
    try:
        importing.apply_upload(upload=upload, user=request.user, good_rows_only=mode == "good")
    except ImportFileError as error:
        return render(request, "registry/import_result.html", {"upload": upload, "error": str(error)})
    return redirect("registry:import_result", key=key)


@login_required
def import_result(request: HttpRequest, key: str) -> HttpResponse:
    upload = _upload(request, key)
    summary = upload.summary("result") or upload.summary("attempt")
    if summary is None:
        return redirect("registry:import_preview", key=key)
    return render(request, "registry/import_result.html", {"upload": upload, "summary": summary})


@login_required
def import_bad_rows(request: HttpRequest, key: str) -> FileResponse:
    upload = _upload(request, key)
    if not upload.bad_rows_path.exists():
        raise Http404
    filename = f"bad-rows-{upload.filename.rsplit('.', 1)[0]}.csv"
    return FileResponse(open(upload.bad_rows_path, "rb"), as_attachment=True, filename=filename)


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    _editor(request)
    columns = exporting.template_columns(request.user)
    if fmt == "csv":
        response = HttpResponse(exporting.template_csv(columns), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="members-template.csv"'
        return response
    handle = exporting.xlsx_file(None, columns)
    return FileResponse(handle, as_attachment=True, filename="members-template.xlsx")


@login_required
def member_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The member list as filtered on its page, as CSV or XLSX; one audit row per export."""
    form = MemberFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        if {"organisation", "area"} & form.errors.keys():
            raise Http404  # an organisation outside the user's scope does not exist for them
        return HttpResponseBadRequest(form.errors.as_text())
    members = exporting.members_to_export(search_members(request.user, form.cleaned_data))
    columns = exporting.export_columns(request.user)
    sensitive = request.user.sees_sensitive
    filters = "; ".join(f"{k}={v}" for k, v in request.GET.items() if v)
    exporting.record_export(user=request.user, file_format=fmt, filters=filters, count=members.count())
    filename = f"members-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        lines = exporting.csv_lines(members, columns, sensitive=sensitive)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    handle = exporting.xlsx_file(members, columns, sensitive=sensitive)
    return FileResponse(handle, as_attachment=True, filename=filename)


_KEY = r"(?P<key>[0-9a-f]{32})"
urlpatterns = [
    re_path(r"^import/$", import_start, name="import_start"),
    re_path(r"^import/template\.(?P<fmt>csv|xlsx)$", import_template, name="import_template"),
    re_path(rf"^import/{_KEY}/$", import_preview, name="import_preview"),
    re_path(rf"^import/{_KEY}/apply/$", import_apply, name="import_apply"),
    re_path(rf"^import/{_KEY}/result/$", import_result, name="import_result"),
    re_path(rf"^import/{_KEY}/bad-rows\.csv$", import_bad_rows, name="import_bad_rows"),
    re_path(r"^members/export\.(?P<fmt>csv|xlsx)$", member_export, name="member_export"),
]
