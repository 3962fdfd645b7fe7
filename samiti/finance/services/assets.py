"""Assets an association owns together: bought from pooled funds, rented out, kept running.

Every movement is a ledger transaction in the association's books, carrying the asset:

    asset bought      Dr assets owned together            Cr cash | bank
    rented out        Dr cash | mobile money              Cr rent of assets [member, if a member]
    running cost      Dr running costs of assets          Cr cash | bank
    sold on retiring  Dr cash | bank                      Cr assets owned together

Money leaves only what the paying account holds on the day (the books cannot show less than
nothing in the cash box). Assets are carried at what they cost (no depreciation); a sale on
retiring takes its price off that value.

The report of an asset (`asset_reports`), up to a day:
    income = rents received; costs = its running costs; net = income − costs
    months owned = whole months from the day it was bought (at least 1)
    average net per month = net ÷ months owned
    payback (months) = price ÷ average net per month = price × months owned ÷ net
                       (None when net ≤ 0: at this rate it never pays back)
    paid back = net ≥ price
"""

import dataclasses
import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.core import audit
from samiti.core.dates import add_months
from samiti.core.models import AuditEvent, Channel
from samiti.core.money import format_taka
from samiti.finance.errors import FinanceError
from samiti.finance.models import Posting, Rental, SharedAsset, Transaction
from samiti.finance.models import TransactionKind as K
from samiti.finance.services.chart import CHART
from samiti.finance.services.dues import lock_books
from samiti.finance.services.ledger import Entry, Line, check_scope, write_entries
from samiti.registry.models import Member, Organisation, User

POOLED = ("cash", "bank")  # where a purchase or a cost is paid from
RENT_PAID_TO = ("cash", "mobile_money")
QUANTITY_MAX = Decimal("999999.99")
NAME_LENGTH = SharedAsset._meta.get_field("name").max_length
RENTER_LENGTH = Rental._meta.get_field("renter").max_length
MEMO_LENGTH = Transaction._meta.get_field("memo").max_length


@transaction.atomic
def buy_asset(
    *,
    actor: User | None,
    association: Organisation,
    name: str,
    kind: str,
    bought_on: datetime.date,
    price: int,
    unit: str,
    rate: int,
    paid_from: str = "cash",
    client_id: uuid.UUID | None = None,
    channel: str = Channel.WEB,
) -> SharedAsset:
    """Buy an asset from the association's pooled funds, to rent out at `rate` poisha per `unit`.
    A retry with the same `client_id` returns the asset first recorded."""
    check_scope(actor, association)
    if client_id is not None:
        done = _retried(client_id, K.ASSET_PURCHASE)
        if done is not None:
            if done.organisation_id != association.pk:
                raise _id_reused()
            return SharedAsset.objects.get(pk=done.asset_id)
    if association.kind != Organisation.Kind.ASSOCIATION:
        raise FinanceError(_("Assets are bought by associations."), field="association")
    name = (name or "").strip()
    if not name:
        raise FinanceError(_("Name the asset."), field="name")
    if len(name) > NAME_LENGTH:
        raise FinanceError(
            _("A name is at most %(count)s characters.") % {"count": NAME_LENGTH}, field="name"
        )
    if kind not in SharedAsset.Kind.values:
        raise FinanceError(_("Choose what kind of asset it is."), field="kind")
    if unit not in SharedAsset.Unit.values:
        raise FinanceError(_("Choose what it is rented by: the hour, the day or the acre."), field="unit")
    if type(price) is not int or price <= 0:
        raise FinanceError(_("The price is an amount above zero."), field="price")
    if type(rate) is not int or rate < 0:
        raise FinanceError(_("The rent is zero or more."), field="rate")
    _check_date(bought_on, "bought_on")
    _check_paid_from(paid_from)
    lock_books(association)  # two payments cannot spend the same taka
    _check_funds(association, paid_from, price, bought_on)
    asset = SharedAsset.objects.create(
        organisation=association,
        association_id=association.pk,
        name=name,
        kind=kind,
        bought_on=bought_on,
        price=price,
        unit=unit,
        rate=rate,
    )
    entry = Entry(
        kind=K.ASSET_PURCHASE,
        lines=[Line("fixed_assets", price), Line(paid_from, -price)],
        memo=(_("Bought: %(asset)s") % {"asset": name})[:MEMO_LENGTH],
        client_id=client_id,
    )
    write_entries(
        actor=actor,
        organisation=association,
        on=bought_on,
        entries=[entry],
        asset_id=asset.pk,
        channel=channel,
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=asset,
        changes=audit.created(asset, ["name", "kind", "bought_on", "price", "unit", "rate"]),
        channel=channel,
        association_id=association.pk,
    )
    return asset


@transaction.atomic
def rent_asset(
    *,
    actor: User | None,
    asset: SharedAsset,
    on: datetime.date,
    quantity: Decimal | int | str,
    member: Member | None = None,
    renter: str = "",
    amount: int | None = None,
    paid_to: str = "cash",
    reference: str = "",
    client_id: uuid.UUID | None = None,
    channel: str = Channel.WEB,
) -> Rental:
    """Rent the asset out: `quantity` of its unit, to a member or someone named in `renter`. The
    amount is quantity × rate rounded to the poisha unless given. A retried `client_id` is recorded once."""
    association = asset.organisation
    check_scope(actor, association)
    if client_id is not None:
        posted = _retried(client_id, K.RENTAL)
        if posted is not None:
            if posted.asset_id != asset.pk:
                raise _id_reused()
            return Rental.objects.get(transaction=posted)
    if asset.status != SharedAsset.Status.IN_USE:
        raise FinanceError(_("This asset is retired; it is not rented out any more."), code="retired")
    quantity = _quantity(quantity)
    renter = (renter or "").strip()
    if member is not None:
        if member.association_id != asset.association_id:
            raise FinanceError(_("Not a member of this association."), field="member")
        if renter:
            raise FinanceError(_("Name a renter only when they are not a member."), field="renter")
    elif not renter:
        raise FinanceError(_("Say who rented it: a member, or the name of someone else."), field="renter")
    if len(renter) > RENTER_LENGTH:
        raise FinanceError(
            _("A name is at most %(count)s characters.") % {"count": RENTER_LENGTH}, field="renter"
        )
    if amount is None:
        amount = rent_amount(quantity, asset.rate)
    if type(amount) is not int or amount <= 0:
        raise FinanceError(_("The rent paid is an amount above zero."), field="amount")
    if paid_to not in RENT_PAID_TO:
        raise FinanceError(_("Rent is paid in cash or by mobile money."), field="paid_to")
    _check_date(on, "on")
    _check_after_purchase(asset, on)
    member_id = member.pk if member is not None else None
    entry = Entry(
        kind=K.RENTAL,
        lines=[Line(paid_to, amount), Line("rent_income", -amount, member_id)],
        memo=(_("%(asset)s rented to %(renter)s") % {"asset": asset.name, "renter": member or renter})[
            :MEMO_LENGTH
        ],
        reference=(reference or "").strip()[:60],
        client_id=client_id,
    )
    [pk] = write_entries(
        actor=actor, organisation=association, on=on, entries=[entry], asset_id=asset.pk, channel=channel
    )
    rental = Rental.objects.create(
        asset=asset, member=member, renter=renter, on=on, quantity=quantity, amount=amount, transaction_id=pk
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=rental,
        changes=audit.created(rental, ["member", "renter", "on", "quantity", "amount"])
        | {"paid_to": [None, paid_to]},
        channel=channel,
        association_id=asset.association_id,
    )
    return rental


def rent_amount(quantity: Decimal, rate: int) -> int:
    """quantity × rate in poisha, rounded to the poisha (half up)."""
    return int((Decimal(quantity) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@transaction.atomic
def record_asset_cost(
    *,
    actor: User | None,
    asset: SharedAsset,
    on: datetime.date,
    amount: int,
    memo: str,
    paid_from: str = "cash",
    client_id: uuid.UUID | None = None,
    channel: str = Channel.WEB,
) -> Transaction:
    """Record what keeping the asset running cost (fuel, repairs, an operator's wage)."""
    association = asset.organisation
    check_scope(actor, association)
    if client_id is not None:
        done = _retried(client_id, K.ASSET_COST)
        if done is not None:
            if done.asset_id != asset.pk:
                raise _id_reused()
            return done
    memo = (memo or "").strip()
    if not memo:
        raise FinanceError(_("Say what the money was spent on."), field="memo")
    if len(memo) > MEMO_LENGTH:
        raise FinanceError(_("At most %(count)s characters.") % {"count": MEMO_LENGTH}, field="memo")
    if type(amount) is not int or amount <= 0:
        raise FinanceError(_("The cost is an amount above zero."), field="amount")
    _check_paid_from(paid_from)
    _check_date(on, "on")
    _check_after_purchase(asset, on)
    lock_books(association)  # two payments cannot spend the same taka
    _check_funds(association, paid_from, amount, on)
    entry = Entry(
        kind=K.ASSET_COST,
        lines=[Line("asset_costs", amount), Line(paid_from, -amount)],
        memo=memo,
        client_id=client_id,
    )
    [pk] = write_entries(
        actor=actor, organisation=association, on=on, entries=[entry], asset_id=asset.pk, channel=channel
    )
    cost = Transaction.objects.get(pk=pk)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=cost,
        changes={"asset": [None, asset.pk], "amount": [None, amount], "memo": [None, memo]},
        channel=channel,
        association_id=asset.association_id,
    )
    return cost


@transaction.atomic
def retire_asset(
    *,
    actor: User | None,
    asset: SharedAsset,
    on: datetime.date,
    sold_for: int = 0,
    paid_to: str = "cash",
    channel: str = Channel.WEB,
) -> SharedAsset:
    """Take an asset out of use (worn out, or sold for `sold_for` poisha, at most its price)."""
    association = asset.organisation
    check_scope(actor, association)
    asset = SharedAsset.objects.select_for_update().get(pk=asset.pk)
    if asset.status == SharedAsset.Status.RETIRED:
        raise FinanceError(_("This asset is already retired."), code="retired")
    if type(sold_for) is not int or not 0 <= sold_for <= asset.price:
        raise FinanceError(
            _("Sold for between nothing and its price, %(price)s.") % {"price": format_taka(asset.price)},
            field="sold_for",
        )
    _check_paid_from(paid_to, field="paid_to")
    _check_date(on, "on")
    _check_after_purchase(asset, on)
    if sold_for:
        entry = Entry(
            kind=K.TRANSFER,
            lines=[Line(paid_to, sold_for), Line("fixed_assets", -sold_for)],
            memo=(_("Sold: %(asset)s") % {"asset": asset.name})[:MEMO_LENGTH],
        )
        write_entries(
            actor=actor, organisation=association, on=on, entries=[entry], asset_id=asset.pk, channel=channel
        )
    asset.status = SharedAsset.Status.RETIRED
    asset.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=asset,
        changes={"status": [SharedAsset.Status.IN_USE, asset.status], "sold_for": [None, sold_for]},
        channel=channel,
        association_id=asset.association_id,
    )
    return asset


def _retried(client_id: uuid.UUID, kind: str) -> Transaction | None:
    """The transaction already recorded with `client_id`, refused when it is of another kind."""
    done = Transaction.objects.filter(client_id=client_id).first()
    if done is not None and done.kind != kind:
        raise _id_reused()
    return done


def _id_reused() -> FinanceError:
    return FinanceError(
        _("This transaction id was already used for a different transaction."),
        code="id_reused",
        field="client_id",
    )


def _quantity(value: Decimal | int | str) -> Decimal:
    try:
        quantity = Decimal(str(value).strip())
    except InvalidOperation:
        raise FinanceError(_("The quantity is a number, such as 2.5."), field="quantity") from None
    if not quantity.is_finite() or quantity <= 0 or quantity > QUANTITY_MAX:
        raise FinanceError(_("The quantity is above zero and below a million."), field="quantity")
    if quantity != quantity.quantize(Decimal("0.01")):
        raise FinanceError(_("The quantity has at most two decimals."), field="quantity")
    return quantity


def _check_date(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise FinanceError(_("This cannot be dated in the future."), field=field)


def _check_after_purchase(asset: SharedAsset, on: datetime.date) -> None:
    if on < asset.bought_on:
        raise FinanceError(
            _("The asset was bought on %(date)s; date this on or after it.")
            % {"date": asset.bought_on.isoformat()},
            field="on",
        )


def _check_paid_from(account: str, field: str = "paid_from") -> None:
    if account not in POOLED:
        raise FinanceError(_("Paid from cash in hand or the bank account."), field=field)


def _check_funds(association: Organisation, account: str, amount: int, on: datetime.date) -> None:
    held = (
        Posting.objects.filter(
            account__organisation=association, account__code=account, on__lte=on
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    if held < amount:
        raise FinanceError(
            _("The %(account)s held %(held)s on that day, less than %(amount)s.")
            % {"account": _account_label(account), "held": format_taka(held), "amount": format_taka(amount)},
            code="insufficient_funds",
            field="paid_from",
        )


def _account_label(code: str) -> str:
    return str(CHART[code].name)


# ----- reports -----------------------------------------------------------------------------------


@dataclasses.dataclass
class AssetReport:
    asset: SharedAsset
    on: datetime.date
    income: int
    costs: int
    use: dict[str, Decimal]  # {unit: Σ quantity}
    rentals: int
    months_owned: int

    @property
    def net(self) -> int:
        return self.income - self.costs

    @property
    def net_per_month(self) -> int:
        """Average net income per month, rounded to the poisha."""
        return int((Decimal(self.net) / self.months_owned).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def payback_months(self) -> Decimal | None:
        """price ÷ average net income per month; None when the asset earns nothing net."""
        if self.net <= 0:
            return None
        return (Decimal(self.asset.price) * self.months_owned / self.net).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def paid_back(self) -> bool:
        return self.net >= self.asset.price

    @property
    def months_to_go(self) -> Decimal | None:
        """Months still needed at this rate (0 once paid back)."""
        if self.payback_months is None:
            return None
        return max(self.payback_months - self.months_owned, Decimal(0))

    @property
    def quantity(self) -> Decimal:
        return self.use.get(self.asset.unit, Decimal(0))


def months_owned(bought_on: datetime.date, on: datetime.date) -> int:
    """Whole months from `bought_on` to `on`, at least 1."""
    months = (on.year - bought_on.year) * 12 + on.month - bought_on.month
    if months > 0 and add_months(bought_on, months) > on:
        months -= 1
    return max(months, 1)


def asset_report(asset: SharedAsset, on: datetime.date) -> AssetReport:
    return asset_reports([asset], on)[0]


def asset_reports(assets: Sequence[SharedAsset], on: datetime.date) -> list[AssetReport]:
    """The reports of many assets in two grouped queries (see the module's docstring)."""
    ids = [asset.pk for asset in assets]
    money: dict[int, dict[str, int]] = defaultdict(dict)
    for asset_id, code, total in (
        Posting.objects.filter(
            transaction__asset_id__in=ids, account__code__in=["rent_income", "asset_costs"], on__lte=on
        )
        .values_list("transaction__asset_id", "account__code")
        .annotate(total=Sum("amount"))
        .values_list("transaction__asset_id", "account__code", "total")
    ):
        money[asset_id][code] = total
    use: dict[int, tuple[Decimal, int]] = {}
    for asset_id, quantity, count in (
        Rental.objects.filter(asset_id__in=ids, on__lte=on)
        .values_list("asset_id")
        .annotate(quantity=Sum("quantity"), count=Count("id"))
        .values_list("asset_id", "quantity", "count")
    ):
        use[asset_id] = (quantity, count)
    reports = []
    for asset in assets:
        quantity, count = use.get(asset.pk, (Decimal(0), 0))
        reports.append(
            AssetReport(
                asset=asset,
                on=on,
                income=-money[asset.pk].get("rent_income", 0),
                costs=money[asset.pk].get("asset_costs", 0),
                use={asset.unit: quantity},
                rentals=count,
                months_owned=months_owned(asset.bought_on, on),
            )
        )
    return reports
