"""Savings groups in the API: cycles and their constitution, the group's books, meetings recorded
as one batch (a phone that recorded offline retries with the same client_id and is recorded once),
loans, write-offs, the share-out and a leaving member's payout, through the same services as the
pages. Amounts are integer poisha (100 poisha = 1 taka)."""

import datetime
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Literal

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from samiti.core.bengali import to_latin_digits
from samiti.core.models import Channel
from samiti.finance import queries
from samiti.finance.errors import FinanceError
from samiti.finance.models import ChargeMethod, Cycle, Frequency, Loan, Posting, SavingsMeeting
from samiti.finance.models import TransactionKind as K
from samiti.finance.services import savings as services
from samiti.finance.services import shareout
from samiti.registry.models import Attendance, Member, User
from samiti.registry.queries import organisation_or_404

router = Router(tags=["savings groups"])

CycleStatus = Literal[tuple(Cycle.Status.values)]
LoanStatus = Literal[tuple(Loan.Status.values)]
MethodCode = Literal[tuple(ChargeMethod.values)]
FrequencyCode = Literal[tuple(Frequency.values)]
MemberRef = int | str
MEMBER_REF = "A member's id (a number) or member number (text, such as “G12-0034”)."
POISHA = "Poisha (100 poisha = 1 taka)."


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _may_edit(user: User) -> None:
    if not user.can_edit:
        raise FinanceError(_("Your role may read the books but not change them."), code="forbidden")


def _cycle(user: User, pk: int) -> Cycle:
    cycle = queries.cycles_for(user).select_related("group").filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def _members_named(cycle: Cycle, refs: list[MemberRef]) -> dict[str, int]:
    """{member number in capitals: id} of the group's members that `refs` name by number."""
    codes = {to_latin_digits(ref).strip() for ref in refs if isinstance(ref, str)}
    codes |= {code.upper() for code in codes}
    found = Member.objects.filter(group=cycle.group, code__in=codes).values_list("code", "pk")
    return {code.upper(): pk for code, pk in found}


def _member_id(ref: MemberRef, named: dict[str, int], *, row: int | None = None) -> int:
    """The id of the member `ref` names; a number not in the group is refused (naming the row)."""
    if isinstance(ref, int):
        return ref
    pk = named.get(to_latin_digits(ref).strip().upper())
    if pk is None:
        message = _("No member of this group has the number %(code)s.") % {"code": ref}
        if row is not None:
            message = _("Row %(row)s: %(problem)s") % {"row": row, "problem": message}
        raise FinanceError(message, field="member")
    return pk


# ----- cycles ------------------------------------------------------------------------------------


class CycleOut(Schema):
    id: int
    group: int
    group_name: str
    number: int
    status: CycleStatus
    share_price: int = Field(description=POISHA)
    max_shares_per_meeting: int
    social_fund_per_meeting: int = Field(description=POISHA)
    service_charge_percent: Decimal = Field(description="Per month.")
    service_charge_method: MethodCode
    loan_multiple: int = Field(description="The largest loan, times the member's savings.")
    max_loan_months: int
    fine_absent: int = Field(description=POISHA)
    fine_late: int = Field(description=POISHA)
    meeting_frequency: FrequencyCode
    starts_on: datetime.date
    planned_end_on: datetime.date
    share_social_fund: bool = Field(description="Whether the social fund is shared out too.")
    shared_out_on: datetime.date | None

    @staticmethod
    def resolve_group(cycle: Cycle) -> int:
        return cycle.group_id

    @staticmethod
    def resolve_group_name(cycle: Cycle) -> str:
        return str(cycle.group)


class CycleDetailOut(CycleOut):
    meetings_held: int
    last_meeting_on: datetime.date | None
    open_loans: int

    @staticmethod
    def resolve_meetings_held(cycle: Cycle) -> int:
        return cycle.meetings.count()

    @staticmethod
    def resolve_last_meeting_on(cycle: Cycle) -> datetime.date | None:
        last = cycle.meetings.order_by("-held_on").first()
        return last.held_on if last else None

    @staticmethod
    def resolve_open_loans(cycle: Cycle) -> int:
        return Loan.objects.filter(cycle__group_id=cycle.group_id, status=Loan.Status.OPEN).count()


class CycleFilters(Schema):
    group: int | None = None
    status: CycleStatus | None = None


class CycleIn(Schema):
    """The constitution of the cycle; what is left out takes the usual value."""

    share_price: int = Field(description=POISHA)
    starts_on: datetime.date
    planned_end_on: datetime.date
    max_shares_per_meeting: int | None = None
    social_fund_per_meeting: int | None = Field(None, description=POISHA)
    service_charge_percent: Decimal | None = Field(None, description="Per month.")
    service_charge_method: MethodCode | None = None
    loan_multiple: int | None = None
    max_loan_months: int | None = None
    fine_absent: int | None = Field(None, description=POISHA)
    fine_late: int | None = Field(None, description=POISHA)
    meeting_frequency: FrequencyCode | None = None
    share_social_fund: bool | None = None


@router.get("/cycles", response=list[CycleOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_cycles(request: HttpRequest, filters: Query[CycleFilters]) -> QuerySet[Cycle]:
    """Savings cycles of the groups in the account's scope, the latest first."""
    found = queries.cycles_for(_user(request)).select_related("group")
    if filters.group:
        found = found.filter(group_id=filters.group)
    if filters.status:
        found = found.filter(status=filters.status)
    return found.order_by("-starts_on", "-id")


@router.get("/cycles/{cycle_id}", response=CycleDetailOut)
def read_cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    """A cycle's constitution and where it stands."""
    return _cycle(_user(request), cycle_id)


@router.post("/groups/{group_id}/cycles", response={201: CycleDetailOut})
def start_cycle(request: HttpRequest, group_id: int, payload: CycleIn) -> Cycle:
    """Start the group's next cycle (the last one must have been shared out)."""
    user = _user(request)
    group = organisation_or_404(user, group_id)
    _may_edit(user)
    constitution = payload.model_dump(exclude_none=True)
    cycle = services.start_cycle(actor=user, group=group, channel=Channel.API, **constitution)
    return _cycle(user, cycle.pk)


# ----- books -------------------------------------------------------------------------------------


class MemberBooksOut(Schema):
    member: int
    code: str
    name: str
    savings: int = Field(description=POISHA)
    shares: int
    owed: int = Field(description="Loan principal still owed, poisha.")
    service_charge_due: int = Field(description=POISHA)
    loan: int | None = Field(description="The member's open loan.")


class BooksOut(Schema):
    cycle: int
    on: datetime.date
    loan_fund: int = Field(description="Cash of the loan fund, poisha.")
    social_fund: int = Field(description="Cash of the social fund, poisha.")
    members: list[MemberBooksOut]


@router.get("/cycles/{cycle_id}/books", response=BooksOut)
def read_books(request: HttpRequest, cycle_id: int, on: datetime.date | None = None) -> dict:
    """The group's books on a day (today if left out): both funds, and each member's savings,
    shares, loan owed and service charge due."""
    cycle = _cycle(_user(request), cycle_id)
    on = on or timezone.localdate()
    books = services.group_books(cycle, on)
    members = Member.objects.filter(group=cycle.group).order_by("code")
    rows = []
    for member in members:
        savings, owed, state = (
            books.savings.get(member.pk, 0),
            books.owed.get(member.pk, 0),
            books.loans.get(member.pk),
        )
        if not (member.is_active or savings or owed or state):
            continue
        rows.append(
            {
                "member": member.pk,
                "code": member.code,
                "name": str(member),
                "savings": savings,
                "shares": savings // cycle.share_price,
                "owed": owed,
                "service_charge_due": state.charge_due if state else 0,
                "loan": state.loan.pk if state else None,
            }
        )
    return {
        "cycle": cycle.pk,
        "on": on,
        "loan_fund": books.loan_fund,
        "social_fund": books.social_fund,
        "members": rows,
    }


# ----- meetings ----------------------------------------------------------------------------------


class RowIn(Schema):
    member: MemberRef = Field(description=MEMBER_REF)
    present: bool = True
    shares: int = 0
    share_cash: int | None = Field(
        None, description="Cash for shares instead of a count, poisha; it must buy whole shares."
    )
    social_fund: int = Field(0, description=POISHA)
    repayment: int = Field(0, description="Loan principal repaid, poisha.")
    service_charge: int = Field(0, description=POISHA)
    fine: int = Field(0, description=POISHA)
    loan: int = Field(0, description="A new loan, poisha.")
    loan_months: int = 0
    loan_purpose: str = Field("", max_length=100)
    grant: int = Field(0, description="A social fund grant, poisha.")


class MeetingCheckIn(Schema):
    client_id: uuid.UUID | None = None
    held_on: datetime.date
    rows: list[RowIn] = Field(max_length=1000)
    corrections: list[int] = Field([], description="Ids of earlier transactions this meeting reverses.")
    counted_loan_fund: int | None = Field(None, description=POISHA)
    counted_social_fund: int | None = Field(None, description=POISHA)


class MeetingIn(MeetingCheckIn):
    client_id: uuid.UUID = Field(
        description="Made by the client and kept: a retry with the same id is recorded once."
    )
    counted_loan_fund: int = Field(description="Cash counted in the loan fund after the meeting, poisha.")
    counted_social_fund: int = Field(description="Cash counted in the social fund after the meeting, poisha.")


class MeetingCheckOut(Schema):
    loan_fund: int = Field(description="What the loan fund should hold after the meeting, poisha.")
    social_fund: int = Field(description="What the social fund should hold after the meeting, poisha.")
    counted_loan_fund: int | None
    counted_social_fund: int | None
    balanced: bool | None = Field(description="Whether the counted cash is what the books expect.")
    present: int


class MeetingOut(Schema):
    id: int
    cycle: int
    meeting: int = Field(description="The meeting on the group's calendar.")
    number: int
    held_on: datetime.date
    client_id: uuid.UUID
    counted_loan_fund: int = Field(description=POISHA)
    counted_social_fund: int = Field(description=POISHA)
    members_present: int
    members_expected: int

    @staticmethod
    def resolve_cycle(meeting: SavingsMeeting) -> int:
        return meeting.cycle_id

    @staticmethod
    def resolve_meeting(meeting: SavingsMeeting) -> int:
        return meeting.meeting_id


class MeetingRowOut(Schema):
    member: int
    code: str
    present: bool
    shares: int
    social_fund: int
    repayment: int
    service_charge: int
    fine: int
    loan: int
    loan_months: int
    loan_purpose: str
    grant: int


class MeetingDetailOut(MeetingOut):
    rows: list[MeetingRowOut]
    transactions: list[int] = Field(description="The ledger transactions the meeting posted.")
    corrections: list[int] = Field(description="The transactions the meeting reversed.")


def _lines(cycle: Cycle, payload: MeetingCheckIn) -> list[services.MemberLine]:
    named = _members_named(cycle, [row.member for row in payload.rows])
    return [
        services.MemberLine(
            member=_member_id(row.member, named, row=number), **row.model_dump(exclude={"member"})
        )
        for number, row in enumerate(payload.rows, start=1)
    ]


def _corrections(user: User, ids: list[int]) -> list:
    found = {t.pk: t for t in queries.transactions_for(user).filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            raise FinanceError(_("No transaction %(id)s in your books.") % {"id": pk}, field="corrections")
    return [found[pk] for pk in ids]


@router.get("/cycles/{cycle_id}/meetings", response=list[MeetingOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_meetings(request: HttpRequest, cycle_id: int) -> QuerySet[SavingsMeeting]:
    """The cycle's meetings, the latest first."""
    cycle = _cycle(_user(request), cycle_id)
    return SavingsMeeting.objects.filter(cycle=cycle).order_by("-number")


@router.post("/cycles/{cycle_id}/meetings/check", response=MeetingCheckOut)
def check_meeting(request: HttpRequest, cycle_id: int, payload: MeetingCheckIn) -> dict:
    """Check a meeting's rows without writing anything, and give what the box should hold after it."""
    user = _user(request)
    cycle = _cycle(user, cycle_id)
    check = services.check_meeting(
        cycle=cycle,
        held_on=payload.held_on,
        lines=_lines(cycle, payload),
        corrections=_corrections(user, payload.corrections),
    )
    counted = (payload.counted_loan_fund, payload.counted_social_fund)
    return {
        "loan_fund": check.loan_fund,
        "social_fund": check.social_fund,
        "counted_loan_fund": counted[0],
        "counted_social_fund": counted[1],
        "balanced": None if None in counted else counted == (check.loan_fund, check.social_fund),
        "present": len(check.plan.present),
    }


@router.post("/cycles/{cycle_id}/meetings", response={200: MeetingDetailOut, 201: MeetingDetailOut})
def record_meeting(request: HttpRequest, cycle_id: int, payload: MeetingIn) -> Status:
    """Record a meeting as one batch and lock it: 201 when recorded, 200 when this client_id was
    recorded before (the same meeting answers again). Nothing is written unless the counted cash
    is what the books expect."""
    user = _user(request)
    cycle = _cycle(user, cycle_id)
    _may_edit(user)
    retried = SavingsMeeting.objects.filter(client_id=payload.client_id).exists()
    recorded = services.record_meeting(
        actor=user,
        cycle=cycle,
        held_on=payload.held_on,
        lines=[] if retried else _lines(cycle, payload),
        counted_loan_fund=payload.counted_loan_fund,
        counted_social_fund=payload.counted_social_fund,
        corrections=[] if retried else _corrections(user, payload.corrections),
        client_id=payload.client_id,
        channel=Channel.API,
    )
    return Status(200 if retried else 201, _meeting_detail(recorded))


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def read_meeting(request: HttpRequest, meeting_id: int) -> SavingsMeeting:
    """A recorded meeting with each member's row, read from the ledger postings it made."""
    found = queries.savings_meetings_for(_user(request)).select_related("cycle").filter(pk=meeting_id).first()
    if found is None:
        raise Http404
    return _meeting_detail(found)


# The sign of a member's line in each kind of meeting transaction: money in is a credit.
ROW_FIELDS = {
    K.SHARES: ("shares", -1),
    K.SOCIAL_FUND: ("social_fund", -1),
    K.REPAYMENT: ("repayment", -1),
    K.SERVICE_CHARGE: ("service_charge", -1),
    K.FINE: ("fine", -1),
    K.LOAN: ("loan", 1),
    K.SOCIAL_GRANT: ("grant", 1),
}


def _meeting_detail(meeting: SavingsMeeting) -> SavingsMeeting:
    """Attach to `meeting` its rows per member, its transactions and the ones it reversed."""
    transactions = list(meeting.meeting.transactions.order_by("id").values_list("pk", "kind", "reverses_id"))
    amounts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, member_id, total in (
        Posting.objects.filter(transaction__meeting_id=meeting.meeting_id, member__isnull=False)
        .exclude(transaction__kind=K.REVERSAL)
        .values_list("transaction__kind", "member_id")
        .annotate(total=Sum("amount"))
        .values_list("transaction__kind", "member_id", "total")
    ):
        if kind in ROW_FIELDS:
            field, sign = ROW_FIELDS[kind]
            amounts[member_id][field] += sign * total
    present = set(
        Attendance.objects.filter(meeting_id=meeting.meeting_id).values_list("member_id", flat=True)
    )
    loans = {loan.member_id: loan for loan in Loan.objects.filter(meeting=meeting)}
    codes = dict(Member.objects.filter(pk__in=set(amounts) | present).values_list("pk", "code"))
    share_price = meeting.cycle.share_price
    rows = []
    for member_id in sorted(codes, key=codes.get):
        row = amounts[member_id]
        loan = loans.get(member_id)
        rows.append(
            {
                "member": member_id,
                "code": codes[member_id],
                "present": member_id in present,
                "shares": row["shares"] // share_price,
                **{field: row[field] for field, _sign in ROW_FIELDS.values() if field != "shares"},
                "loan_months": loan.months if loan else 0,
                "loan_purpose": loan.purpose if loan else "",
            }
        )
    meeting.rows = rows  # type: ignore[attr-defined]
    meeting.transactions = [pk for pk, _kind, _reverses in transactions]  # type: ignore[attr-defined]
    meeting.corrections = [reverses for _pk, kind, reverses in transactions if kind == K.REVERSAL]  # type: ignore[attr-defined]
    return meeting


# ----- share-out ---------------------------------------------------------------------------------


class ShareOutRowOut(Schema):
    member: int
    code: str
    name: str
    shares: int
    savings: int = Field(description=POISHA)
    profit: int = Field(description=POISHA)
    payout: int = Field(description=POISHA)

    @staticmethod
    def resolve_member(row: shareout.ShareOutRow) -> int:
        return row.member.pk

    @staticmethod
    def resolve_code(row: shareout.ShareOutRow) -> str:
        return row.member.code

    @staticmethod
    def resolve_name(row: shareout.ShareOutRow) -> str:
        return str(row.member)


class ShareOutOut(Schema):
    cycle: int
    done: bool = Field(description="Made (true) or a projection of a share-out today (false).")
    loan_fund: int = Field(description=POISHA)
    social_fund: int = Field(description=POISHA)
    social_fund_shared: bool
    fund: int = Field(description="What is shared, poisha.")
    total_shares: int
    value_per_share: Decimal = Field(description="Poisha per share.")
    remainder: int = Field(description="What rounding leaves; it stays with the group, poisha.")
    open_loans: int
    total_savings: int
    total_profit: int
    total_payout: int
    rows: list[ShareOutRowOut]

    @staticmethod
    def resolve_cycle(sheet: shareout.ShareOutSheet) -> int:
        return sheet.cycle.pk

    @staticmethod
    def resolve_value_per_share(sheet: shareout.ShareOutSheet) -> Decimal:
        return sheet.value_per_share.quantize(Decimal("0.01"))


class ShareOutIn(Schema):
    on: datetime.date
    client_id: uuid.UUID | None = Field(None, description="A retry with the same id shares out once.")


class PayoutIn(Schema):
    member: MemberRef = Field(description=MEMBER_REF)
    on: datetime.date


class PayoutOut(Schema):
    cycle: int
    member: int
    code: str
    on: datetime.date
    payout: int = Field(description=POISHA)


@router.get("/cycles/{cycle_id}/share-out", response=ShareOutOut)
def read_share_out(request: HttpRequest, cycle_id: int) -> shareout.ShareOutSheet:
    """The share-out sheet: as it was made, or as it would be made today while the cycle runs."""
    return shareout.share_out_sheet(_cycle(_user(request), cycle_id))


@router.post("/cycles/{cycle_id}/share-out", response=ShareOutOut)
def share_out(request: HttpRequest, cycle_id: int, payload: ShareOutIn) -> shareout.ShareOutSheet:
    """End the cycle: every loan repaid or written off, each member receives shares × value per share."""
    user = _user(request)
    cycle = _cycle(user, cycle_id)
    _may_edit(user)
    return shareout.share_out(
        actor=user, cycle=cycle, on=payload.on, client_id=payload.client_id, channel=Channel.API
    )


@router.post("/cycles/{cycle_id}/payouts", response={201: PayoutOut})
def pay_out_member(request: HttpRequest, cycle_id: int, payload: PayoutIn) -> dict:
    """Pay a member who leaves mid-cycle by the share-out's rule."""
    user = _user(request)
    cycle = _cycle(user, cycle_id)
    _may_edit(user)
    member_id = _member_id(payload.member, _members_named(cycle, [payload.member]))
    member = Member.objects.filter(group=cycle.group, pk=member_id).first()
    if member is None:
        raise FinanceError(_("Not a member of this group."), field="member")
    payout = shareout.pay_out_member(
        actor=user, cycle=cycle, member=member, on=payload.on, channel=Channel.API
    )
    return {"cycle": cycle.pk, "member": member.pk, "code": member.code, "on": payload.on, "payout": payout}


# ----- loans -------------------------------------------------------------------------------------


class LoanOut(Schema):
    id: int
    cycle: int
    member: int
    code: str
    principal: int = Field(description=POISHA)
    owed: int = Field(description="Principal still owed, poisha.")
    months: int
    service_charge_percent: Decimal
    service_charge_method: MethodCode
    purpose: str
    issued_on: datetime.date
    due_on: datetime.date
    overdue: bool
    status: LoanStatus
    closed_on: datetime.date | None

    @staticmethod
    def resolve_cycle(loan: Loan) -> int:
        return loan.cycle_id

    @staticmethod
    def resolve_member(loan: Loan) -> int:
        return loan.member_id

    @staticmethod
    def resolve_code(loan: Loan) -> str:
        return loan.member.code

    @staticmethod
    def resolve_owed(loan: Loan) -> int:
        return (loan.owed or 0) if loan.status == Loan.Status.OPEN else 0  # type: ignore[attr-defined]

    @staticmethod
    def resolve_overdue(loan: Loan) -> bool:
        return loan.is_overdue(timezone.localdate())


class LoanFilters(Schema):
    cycle: int | None = None
    group: int | None = None
    member: int | None = None
    status: LoanStatus | Literal["overdue"] | None = None


class WriteOffIn(Schema):
    on: datetime.date
    reason: str = Field(max_length=200)


def _loans(user: User) -> QuerySet[Loan]:
    """Loans in scope, each with what its member owes (one open loan at a time: the balance is its)."""
    owed = (
        Posting.objects.filter(
            account__organisation_id=OuterRef("cycle__group_id"),
            account__code="loans_receivable",
            member_id=OuterRef("member_id"),
        )
        .values("member_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queries.loans_for(user).select_related("member").annotate(owed=Subquery(owed))


@router.get("/loans", response=list[LoanOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_loans(request: HttpRequest, filters: Query[LoanFilters]) -> QuerySet[Loan]:
    """Loans of the groups in scope, the latest first; `status=overdue` for open loans past due."""
    found = _loans(_user(request))
    if filters.cycle:
        found = found.filter(cycle_id=filters.cycle)
    if filters.group:
        found = found.filter(cycle__group_id=filters.group)
    if filters.member:
        found = found.filter(member_id=filters.member)
    if filters.status == "overdue":
        found = found.filter(status=Loan.Status.OPEN, due_on__lt=timezone.localdate())
    elif filters.status:
        found = found.filter(status=filters.status)
    return found.order_by("-issued_on", "-id")


@router.post("/loans/{loan_id}/write-off", response=LoanOut)
def write_off(request: HttpRequest, loan_id: int, payload: WriteOffIn) -> Loan:
    """Write off what the member still owes; the group bears it as a loss and the loan closes."""
    user = _user(request)
    loan = _loans(user).select_related("cycle__group").filter(pk=loan_id).first()
    if loan is None:
        raise Http404
    _may_edit(user)
    services.write_off_loan(actor=user, loan=loan, on=payload.on, reason=payload.reason, channel=Channel.API)
    return _loans(user).get(pk=loan_id)
