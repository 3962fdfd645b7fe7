"""The one way into the ledger: balanced transactions, reversals, and closed periods."""

import dataclasses
import datetime
import uuid
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.core import audit, bulk
from samiti.core.models import AuditEvent, Channel
from samiti.finance.errors import FinanceError
from samiti.finance.models import Account, PeriodClose, Posting, Transaction, TransactionKind
from samiti.finance.services.chart import CHART, accounts_of
from samiti.registry.models import Meeting, Organisation, User
from samiti.registry.queries import may_change


@dataclasses.dataclass(frozen=True)
class Line:
    """One posting to be made: `amount` poisha on the account `account` (a code of the chart);
    a debit is positive, a credit negative. `member` (an id) names the member's sub-account."""

    account: str
    amount: int
    member: int | None = None


@dataclasses.dataclass
class Entry:
    """One transaction to be posted."""

    kind: str
    lines: Sequence[Line]
    memo: str = ""
    reference: str = ""
    client_id: uuid.UUID | None = None
    reverses_id: int | None = None


@transaction.atomic
def post_transaction(
    *,
    actor: User | None,
    organisation: Organisation,
    on: datetime.date,
    kind: str,
    lines: Sequence[Line],
    memo: str = "",
    reference: str = "",
    client_id: uuid.UUID | None = None,
    meeting: Meeting | None = None,
    channel: str = Channel.WEB,
) -> Transaction:
    """Post one balanced transaction; a retry with the same `client_id` returns the first one."""
    check_scope(actor, organisation)
    entry = Entry(kind=kind, lines=lines, memo=memo, reference=reference, client_id=client_id)
    if client_id is not None:
        existing = Transaction.objects.filter(client_id=client_id).first()
        if existing is not None:
            return _same_or_refuse(existing, organisation, on, entry)
    [pk] = write_entries(
        actor=actor, organisation=organisation, on=on, entries=[entry], meeting=meeting, channel=channel
    )
    posted = Transaction.objects.get(pk=pk)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=posted,
        changes={"kind": [None, kind], "on": [None, on.isoformat()], "amount": [None, _debits(lines)]},
        channel=channel,
        association_id=posted.association_id,
    )
    return posted


@transaction.atomic
def reverse_transaction(
    *,
    actor: User | None,
    original: Transaction,
    on: datetime.date,
    memo: str = "",
    client_id: uuid.UUID | None = None,
    meeting: Meeting | None = None,
    channel: str = Channel.WEB,
) -> Transaction:
    """Correct a transaction by posting its opposite, linked to it; the original stays as it was."""
    check_scope(actor, original.organisation)
    if client_id is not None:
        existing = Transaction.objects.filter(client_id=client_id).first()
        if existing is not None and existing.reverses_id == original.pk:
            return existing
    if on < original.on:
        raise FinanceError(_("A reversal cannot be dated before the transaction it corrects."), field="on")
    entry = reversal_entry(original, memo=memo, client_id=client_id)
    [pk] = write_entries(
        actor=actor,
        organisation=original.organisation,
        on=on,
        entries=[entry],
        meeting=meeting,
        cycle_id=original.cycle_id,
        asset_id=original.asset_id,
        channel=channel,
    )
    reversal = Transaction.objects.get(pk=pk)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=reversal,
        changes={"reverses": [None, original.pk]},
        channel=channel,
        association_id=reversal.association_id,
    )
    return reversal


def reversal_entry(original: Transaction, *, memo: str = "", client_id: uuid.UUID | None = None) -> Entry:
    """The entry that undoes `original`, refused when it may not be undone or already was."""
    if original.kind == TransactionKind.REVERSAL:
        raise FinanceError(_("This is itself a reversal; post the correct transaction instead."))
    if original.kind in UNREVERSIBLE:
        raise FinanceError(UNREVERSIBLE[original.kind])
    if Transaction.objects.filter(reverses=original).exists():
        raise FinanceError(_("This transaction has already been reversed."))
    codes = dict(Account.objects.filter(organisation_id=original.organisation_id).values_list("id", "code"))
    lines = [
        Line(codes[account_id], -amount, member_id)
        for account_id, amount, member_id in original.postings.values_list(
            "account_id", "amount", "member_id"
        )
    ]
    memo = memo or _("Reverses %(transaction)s") % {"transaction": original}
    return Entry(
        kind=TransactionKind.REVERSAL,
        lines=lines,
        memo=memo[:200],
        client_id=client_id,
        reverses_id=original.pk,
    )


UNREVERSIBLE = {
    TransactionKind.LOAN: _("A loan is corrected by recording its repayment, not by a reversal."),
    TransactionKind.SHARE_OUT: _("A share-out cannot be reversed."),
    TransactionKind.PAYOUT: _("A member's payout cannot be reversed."),
}


@transaction.atomic
def close_period(*, actor: User | None, organisation: Organisation, through: datetime.date) -> PeriodClose:
    """Close the books through a day: nothing can be posted on or before it afterwards."""
    check_scope(actor, organisation)
    if through >= timezone.localdate():
        raise FinanceError(_("Only a day that has passed can be closed."), field="through")
    last = last_closed(organisation)
    if last is not None and through <= last:
        raise FinanceError(
            _("The books are already closed through %(date)s.") % {"date": last.isoformat()}, field="through"
        )
    closed = PeriodClose.objects.create(organisation=organisation, through=through, closed_by=actor)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=closed,
        changes={"through": [None, through.isoformat()]},
        association_id=association_of(organisation),
    )
    return closed


def last_closed(organisation: Organisation) -> datetime.date | None:
    """The last day of the organisation's closed books, if any are closed."""
    # Through the cursor: read at every posting, where the ORM's query building costs more than the query.
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT MAX(through) FROM finance_periodclose WHERE organisation_id = %s", [organisation.pk]
        )
        day = cursor.fetchone()[0]
    return datetime.date.fromisoformat(day) if isinstance(day, str) else day


def write_entries(
    *,
    actor: User | None,
    organisation: Organisation,
    on: datetime.date,
    entries: Sequence[Entry],
    meeting: Meeting | None = None,
    cycle_id: int | None = None,
    asset_id: int | None = None,
    channel: str = Channel.WEB,
    accounts: dict[str, int] | None = None,
) -> list[int]:
    """Check and write `entries` in as few statements as the database allows; return their ids.

    Callers have checked the actor's scope and run inside a transaction. The postings go in
    first and each transaction's header after them, because the database checks, when the header
    arrives, that its postings sum to zero (see migration 0002_ledger_guards).
    """
    if not entries:
        return []
    closed = last_closed(organisation)
    if closed is not None and on <= closed:
        raise FinanceError(
            _("The books of %(organisation)s are closed through %(date)s; date this on a later day.")
            % {"organisation": organisation, "date": closed.isoformat()},
            field="on",
        )
    accounts = accounts or accounts_of(organisation)
    for entry in entries:
        check_entry(entry, accounts)
    db = connections[DEFAULT_DB_ALIAS]
    ids = _new_transaction_ids(len(entries))
    association_id = association_of(organisation)
    day = db.ops.adapt_datefield_value(on)
    postings = [
        (pk, accounts[line.account], line.member, line.amount, association_id, day)
        for pk, entry in zip(ids, entries, strict=True)
        for line in entry.lines
    ]
    bulk.insert_rows(Posting._meta.db_table, POSTING_COLUMNS, postings)
    uuid_field = Transaction._meta.get_field("client_id")
    now = db.ops.adapt_datetimefield_value(timezone.now())
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    meeting_id = meeting.pk if meeting is not None else None
    headers = [
        (
            pk,
            organisation.pk,
            association_id,
            uuid_field.get_db_prep_value(entry.client_id or uuid.uuid4(), db),
            day,
            entry.kind,
            entry.memo,
            entry.reference,
            meeting_id,
            cycle_id,
            asset_id,
            entry.reverses_id,
            actor_id,
            now,
            channel,
        )
        for pk, entry in zip(ids, entries, strict=True)
    ]
    bulk.insert_rows(Transaction._meta.db_table, HEADER_COLUMNS, headers)
    return ids


POSTING_COLUMNS = ["transaction_id", "account_id", "member_id", "amount", "association_id", "on"]
HEADER_COLUMNS = [
    "id",
    "organisation_id",
    "association_id",
    "client_id",
    "on",
    "kind",
    "memo",
    "reference",
    "meeting_id",
    "cycle_id",
    "asset_id",
    "reverses_id",
    "created_by_id",
    "created_at",
    "channel",
]


def check_entry(entry: Entry, accounts: dict[str, int]) -> None:
    """Refuse an entry that is not a balanced transaction of at least two postings."""
    if len(entry.lines) < 2:
        raise FinanceError(_("A transaction needs at least two postings."), code="unbalanced")
    total = 0
    for number, line in enumerate(entry.lines, start=1):
        if type(line.amount) is not int or line.amount == 0:
            raise FinanceError(
                _("Line %(line)s: an amount is a whole, non-zero number of poisha.") % {"line": number},
                field="amount",
            )
        if line.account not in accounts:
            raise FinanceError(
                _("Line %(line)s: there is no account %(code)s.") % {"line": number, "code": line.account},
                field="account",
            )
        standard = CHART.get(line.account)
        if standard is not None and standard.per_member and line.member is None:
            raise FinanceError(
                _("Line %(line)s: say whose %(account)s this is.")
                % {"line": number, "account": standard.name},
                field="member",
            )
        total += line.amount
    if total != 0:
        raise FinanceError(
            _("The debits and credits differ by %(amount)s poisha; a transaction must balance.")
            % {"amount": total},
            code="unbalanced",
        )


def check_scope(actor: User | None, organisation: Organisation) -> None:
    if not may_change(actor, organisation):
        raise FinanceError(_("You may not change the books of this organisation."), code="forbidden")


def association_of(organisation: Organisation) -> int | None:
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return organisation.pk
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.parent_id
    return None


def _new_transaction_ids(count: int) -> list[int]:
    """Take `count` ids for new transactions before their postings are written."""
    db = connections[DEFAULT_DB_ALIAS]
    table = db.ops.quote_name(Transaction._meta.db_table)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            sequence = f"pg_get_serial_sequence('{Transaction._meta.db_table}', 'id')"
            cursor.execute(f"SELECT nextval({sequence}) FROM generate_series(1, %s)", [count])  # noqa: S608
            return [row[0] for row in cursor.fetchall()]
        # SQLite writes one transaction at a time (BEGIN IMMEDIATE): the largest id is ours to follow.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _debits(lines: Sequence[Line]) -> int:
    return sum(line.amount for line in lines if line.amount > 0)


def _same_or_refuse(
    existing: Transaction, organisation: Organisation, on: datetime.date, entry: Entry
) -> Transaction:
    codes = dict(Account.objects.filter(organisation=organisation).values_list("id", "code"))
    posted = sorted(
        (codes.get(a, ""), amount, member)
        for a, amount, member in existing.postings.values_list("account_id", "amount", "member_id")
    )
    asked = sorted((line.account, line.amount, line.member) for line in entry.lines)
    if (
        existing.organisation_id != organisation.pk
        or existing.on != on
        or existing.kind != entry.kind
        or posted != asked
    ):
        raise FinanceError(
            _("This transaction id was already used for a different transaction."),
            code="id_reused",
            field="client_id",
        )
    return existing
