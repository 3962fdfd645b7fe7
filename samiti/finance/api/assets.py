"""Assets in the API: an association's assets (read, buy), renting one out, its running costs and
its report (income, costs, payback), through the same services as the pages. Amounts are integer
poisha; another association's assets answer 404."""

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from samiti.core.models import Channel
from samiti.finance.api.dues import association_or_404, may_edit, member_of, user_of
from samiti.finance.models import Rental, SharedAsset, Transaction
from samiti.finance.queries import assets_for
from samiti.finance.services import assets as services
from samiti.registry.models import User

router = Router(tags=["finance: assets"])


def _asset_or_404(user: User, pk: int) -> SharedAsset:
    found = assets_for(user).select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


class AssetOut(Schema):
    id: int
    association: int
    name: str
    kind: str
    bought_on: datetime.date
    price: int = Field(description="Poisha (100 poisha = 1 taka).")
    unit: str
    rate: int = Field(description="Rent per unit, poisha.")
    status: str

    @staticmethod
    def resolve_association(asset: SharedAsset) -> int:
        return asset.organisation_id


class AssetIn(Schema):
    name: str = Field(max_length=100)
    kind: Literal[tuple(SharedAsset.Kind.values)]  # type: ignore[valid-type]
    bought_on: datetime.date
    price: int = Field(description="Poisha.")
    unit: Literal[tuple(SharedAsset.Unit.values)]  # type: ignore[valid-type]
    rate: int = Field(description="Rent per unit, poisha.")
    paid_from: Literal[services.POOLED] = "cash"  # type: ignore[valid-type]
    client_id: uuid.UUID | None = Field(
        None, description="Made by the client; a retry with it is recorded once."
    )


class ReportOut(Schema):
    asset: AssetOut
    on: datetime.date
    income: int = Field(description="Rents received up to the day, poisha.")
    costs: int = Field(description="Running costs up to the day, poisha.")
    net: int
    rentals: int
    quantity: Decimal = Field(description="Σ quantity rented, in the asset's unit.")
    months_owned: int
    net_per_month: int
    payback_months: Decimal | None = Field(
        description="price ÷ average net income per month; null when net ≤ 0."
    )
    paid_back: bool


class RentalIn(Schema):
    on: datetime.date | None = Field(None, description="Today unless given.")
    quantity: Decimal = Field(description="How much of the asset's unit (hours, days, acres).")
    member: int | None = Field(None, description="The member's id, when the renter is a member.")
    renter: str = Field("", max_length=150, description="The renter's name when not a member.")
    amount: int | None = Field(
        None, description="Poisha; quantity × rate (rounded to the poisha) unless given."
    )
    paid_to: Literal[services.RENT_PAID_TO] = "cash"  # type: ignore[valid-type]
    reference: str = Field("", max_length=60)
    client_id: uuid.UUID | None = Field(
        None, description="Made by the client; a retry with it is recorded once."
    )


class RentalOut(Schema):
    id: int
    asset: int
    member: int | None
    renter: str
    on: datetime.date
    quantity: Decimal
    amount: int
    transaction: int

    @staticmethod
    def resolve_asset(rental: Rental) -> int:
        return rental.asset_id

    @staticmethod
    def resolve_member(rental: Rental) -> int | None:
        return rental.member_id

    @staticmethod
    def resolve_transaction(rental: Rental) -> int:
        return rental.transaction_id


class CostIn(Schema):
    on: datetime.date | None = Field(None, description="Today unless given.")
    amount: int = Field(description="Poisha.")
    memo: str = Field(max_length=200, description="What the money was spent on.")
    paid_from: Literal[services.POOLED] = "cash"  # type: ignore[valid-type]
    client_id: uuid.UUID | None = None


class CostOut(Schema):
    id: int
    client_id: uuid.UUID
    on: datetime.date
    memo: str


@router.get("/associations/{association_id}/assets", response=list[AssetOut])
def list_assets(request: HttpRequest, association_id: int) -> list[SharedAsset]:
    association = association_or_404(user_of(request), association_id)
    return list(SharedAsset.objects.filter(organisation=association).order_by("name"))


@router.post("/associations/{association_id}/assets", response={201: AssetOut})
def buy_asset(request: HttpRequest, association_id: int, payload: AssetIn) -> Status:
    """Record an asset bought from the association's cash or bank account."""
    user = user_of(request)
    association = association_or_404(user, association_id)
    may_edit(user)
    asset = services.buy_asset(actor=user, association=association, channel=Channel.API, **payload.dict())
    return Status(201, asset)


@router.get("/assets/{asset_id}", response=ReportOut, summary="An asset's income, costs and payback")
def asset_report(
    request: HttpRequest, asset_id: int, on: datetime.date | None = None
) -> services.AssetReport:
    return services.asset_report(_asset_or_404(user_of(request), asset_id), on or timezone.localdate())


@router.post("/assets/{asset_id}/rentals", response={201: RentalOut})
def rent_asset(request: HttpRequest, asset_id: int, payload: RentalIn) -> Status:
    """Rent the asset out; a retry with the same client_id returns the first rental."""
    user = user_of(request)
    asset = _asset_or_404(user, asset_id)
    may_edit(user)
    data = payload.dict()
    member = data.pop("member")
    data["on"] = data["on"] or timezone.localdate()
    rental = services.rent_asset(
        actor=user,
        asset=asset,
        member=member_of(user, asset.organisation, member) if member is not None else None,
        channel=Channel.API,
        **data,
    )
    return Status(201, rental)


@router.post("/assets/{asset_id}/costs", response={201: CostOut})
def record_cost(request: HttpRequest, asset_id: int, payload: CostIn) -> Status:
    user = user_of(request)
    asset = _asset_or_404(user, asset_id)
    may_edit(user)
    data = payload.dict()
    data["on"] = data["on"] or timezone.localdate()
    cost: Transaction = services.record_asset_cost(actor=user, asset=asset, channel=Channel.API, **data)
    return Status(201, cost)
