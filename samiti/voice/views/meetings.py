"""Meeting pages: the calendar in scope, planning, one meeting (agenda, attendance, quorum, minutes,
decisions, actions) and the follow-up actions list. Thin: parse, call a service, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.registry import queries
from samiti.registry import services as registry
from samiti.registry.models import Meeting
from samiti.voice.errors import VoiceError
from samiti.voice.forms.meetings import (
    MAX_CHECKBOXES,
    ActionDoneForm,
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
)
from samiti.voice.models import FollowUpAction, Minutes
from samiti.voice.services import meetings as services

PAGE_SIZE = 25


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Upcoming meetings first, then past ones, newest first, with how many attended and how many
    of their follow-up actions are overdue; filtered by organisation and kind."""
    filters = MeetingFilterForm(request.GET or None, user=request.user)
    found = queries.meetings_for(request.user).select_related("organisation", "authority")
    if filters.is_valid():
        if filters.cleaned_data["organisation"]:
            found = found.filter(organisation=filters.cleaned_data["organisation"])
        if filters.cleaned_data["kind"]:
            found = found.filter(kind=filters.cleaned_data["kind"])
    found = found.annotate(present=Count("attendance"))
    now = timezone.now()
    upcoming = list(
        found.filter(starts_at__gte=now).exclude(status=Meeting.Status.HELD).order_by("starts_at")[:50]
    )
    past = Paginator(found.exclude(pk__in=[m.pk for m in upcoming]).order_by("-starts_at"), PAGE_SIZE)
    page = past.get_page(request.GET.get("page"))
    _count_overdue([*upcoming, *page.object_list])
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "voice/meetings/meeting_list.html",
        {"filters": filters, "upcoming": upcoming, "page": page, "query": query},
    )


def _count_overdue(meetings: list[Meeting]) -> None:
    """Set `overdue_actions` on each meeting, counted in one grouped query."""
    counts = dict(
        FollowUpAction.objects.filter(meeting__in=[m.pk for m in meetings])
        .overdue()
        .order_by()
        .values_list("meeting")
        .annotate(n=Count("pk"))
    )
    for meeting in meetings:
        meeting.overdue_actions = counts.get(meeting.pk, 0)


@login_required
def meeting_plan(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    initial = {"organisation": request.GET.get("organisation"), "kind": request.GET.get("kind", "group")}
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.plan_meeting(actor=request.user, channel=Channel.WEB, **form.cleaned_data)
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Meeting planned."))
            return redirect("voice:meeting_detail", pk=meeting.pk)
    return render(request, "voice/meetings/meeting_form.html", {"form": form})


def _forms(request: HttpRequest, meeting: Meeting, bound: dict[str, Any]) -> dict[str, Any]:
    """The meeting page's forms; `bound` holds the one just posted, with its errors."""
    user = request.user
    present = list(meeting.attendance.values_list("member_id", flat=True))
    officials = list(meeting.officials_present.exclude(official=None).values_list("official_id", flat=True))
    guests = "\n".join(
        f"{name}, {post}" if post else name
        for name, post in meeting.officials_present.filter(official=None).values_list("name", "post")
    )
    minutes = Minutes.objects.filter(meeting=meeting).values_list("text", flat=True).first() or ""
    return {
        "attendance_form": bound.get("attendance")
        or AttendanceForm(
            user=user, meeting=meeting, initial={"members": present, "officials": officials, "guests": guests}
        ),
        "agenda_form": bound.get("agenda") or AgendaItemForm(),
        "minutes_form": bound.get("minutes") or MinutesForm(meeting=meeting, initial={"text": minutes}),
        "decision_form": bound.get("decision") or DecisionForm(user=user, meeting=meeting),
        "action_form": bound.get("action") or ActionForm(user=user, meeting=meeting),
    }


def _detail(request: HttpRequest, meeting: Meeting, bound: dict[str, Any] | None = None) -> HttpResponse:
    bound = bound or {}
    eligible = queries.members_of(request.user, meeting.organisation).count()
    context = {
        "meeting": meeting,
        "agenda": meeting.agenda_items.all(),
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
        "decisions": meeting.decisions.select_related("agenda_item", "demand", "poll"),
        "actions": _flag_overdue(meeting.actions.select_related("owner_member", "decision")),
        "officials_present": meeting.officials_present.all(),
        "quorum": services.meeting_quorum(meeting),
        "counts": services.attendance_breakdown(meeting),
        "too_many_to_tick": eligible > MAX_CHECKBOXES,
        "today": timezone.localdate(),
        "status_choices": Meeting.Status.choices,
    }
    if request.user.can_edit:
        context.update(_forms(request, meeting, bound))
    return render(request, "voice/meetings/meeting_detail.html", context, status=400 if bound else 200)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, queries.meeting_or_404(request.user, pk))


def _posted(request: HttpRequest, pk: int, name: str, form: Any, write: Any, done: str) -> HttpResponse:
    """Run `write(meeting, form)` for a valid form, or show the meeting page with the errors."""
    meeting = queries.meeting_or_404(request.user, pk)
    require_editor(request)
    form = form(meeting)
    if form.is_valid():
        try:
            write(meeting, form)
        except (VoiceError, registry.RegistryError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            return redirect("voice:meeting_detail", pk=meeting.pk)
    return _detail(request, meeting, {name: form})


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    def write(meeting: Meeting, form: AttendanceForm) -> None:
        services.record_attendance(
            actor=request.user,
            meeting=meeting,
            members=form.cleaned_data["members"],
            numbers=form.cleaned_data["numbers"],
            officials=form.present(),
            channel=Channel.WEB,
        )

    return _posted(
        request,
        pk,
        "attendance",
        lambda m: AttendanceForm(request.POST, user=request.user, meeting=m),
        write,
        _("Attendance recorded."),
    )


@login_required
@require_POST
def meeting_status(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = queries.meeting_or_404(request.user, pk)
    require_editor(request)
    status = request.POST.get("status", "")
    if status not in Meeting.Status.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            registry.update_meeting(actor=request.user, meeting=meeting, status=status, channel=Channel.WEB)
        except registry.RegistryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Changes saved."))
    return redirect("voice:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    def write(meeting: Meeting, form: AgendaItemForm) -> None:
        title = form.cleaned_data["title"]
        services.add_agenda_item(actor=request.user, meeting=meeting, title=title, channel=Channel.WEB)

    return _posted(
        request, pk, "agenda", lambda m: AgendaItemForm(request.POST), write, _("Agenda item added.")
    )


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    def write(meeting: Meeting, form: Any) -> None:
        services.record_minutes(actor=request.user, meeting=meeting, channel=Channel.WEB, **form.cleaned_data)

    return _posted(
        request,
        pk,
        "minutes",
        lambda m: MinutesForm(request.POST, meeting=m),
        write,
        _("Minutes saved."),
    )


@login_required
@require_POST
def meeting_decision(request: HttpRequest, pk: int) -> HttpResponse:
    def write(meeting: Meeting, form: Any) -> None:
        services.record_decision(
            actor=request.user, meeting=meeting, channel=Channel.WEB, **form.cleaned_data
        )

    return _posted(
        request,
        pk,
        "decision",
        lambda m: DecisionForm(request.POST, user=request.user, meeting=m),
        write,
        _("Decision recorded."),
    )


@login_required
@require_POST
def meeting_action(request: HttpRequest, pk: int) -> HttpResponse:
    def write(meeting: Meeting, form: Any) -> None:
        services.add_action(actor=request.user, meeting=meeting, channel=Channel.WEB, **form.cleaned_data)

    return _posted(
        request,
        pk,
        "action",
        lambda m: ActionForm(request.POST, user=request.user, meeting=m),
        write,
        _("Action recorded."),
    )


def _flag_overdue(actions: Any, today: Any = None) -> list:
    found = list(actions)
    for action in found:
        action.overdue = action.is_overdue(today)
    return found


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    """Follow-up actions of meetings in scope: open ones first, overdue flagged."""
    show = request.GET.get("show", "open")
    found = services.actions_for(request.user).select_related("meeting__organisation", "owner_member")
    today = timezone.localdate()
    if show == "overdue":
        found = found.overdue(today)
    elif show == "open":
        found = found.open()
    page = Paginator(found.order_by("done_on", "due_on", "id"), 50).get_page(request.GET.get("page"))
    page.object_list = _flag_overdue(page.object_list, today)
    return render(
        request,
        "voice/meetings/action_list.html",
        {"page": page, "show": show, "today": today, "query": urlencode({"show": show})},
    )


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = services.action_or_404(request.user, pk)
    require_editor(request)
    form = ActionDoneForm(request.POST)
    if form.is_valid():
        try:
            services.complete_action(
                actor=request.user, action=action, done_on=form.cleaned_data["done_on"], channel=Channel.WEB
            )
        except VoiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Action marked done."))
    else:
        messages.error(request, _("Enter a valid date."))
    target = request.POST.get("next", "")
    if target == "actions":
        return redirect("voice:action_list")
    return redirect("voice:meeting_detail", pk=action.meeting_id)


urlpatterns = [
    path("meetings/", meeting_list, name="meeting_list"),
    path("meetings/plan/", meeting_plan, name="meeting_plan"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/attendance/", meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/status/", meeting_status, name="meeting_status"),
    path("meetings/<int:pk>/agenda/", meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/minutes/", meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/decisions/", meeting_decision, name="meeting_decision"),
    path("meetings/<int:pk>/actions/", meeting_action, name="meeting_action"),
    path("actions/", action_list, name="action_list"),
    path("actions/<int:pk>/done/", action_done, name="action_done"),
]
