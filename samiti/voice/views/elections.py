"""Election pages: the list with overdue committees, calling one, nominations, the ballot, results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.voice.errors import VoiceError
from samiti.voice.forms.elections import BallotForm, ElectionForm, NominationForm, SecondForm
from samiti.voice.models.elections import Candidate, Election, Post
from samiti.voice.services import elections as services


@login_required
def election_list(request: HttpRequest) -> HttpResponse:
    elections = (
        services.elections_for(request.user)
        .select_related("organisation")
        .annotate(
            standing=Count("candidates", filter=Q(candidates__status=Candidate.Status.STANDING)),
        )
        .order_by("-held_on", "-id")[:200]
    )
    return render(
        request,
        "voice/elections/list.html",
        {"elections": elections, "overdue": services.overdue_committees(request.user)},
    )


@login_required
def election_add(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    form = ElectionForm(
        request.POST or None, user=request.user, initial={"organisation": request.GET.get("organisation")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            election = services.call_election(actor=request.user, channel=Channel.WEB, **form.cleaned_data)
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Election called: nominations are open."))
            return redirect("voice:election_detail", pk=election.pk)
    return render(request, "voice/elections/form.html", {"form": form})


def _posts(election: Election) -> list[Post]:
    candidates = Candidate.objects.select_related("member", "nominated_by", "seconded_by").order_by("id")
    posts = list(election.posts.prefetch_related(Prefetch("candidates", queryset=candidates)))
    posts.sort(key=lambda p: p.order)
    return posts


@login_required
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    election = services.election_or_404(request.user, pk)
    form = None
    if election.status == Election.Status.NOMINATING and request.user.can_edit:
        form = NominationForm(request.POST or None, user=request.user, election=election)
        if request.method == "POST" and form.is_valid():
            try:
                services.nominate(actor=request.user, election=election, **form.cleaned_data)
            except VoiceError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Nomination recorded."))
                return redirect("voice:election_detail", pk=election.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "voice/elections/detail.html",
        {
            "election": election,
            "posts": _posts(election),
            "form": form,
            "second_form": SecondForm(user=request.user),
            "term_end": services.term_end(election),
        },
    )


def _candidate(request: HttpRequest, pk: int, candidate_pk: int) -> Candidate:
    election = services.election_or_404(request.user, pk)
    require_editor(request)
    return get_object_or_404(
        Candidate.objects.select_related("member", "post"), election=election, pk=candidate_pk
    )


def _report(request: HttpRequest, error: VoiceError) -> None:
    messages.error(request, str(error))


@login_required
@require_POST
def candidate_second(request: HttpRequest, pk: int, candidate_pk: int) -> HttpResponse:
    candidate = _candidate(request, pk, candidate_pk)
    form = SecondForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.second_nomination(
                actor=request.user, candidate=candidate, seconded_by=form.cleaned_data["seconded_by"]
            )
        except VoiceError as error:
            _report(request, error)
        else:
            messages.success(request, _("Nomination of %(member)s seconded.") % {"member": candidate.member})
    return redirect("voice:election_detail", pk=pk)


@login_required
@require_POST
def candidate_withdraw(request: HttpRequest, pk: int, candidate_pk: int) -> HttpResponse:
    candidate = _candidate(request, pk, candidate_pk)
    try:
        services.withdraw_candidate(actor=request.user, candidate=candidate)
    except VoiceError as error:
        _report(request, error)
    else:
        messages.success(request, _("%(member)s has withdrawn.") % {"member": candidate.member})
    return redirect("voice:election_detail", pk=pk)


def _step(
    request: HttpRequest, pk: int, action, done: str, then: str = "voice:election_detail"
) -> HttpResponse:
    election = services.election_or_404(request.user, pk)
    require_editor(request)
    try:
        action(actor=request.user, election=election, channel=Channel.WEB)
    except VoiceError as error:
        _report(request, error)
        return redirect("voice:election_detail", pk=pk)
    messages.success(request, done)
    return redirect(then, pk=pk)


@login_required
@require_POST
def election_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.open_voting, _("Voting is open: the ballot is secret."))


@login_required
@require_POST
def election_declare(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request, pk, services.declare_results, _("Results declared; the new committee is seated."),
        then="voice:election_results",
    )  # fmt: skip


@login_required
@require_POST
def election_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.cancel_election, _("The election is cancelled."))


@login_required
def election_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """A leader records one member's ballot paper (the member marks it; the leader enters it)."""
    election = services.election_or_404(request.user, pk)
    require_editor(request)
    if election.status != Election.Status.VOTING:
        messages.error(request, _("Voting is not open in this election."))
        return redirect("voice:election_detail", pk=pk)
    form = BallotForm(request.POST or None, user=request.user, election=election)
    if request.method == "POST" and form.is_valid():
        try:
            services.cast_ballot(
                actor=request.user,
                election=election,
                member=form.cleaned_data["voter"],
                choices=form.choices(),
                channel=Channel.WEB,
            )
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Ballot cast. The next voter, please."))
            return redirect("voice:election_ballot", pk=pk)
    return render(request, "voice/elections/ballot.html", {"election": election, "form": form})


@login_required
def election_results(request: HttpRequest, pk: int) -> HttpResponse:
    election = services.election_or_404(request.user, pk)
    if election.status != Election.Status.DECLARED:
        messages.error(request, _("The results show once they are declared."))
        return redirect("voice:election_detail", pk=pk)
    posts = _posts(election)
    tallies = services.tallies(election)
    for post in posts:
        post.ranked = sorted(
            (c for c in post.candidates.all() if c.status == Candidate.Status.STANDING and c.seconded),
            key=lambda c: (not c.elected, -(c.votes or 0), c.pk),
        )
        post.tally = tallies.get(post.pk)
    elected = [c for p in posts for c in p.ranked if c.elected]
    return render(
        request,
        "voice/elections/results.html",
        {
            "election": election,
            "posts": posts,
            "by_quota": [c for p in posts for c in p.ranked if c.by_quota],
            "gave_way": [c for p in posts for c in p.ranked if c.gave_way],
            "shortfall": max(0, (election.women_required or 0) - (election.women_elected or 0)),
            "elected": elected,
            "term_end": services.term_end(election),
            "women_width": round((election.women_share or 0) * 100, 1),
            "required_mark": round(
                (election.women_required or 0) / election.seats_filled * 100 if election.seats_filled else 0,
                1,
            ),
        },
    )


urlpatterns = [
    path("elections/", election_list, name="election_list"),
    path("elections/add/", election_add, name="election_add"),
    path("elections/<int:pk>/", election_detail, name="election_detail"),
    path(
        "elections/<int:pk>/candidates/<int:candidate_pk>/second/", candidate_second, name="candidate_second"
    ),
    path(
        "elections/<int:pk>/candidates/<int:candidate_pk>/withdraw/",
        candidate_withdraw,
        name="candidate_withdraw",
    ),
    path("elections/<int:pk>/open/", election_open, name="election_open"),
    path("elections/<int:pk>/ballot/", election_ballot, name="election_ballot"),
    path("elections/<int:pk>/declare/", election_declare, name="election_declare"),
    path("elections/<int:pk>/cancel/", election_cancel, name="election_cancel"),
    path("elections/<int:pk>/results/", election_results, name="election_results"),
]
