"""Reads of the results pages: the programme's reach against its targets, within a user's scope."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import get_language

from samiti.core.cells import SMALL_CELL, hidden_siblings, sees_detail, svg_number
from samiti.registry.models import Area, Organisation, Sex, User
from samiti.registry.queries import members_for
from samiti.results.models import Target

__all__ = ["SMALL_CELL", "reach", "reach_counts", "sees_detail"]
SHARES = ("women", "ethnic_minority", "disability")
COLUMNS = ("members", *SHARES)


@dataclass(frozen=True)
class Counts:
    """Active members of one row and how many of them are in each group we report on."""

    members: int = 0
    women: int = 0
    ethnic_minority: int = 0
    disability: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(getattr(self, c) + getattr(other, c) for c in COLUMNS))


@dataclass(frozen=True)
class Targets:
    """The programme's targets: a member count, and shares of members as fractions (0.5)."""

    members: int | None = None
    women: float | None = None
    ethnic_minority: float | None = None
    disability: float | None = None

    @classmethod
    def current(cls) -> "Targets":
        values: dict[str, Decimal] = dict(Target.objects.values_list("indicator", "value"))
        members = values.get(Target.Indicator.MEMBERS)
        return cls(
            members=int(members) if members is not None else None,
            **{s: float(values[s]) / 100 if s in values else None for s in SHARES},
        )


def _svg_mark(value: float) -> str:
    # The mark is drawn 0.8 wide from its x: keep it inside the bar.
    return svg_number(value, most=99.2)


@dataclass(frozen=True)
class Share:
    """One share in a row: a count of members out of the row's members, against a target."""

    count: int | None  # None when the cell is suppressed
    of: int | None
    target: float | None

    @property
    def hidden(self) -> bool:
        return self.count is None

    @property
    def share(self) -> float | None:
        if self.count is None or not self.of:
            return None
        return self.count / self.of

    @property
    def short(self) -> bool:
        share = self.share
        return share is not None and self.target is not None and share < self.target

    @property
    def _scale(self) -> float:
        # Twice the target fills the bar, so the target mark sits in the middle and small shares
        # (5%, 10%) stay visible; never more than 100%.
        return min(1.0, 2 * self.target) if self.target else 1.0

    @property
    def bar(self) -> str:
        """The bar's length, in per cent of its full width."""
        return svg_number((self.share or 0) / self._scale * 100)

    @property
    def mark(self) -> str | None:
        """Where the target mark sits, in per cent of the bar's width."""
        return _svg_mark(self.target / self._scale * 100) if self.target else None


@dataclass(frozen=True)
class Row:
    """The reach of the programme, a district or an association."""

    pk: int | None
    name_en: str
    name_bn: str
    members: int | None  # None when the cell is suppressed
    women: Share
    ethnic_minority: Share
    disability: Share
    # The bar of the member count: against the target overall, against the largest row below.
    members_bar: str = "0.0"
    members_mark: str | None = None

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("bn"):
            return self.name_bn or self.name_en
        return self.name_en or self.name_bn

    @property
    def shares(self) -> list[Share]:
        return [self.women, self.ethnic_minority, self.disability]


@dataclass(frozen=True)
class DistrictReach:
    row: Row
    associations: list[Row]


@dataclass(frozen=True)
class Reach:
    total: Row
    districts: list[DistrictReach]
    targets: Targets
    # True when small cells are hidden from this user.
    suppressed: bool
    # True when the user sees the whole programme, so the member count compares to its target.
    whole_programme: bool
    members_target_share: float | None = None
    associations_count: int = field(default=0)


def reach_counts(user: User) -> list[tuple[int, int, Counts]]:
    """Count the active members in `user`'s scope by district and association: one query.

    The filters and columns match the covering index `member_reach`; `is_active IN (true)`
    rather than the bare column lets SQLite seek that index on its first column.
    """
    rows = (
        members_for(user)
        .filter(is_active__in=[True])
        .order_by()
        .values_list("district", "association")
        .annotate(
            members=Count("*"),
            women=Count("sex", filter=Q(sex=Sex.FEMALE)),
            ethnic_minority=Count("is_ethnic_minority", filter=Q(is_ethnic_minority=True)),
            disability=Count("has_disability", filter=Q(has_disability=True)),
        )
    )
    return [(district, association, Counts(*counts)) for district, association, *counts in rows]


def _hidden_cells(siblings: list[Counts]) -> list[set[str]]:
    """Which cells of sibling rows to hide: those under SMALL_CELL, and one more per column
    when only one would be hidden, so the parent's total cannot give the hidden one away."""
    hidden: list[set[str]] = [set() for _row in siblings]
    for column in COLUMNS:
        for i in hidden_siblings([getattr(row, column) for row in siblings]):
            hidden[i].add(column)
    return hidden


def _row(
    pk: int | None,
    names: tuple[str, str],
    counts: Counts,
    targets: Targets,
    hidden: set[str],
    largest: int | None = None,
    target: int | None = None,
) -> Row:
    members = None if "members" in hidden else counts.members

    def share(column: str) -> Share:
        count = None if column in hidden or members is None else getattr(counts, column)
        return Share(count=count, of=members, target=getattr(targets, column))

    members_bar, members_mark = "0.0", None
    if members is not None:
        if target:
            scale = max(target, members)
            members_bar = svg_number(members / scale * 100)
            members_mark = _svg_mark(target / scale * 100)
        elif largest:
            members_bar = svg_number(members / largest * 100)
    return Row(
        pk=pk,
        name_en=names[0],
        name_bn=names[1],
        members=members,
        women=share("women"),
        ethnic_minority=share("ethnic_minority"),
        disability=share("disability"),
        members_bar=members_bar,
        members_mark=members_mark,
    )


def reach(user: User) -> Reach:
    """The reach of active members in `user`'s scope: overall, by district, by association."""
    targets = Targets.current()
    counts = reach_counts(user)
    detail = sees_detail(user)
    district_ids = {d for d, _a, _c in counts}
    association_ids = {a for _d, a, _c in counts}
    area_names = {
        pk: (en, bn)
        for pk, en, bn in Area.objects.filter(pk__in=district_ids).values_list("pk", "name_en", "name_bn")
    }
    org_names = {
        pk: (en, bn)
        for pk, en, bn in Organisation.objects.filter(pk__in=association_ids).values_list(
            "pk", "name_en", "name_bn"
        )
    }

    def hide(siblings: list[Counts]) -> list[set[str]]:
        return _hidden_cells(siblings) if not detail else [set() for _s in siblings]

    by_district: dict[int, list[tuple[int, Counts]]] = {}
    for district, association, row in counts:
        by_district.setdefault(district, []).append((association, row))
    district_totals = {d: sum((c for _a, c in rows), Counts()) for d, rows in by_district.items()}
    total = sum(district_totals.values(), Counts())

    def name_key(pair: tuple[str, str]) -> str:
        return (pair[1] or pair[0]) if (get_language() or "").startswith("bn") else (pair[0] or pair[1])

    district_order = sorted(by_district, key=lambda d: name_key(area_names.get(d, ("", ""))))
    district_hidden = dict(
        zip(district_order, hide([district_totals[d] for d in district_order]), strict=True)
    )
    largest_district = max((c.members for c in district_totals.values()), default=0)
    largest_association = max((c.members for _d, _a, c in counts), default=0)
    districts = []
    for district in district_order:
        rows = sorted(by_district[district], key=lambda r: name_key(org_names.get(r[0], ("", ""))))
        hidden = hide([c for _a, c in rows])
        districts.append(
            DistrictReach(
                row=_row(
                    district,
                    area_names.get(district, ("", "")),
                    district_totals[district],
                    targets,
                    district_hidden[district],
                    largest=largest_district,
                ),
                associations=[
                    _row(a, org_names.get(a, ("", "")), c, targets, h, largest=largest_association)
                    for (a, c), h in zip(rows, hidden, strict=True)
                ],
            )
        )
    # As registry.queries scopes members: these accounts see the whole programme.
    whole_programme = user.sees_whole_programme
    total_target = targets.members if whole_programme else None
    total_row = _row(None, ("", ""), total, targets, hide([total])[0], target=total_target)
    progress = None
    if total_target and total_row.members is not None:
        progress = total_row.members / total_target
    return Reach(
        total=total_row,
        districts=districts,
        targets=targets,
        suppressed=not detail,
        whole_programme=whole_programme,
        members_target_share=progress,
        associations_count=len(association_ids),
    )
