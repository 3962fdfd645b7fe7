"""Grievance pages: the list in scope (overdue first), opening one from an application, and a
grievance's page where it is escalated, resolved or dropped. Thin: parse, call a service, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.access.errors import AccessError
from samiti.access.forms.grievances import GRIEVANCE_STEPS, GrievanceFilterForm, GrievanceForm
from samiti.access.models import Grievance
from samiti.access.services import applications
from samiti.access.services import grievances as services
from samiti.core.models import Channel
from samiti.core.views import require_editor

PAGE_SIZE = 50


@login_required
def grievance_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    found = services.grievances_for(request.user)
    form = GrievanceFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            found = found.filter(status=data["status"])
        if data["category"]:
            found = found.filter(category=data["category"])
        if data["scheme"]:
            found = found.filter(application__scheme=data["scheme"])
        if data["overdue"]:
            found = found.filter(services.overdue(today))
    found = services.overdue_first(found, today).select_related(
        "application__member", "application__scheme", "category"
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    for grievance in page.object_list:
        grievance.overdue = grievance.is_overdue(today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "grievances": page.object_list, "query": query.urlencode()}
    return render(request, "access/grievances/list.html", context)


@login_required
def grievance_new(request: HttpRequest, application: int) -> HttpResponse:
    found = applications.application_or_404(request.user, application)
    require_editor(request)
    form = GrievanceForm(request.POST or None, initial={"opened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            grievance = services.open_grievance(
                actor=request.user, application=found, channel=Channel.WEB, **form.cleaned_data
            )
        except AccessError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Grievance opened."))
            return redirect("access:grievance", pk=grievance.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "access/grievances/new.html", {"form": form, "application": found}, status=status)


def _grievance_page(request: HttpRequest, grievance: Grievance, bound: Any = None) -> HttpResponse:
    steps = []
    if request.user.can_edit and grievance.status in services.OPEN:
        for name, (form_class, heading) in GRIEVANCE_STEPS.items():
            form = bound if bound is not None and bound.prefix == name else form_class(prefix=name)
            steps.append((name, heading, form))
    context = {"grievance": grievance, "overdue": grievance.is_overdue(), "steps": steps}
    return render(request, "access/grievances/detail.html", context, status=400 if bound else 200)


@login_required
def grievance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _grievance_page(request, services.grievance_or_404(request.user, pk))


@login_required
@require_POST
def grievance_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    grievance = services.grievance_or_404(request.user, pk)
    require_editor(request)
    if step not in GRIEVANCE_STEPS:
        raise Http404
    form = GRIEVANCE_STEPS[step][0](request.POST, prefix=step)
    if form.is_valid():
        write = {
            "escalate": services.escalate_grievance,
            "resolve": services.resolve_grievance,
            "drop": services.drop_grievance,
        }[step]
        try:
            write(actor=request.user, grievance=grievance, channel=Channel.WEB, **form.cleaned_data)
        except AccessError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Grievance updated."))
            return redirect("access:grievance", pk=grievance.pk)
    return _grievance_page(request, grievance, form)


urlpatterns = [
    path("grievances/", grievance_list, name="grievances"),
    path("grievances/<int:pk>/", grievance_detail, name="grievance"),
    path("grievances/<int:pk>/<slug:step>/", grievance_step, name="grievance_step"),
    path("applications/<int:application>/grievance/", grievance_new, name="grievance_new"),
]
