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
from django.utils.translation import gettext_lazy

from samiti.core.models import Channel
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


# Each thing done on an asset's page: its form, its heading, and the service that does it.
STEPS = {
    "rent": (RentalForm, gettext_lazy("Rent it out"), services.rent_asset),
    "cost": (CostForm, gettext_lazy("Record a running cost"), services.record_asset_cost),
    "retire": (RetireForm, gettext_lazy("Retire or sell it"), services.retire_asset),
}
DONE = {
    "rent": gettext_lazy("The rental is recorded."),
    "cost": gettext_lazy("The cost is recorded."),
    "retire": gettext_lazy("The asset is retired."),
}


def _form(request: HttpRequest, asset: SharedAsset, step: str, data: Any = None) -> Any:
    form_class = STEPS[step][0]
    extra = {"user": request.user, "association": asset.organisation} if form_class is RentalForm else {}
    return form_class(data, prefix=step, **extra)


def _detail(request: HttpRequest, asset: SharedAsset, bound: Any = None) -> HttpResponse:
    report = services.asset_report(asset, timezone.localdate())
    rentals = asset.rentals.select_related("member").order_by("-on", "-id")[:RECENT]
    costs = (
        Transaction.objects.filter(asset=asset, kind=TransactionKind.ASSET_COST)
        .annotate(amount=Sum("postings__amount", filter=Q(postings__amount__gt=0)))
        .order_by("-on", "-id")[:RECENT]
    )
    steps = []
    if request.user.can_edit:
        names = list(STEPS) if asset.status == SharedAsset.Status.IN_USE else ["cost"]
        for name in names:
            form = bound if bound is not None and bound.prefix == name else _form(request, asset, name)
            steps.append((name, STEPS[name][1], form))
    context = {
        "asset": asset,
        "association": asset.organisation,
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
def asset_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Rent the asset out, record a running cost, or retire it (a POST from the asset's page)."""
    asset = asset_or_404(request.user, pk)
    require_editor(request)
    if request.method != "POST":
        return redirect("finance:asset_detail", pk=asset.pk)
    form = _form(request, asset, step, request.POST)
    if form.is_valid():
        try:
            STEPS[step][2](actor=request.user, asset=asset, channel=Channel.WEB, **form.cleaned_data)
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, DONE[step])
            return redirect("finance:asset_detail", pk=asset.pk)
    return _detail(request, asset, form)


urlpatterns = [
    path("associations/<int:pk>/assets/", asset_list, name="assets"),
    path("associations/<int:pk>/assets/new/", asset_new, name="asset_new"),
    path("assets/<int:pk>/", asset_detail, name="asset_detail"),
    path("assets/<int:pk>/rent/", asset_step, {"step": "rent"}, name="asset_rent"),
    path("assets/<int:pk>/cost/", asset_step, {"step": "cost"}, name="asset_cost"),
    path("assets/<int:pk>/retire/", asset_step, {"step": "retire"}, name="asset_retire"),
]
