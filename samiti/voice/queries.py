"""Reads of the voice overview: what members asked for, what they won, and whether women's voices carry."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from samiti.registry.models import CommitteeOffice, Sex, User
from samiti.registry.queries import organisations_for
from samiti.voice.models import Commitment, Demand, DemandCategory, Endorsement, Voter
from samiti.voice.services.charters import commitments_for
from samiti.voice.services.demands import demands_for
from samiti.voice.services.polls import polls_for

S = Demand.Status
# How far a demand has gone: each stage counts the demands that reached it (or went beyond).
SUBMITTED = {S.SUBMITTED, S.COMMITTED, S.REJECTED, S.REFERRED, S.FULFILLED, S.PARTLY_FULFILLED, S.BROKEN}
WON = {S.COMMITTED, S.FULFILLED, S.PARTLY_FULFILLED, S.BROKEN}
DELIVERED = {S.FULFILLED, S.PARTLY_FULFILLED}


@dataclass(frozen=True)
class Share:
    """A part of a whole: women among endorsements, votes or committee seats."""

    part: int
    whole: int

    @property
    def share(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    raised: int
    submitted: int
    won: int
    delivered: int


@dataclass(frozen=True)
class Overview:
    categories: list[CategoryRow]
    total: CategoryRow
    commitments: dict[str, int]
    overdue: int
    endorsements: Share
    votes: Share
    seats: Share


def overview(user: User, today: datetime.date | None = None) -> Overview:
    """The voice of the members in `user`'s scope, in six grouped queries."""
    today = today or timezone.localdate()
    demands = demands_for(user).exclude(status=S.MERGED)
    by_category: dict[str, dict[str, int]] = {}
    for category, status, n in demands.order_by().values_list("category", "status").annotate(n=Count("id")):
        counts = by_category.setdefault(category, {"raised": 0, "submitted": 0, "won": 0, "delivered": 0})
        counts["raised"] += n
        counts["submitted"] += n if status in SUBMITTED else 0
        counts["won"] += n if status in WON else 0
        counts["delivered"] += n if status in DELIVERED else 0
    rows = [
        CategoryRow(value, str(label), **by_category[value])
        for value, label in DemandCategory.choices
        if value in by_category
    ]
    total = CategoryRow(
        "", "", *(sum(getattr(r, f) for r in rows) for f in ("raised", "submitted", "won", "delivered"))
    )
    commitments = commitments_for(user)
    by_status = dict(commitments.order_by().values_list("status").annotate(n=Count("id")))
    overdue = commitments.exclude(status__in=Commitment.CLOSED).filter(due_on__lt=today).count()
    return Overview(
        categories=rows,
        total=total,
        commitments={s: by_status.get(s, 0) for s in Commitment.Status.values},
        overdue=overdue,
        endorsements=_women(Endorsement.objects.filter(demand__in=demands), "member__sex"),
        votes=_women(Voter.objects.filter(poll__in=polls_for(user), voted=True), "member__sex"),
        seats=_women(current_seats(user, today), "member__sex"),
    )


def current_seats(user: User, today: datetime.date):
    """Committee seats held today in the organisations `user` may see."""
    seats = CommitteeOffice.objects.filter(organisation__in=organisations_for(user), started_on__lte=today)
    return seats.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))


def _women(rows, sex_field: str) -> Share:
    counts = rows.aggregate(whole=Count("id"), part=Count("id", filter=Q(**{sex_field: Sex.FEMALE})))
    return Share(part=counts["part"], whole=counts["whole"])
