"""Demand pages: the list with filters and counts, raising, one demand with its endorsements,
evidence and timeline, and the buttons that move it (each a POST to a service)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.core.cells import SMALL_CELL, sees_detail
from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.registry.models import Organisation, User
from samiti.registry.queries import organisations_for
from samiti.voice.errors import VoiceError
from samiti.voice.forms.demands import (
    AdoptForm,
    DemandFilterForm,
    DemandForm,
    EndorseForm,
    EvidenceForm,
    FederationForm,
    MergeForm,
    WithdrawForm,
)
from samiti.voice.models.demands import Demand, Evidence
from samiti.voice.services import demands as service

PAGE_SIZE = 50
# Aggregates of sensitive facts below this many people show as "fewer than 5" (DESIGN rule 7).


@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    form = DemandFilterForm(request.GET or None, user=request.user)
    demands = service.demands_for(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            demands = demands.filter(status=data["status"])
        else:
            demands = demands.exclude(status=Demand.Status.MERGED)
        if data["category"]:
            demands = demands.filter(category=data["category"])
        if data["organisation"]:
            org = data["organisation"]
            demands = demands.filter(
                Q(organisation=org)
                | Q(raised_by_organisation=org)
                | Q(association=org)
                | Q(association__parent=org)
            )
    else:
        demands = demands.exclude(status=Demand.Status.MERGED)
    by_status = dict(demands.order_by().values_list("status").annotate(n=Count("pk")))
    listed = (
        demands.select_related("organisation", "authority")
        .annotate(endorsement_count=Count("endorsements"))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "voice/demands/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "by_status": [
                (label, by_status[value]) for value, label in Demand.Status.choices if value in by_status
            ],
            "endorsers": service.endorsement_breakdown(demands),
            "filtered": bool(query),
        },
    )


@login_required
def demand_add(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    form = DemandForm(
        request.POST or None, user=request.user, initial={"organisation": request.GET.get("organisation")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            demand = service.raise_demand(actor=request.user, channel=Channel.WEB, **form.cleaned_data)
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Demand raised: now record who endorses it."))
            return redirect("voice:demand_detail", pk=demand.pk)
    return render(request, "voice/demands/form.html", {"form": form})


@dataclass
class Allowed:
    """Which buttons the user sees on a demand."""

    endorse: bool = False
    evidence: bool = False
    adopt: bool = False
    take_up: bool = False
    federation: bool = False
    merge: bool = False
    withdraw: bool = False


def _allowed(user: User, demand: Demand) -> Allowed:
    if not user.can_edit:
        return Allowed()
    holder = demand.organisation
    above = [holder.pk, holder.parent_id, holder.parent.parent_id if holder.parent else None]
    mine = set(organisations_for(user).filter(pk__in=[pk for pk in above if pk]).values_list("pk", flat=True))
    is_open = demand.status in Demand.OPEN_STATUSES
    federation_id = demand.association.parent_id if demand.association else None
    in_group = holder.kind == Organisation.Kind.GROUP
    return Allowed(
        endorse=demand.status in service.ENDORSABLE,
        evidence=demand.status not in service.ENDED,
        adopt=in_group and demand.status == Demand.Status.RAISED and holder.pk in mine,
        take_up=in_group and is_open and holder.parent_id in mine and service.threshold_reached(demand),
        federation=is_open
        and holder.kind != Organisation.Kind.FEDERATION
        and federation_id is not None
        and organisations_for(user).filter(pk=federation_id).exists(),
        merge=is_open and holder.pk in mine,
        withdraw=demand.status not in service.ENDED and holder.pk in mine,
    )


def _federation_candidates(user: User, demand: Demand):
    federation_id = demand.association.parent_id if demand.association else None
    return (
        service.demands_for(user)
        .filter(association__parent_id=federation_id, status__in=Demand.OPEN_STATUSES)
        .exclude(association_id=demand.association_id)
        .select_related("organisation")
    )


def _small(value: int, user: User) -> int | str:
    if sees_detail(user) or value == 0 or value >= SMALL_CELL:
        return value
    return _("fewer than %(n)s") % {"n": SMALL_CELL}


def _detail(request: HttpRequest, demand: Demand, **forms) -> HttpResponse:
    user = request.user
    allowed = _allowed(user, demand)
    breakdown = service.endorsement_breakdown([demand])
    breakdown["ethnic_minority"] = _small(breakdown["ethnic_minority"], user)
    breakdown["disability"] = _small(breakdown["disability"], user)
    threshold = None
    if demand.organisation.kind == Organisation.Kind.GROUP:
        threshold = service.association_threshold(demand.organisation.parent)
    candidates = service.merge_candidates(user, demand) if allowed.merge else Demand.objects.none()
    federation_candidates = (
        _federation_candidates(user, demand) if allowed.federation else Demand.objects.none()
    )

    def form(name: str, make):
        given = forms.get(name)
        return given if given is not None else make()

    context = {
        "demand": demand,
        "allowed": allowed,
        "breakdown": breakdown,
        "threshold": threshold,
        "evidence": demand.evidence.all(),
        "events": service.demand_events(demand),
        "merged": demand.merged.all(),
        "endorse_form": form(
            "endorse_form", lambda: EndorseForm(user=user, demand=demand) if allowed.endorse else None
        ),
        "evidence_form": form("evidence_form", EvidenceForm),
        "adopt_form": form("adopt_form", lambda: AdoptForm(demand=demand) if allowed.adopt else None),
        "merge_form": form(
            "merge_form", lambda: MergeForm(candidates=candidates) if candidates.exists() else None
        ),
        "federation_form": form(
            "federation_form",
            lambda: (
                FederationForm(candidates=federation_candidates) if federation_candidates.exists() else None
            ),
        ),
        "withdraw_form": WithdrawForm(),
        "error": forms.get("error"),
    }
    return render(request, "voice/demands/detail.html", context)


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, service.demand_or_404(request.user, pk))


def _editable(request: HttpRequest, pk: int) -> Demand:
    demand = service.demand_or_404(request.user, pk)
    require_editor(request)
    return demand


@login_required
@require_POST
def demand_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _editable(request, pk)
    form = EndorseForm(request.POST, user=request.user, demand=demand)
    if form.is_valid():
        try:
            new = service.endorse_many(
                actor=request.user, demand=demand, members=form.cleaned_data["endorsers"], channel=Channel.WEB
            )
        except VoiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(count)s new endorsements recorded.") % {"count": new})
            return redirect("voice:demand_detail", pk=demand.pk)
    return _detail(request, demand, endorse_form=form)


@login_required
@require_POST
def demand_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _editable(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service.add_evidence(actor=request.user, demand=demand, channel=Channel.WEB, **form.cleaned_data)
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("voice:demand_detail", pk=demand.pk)
    return _detail(request, demand, evidence_form=form)


@login_required
@require_POST
def demand_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _editable(request, pk)
    form = AdoptForm(request.POST, demand=demand)
    if form.is_valid():
        try:
            service.adopt_demand(actor=request.user, demand=demand, meeting=form.cleaned_data["meeting"])
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Adopted by the group."))
            return redirect("voice:demand_detail", pk=demand.pk)
    return _detail(request, demand, adopt_form=form)


@login_required
@require_POST
def demand_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _editable(request, pk)
    try:
        service.take_up_demand(actor=request.user, demand=demand)
    except VoiceError as error:
        return _detail(request, demand, error=str(error))
    messages.success(request, _("Taken up by the association."))
    return redirect("voice:demand_detail", pk=demand.pk)


@login_required
@require_POST
def demand_federation(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _editable(request, pk)
    form = FederationForm(request.POST, candidates=_federation_candidates(request.user, demand))
    if form.is_valid():
        federation = demand.association.parent if demand.association else None
        try:
            if federation is None:
                raise VoiceError(_("This demand belongs to no federation."), field="demands")
            kept = service.take_up_at_federation(
                actor=request.user,
                federation=federation,
                demands=[demand, *form.cleaned_data["demands"]],
                keep=demand,
            )
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Taken up by the federation."))
            return redirect("voice:demand_detail", pk=kept.pk)
    return _detail(request, demand, federation_form=form)


@login_required
@require_POST
def demand_merge(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _editable(request, pk)
    form = MergeForm(request.POST, candidates=service.merge_candidates(request.user, demand))
    if form.is_valid():
        try:
            service.merge_demands(actor=request.user, keep=demand, others=list(form.cleaned_data["others"]))
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Demands merged."))
            return redirect("voice:demand_detail", pk=demand.pk)
    return _detail(request, demand, merge_form=form)


@login_required
@require_POST
def demand_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _editable(request, pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service.withdraw_demand(actor=request.user, demand=demand, reason=reason)
    except VoiceError as error:
        return _detail(request, demand, error=str(error))
    messages.success(request, _("Demand withdrawn."))
    return redirect("voice:demand_detail", pk=demand.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a piece of evidence to those who may see its demand (media files are not public)."""
    evidence = Evidence.objects.filter(pk=pk, demand__in=service.demands_for(request.user)).first()
    if evidence is None:
        raise Http404
    content_type = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}[evidence.kind]
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{evidence.pk}.{evidence.kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("demands/", demand_list, name="demand_list"),
    path("demands/raise/", demand_add, name="demand_add"),
    path("demands/<int:pk>/", demand_detail, name="demand_detail"),
    path("demands/<int:pk>/endorse/", demand_endorse, name="demand_endorse"),
    path("demands/<int:pk>/evidence/", demand_evidence, name="demand_evidence"),
    path("demands/<int:pk>/adopt/", demand_adopt, name="demand_adopt"),
    path("demands/<int:pk>/take-up/", demand_take_up, name="demand_take_up"),
    path("demands/<int:pk>/federation/", demand_federation, name="demand_federation"),
    path("demands/<int:pk>/merge/", demand_merge, name="demand_merge"),
    path("demands/<int:pk>/withdraw/", demand_withdraw, name="demand_withdraw"),
    path("demands/evidence/<int:pk>/", evidence_file, name="evidence_file"),
]
