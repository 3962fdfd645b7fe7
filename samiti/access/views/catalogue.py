"""Catalogue pages: the schemes, one scheme explained, a programme admin's edit page and rule editor.

Thin: parse, call a service, render. Everyone who may log in reads the catalogue; only a
programme admin edits it (others are answered 404, as for anything out of scope).
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.access.errors import AccessError
from samiti.access.forms.catalogue import RuleForm, SchemeForm, WindowForm
from samiti.access.models import Scheme
from samiti.access.rules.syntax import RuleError
from samiti.access.services import catalogue as services
from samiti.access.services.rules import count_matches, rule_on, save_rule
from samiti.core.bengali import to_latin_digits
from samiti.core.models import Channel
from samiti.core.templatetags.samiti import digits, number
from samiti.registry import queries
from samiti.registry.models import Crop


def require_programme_admin(request: HttpRequest) -> None:
    """Refuse the catalogue's writes to anyone but a programme admin: as not found."""
    if not request.user.sees_whole_programme:
        raise Http404


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    lines = services.catalogue_for(request.user, today)
    kinds = [
        (label, [line for line in lines if line.scheme.kind == kind])
        for kind, label in Scheme.Kind.choices
        if any(line.scheme.kind == kind for line in lines)
    ]
    inactive = Scheme.objects.filter(is_active=False) if request.user.sees_whole_programme else []
    return render(request, "access/catalogue/scheme_list.html", {"kinds": kinds, "inactive": inactive})


@login_required
def scheme_detail(request: HttpRequest, code: str) -> HttpResponse:
    scheme = services.scheme_or_404(code)
    today = timezone.localdate()
    (line,) = services.catalogue_for(request.user, today, Scheme.objects.filter(pk=scheme.pk))
    version = rule_on(scheme, today)
    context = {
        "scheme": scheme,
        "line": line,
        "version": version,
        "rule_words": services.rule_in_words(version.text, today) if version else [],
        "versions": [
            (v, services.version_note(v))
            for v in scheme.rules.select_related("created_by").order_by("-valid_from")
        ],
        "windows": scheme.windows.filter(closes_on__gte=today),
        "offices": services.offices_for(request.user, scheme.office, today)[:50] if scheme.office else [],
    }
    return render(request, "access/catalogue/scheme_detail.html", context)


def _edit_page(
    request: HttpRequest,
    scheme: Scheme,
    form: SchemeForm | None = None,
    window_form: WindowForm | None = None,
) -> HttpResponse:
    context = {
        "scheme": scheme,
        "form": form or SchemeForm(initial=SchemeForm.initial_for(scheme)),
        "window_form": window_form or WindowForm(),
        "windows": scheme.windows.filter(closes_on__gte=timezone.localdate()),
    }
    bad = (form is not None and form.errors) or (window_form is not None and window_form.errors)
    return render(request, "access/catalogue/scheme_edit.html", context, status=400 if bad else 200)


@login_required
def scheme_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_programme_admin(request)
    scheme = services.scheme_or_404(code)
    if request.method != "POST":
        return _edit_page(request, scheme)
    if "add_window" in request.POST:
        window_form = WindowForm(request.POST)
        if window_form.is_valid():
            try:
                services.add_window(scheme=scheme, user=request.user, **window_form.cleaned_data)
            except AccessError as error:
                window_form.add_service_error(error)
            else:
                messages.success(request, _("Window added."))
                return redirect("access:scheme_edit", code=scheme.code)
        return _edit_page(request, scheme, window_form=window_form)
    form = SchemeForm(request.POST)
    if form.is_valid():
        try:
            services.update_scheme(scheme=scheme, user=request.user, channel=Channel.WEB, **form.cleaned_data)
        except AccessError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Scheme saved."))
            return redirect("access:scheme", code=scheme.code)
    return _edit_page(request, scheme, form=form)


@login_required
@require_POST
def window_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    require_programme_admin(request)
    scheme = services.scheme_or_404(code)
    window = scheme.windows.filter(pk=pk).first()
    if window is None:
        raise Http404
    services.remove_window(window=window, user=request.user)
    messages.success(request, _("Window removed."))
    return redirect("access:scheme_edit", code=scheme.code)


def _check(request: HttpRequest, text: str, on: datetime.date) -> dict:
    """The live count of a rule over the user's members, or where and why it does not parse.

    Besides the numbers, `shown` has them in the page's digits and `where` and `caret` place
    the error, so the page renders them the same with or without JavaScript.
    """
    try:
        counts = count_matches(queries.members_for(request.user).filter(left_on__isnull=True), text, on)
    except RuleError as error:
        line, column, line_text = services.rule_error_at(text, error.position)
        return {
            "position": error.position,
            "reason": str(error.reason),
            "line": line,
            "column": column,
            "line_text": line_text,
            "caret": " " * (column - 1) + "^",
            "where": _("Line %(line)s, column %(column)s") % {"line": digits(line), "column": digits(column)},
        }
    return counts | {"shown": {name: number(value) for name, value in counts.items()}}


def _day(text: str | None) -> datetime.date:
    """A date from a form (Latin or Bengali digits), today when blank or not a date."""
    try:
        return datetime.date.fromisoformat(to_latin_digits(text or ""))
    except ValueError:
        return timezone.localdate()


@login_required
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_programme_admin(request)
    scheme = services.scheme_or_404(code)
    today = timezone.localdate()
    current = rule_on(scheme, today) or scheme.rules.order_by("-valid_from").first()
    form = RuleForm(request.POST or None, initial={"text": current.text if current else ""})
    checked = None
    if request.method == "POST" and "check" in request.POST:
        form.errors.clear()  # only the rule is checked: the date and reason may still be blank
        checked = _check(request, request.POST.get("text", ""), _day(request.POST.get("valid_from")))
    elif request.method == "POST" and form.is_valid():
        text, valid_from, note = (form.cleaned_data[name] for name in ("text", "valid_from", "note"))
        try:
            version = save_rule(scheme, text, valid_from, request.user, note=note)
        except RuleError as error:
            form.add_error("text", str(error))
            checked = _check(request, text, valid_from)
        except AccessError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Rule saved, valid from %(day)s.") % {"day": version.valid_from.isoformat()}
            )
            return redirect("access:scheme", code=scheme.code)
    context = {
        "scheme": scheme,
        "form": form,
        "current": current,
        "checked": checked,
        "facts": services.fact_guide(),
        "crops": Crop.choices,
        "schemes": Scheme.objects.order_by("code"),
    }
    return render(request, "access/catalogue/rule_edit.html", context, status=400 if form.errors else 200)


@login_required
def rule_check(request: HttpRequest) -> JsonResponse:
    """JSON for the rule editor's live count: {eligible, not_eligible, cannot_tell, total} or the error."""
    require_programme_admin(request)
    values = request.POST if request.method == "POST" else request.GET
    result = _check(request, values.get("text", ""), _day(values.get("on")))
    return JsonResponse(result, status=400 if "position" in result else 200)


urlpatterns = [
    path("schemes/", scheme_list, name="schemes"),
    path("schemes/<slug:code>/", scheme_detail, name="scheme"),
    path("schemes/<slug:code>/edit/", scheme_edit, name="scheme_edit"),
    path("schemes/<slug:code>/windows/<int:pk>/remove/", window_remove, name="window_remove"),
    path("schemes/<slug:code>/rule/", rule_edit, name="rule_edit"),
    path("rules/check/", rule_check, name="rule_check"),
]
