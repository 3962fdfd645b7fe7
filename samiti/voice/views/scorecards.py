"""Score card pages: the cards in scope, a card with its results over rounds, and a round's scores,
the provider's self-scores and the action plan. Thin: parse, call a service, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.voice.errors import VoiceError
from samiti.voice.forms.meetings import ActionDoneForm
from samiti.voice.forms.scorecards import (
    IndicatorForm,
    InterfaceMeetingForm,
    PlanActionForm,
    RoundForm,
    ScoreCardForm,
    ScoresForm,
)
from samiti.voice.models import Action, Round, ScoreCard
from samiti.voice.services import scorecards as services


@login_required
def scorecard_list(request: HttpRequest) -> HttpResponse:
    cards = (
        services.score_cards_for(request.user)
        .select_related("organisation", "authority")
        .annotate(
            round_count=Count("rounds", distinct=True), indicator_count=Count("indicators", distinct=True)
        )
        .order_by("-created_at", "id")
    )
    return render(request, "voice/scorecards/scorecard_list.html", {"cards": cards})


@login_required
def scorecard_add(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    form = ScoreCardForm(
        request.POST or None, user=request.user, initial={"scale": ScoreCard.Scale.ONE_TO_FIVE}
    )
    if request.method == "POST" and form.is_valid():
        try:
            card = services.create_score_card(actor=request.user, channel=Channel.WEB, **form.cleaned_data)
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Score card started."))
            return redirect("voice:scorecard_detail", pk=card.pk)
    return render(request, "voice/scorecards/scorecard_form.html", {"form": form})


def _bar(value: float | None, card: ScoreCard) -> str | None:
    """Where `value` lies on the card's scale, in per cent of the bar (a dot-decimal string)."""
    if value is None:
        return None
    share = (value - card.lowest) / (card.highest - card.lowest) * 100
    return f"{min(max(share, 0), 100):.1f}"


def _card_page(request: HttpRequest, card: ScoreCard, bound: dict[str, Any] | None = None) -> HttpResponse:
    bound = bound or {}
    found = services.results(card)
    rounds = list(card.rounds.select_related("interface_meeting").annotate(score_count=Count("scores")))
    rows = [
        {
            "indicator": result.indicator,
            "rounds": result.rounds,
            "latest": result.latest,
            "bar": _bar(result.latest.community if result.latest else None, card),
            "mark": _bar(result.latest.provider if result.latest else None, card),
        }
        for result in found
    ]
    context = {"card": card, "rows": rows, "rounds": rounds}
    if request.user.can_edit:
        context["indicator_form"] = bound.get("indicator") or IndicatorForm()
        context["round_form"] = bound.get("round") or RoundForm(
            card=card, initial={"held_on": timezone.localdate()}
        )
    return render(request, "voice/scorecards/scorecard_detail.html", context, status=400 if bound else 200)


@login_required
def scorecard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _card_page(request, services.score_card_or_404(request.user, pk))


@login_required
@require_POST
def scorecard_indicator(request: HttpRequest, pk: int) -> HttpResponse:
    card = services.score_card_or_404(request.user, pk)
    require_editor(request)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            services.add_indicator(actor=request.user, card=card, channel=Channel.WEB, **form.cleaned_data)
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Indicator added."))
            return redirect("voice:scorecard_detail", pk=card.pk)
    return _card_page(request, card, {"indicator": form})


@login_required
@require_POST
def scorecard_round(request: HttpRequest, pk: int) -> HttpResponse:
    card = services.score_card_or_404(request.user, pk)
    require_editor(request)
    form = RoundForm(request.POST, card=card)
    if form.is_valid():
        try:
            new = services.start_round(
                actor=request.user, card=card, channel=Channel.WEB, **form.cleaned_data
            )
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Round started: enter the scores."))
            return redirect("voice:round_detail", pk=new.pk)
    return _card_page(request, card, {"round": form})


def _round_page(request: HttpRequest, round: Round, bound: dict[str, Any] | None = None) -> HttpResponse:
    bound = bound or {}
    card = round.card
    today = timezone.localdate()
    actions = list(round.actions.select_related("indicator"))
    for action in actions:
        action.overdue = action.is_overdue(today)
    context = {
        "card": card,
        "round": round,
        "scores": round.scores.select_related("indicator", "member").order_by(
            "indicator__position", "scorer_group", "member__name_en"
        ),
        "provider_scores": round.provider_scores.select_related("indicator").order_by("indicator__position"),
        "actions": actions,
    }
    if request.user.can_edit:
        user = request.user
        context["scores_form"] = bound.get("scores") or ScoresForm(user=user, round=round)
        context["provider_form"] = bound.get("provider") or ScoresForm(user=user, round=round, provider=True)
        context["meeting_form"] = bound.get("meeting") or InterfaceMeetingForm(
            card=card, initial={"meeting": round.interface_meeting_id}
        )
        context["action_form"] = bound.get("action") or PlanActionForm(card=card)
    return render(request, "voice/scorecards/round_detail.html", context, status=400 if bound else 200)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_page(request, services.round_or_404(request.user, pk))


def _round_post(request: HttpRequest, pk: int, name: str, make: Any, write: Any, done: str) -> HttpResponse:
    found = services.round_or_404(request.user, pk)
    require_editor(request)
    form = make(found)
    if form.is_valid():
        try:
            write(found, form)
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            return redirect("voice:round_detail", pk=found.pk)
    return _round_page(request, found, {name: form})


@login_required
@require_POST
def round_scores(request: HttpRequest, pk: int) -> HttpResponse:
    def write(found: Round, form: ScoresForm) -> None:
        services.record_scores(
            actor=request.user, round=found, scores=form.entries(), channel=Channel.WEB, **form.scorer()
        )

    return _round_post(
        request,
        pk,
        "scores",
        lambda r: ScoresForm(request.POST, user=request.user, round=r),
        write,
        _("Scores recorded."),
    )


@login_required
@require_POST
def round_provider(request: HttpRequest, pk: int) -> HttpResponse:
    def write(found: Round, form: ScoresForm) -> None:
        services.record_provider_scores(
            actor=request.user, round=found, scores=form.entries(), channel=Channel.WEB
        )

    return _round_post(
        request,
        pk,
        "provider",
        lambda r: ScoresForm(request.POST, user=request.user, round=r, provider=True),
        write,
        _("The provider's scores recorded."),
    )


@login_required
@require_POST
def round_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    def write(found: Round, form: InterfaceMeetingForm) -> None:
        meeting = form.cleaned_data["meeting"]
        services.set_interface_meeting(actor=request.user, round=found, meeting=meeting, channel=Channel.WEB)

    return _round_post(
        request,
        pk,
        "meeting",
        lambda r: InterfaceMeetingForm(request.POST, card=r.card),
        write,
        _("Changes saved."),
    )


@login_required
@require_POST
def round_action(request: HttpRequest, pk: int) -> HttpResponse:
    def write(found: Round, form: PlanActionForm) -> None:
        services.plan_action(actor=request.user, round=found, channel=Channel.WEB, **form.cleaned_data)

    return _round_post(
        request,
        pk,
        "action",
        lambda r: PlanActionForm(request.POST, card=r.card),
        write,
        _("Action added to the plan."),
    )


@login_required
@require_POST
def plan_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = (
        Action.objects.filter(round__card__in=services.score_cards_for(request.user))
        .select_related("round__card__organisation")
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    require_editor(request)
    form = ActionDoneForm(request.POST)
    if form.is_valid():
        try:
            services.complete_plan_action(
                actor=request.user, action=action, done_on=form.cleaned_data["done_on"], channel=Channel.WEB
            )
        except VoiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Action marked done."))
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("voice:round_detail", pk=action.round_id)


urlpatterns = [
    path("scorecards/", scorecard_list, name="scorecard_list"),
    path("scorecards/new/", scorecard_add, name="scorecard_add"),
    path("scorecards/<int:pk>/", scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:pk>/indicators/", scorecard_indicator, name="scorecard_indicator"),
    path("scorecards/<int:pk>/rounds/", scorecard_round, name="scorecard_round"),
    path("scorecards/rounds/<int:pk>/", round_detail, name="round_detail"),
    path("scorecards/rounds/<int:pk>/scores/", round_scores, name="round_scores"),
    path("scorecards/rounds/<int:pk>/provider/", round_provider, name="round_provider"),
    path("scorecards/rounds/<int:pk>/meeting/", round_meeting, name="round_meeting"),
    path("scorecards/rounds/<int:pk>/actions/", round_action, name="round_action"),
    path("scorecards/actions/<int:pk>/done/", plan_action_done, name="plan_action_done"),
]
