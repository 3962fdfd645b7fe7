"""Screening pages: a member's schemes explained, screening a group or everyone, one screening."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from samiti.access import queries
from samiti.access.errors import AccessError
from samiti.access.forms.screening import AsOfForm, ScreenForm
from samiti.access.rules.logic import Step
from samiti.access.services import screening as service
from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.registry.models import User
from samiti.registry.queries import member_or_404

HISTORY = 20
OUTCOME_ORDER = ["eligible", "cannot_tell", "receiving", "not_eligible", "no_rule"]


@dataclass
class Line:
    """A step of an explanation with the steps under it, so the page can nest them."""

    step: Step
    value: str
    parts: list["Line"] = field(default_factory=list)


def nested(steps: list[Step], user: User) -> list[Line]:
    """The flat explanation as a tree of lines; sensitive values hidden from roles without them."""
    root: list[Line] = []
    open_lines: list[Line] = []
    for step in steps:
        line = Line(step, queries.visible_value(step, user))
        del open_lines[step.depth :]
        (open_lines[-1].parts if open_lines else root).append(line)
        open_lines.append(line)
    return root


@login_required
def member_schemes(request: HttpRequest, pk: int) -> HttpResponse:
    """Every active scheme for one member with the reasons; POST screens the member again."""
    member = member_or_404(request.user, pk)
    form = AsOfForm(request.POST or request.GET or None)
    on = form.day()
    if request.method == "POST":
        require_editor(request)
        try:
            service.screen_member(user=request.user, member=member, on=on, channel=Channel.WEB)
        except AccessError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Screened again: the findings now carry the rule versions used."))
        return redirect(f"{request.path}?on={on.isoformat()}")
    # What the facilitator acts on first: likely eligible, then the facts to collect.
    results, hidden = queries.member_results(request.user, member, on)
    results.sort(key=lambda r: OUTCOME_ORDER.index(r.outcome))
    findings = queries.latest_findings(member)
    return render(
        request,
        "access/screening/member.html",
        {
            "member": member,
            "form": form,
            "on": on,
            "results": [
                (result, nested(result.steps, request.user), findings.get(result.scheme.pk))
                for result in results
            ],
            "hidden": hidden,
        },
    )


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    """Choose a group, an association or everyone in scope, and a day; screen; see the history."""
    form = None
    if request.user.can_edit:
        form = ScreenForm(request.POST or None, user=request.user)
    if request.method == "POST":
        require_editor(request)
        if not form.is_valid() and "organisation" in form.errors:
            raise Http404  # an organisation outside the user's scope does not exist for them
        if form.is_valid():
            try:
                screening = service.screen_in_scope(
                    user=request.user,
                    on=form.cleaned_data["on"],
                    organisation=form.cleaned_data["organisation"],
                    channel=Channel.WEB,
                )
            except AccessError as error:
                form.add_service_error(error)
            else:
                return redirect("access:screening", pk=screening.pk)
    history = queries.screenings_for(request.user).select_related("organisation", "member", "created_by")
    return render(request, "access/screening/screen.html", {"form": form, "history": history[:HISTORY]})


@login_required
def screening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    screening = queries.screening_or_404(request.user, pk)
    return render(
        request,
        "access/screening/detail.html",
        {"screening": screening, "lines": queries.screening_lines(screening, request.user)},
    )


urlpatterns = [
    path("members/<int:pk>/", member_schemes, name="member"),
    path("screen/", screen, name="screen"),
    path("screenings/<int:pk>/", screening_detail, name="screening"),
]
