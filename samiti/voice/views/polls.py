"""Poll pages: the list, drafting a poll, one poll with its voting forms, and its results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.core.cells import SMALL_CELL, sees_detail
from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.voice.errors import VoiceError
from samiti.voice.forms.polls import PaperForm, PollForm, VoteForm
from samiti.voice.models.polls import Poll
from samiti.voice.services import polls as service

PAGE_SIZE = 50
# Turnout cells of sensitive facts below this many people show as "fewer than 5" (DESIGN rule 7).


@login_required
def poll_list(request: HttpRequest) -> HttpResponse:
    listed = service.polls_for(request.user).select_related("organisation").order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in Poll.Status.values:
        listed = listed.filter(status=status)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "voice/polls/list.html",
        {"page": page, "status": status, "statuses": Poll.Status.choices},
    )


@login_required
def poll_add(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    form = PollForm(
        request.POST or None, user=request.user, initial={"organisation": request.GET.get("organisation")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            poll = service.create_poll(actor=request.user, channel=Channel.WEB, **form.service_arguments())
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Poll drafted. Open it when members may vote."))
            return redirect("voice:poll_detail", pk=poll.pk)
    return render(request, "voice/polls/form.html", {"form": form})


@login_required
def poll_edit(request: HttpRequest, pk: int) -> HttpResponse:
    poll = service.poll_or_404(request.user, pk)
    require_editor(request)
    if poll.status != Poll.Status.DRAFT:
        messages.error(request, _("Only a draft poll can be changed or deleted; this one has been opened."))
        return redirect("voice:poll_detail", pk=poll.pk)
    form = PollForm(request.POST or None, user=request.user, poll=poll)
    if request.method == "POST" and form.is_valid():
        try:
            service.update_poll(
                actor=request.user,
                poll=poll,
                meeting=poll.meeting,
                channel=Channel.WEB,
                **form.service_arguments(),
            )
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("voice:poll_detail", pk=poll.pk)
    return render(request, "voice/polls/form.html", {"form": form, "poll": poll})


@login_required
@require_POST
def poll_delete(request: HttpRequest, pk: int) -> HttpResponse:
    poll = service.poll_or_404(request.user, pk)
    require_editor(request)
    try:
        service.delete_poll(actor=request.user, poll=poll, channel=Channel.WEB)
    except VoiceError as error:
        messages.error(request, str(error))
        return redirect("voice:poll_detail", pk=poll.pk)
    messages.success(request, _("Draft poll deleted."))
    return redirect("voice:poll_list")


def _forms(request: HttpRequest, poll: Poll, action: str) -> dict:
    """The voting forms of an open poll; the one that was posted is bound."""
    posted = request.POST if request.method == "POST" else None
    forms = {
        "vote_form": VoteForm(
            posted if action == "vote" else None, user=request.user, poll=poll, prefix="vote"
        ),
        "paper_form": PaperForm(
            posted if action == "paper" else None, user=request.user, poll=poll, prefix="paper"
        ),
    }
    if not poll.secret and poll.kind in (Poll.Kind.YES_NO, Poll.Kind.SINGLE):
        forms["hands_form"] = PaperForm(
            posted if action == "hands" else None, user=request.user, poll=poll, hands=True, prefix="hands"
        )
    return forms


@login_required
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = service.poll_or_404(request.user, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action and not request.user.can_edit:
        raise Http404
    forms = _forms(request, poll, action) if poll.is_open and request.user.can_edit else {}
    if action:
        try:
            done = _act(request, poll, action, forms)
        except VoiceError as error:
            form = forms.get(f"{action}_form")
            if form is not None and form.is_bound:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.error(request, str(error))
                return redirect("voice:poll_detail", pk=poll.pk)
        else:
            if done:
                messages.success(request, done)
                return redirect("voice:poll_detail", pk=poll.pk)
    voted = poll.register.filter(voted=True).count() if poll.status != Poll.Status.DRAFT else 0
    return render(
        request,
        "voice/polls/detail.html",
        {
            "poll": poll,
            "options": poll.options.order_by("position").select_related("demand"),
            "voted": voted,
            "needed": -(-poll.eligible * poll.quorum_percent // 100),
            **forms,
        },
    )


def _act(request: HttpRequest, poll: Poll, action: str, forms: dict) -> str:
    """Carry out a posted action; return the message to show, or "" when a form has errors."""
    user = request.user
    if action == "open":
        service.open_poll(actor=user, poll=poll)
        return _("Poll opened: %(n)d members may vote.") % {"n": poll.eligible}
    if action == "close":
        service.close_poll(actor=user, poll=poll)
        return _("Poll closed.")
    form = forms.get(f"{action}_form")
    if form is None:
        raise VoiceError(_("This poll is not open for voting."), code="closed")
    if not form.is_valid():
        return ""
    if action == "vote":
        service.cast_vote(poll=poll, member=form.cleaned_data["member"], choice=form.choice(),
                          channel=Channel.WEB, actor=user)  # fmt: skip
        return _("Vote recorded for %(member)s.") % {"member": form.cleaned_data["member"]}
    record = service.record_show_of_hands if action == "hands" else service.record_paper_ballots
    n = record(
        actor=user, poll=poll, members=form.cleaned_data["member_list"], counts=form.cleaned_data["counts"]
    )
    return _("%(n)d ballots counted.") % {"n": n}


@login_required
def poll_results(request: HttpRequest, pk: int) -> HttpResponse:
    poll = service.poll_or_404(request.user, pk)
    if poll.results_hidden:
        return render(request, "voice/polls/results.html", {"poll": poll, "hidden": True})
    result = service.results(poll)
    options = list(poll.options.order_by("position"))
    scale = max([*result.counts.values(), 1])
    rows = [
        {
            "option": o,
            "count": result.counts.get(o.pk, 0),
            "width": round(100 * result.counts.get(o.pk, 0) / scale, 1),
            "winner": o.pk in result.winner_ids,
        }
        for o in options
    ]
    by_pk = {o.pk: o for o in options}
    rounds = [
        {
            "number": n,
            "votes": [(by_pk[pk], votes) for pk, votes in r["votes"].items()],
            "exhausted": r["exhausted"],
            "eliminated": by_pk.get(r["eliminated"]),
            "tie_broken_by": r["tie_broken_by"],
        }
        for n, r in enumerate(result.rounds, 1)
    ]
    detail = sees_detail(request.user)
    turnout = [
        (_("Sex"), result.by_sex, True),
        (_("Age"), result.by_age, True),
        (_("Ethnicity"), result.by_ethnicity, detail),
        (_("Disability"), result.by_disability, detail),
    ]
    return render(
        request,
        "voice/polls/results.html",
        {
            "poll": poll,
            "result": result,
            "rows": rows,
            "rounds": rounds,
            "turnout": [
                (
                    title,
                    [(t, t.voted if shown or t.voted >= SMALL_CELL or t.voted == 0 else None) for t in group],
                )
                for title, group, shown in turnout
            ],
            "turnout_width": round(result.turnout_percent, 1),
            "turnout_share": result.turnout_percent / 100,
            "quorum_mark": poll.quorum_percent,
        },
    )


urlpatterns = [
    path("polls/", poll_list, name="poll_list"),
    path("polls/add/", poll_add, name="poll_add"),
    path("polls/<int:pk>/", poll_detail, name="poll_detail"),
    path("polls/<int:pk>/edit/", poll_edit, name="poll_edit"),
    path("polls/<int:pk>/delete/", poll_delete, name="poll_delete"),
    path("polls/<int:pk>/results/", poll_results, name="poll_results"),
]
