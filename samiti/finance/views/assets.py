"""Asset pages: an association's assets with their income, costs and payback; buying one; an
asset's page with its rentals and costs, where it is rented out, a cost recorded or it is retired.
Thin: parse, call a service, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.core.models import Channel
from samiti.core.money import format_taka
from samiti.core.views import require_editor
from samiti.finance.errors import FinanceError
from samiti.finance.forms.assets import AssetForm, CostForm, RentalForm, RetireForm
from samiti.finance.models import SharedAsset, Transaction, TransactionKind
from samiti.finance.queries import assets_for
from samiti.finance.services import assets as services
from samiti.finance.views.dues import association_or_404
from samiti.registry.models import User

RECENT = 50  # rentals and costs listed on an asset's page


def asset_or_404(user: User, pk: int) -> SharedAsset:
    found = assets_for(user).select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def asset_list(request: HttpRequest, pk: int) -> HttpResponse:
    association = association_or_404(request.user, pk)
    assets = list(SharedAsset.objects.filter(organisation=association).order_by("status", "name"))
    reports = services.asset_reports(assets, timezone.localdate())
    context = {"association": association, "reports": reports}
    return render(request, "finance/assets/list.html", context)


@login_required
def asset_new(request: HttpRequest, pk: int) -> HttpResponse:
    association = association_or_404(request.user, pk)
    require_editor(request)
    form = AssetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.buy_asset(
                actor=request.user, association=association, channel=Channel.WEB, **form.cleaned_data
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(asset)s is recorded as bought.") % {"asset": asset.name})
            return redirect("finance:asset_detail", pk=asset.pk)
    context = {"association": association, "form": form}
    return render(request, "finance/assets/new.html", context, status=400 if form.is_bound else 200)


def _detail(request: HttpRequest, asset: SharedAsset, bound: Any = None) -> HttpResponse:
    association = asset.organisation
    report = services.asset_report(asset, timezone.localdate())
    rentals = asset.rentals.select_related("member").order_by("-on", "-id")[:RECENT]
    costs = (
        Transaction.objects.filter(asset=asset, kind=TransactionKind.ASSET_COST)
        .annotate(amount=Sum("postings__amount", filter=Q(postings__amount__gt=0)))
        .order_by("-on", "-id")[:RECENT]
    )
    steps = []
    if request.user.can_edit:
        forms = {
            "rent": (RentalForm, _("Rent it out"), {"user": request.user, "association": association}),
            "cost": (CostForm, _("Record a running cost"), {}),
            "retire": (RetireForm, _("Retire or sell it"), {}),
        }
        if asset.status != SharedAsset.Status.IN_USE:
            forms = {"cost": forms["cost"]}
        for name, (form_class, heading, extra) in forms.items():
            form = bound if bound is not None and bound.prefix == name else form_class(prefix=name, **extra)
            steps.append((name, heading, form))
    context = {
        "asset": asset,
        "association": association,
        "report": report,
        "rentals": rentals,
        "costs": costs,
        "steps": steps,
    }
    return render(request, "finance/assets/detail.html", context, status=400 if bound is not None else 200)


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, asset_or_404(request.user, pk))


@login_required
def asset_rent(request: HttpRequest, pk: int) -> HttpResponse:
    asset = asset_or_404(request.user, pk)
    require_editor(request)
    if request.method != "POST":
        return redirect("finance:asset_detail", pk=asset.pk)
    form = RentalForm(request.POST, prefix="rent", user=request.user, association=asset.organisation)
    if form.is_valid():
        try:
            rental = services.rent_asset(
                actor=request.user, asset=asset, channel=Channel.WEB, **form.cleaned_data
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Rent of %(amount)s recorded.") % {"amount": format_taka(rental.amount)}
            )
            return redirect("finance:asset_detail", pk=asset.pk)
    return _detail(request, asset, form)


@login_required
def asset_cost(request: HttpRequest, pk: int) -> HttpResponse:
    asset = asset_or_404(request.user, pk)
    require_editor(request)
    if request.method != "POST":
        return redirect("finance:asset_detail", pk=asset.pk)
    form = CostForm(request.POST, prefix="cost")
    if form.is_valid():
        try:
            services.record_asset_cost(
                actor=request.user, asset=asset, channel=Channel.WEB, **form.cleaned_data
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The cost is recorded."))
            return redirect("finance:asset_detail", pk=asset.pk)
    return _detail(request, asset, form)


@login_required
def asset_retire(request: HttpRequest, pk: int) -> HttpResponse:
    asset = asset_or_404(request.user, pk)
    require_editor(request)
    if request.method != "POST":
        return redirect("finance:asset_detail", pk=asset.pk)
    form = RetireForm(request.POST, prefix="retire")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.retire_asset(
                actor=request.user,
                asset=asset,
                on=data["on"],
                sold_for=data["sold_for"] or 0,
                paid_to=data["paid_to"],
                channel=Channel.WEB,
            )
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The asset is retired."))
            return redirect("finance:asset_detail", pk=asset.pk)
    return _detail(request, asset, form)


urlpatterns = [
    path("associations/<int:pk>/assets/", asset_list, name="assets"),
    path("associations/<int:pk>/assets/new/", asset_new, name="asset_new"),
    path("assets/<int:pk>/", asset_detail, name="asset_detail"),
    path("assets/<int:pk>/rent/", asset_rent, name="asset_rent"),
    path("assets/<int:pk>/cost/", asset_cost, name="asset_cost"),
    path("assets/<int:pk>/retire/", asset_retire, name="asset_retire"),
]
