"""Application pages: the list in scope, an application's timeline and next step, starting one from a
member, and the facilitator's task list of documents. Thin: parse, call a service, render."""

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
from samiti.access.forms.applications import (
    STEP_FORMS,
    ApplicationFilterForm,
    ApplicationNewForm,
    DocumentTickForm,
)
from samiti.access.models import Application, DocumentKind, Scheme
from samiti.access.services import applications as services
from samiti.access.services import documents
from samiti.access.services.grievances import may_become_grievance
from samiti.core.models import Channel
from samiti.core.money import format_taka
from samiti.core.views import require_editor
from samiti.registry import queries

PAGE_SIZE = 50
Status = Application.Status


def _filtered(request: HttpRequest, form: ApplicationFilterForm) -> Any:
    applications = services.applications_for(request.user)
    if not form.is_valid():
        return applications, ""
    if form.cleaned_data["scheme"]:
        applications = applications.filter(scheme=form.cleaned_data["scheme"])
    if form.cleaned_data["group"]:
        applications = applications.filter(member__group=form.cleaned_data["group"])
    return applications, form.cleaned_data["status"]


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None, groups=queries.groups_for(request.user))
    applications, status = _filtered(request, form)
    today = timezone.localdate()
    counts = services.status_counts(applications, today)
    if status == "stalled":
        applications = applications.filter(services.stalled(today))
    elif status:
        applications = applications.filter(status=status)
    found = applications.select_related("member__group", "scheme").order_by("-updated_on", "-id")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page.object_list:
        application.stalled = services.is_stalled(application, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "counts": [(value, label, counts[value]) for value, label in Status.choices],
        "stalled": counts["stalled"],
        "stalled_days": services.STALLED_AFTER_DAYS,
        "query": query.urlencode(),
    }
    return render(request, "access/applications/list.html", context)


def _application_page(request: HttpRequest, application: Application, bound: Any = None) -> HttpResponse:
    today = timezone.localdate()
    steps = []
    if request.user.can_edit:
        for status in services.next_steps(application):
            form_class, heading = STEP_FORMS[status]
            form = bound if bound is not None and bound.prefix == status else None
            steps.append((status, heading, form or form_class(application=application, prefix=status)))
    missing = documents.missing_documents(application.member, application.scheme)
    context = {
        "application": application,
        "events": application.events.select_related("recorded_by"),
        "steps": steps,
        "missing": [(kind, DocumentKind(kind).label) for kind in missing],
        "gathering": application.status in documents.GATHERING,
        "stalled": services.is_stalled(application, today),
        "stalled_days": services.STALLED_AFTER_DAYS,
        "grievances": application.grievances.select_related("category"),
        "may_grieve": request.user.can_edit and may_become_grievance(application, today),
        "amount_taka": format_taka(application.amount_per_month),
    }
    return render(request, "access/applications/detail.html", context, status=400 if bound else 200)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, services.application_or_404(request.user, pk))


def _take_step(request: HttpRequest, application: Application, status: str, data: dict) -> None:
    common = {"actor": request.user, "application": application, "note": data["note"], "channel": Channel.WEB}
    if status == Status.DOCUMENTS_READY:
        services.mark_documents_ready(on=data["on"], **common)
    elif status == Status.SUBMITTED:
        services.submit(
            on=data["on"], where=data["where"], to=data["to"], authority=data["authority"], **common
        )
    elif status == Status.APPROVED:
        services.approve(on=data["on"], **common)
    elif status == Status.REJECTED:
        services.reject(on=data["on"], reason=data["reason"], **common)
    elif status == Status.RECEIVING:
        services.start_receiving(since=data["since"], amount_per_month=data["amount_per_month"], **common)
    else:
        services.stop(on=data["on"], **common)


@login_required
@require_POST
def application_step(request: HttpRequest, pk: int, status: str) -> HttpResponse:
    application = services.application_or_404(request.user, pk)
    require_editor(request)
    if status not in STEP_FORMS:
        raise Http404
    form_class, _heading = STEP_FORMS[status]
    form = form_class(request.POST, application=application, prefix=status)
    if form.is_valid():
        try:
            _take_step(request, application, status, form.cleaned_data)
        except AccessError as error:
            if status not in services.next_steps(application):
                messages.error(request, str(error))  # the page has no form for this step
            else:
                form.add_service_error(error)
        else:
            messages.success(request, _("Step recorded: %(status)s.") % {"status": Status(status).label})
            return redirect("access:application", pk=application.pk)
    return _application_page(request, application, form)


@login_required
def application_new(request: HttpRequest, member: int) -> HttpResponse:
    found = queries.member_or_404(request.user, member)
    require_editor(request)
    scheme = Scheme.objects.filter(code=request.GET.get("scheme") or "").first()
    form = ApplicationNewForm(
        request.POST or None, initial={"scheme": scheme.code if scheme else None, "on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.identify(
                actor=request.user,
                member=found,
                scheme=form.cleaned_data["scheme"],
                on=form.cleaned_data["on"],
                channel=Channel.WEB,
            )
        except AccessError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Application started."))
            return redirect("access:application", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "access/applications/new.html", {"form": form, "member": found}, status=status)


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The documents members lack for applications not yet submitted; ticking one records it."""
    if request.method == "POST":
        require_editor(request)
        tick = DocumentTickForm(request.POST)
        if not tick.is_valid():
            raise Http404
        member = queries.member_or_404(request.user, tick.cleaned_data["member"])
        kind = tick.cleaned_data["kind"]
        try:
            documents.record_document(actor=request.user, member=member, kind=kind, channel=Channel.WEB)
        except AccessError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(member)s: %(document)s recorded.")
                % {"member": member, "document": DocumentKind(kind).label},
            )
        return redirect(request.get_full_path())
    groups = queries.groups_for(request.user)
    form = ApplicationFilterForm(request.GET or None, groups=groups)
    applications, _status = _filtered(request, form)
    return render(
        request,
        "access/applications/tasks.html",
        {"form": form, "groups": documents.document_tasks(applications)},
    )


urlpatterns = [
    path("applications/", application_list, name="applications"),
    path("applications/<int:pk>/", application_detail, name="application"),
    path("applications/<int:pk>/step/<slug:status>/", application_step, name="application_step"),
    path("members/<int:member>/apply/", application_new, name="application_new"),
    path("tasks/", tasks, name="tasks"),
]
