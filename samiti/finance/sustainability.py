"""Financial sustainability of associations: three numbers, each green, amber or red.

For each association, from its own books (not its groups' savings), over the twelve months up
to and including a day (`window`):

    own-income share = Σ own income ÷ Σ running costs
        own income: dues, service charges, fines, rents, service fees, commissions
        (chart.OWN_INCOME; grants are not own income); running costs: chart.RUNNING_COSTS.
        None when no running cost was recorded.
    months of reserves = (cash + bank + mobile money balances on the day)
                         ÷ (Σ running costs over the twelve months ÷ 12)
        None when no running cost was recorded.
    dues collection rate = Σ min(paid, expected) ÷ Σ expected over the active members
        (services.dues; None while no dues are expected).

Each is green from its green threshold up, amber from its amber threshold up, red below it
(`colour`); a number that cannot be computed has no colour ("none"). The thresholds are one row
of SustainabilityThresholds, made with its defaults when absent, edited by programme admins.

Everything is read with grouped queries over all the associations at once.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samiti.core import audit
from samiti.core.dates import add_months
from samiti.core.models import AuditEvent, Channel
from samiti.finance.errors import FinanceError
from samiti.finance.models import Posting, SustainabilityThresholds
from samiti.finance.services.chart import OWN_INCOME, PAYMENT_ACCOUNTS, RUNNING_COSTS
from samiti.finance.services.dues import dues_statuses
from samiti.registry.models import Organisation, User

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"
COLOUR_NAMES = {
    GREEN: gettext_lazy("green"),
    AMBER: gettext_lazy("amber"),
    RED: gettext_lazy("red"),
    NONE: gettext_lazy("no data"),
}
# The pairs of thresholds: (green field, amber field).
PAIRS = [
    ("self_reliance_green", "self_reliance_amber"),
    ("reserve_months_green", "reserve_months_amber"),
    ("dues_green", "dues_amber"),
]
FIELDS = [name for pair in PAIRS for name in pair]


def window(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to and including `on`: (first day, last day)."""
    return add_months(on, -12) + datetime.timedelta(days=1), on


def colour(value: Decimal | float | None, green: Decimal | float, amber: Decimal | float) -> str:
    if value is None:
        return NONE
    if value >= green:
        return GREEN
    return AMBER if value >= amber else RED


def thresholds() -> SustainabilityThresholds:
    """The one row of thresholds, made with its defaults the first time it is asked for."""
    found = SustainabilityThresholds.objects.order_by("pk").first()
    return found or SustainabilityThresholds.objects.create()


@dataclasses.dataclass(frozen=True)
class Measure:
    value: Decimal | float | None
    colour: str

    @property
    def colour_name(self) -> str:
        return str(COLOUR_NAMES[self.colour])


@dataclasses.dataclass
class Sustainability:
    association: Organisation
    own_income: int
    running_costs: int
    reserves: int
    self_reliance: Measure  # a fraction: 1 = own income covers all running costs
    reserve_months: Measure
    dues_rate: Measure  # a fraction


def sustainability(
    associations: Sequence[Organisation], on: datetime.date, limits: SustainabilityThresholds | None = None
) -> list[Sustainability]:
    """The three numbers of each association, with their colours (see the module's docstring)."""
    limits = limits or thresholds()
    ids = [association.pk for association in associations]
    first, last = window(on)
    flows: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for organisation_id, code, total in (
        Posting.objects.filter(
            account__organisation_id__in=ids,
            account__code__in=[*OWN_INCOME, *RUNNING_COSTS],
            on__gte=first,
            on__lte=last,
        )
        .values_list("account__organisation_id", "account__code")
        .annotate(total=Sum("amount"))
        .values_list("account__organisation_id", "account__code", "total")
    ):
        flows[organisation_id][code] += total
    reserves = dict(
        Posting.objects.filter(
            account__organisation_id__in=ids, account__code__in=PAYMENT_ACCOUNTS, on__lte=on
        )
        .values_list("account__organisation_id")
        .annotate(total=Sum("amount"))
        .values_list("account__organisation_id", "total")
    )
    dues = dues_statuses(ids, on)
    rows = []
    for association in associations:
        books = flows[association.pk]
        income = -sum(books[code] for code in OWN_INCOME)
        costs = sum(books[code] for code in RUNNING_COSTS)
        held = reserves.get(association.pk, 0)
        share = Decimal(income) / costs if costs > 0 else None
        months = (Decimal(held) * 12 / costs).quantize(Decimal("0.1"), ROUND_HALF_UP) if costs > 0 else None
        rate = dues[association.pk].total.rate
        rows.append(
            Sustainability(
                association=association,
                own_income=income,
                running_costs=costs,
                reserves=held,
                self_reliance=Measure(
                    share,
                    colour(
                        None if share is None else share * 100,
                        limits.self_reliance_green,
                        limits.self_reliance_amber,
                    ),
                ),
                reserve_months=Measure(
                    months, colour(months, limits.reserve_months_green, limits.reserve_months_amber)
                ),
                dues_rate=Measure(
                    rate, colour(None if rate is None else rate * 100, limits.dues_green, limits.dues_amber)
                ),
            )
        )
    return rows


def may_set_thresholds(user: User | None) -> bool:
    """Only programme admins (who see the whole programme) set the thresholds."""
    return user is not None and user.sees_whole_programme and user.can_edit


@transaction.atomic
def set_thresholds(*, actor: User, channel: str = Channel.WEB, **values: Any) -> SustainabilityThresholds:
    """Change where green turns amber and amber turns red; amber stays below green.

    The one write of this module: it belongs with the thresholds it guards."""
    if not may_set_thresholds(actor):
        raise FinanceError(_("Only programme admins set the thresholds."), code="forbidden")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise FinanceError(_("Unknown threshold: %(name)s.") % {"name": ", ".join(sorted(unknown))})
    row = SustainabilityThresholds.objects.select_for_update().filter(pk=thresholds().pk).get()
    before = audit.snapshot(row, FIELDS)
    for name, value in values.items():
        if value is None or value < 0:
            raise FinanceError(_("A threshold is zero or more."), field=name)
        setattr(row, name, value)
    for green, amber in PAIRS:
        if getattr(row, amber) >= getattr(row, green):
            raise FinanceError(_("Amber starts below green."), field=amber)
    try:
        row.full_clean(exclude=["updated_by"])
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise FinanceError(messages[0], field=name) from None
    row.updated_by = actor
    row.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=row,
        changes=audit.diff(before, audit.snapshot(row, FIELDS)),
        channel=channel,
    )
    return row
