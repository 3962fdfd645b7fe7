"""Reads of the ledger that several places need: balances of accounts and of members."""

import datetime

from django.db.models import QuerySet, Sum

from samiti.finance.models import Account, Cycle, Loan, Posting, SavingsMeeting, SharedAsset, Transaction
from samiti.registry.models import Organisation, User
from samiti.registry.queries import organisations_for


def balances(organisation: Organisation, *, on: datetime.date | None = None) -> dict[str, int]:
    """{account code: balance in poisha (debit positive)} of every account, at the end of `on`."""
    postings = Posting.objects.filter(account__organisation=organisation)
    if on is not None:
        postings = postings.filter(on__lte=on)
    totals = dict(
        postings.values_list("account_id").annotate(total=Sum("amount")).values_list("account_id", "total")
    )
    codes = dict(Account.objects.filter(organisation=organisation).values_list("id", "code"))
    return {code: totals.get(pk, 0) for pk, code in codes.items()}


def member_balances(organisation: Organisation, code: str) -> dict[int, int]:
    """{member id: balance} of a per-member account (savings, loans), members with a balance only."""
    rows = (
        Posting.objects.filter(account__organisation=organisation, account__code=code)
        .values_list("member_id")
        .annotate(total=Sum("amount"))
        .values_list("member_id", "total")
    )
    return {member: total for member, total in rows if total}


def transactions_for(user: User) -> QuerySet[Transaction]:
    """Transactions of the organisations the user sees."""
    return Transaction.objects.filter(organisation__in=organisations_for(user))


def cycles_for(user: User) -> QuerySet[Cycle]:
    return Cycle.objects.filter(group__in=organisations_for(user))


def savings_meetings_for(user: User) -> QuerySet[SavingsMeeting]:
    return SavingsMeeting.objects.filter(cycle__group__in=organisations_for(user))


def loans_for(user: User) -> QuerySet[Loan]:
    return Loan.objects.filter(cycle__group__in=organisations_for(user))


def assets_for(user: User) -> QuerySet[SharedAsset]:
    return SharedAsset.objects.filter(organisation__in=organisations_for(user))


def open_cycle(group_id: int) -> Cycle | None:
    """The group's open savings cycle, with the group (its books need it)."""
    return Cycle.objects.select_related("group").filter(group_id=group_id, status=Cycle.Status.OPEN).first()


def latest_cycle(group: Organisation) -> Cycle | None:
    return Cycle.objects.filter(group=group).order_by("-number").first()


def paid_at_meeting(meeting_id: int, member_ids: list[int]) -> dict[int, int]:
    """What each member paid in at a meeting: the credits naming them (shares, social fund,
    repayments, service charges, fines), corrections of earlier meetings left out."""
    rows = (
        Posting.objects.filter(
            transaction__meeting_id=meeting_id,
            transaction__reverses__isnull=True,
            member_id__in=member_ids,
            amount__lt=0,
        )
        .values_list("member_id")
        .annotate(total=Sum("amount"))
    )
    return {member_id: -total for member_id, total in rows}
