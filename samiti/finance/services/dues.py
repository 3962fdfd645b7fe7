"""Membership dues: the fee an association sets, payments into its books, and who is in arrears.

A payment is one ledger transaction in the member's association's books:

    dues paid       Dr cash | mobile money | bank       Cr membership dues [member]

What a member owes (`expected_dues`): a member's dues fall due on max(the day they joined, the
day the first fee started), and again every period after (a week, two weeks, a month, three
months or a year: the frequency of the fee in force). Each due day charges the fee in force on
that day (the latest fee started on or before it), so a fee change applies from the next due day
and history stays as it was; when the frequency changes, the new periods count from the first
due day under it. Months run from the due day (31 January, 28 February, 31 March).

What a member paid is read from the ledger: −Σ of the dues-income postings naming the member in
the association's books, up to the day. Arrears = max(expected − paid, 0).

Collection rate of a group (or the association) = Σ min(paid, expected) ÷ Σ expected over its
members on the day: a member who paid ahead does not hide one in arrears, so the rate is at most
1. It is None while nothing is expected yet. Members count from the day they joined until the
day they left (a member who has left is not counted after it).
"""

import dataclasses
import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.core import audit
from samiti.core.dates import add_months
from samiti.core.models import AuditEvent, Channel
from samiti.finance.errors import FinanceError
from samiti.finance.models import Frequency, MembershipFee, Posting, Transaction
from samiti.finance.models import TransactionKind as K
from samiti.finance.services.chart import PAYMENT_ACCOUNTS
from samiti.finance.services.ledger import Line, check_scope, post_transaction
from samiti.registry.models import Member, Organisation, User

MOBILE_MONEY = "mobile_money"
REFERENCE_LENGTH = Transaction._meta.get_field("reference").max_length


# ----- writes ------------------------------------------------------------------------------------


@transaction.atomic
def set_membership_fee(
    *,
    actor: User | None,
    association: Organisation,
    amount: int,
    frequency: str,
    starts_on: datetime.date,
    channel: str = Channel.WEB,
) -> MembershipFee:
    """Set the association's fee from a day on; earlier fees stay as the history of what was owed."""
    check_scope(actor, association)
    if association.kind != Organisation.Kind.ASSOCIATION:
        raise FinanceError(_("Membership fees are set by associations."), field="association")
    if type(amount) is not int or amount <= 0:
        raise FinanceError(_("The fee is an amount above zero."), field="amount")
    if frequency not in Frequency.values:
        raise FinanceError(_("Choose how often the fee is due."), field="frequency")
    if MembershipFee.objects.filter(association=association, starts_on=starts_on).exists():
        raise FinanceError(
            _("A fee already starts on %(date)s; start the new one on another day.")
            % {"date": starts_on.isoformat()},
            field="starts_on",
        )
    try:
        with transaction.atomic():
            fee = MembershipFee.objects.create(
                association=association, amount=amount, frequency=frequency, starts_on=starts_on, set_by=actor
            )
    except IntegrityError:  # the same day, set at the same moment by someone else
        raise FinanceError(_("A fee already starts on that day."), field="starts_on") from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=fee,
        changes=audit.created(fee, ["amount", "frequency", "starts_on"]),
        channel=channel,
        association_id=association.pk,
    )
    return fee


@transaction.atomic
def record_dues_payment(
    *,
    actor: User | None,
    member: Member,
    amount: int,
    on: datetime.date,
    method: str,
    reference: str = "",
    client_id: uuid.UUID | None = None,
    channel: str = Channel.WEB,
) -> Transaction:
    """Record dues a member paid, into their association's books. Mobile money needs its transaction
    id (the bKash or Nagad reference); a retry with the same `client_id` is recorded once."""
    association = member.association
    check_scope(actor, association)
    reference = (reference or "").strip()
    if type(amount) is not int or amount <= 0:
        raise FinanceError(_("The amount paid is above zero."), field="amount")
    if method not in PAYMENT_ACCOUNTS:
        raise FinanceError(_("Paid in cash, by mobile money or into the bank."), field="method")
    if method == MOBILE_MONEY and not reference:
        raise FinanceError(
            _("A mobile money payment needs its transaction id (the bKash or Nagad reference)."),
            field="reference",
        )
    if len(reference) > REFERENCE_LENGTH:
        raise FinanceError(
            _("A reference is at most %(count)s characters.") % {"count": REFERENCE_LENGTH}, field="reference"
        )
    if on > timezone.localdate():
        raise FinanceError(_("A payment cannot be dated in the future."), field="on")
    retry = client_id is not None and Transaction.objects.filter(client_id=client_id).exists()
    if method == MOBILE_MONEY and not retry:
        lock_books(association)  # two payments with one reference cannot both pass the check
        if _reference_used(association, reference):
            raise FinanceError(
                _("The mobile money payment %(reference)s is already recorded.") % {"reference": reference},
                code="duplicate",
                field="reference",
            )
    return post_transaction(
        actor=actor,
        organisation=association,
        on=on,
        kind=K.DUES,
        lines=[Line(method, amount), Line("dues_income", -amount, member.pk)],
        memo=_("Dues of %(member)s") % {"member": member.code},
        reference=reference,
        client_id=client_id,
        channel=channel,
    )


def lock_books(organisation: Organisation) -> None:
    """Serialise writes that check the books first (a reference unused, funds enough) and then
    post. SQLite writes one transaction at a time already, so only other databases lock a row."""
    if connection.features.has_select_for_update:
        list(Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk"))


def _reference_used(association: Organisation, reference: str) -> bool:
    return Transaction.objects.filter(
        organisation=association, kind=K.DUES, reference__iexact=reference, reversed_by__isnull=True
    ).exists()


# ----- what is owed ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FeeTerm:
    """A fee as the rule reads it: from a day on, an amount every period."""

    starts_on: datetime.date
    amount: int
    frequency: str


def due_days(
    fees: Sequence[FeeTerm], start: datetime.date, on: datetime.date
) -> list[tuple[datetime.date, int]]:
    """The days a member's dues fell due up to `on`, each with the fee then in force (see the
    module's docstring). `fees` are in the order they start."""
    if not fees:
        return []
    day = max(start, fees[0].starts_on)
    found: list[tuple[datetime.date, int]] = []
    current, anchor, steps = 0, day, 0
    frequency = None
    while day <= on:
        while current + 1 < len(fees) and fees[current + 1].starts_on <= day:
            current += 1
        fee = fees[current]
        if fee.frequency != frequency:
            frequency, anchor, steps = fee.frequency, day, 0
        found.append((day, fee.amount))
        steps += 1
        day = _step(anchor, frequency, steps)
    return found


def expected_dues(fees: Sequence[FeeTerm], start: datetime.date, on: datetime.date) -> tuple[int, int]:
    """(periods due, amount expected) for a member whose dues start on `start`, up to `on`."""
    days = due_days(fees, start, on)
    return len(days), sum(amount for _day, amount in days)


def _step(anchor: datetime.date, frequency: str, steps: int) -> datetime.date:
    if frequency == Frequency.WEEKLY:
        return anchor + datetime.timedelta(days=7 * steps)
    if frequency == Frequency.FORTNIGHTLY:
        return anchor + datetime.timedelta(days=14 * steps)
    months = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}[frequency]
    return add_months(anchor, months * steps)


@dataclasses.dataclass
class MemberDues:
    member_id: int
    code: str
    name_en: str
    name_bn: str
    group_id: int
    joined_on: datetime.date
    periods: int
    expected: int
    paid: int

    @property
    def name(self) -> str:
        return Member.display_name(self.name_bn, self.name_en)

    @property
    def arrears(self) -> int:
        return max(self.expected - self.paid, 0)

    @property
    def ahead(self) -> int:
        return max(self.paid - self.expected, 0)

    @property
    def collected(self) -> int:
        """What counts towards the collection rate: paid, at most what was expected."""
        return min(self.paid, self.expected)


@dataclasses.dataclass
class DuesTotals:
    """The dues of a group or of a whole association."""

    group_id: int | None
    code: str = ""
    name_en: str = ""
    name_bn: str = ""
    members: int = 0
    in_arrears: int = 0
    expected: int = 0
    paid: int = 0
    collected: int = 0
    arrears: int = 0

    @property
    def name(self) -> str:
        return Member.display_name(self.name_bn, self.name_en)

    @property
    def rate(self) -> float | None:
        """Collection rate: Σ min(paid, expected) ÷ Σ expected, None while nothing is expected."""
        return self.collected / self.expected if self.expected else None

    def add(self, row: MemberDues) -> None:
        self.members += 1
        self.in_arrears += row.arrears > 0
        self.expected += row.expected
        self.paid += row.paid
        self.collected += row.collected
        self.arrears += row.arrears


@dataclasses.dataclass
class DuesStatus:
    association_id: int
    on: datetime.date
    fee: FeeTerm | None  # in force on the day
    next_fee: FeeTerm | None  # set to start later
    members: list[MemberDues]
    groups: list[DuesTotals]
    total: DuesTotals

    @property
    def in_arrears(self) -> list[MemberDues]:
        return [row for row in self.members if row.arrears > 0]


def dues_status(association: Organisation, on: datetime.date) -> DuesStatus:
    """Each member's dues expected, paid and in arrears on `on`, by group (four queries)."""
    return dues_statuses([association.pk], on)[association.pk]


def dues_statuses(association_ids: Iterable[int], on: datetime.date) -> dict[int, DuesStatus]:
    """`dues_status` of many associations at once, in four queries whatever their number."""
    ids = list(association_ids)
    fees: dict[int, list[FeeTerm]] = defaultdict(list)
    for association_id, starts_on, amount, frequency in (
        MembershipFee.objects.filter(association_id__in=ids)
        .order_by("starts_on")
        .values_list("association_id", "starts_on", "amount", "frequency")
    ):
        fees[association_id].append(FeeTerm(starts_on, amount, frequency))
    paid = dict(
        Posting.objects.filter(
            account__organisation_id__in=ids, account__code="dues_income", on__lte=on, member__isnull=False
        )
        .values_list("member_id")
        .annotate(total=Sum("amount"))
        .values_list("member_id", "total")
    )
    groups: dict[int, dict[int, DuesTotals]] = {association_id: {} for association_id in ids}
    for pk, parent, code, name_en, name_bn in (
        Organisation.objects.filter(parent_id__in=ids, kind=Organisation.Kind.GROUP)
        .order_by("code")
        .values_list("id", "parent_id", "code", "name_en", "name_bn")
    ):
        groups[parent][pk] = DuesTotals(pk, code, name_en, name_bn)
    rows: dict[int, list[MemberDues]] = defaultdict(list)
    members = (
        Member.objects.filter(association_id__in=ids, joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .order_by("code")
        .values_list("id", "association_id", "code", "name_en", "name_bn", "group_id", "joined_on")
    )
    owed: dict[tuple[int, datetime.date], tuple[int, int]] = {}
    for pk, association_id, code, name_en, name_bn, group_id, joined_on in members:
        key = (association_id, joined_on)
        if key not in owed:  # members who joined the same day owe the same
            owed[key] = expected_dues(fees[association_id], joined_on, on)
        periods, expected = owed[key]
        row = MemberDues(pk, code, name_en, name_bn, group_id, joined_on, periods, expected, -paid.get(pk, 0))
        rows[association_id].append(row)
    statuses = {}
    for association_id in ids:
        total = DuesTotals(None)
        by_group = groups[association_id]
        for row in rows[association_id]:
            total.add(row)
            by_group.setdefault(row.group_id, DuesTotals(row.group_id)).add(row)
        terms = fees[association_id]
        started = [fee for fee in terms if fee.starts_on <= on]
        later = [fee for fee in terms if fee.starts_on > on]
        statuses[association_id] = DuesStatus(
            association_id,
            on,
            started[-1] if started else None,
            later[0] if later else None,
            rows[association_id],
            list(by_group.values()),
            total,
        )
    return statuses
