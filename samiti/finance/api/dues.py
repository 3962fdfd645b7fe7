"""Dues in the API: an association's fee (read and set), its dues payments (read and record) and
who is in arrears, through the same services as the pages. Amounts are integer poisha; another
association's records answer 404."""

import datetime
import uuid
from typing import Literal

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from samiti.core.models import Channel
from samiti.finance.errors import FinanceError
from samiti.finance.models import Frequency, MembershipFee, Posting, Transaction, TransactionKind
from samiti.finance.services import dues as services
from samiti.finance.services.chart import PAYMENT_ACCOUNTS
from samiti.registry.models import Member, Organisation, User
from samiti.registry.queries import members_for, organisations_for

router = Router(tags=["finance: dues"])


def user_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def may_edit(user: User) -> None:
    if not user.can_edit:
        raise FinanceError(_("Your role may read records but not change them."), code="forbidden")


def association_or_404(user: User, pk: int) -> Organisation:
    found = organisations_for(user).filter(pk=pk, kind=Organisation.Kind.ASSOCIATION).first()
    if found is None:
        raise Http404
    return found


def member_of(user: User, association: Organisation, pk: int) -> Member:
    member = members_for(user).filter(pk=pk, association=association).select_related("association").first()
    if member is None:
        raise FinanceError(_("No member of this association has that id."), field="member")
    return member


class FeeOut(Schema):
    id: int
    amount: int = Field(description="Poisha (100 poisha = 1 taka).")
    frequency: str
    starts_on: datetime.date


class FeeIn(Schema):
    amount: int = Field(description="Poisha.")
    frequency: Literal[tuple(Frequency.values)]  # type: ignore[valid-type]
    starts_on: datetime.date


class PaymentOut(Schema):
    id: int
    client_id: uuid.UUID
    member: int | None
    amount: int = Field(description="Poisha.")
    on: datetime.date
    method: str = Field(description="cash, mobile_money or bank: the account paid into.")
    reference: str

    @staticmethod
    def resolve_member(posted: Transaction) -> int | None:
        return next((p.member_id for p in posted.postings.all() if p.member_id), None)

    @staticmethod
    def resolve_amount(posted: Transaction) -> int:
        return sum(p.amount for p in posted.postings.all() if p.amount > 0)

    @staticmethod
    def resolve_method(posted: Transaction) -> str:
        return next((p.account.code for p in posted.postings.all() if p.amount > 0), "")


class PaymentIn(Schema):
    member: int = Field(description="The member's id.")
    amount: int = Field(description="Poisha.")
    on: datetime.date | None = Field(None, description="Today unless given.")
    method: Literal[PAYMENT_ACCOUNTS]  # type: ignore[valid-type]
    reference: str = Field("", max_length=60, description="Required for mobile money: its transaction id.")
    client_id: uuid.UUID | None = Field(
        None, description="Made by the client; a retry with it is recorded once."
    )


class MemberDuesOut(Schema):
    member: int
    code: str
    name: str
    group: int
    joined_on: datetime.date
    periods: int
    expected: int
    paid: int
    arrears: int

    @staticmethod
    def resolve_member(row: services.MemberDues) -> int:
        return row.member_id

    @staticmethod
    def resolve_group(row: services.MemberDues) -> int:
        return row.group_id


class DuesTotalsOut(Schema):
    group: int | None
    name: str
    members: int
    in_arrears: int
    expected: int
    paid: int
    collected: int = Field(description="Σ min(paid, expected): what counts towards the rate.")
    arrears: int
    rate: float | None = Field(description="collected ÷ expected; null while nothing is expected.")

    @staticmethod
    def resolve_group(row: services.DuesTotals) -> int | None:
        return row.group_id


class TermOut(Schema):
    amount: int
    frequency: str
    starts_on: datetime.date


class DuesStatusOut(Schema):
    association: int
    on: datetime.date
    fee: TermOut | None = Field(description="The fee in force on the day.")
    next_fee: TermOut | None
    total: DuesTotalsOut
    groups: list[DuesTotalsOut]
    members: list[MemberDuesOut]

    @staticmethod
    def resolve_association(status: services.DuesStatus) -> int:
        return status.association_id


@router.get(
    "/associations/{association_id}/dues",
    response=DuesStatusOut,
    summary="Dues expected, paid and in arrears",
)
def dues_status(
    request: HttpRequest, association_id: int, on: datetime.date | None = None, arrears_only: bool = False
) -> services.DuesStatus:
    """Each active member's dues (expected, paid, arrears), each group's and the association's
    collection rate, on a day (today unless given)."""
    association = association_or_404(user_of(request), association_id)
    status = services.dues_status(association, on or timezone.localdate())
    if arrears_only:
        status.members = status.in_arrears
    return status


@router.get("/associations/{association_id}/dues/fees", response=list[FeeOut])
def list_fees(request: HttpRequest, association_id: int) -> QuerySet[MembershipFee]:
    """The association's fees, the latest first (the one in force is the latest started)."""
    association = association_or_404(user_of(request), association_id)
    return MembershipFee.objects.filter(association=association).order_by("-starts_on")


@router.post("/associations/{association_id}/dues/fees", response={201: FeeOut})
def set_fee(request: HttpRequest, association_id: int, payload: FeeIn) -> Status:
    user = user_of(request)
    association = association_or_404(user, association_id)
    may_edit(user)
    made = services.set_membership_fee(
        actor=user,
        association=association,
        amount=payload.amount,
        frequency=payload.frequency,
        starts_on=payload.starts_on,
        channel=Channel.API,
    )
    return Status(201, made)


def _payments(association: Organisation) -> QuerySet[Transaction]:
    lines = Posting.objects.select_related("account").order_by("id")
    return (
        Transaction.objects.filter(
            organisation=association, kind=TransactionKind.DUES, reversed_by__isnull=True
        )
        .prefetch_related(Prefetch("postings", queryset=lines))
        .order_by("-on", "-id")
    )


@router.get("/associations/{association_id}/dues/payments", response=list[PaymentOut])
@paginate(PageNumberPagination, page_size=100, max_page_size=1000)
def list_payments(
    request: HttpRequest, association_id: int, member: int | None = None
) -> QuerySet[Transaction]:
    """Dues payments into the association's books (reversed ones left out), the latest first."""
    association = association_or_404(user_of(request), association_id)
    found = _payments(association)
    if member is not None:
        found = found.filter(postings__member_id=member)
    return found


@router.post("/associations/{association_id}/dues/payments", response={201: PaymentOut})
def record_payment(request: HttpRequest, association_id: int, payload: PaymentIn) -> Status:
    """Record a dues payment; a retry with the same client_id returns the first one."""
    user = user_of(request)
    association = association_or_404(user, association_id)
    may_edit(user)
    posted = services.record_dues_payment(
        actor=user,
        member=member_of(user, association, payload.member),
        amount=payload.amount,
        on=payload.on or timezone.localdate(),
        method=payload.method,
        reference=payload.reference,
        client_id=payload.client_id,
        channel=Channel.API,
    )
    return Status(201, _payments(association).get(pk=posted.pk))
