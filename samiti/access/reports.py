"""What access to services achieved, and the facilitator's first numbers, within a user's scope.

Every figure is counted in the database with GROUP BY over the rows of the members the user may
see (`members_for`), so no member is loaded into Python: Python only arranges a few hundred
grouped rows and hides small cells from roles without detail (DESIGN rule 7).
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextChoices,
    Value,
    When,
)
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samiti.access.errors import AccessError
from samiti.access.models import (
    Application,
    DocumentKind,
    Finding,
    Grievance,
    MemberDocument,
    Referral,
    RejectionReason,
    Scheme,
)
from samiti.access.services.applications import status_counts
from samiti.access.services.documents import GATHERING
from samiti.core.cells import SMALL_CELL, hidden_siblings, sees_detail, svg_number
from samiti.registry.models import WG_FIELDS, Area, Ethnicity, Member, Sex, User
from samiti.registry.queries import members_for

Status = Application.Status
OPEN_GRIEVANCE = (Grievance.Status.OPEN, Grievance.Status.ESCALATED)

# ----- the period --------------------------------------------------------------------------------


class PeriodKind(TextChoices):
    YEAR = "year", gettext_lazy("year")
    QUARTER = "quarter", gettext_lazy("quarter")
    MONTH = "month", gettext_lazy("month")
    RANGE = "range", gettext_lazy("from a day to a day")


@dataclass(frozen=True)
class Period:
    """The days a report counts, first and last included."""

    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        if self.kind == PeriodKind.QUARTER:
            return _("quarter %(quarter)s of %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        if self.kind == PeriodKind.MONTH:
            return f"{MONTHS[self.start.month]} {self.start.year}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def period(
    *,
    kind: str = PeriodKind.YEAR,
    year: int | None = None,
    quarter: int | None = None,
    month: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Period:
    """A year, a quarter or a month (of this year unless given), or the days from `start` to `end`."""
    today = today or timezone.localdate()
    year = today.year if year is None else year
    if not 1900 <= year <= 2100:
        raise AccessError(_("Give a year between 1900 and 2100."), field="year")
    if kind == PeriodKind.YEAR:
        return Period(kind, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if kind == PeriodKind.QUARTER:
        quarter = (today.month - 1) // 3 + 1 if quarter is None else quarter
        if not 1 <= quarter <= 4:
            raise AccessError(_("A quarter is 1, 2, 3 or 4."), field="quarter")
        return _months(kind, year, 3 * quarter - 2, 3 * quarter)
    if kind == PeriodKind.MONTH:
        month = today.month if month is None else month
        if not 1 <= month <= 12:
            raise AccessError(_("A month is 1 to 12."), field="month")
        return _months(kind, year, month, month)
    if kind == PeriodKind.RANGE:
        if start is None:
            raise AccessError(_("Give the first day of the period."), field="start")
        if end is None:
            raise AccessError(_("Give the last day of the period."), field="end")
        if end < start:
            raise AccessError(_("The last day comes before the first."), field="end")
        return Period(kind, start, end)
    raise AccessError(_("Choose a year, a quarter, a month or a range of days."), field="period")


def _months(kind: str, year: int, first: int, last: int) -> Period:
    days = calendar.monthrange(year, last)[1]
    return Period(kind, datetime.date(year, first, 1), datetime.date(year, last, days))


# ----- reading within scope ----------------------------------------------------------------------


def in_scope(rows: QuerySet, user: User, member: str = "member") -> QuerySet:
    """The rows about members `user` may see, by `members_for`.

    Only the plan differs by scope, never the rows: the whole programme needs no filter; an
    organisation's members are few, so the database collects them once (IN) and reads their
    rows by member; an area may hold most of the programme, so each row is checked against its
    member (EXISTS), which costs a lookup per row rather than a set of a million members.
    """
    if user.sees_whole_programme:
        return rows
    members = members_for(user)
    if user.organisation_id is not None:
        return rows.filter(**{f"{member}__in": members.values("pk")})
    return rows.filter(Exists(members.filter(pk=OuterRef(member))))


class DaysBetween(Func):
    """Whole days from the second date to the first, on PostgreSQL and SQLite."""

    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "  # PostgreSQL: a date minus a date is an integer of days
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def open_findings(user: User) -> dict[tuple[int, str], int]:
    """{(scheme id, outcome): findings} of the work list: active members in scope who do not
    receive the scheme (as `queries.worklist` lists them).

    Counted as every finding in scope, less those of members who left, less those of active
    members now receiving the scheme: three GROUP BY queries that each read an index (the
    findings', the members who left, the members receiving), where one query would probe the
    member and their applications for each of a million findings.
    """
    findings = in_scope(Finding.objects.all(), user)
    receiving = Application.objects.filter(
        member=OuterRef("member"), scheme=OuterRef("scheme"), status=Status.RECEIVING
    )
    left = Member.objects.filter(is_active__in=[False]).values("pk")
    receivers = Application.objects.filter(status=Status.RECEIVING).values("member_id")
    counts: dict[tuple[int, str], int] = {}
    for rows, sign in [
        (findings, 1),
        (findings.filter(member__in=left), -1),
        (findings.filter(member__in=receivers, member__left_on__isnull=True).filter(Exists(receiving)), -1),
    ]:
        # In the order of the index finding_scheme, so the whole programme's count needs no sort.
        for scheme_id, outcome, n in (
            rows.order_by().values_list("scheme_id", "outcome").annotate(n=Count("pk"))
        ):
            counts[scheme_id, outcome] = counts.get((scheme_id, outcome), 0) + sign * n
    return counts


# ----- the cells of a table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Row:
    """One scheme's counts in a table: a total and the cells that add up to it (None: hidden)."""

    scheme: Scheme
    total: int | None
    cells: list[int | None]
    bar: str = "0.0"  # the total's bar, in per cent of the largest total of the table


@dataclass(frozen=True)
class Table:
    """Counts per scheme split by one dimension (sex, district, reason for rejection...)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[Row]

    def as_dict(self) -> dict:
        return {
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "schemes": [
                {
                    "scheme": row.scheme.code,
                    "total": row.total,
                    "cells": {c.key: n for c, n in zip(self.columns, row.cells, strict=True)},
                }
                for row in self.rows
            ],
        }


def _table(
    key: str,
    title: str,
    columns: list[Column],
    counts: dict[int, dict[str, int]],
    schemes: dict[int, Scheme],
    detail: bool,
) -> Table:
    """Arrange grouped counts {scheme id: {column key: n}} as a table, hiding small cells."""
    largest = max((sum(c.values()) for c in counts.values()), default=0)
    rows = []
    for pk in sorted(counts, key=lambda pk: _scheme_order(schemes[pk])):
        cells = [counts[pk].get(c.key, 0) for c in columns]
        total = sum(cells)
        hidden = set() if detail else hidden_siblings(cells)
        shown_total = total if detail or total >= SMALL_CELL else None
        rows.append(
            Row(
                scheme=schemes[pk],
                total=shown_total,
                cells=[None if i in hidden else n for i, n in enumerate(cells)],
                bar=svg_number(total / largest * 100) if shown_total is not None and largest else "0.0",
            )
        )
    return Table(key, title, columns, rows)


def _scheme_order(scheme: Scheme) -> tuple[str, str]:
    return (scheme.kind, scheme.name.lower())


def _shown(count: int, detail: bool) -> int | None:
    return count if detail or count >= SMALL_CELL else None


# ----- newly receiving ---------------------------------------------------------------------------

NOT_ASKED = Q(**{f"member__{f}__isnull": True for f in WG_FIELDS})
DISABILITY = Case(
    When(member__has_disability=True, then=Value("with")),
    When(NOT_ASKED, then=Value("not_asked")),
    default=Value("without"),
    output_field=CharField(),
)


def _ethnic_group(ethnicity: str) -> str:
    if not ethnicity:
        return "not_recorded"
    return "majority" if ethnicity == Ethnicity.BENGALI else "minority"


def _newly_receiving(
    applications: QuerySet[Application], schemes: dict[int, Scheme], detail: bool
) -> list[Table]:
    """Members who started receiving each scheme, split by sex, ethnicity, disability, district.

    One GROUP BY over the applications and their members. A member counts once per cell
    (distinct), and a member has one sex, ethnicity, disability answer and district, so the
    cells of a row add up to the members of the scheme.
    """
    grouped = (
        applications.order_by()
        .values("scheme_id", "member__sex", "member__ethnicity", "member__district_id", disability=DISABILITY)
        .annotate(n=Count("member_id", distinct=True))
        .values_list(
            "scheme_id", "member__sex", "member__ethnicity", "member__district_id", "disability", "n"
        )
    )
    splits: dict[str, dict[int, dict[str, int]]] = {
        "sex": {}, "ethnicity": {}, "community": {}, "disability": {}, "district": {},
    }  # fmt: skip
    for scheme_id, sex, ethnicity, district_id, disability, n in grouped:
        for key, value in (
            ("sex", sex),
            ("ethnicity", _ethnic_group(ethnicity)),
            ("community", ethnicity or "not_recorded"),
            ("disability", disability),
            ("district", str(district_id)),
        ):
            cells = splits[key].setdefault(scheme_id, {})
            cells[value] = cells.get(value, 0) + n
    not_recorded = Column("not_recorded", _("not recorded"))
    ethnicities = [
        Column("majority", _("majority (Bengali)")),
        Column("minority", _("ethnic minority")),
        not_recorded,
    ]
    present = {value for cells in splits["community"].values() for value in cells}
    communities = [Column(v, str(label)) for v, label in Ethnicity.choices if v in present]
    if "not_recorded" in present:
        communities.append(not_recorded)
    district_ids = {int(value) for cells in splits["district"].values() for value in cells}
    districts = [
        Column(str(pk), name)
        for pk, name in sorted(
            ((a.pk, a.name) for a in Area.objects.filter(pk__in=district_ids)), key=lambda p: p[1]
        )
    ]
    sexes = [Column(v, str(label)) for v, label in Sex.choices]
    tables = [
        _table("sex", _("By sex"), sexes, splits["sex"], schemes, detail),
        _table("ethnicity", _("By ethnicity"), ethnicities, splits["ethnicity"], schemes, detail),
    ]
    if detail:
        # Communities are small: only roles that may see small cells get them one by one.
        tables.append(
            _table("community", _("By community"), communities, splits["community"], schemes, detail)
        )
    disability = [
        Column("with", _("with a disability")),
        Column("without", _("without a disability")),
        Column("not_asked", _("not asked")),
    ]
    tables.append(_table("disability", _("By disability"), disability, splits["disability"], schemes, detail))
    tables.append(_table("district", _("By district"), districts, splits["district"], schemes, detail))
    return tables


# ----- take-up -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TakeUp:
    """A scheme's take-up among the members it is for.

    take-up = receiving ÷ (receiving + likely eligible and not receiving), with members
    receiving counted now and the likely eligible from their latest screening.
    """

    scheme: Scheme
    receiving: int | None
    eligible: int | None
    cannot_tell: int | None

    @property
    def rate(self) -> float | None:
        if self.receiving is None or self.eligible is None or not self.receiving + self.eligible:
            return None
        return self.receiving / (self.receiving + self.eligible)

    @property
    def bar(self) -> str:
        return svg_number((self.rate or 0) * 100)

    def as_dict(self) -> dict:
        rate = None if self.rate is None else round(self.rate, 4)
        return {
            "scheme": self.scheme.code,
            "receiving": self.receiving,
            "likely_eligible": self.eligible,
            "cannot_tell": self.cannot_tell,
            "rate": rate,
        }


def _take_up(user: User, schemes: dict[int, Scheme], detail: bool) -> list[TakeUp]:
    """Receiving now and the latest findings per scheme, in four GROUP BY queries."""
    receiving = dict(
        in_scope(Application.objects.filter(status=Status.RECEIVING, member__left_on__isnull=True), user)
        .order_by()
        .values_list("scheme_id")
        .annotate(n=Count("member_id", distinct=True))
    )
    found: dict[int, dict[str, int]] = {}
    for (scheme_id, outcome), n in open_findings(user).items():
        if n:
            found.setdefault(scheme_id, {})[outcome] = n
    rows = []
    for pk in sorted(set(receiving) | set(found), key=lambda pk: _scheme_order(schemes[pk])):
        outcomes = found.get(pk, {})
        rows.append(
            TakeUp(
                scheme=schemes[pk],
                receiving=_shown(receiving.get(pk, 0), detail),
                eligible=_shown(outcomes.get(Finding.Outcome.ELIGIBLE, 0), detail),
                cannot_tell=_shown(outcomes.get(Finding.Outcome.CANNOT_TELL, 0), detail),
            )
        )
    return rows


# ----- days from identified to receiving ---------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """Days from being identified to receiving, over the members who started in the period:
    the median and the 75th percentile, interpolated between ranks (as PostgreSQL's
    percentile_cont and numpy do)."""

    scheme: Scheme
    members: int | None
    median: float | None
    p75: float | None

    def as_dict(self) -> dict:
        return {"scheme": self.scheme.code, "members": self.members, "median": self.median, "p75": self.p75}


def _percentiles(applications: QuerySet[Application]) -> dict[int, tuple[int, float, float]]:
    """{scheme id: (applications, median days, 75th percentile days)}, ranked in the database.

    Each scheme's days are numbered in order by a window function; the rows at the ranks either
    side of each percentile are picked by integer arithmetic that SQLite and PostgreSQL share,
    and the two values are interpolated.
    """
    days = (
        applications.order_by()
        .annotate(s=F("scheme_id"), d=DaysBetween("receiving_since", "identified_on"))
        .values_list("s", "d")
    )
    inner, params = days.query.sql_with_params()
    sql = (
        "SELECT s, n, "  # noqa: S608 (the inner query is Django's, its values are parameters)
        "MAX(CASE WHEN i = (n - 1) / 2 THEN d END), MAX(CASE WHEN i = n / 2 THEN d END), "
        "MAX(CASE WHEN i = 3 * (n - 1) / 4 THEN d END), MAX(CASE WHEN i = (3 * n) / 4 THEN d END) "
        "FROM (SELECT s, d, ROW_NUMBER() OVER (PARTITION BY s ORDER BY d) - 1 AS i, "
        f"COUNT(*) OVER (PARTITION BY s) AS n FROM ({inner}) AS days) AS ranked GROUP BY s, n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    result = {}
    for scheme_id, n, low_half, high_half, low_75, high_75 in found:
        median = low_half + (high_half - low_half) * ((n - 1) % 2) / 2
        p75 = low_75 + (high_75 - low_75) * ((3 * (n - 1)) % 4) / 4
        result[scheme_id] = (n, float(median), float(p75))
    return result


def _waiting(applications: QuerySet[Application], schemes: dict[int, Scheme], detail: bool) -> list[Waiting]:
    rows = []
    found = _percentiles(applications)
    for pk in sorted(found, key=lambda pk: _scheme_order(schemes[pk])):
        n, median, p75 = found[pk]
        if detail or n >= SMALL_CELL:
            rows.append(Waiting(schemes[pk], n, median, p75))
        else:  # the days of fewer than 5 people would tell their stories
            rows.append(Waiting(schemes[pk], None, None, None))
    return rows


# ----- rejections, grievances, referrals ---------------------------------------------------------


def _rejections(applications: QuerySet[Application], schemes: dict[int, Scheme], detail: bool) -> Table:
    """Applications rejected in the period (by the day decided), per scheme and reason."""
    counts: dict[int, dict[str, int]] = {}
    for scheme_id, reason, n in (
        applications.order_by()
        .values_list("scheme_id", "rejection_reason")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        reason = reason or RejectionReason.OTHER
        cells = counts.setdefault(scheme_id, {})
        cells[reason] = cells.get(reason, 0) + n
    present = {reason for cells in counts.values() for reason in cells}
    columns = [Column(v, str(label)) for v, label in RejectionReason.choices if v in present]
    return _table("rejections", _("Rejections by reason"), columns, counts, schemes, detail)


@dataclass(frozen=True)
class Grievances:
    """Grievances open now (and how many of them are overdue), opened and resolved in the period."""

    open: int
    overdue: int
    opened: int
    resolved: int


def _grievances(user: User, within: Period, today: datetime.date) -> Grievances:
    grievances = in_scope(Grievance.objects.all(), user, "application__member")
    counts = grievances.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_GRIEVANCE)),
        overdue=Count("pk", filter=Q(status__in=OPEN_GRIEVANCE, due_on__lt=today)),
        opened=Count("pk", filter=Q(opened_on__range=(within.start, within.end))),
        resolved=Count(
            "pk", filter=Q(status=Grievance.Status.RESOLVED, resolved_on__range=(within.start, within.end))
        ),
    )
    return Grievances(**counts)


@dataclass(frozen=True)
class Referrals:
    """Referrals made in the period to one service (or to all: `service` None), by outcome."""

    service: Scheme | None
    received: int
    not_received: int
    pending: int

    @property
    def referred(self) -> int:
        return self.received + self.not_received + self.pending

    def as_dict(self) -> dict:
        return {
            "service": self.service.code if self.service else None,
            "referred": self.referred,
            "received": self.received,
            "not_received": self.not_received,
            "pending": self.pending,
        }


def _referrals(user: User, within: Period) -> list[Referrals]:
    """Per service, then the total: one GROUP BY."""
    by_service: dict[int, dict[str, int]] = {}
    rows = in_scope(Referral.objects.filter(referred_on__range=(within.start, within.end)), user)
    for service_id, status, n in rows.order_by().values_list("service_id", "status").annotate(n=Count("pk")):
        by_service.setdefault(service_id, {})[status] = n
    services = Scheme.objects.in_bulk(by_service)
    result = [
        Referrals(
            services[pk],
            received=counts.get(Referral.Status.RECEIVED, 0),
            not_received=counts.get(Referral.Status.NOT_RECEIVED, 0),
            pending=counts.get(Referral.Status.REFERRED, 0),
        )
        for pk, counts in sorted(by_service.items(), key=lambda item: _scheme_order(services[item[0]]))
    ]
    if result:
        result.append(
            Referrals(
                None,
                received=sum(r.received for r in result),
                not_received=sum(r.not_received for r in result),
                pending=sum(r.pending for r in result),
            )
        )
    return result


# ----- the results page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    period: Period
    today: datetime.date
    suppressed: bool  # True when small cells are hidden from this user
    newly: list[Table]  # the first splits by sex, whose totals are the members newly receiving
    take_up: list[TakeUp]
    waiting: list[Waiting]
    rejections: Table
    grievances: Grievances
    referrals: list[Referrals] = field(default_factory=list)

    @property
    def newly_receiving(self) -> list[Row]:
        return self.newly[0].rows

    def as_dict(self) -> dict:
        return {
            "period": {
                "kind": self.period.kind,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "today": self.today.isoformat(),
            "suppressed": self.suppressed,
            "small_cell": SMALL_CELL,
            "newly_receiving": {table.key: table.as_dict() for table in self.newly},
            "take_up": [row.as_dict() for row in self.take_up],
            "days_to_receiving": [row.as_dict() for row in self.waiting],
            "rejections": self.rejections.as_dict(),
            "grievances": {
                "open": self.grievances.open,
                "overdue": self.grievances.overdue,
                "opened": self.grievances.opened,
                "resolved": self.grievances.resolved,
            },
            "referrals": [row.as_dict() for row in self.referrals],
        }


def results(user: User, within: Period, today: datetime.date | None = None) -> Results:
    """The results of access to services for the members `user` may see, over a period.

    Newly receiving: applications whose benefit started (receiving_since) in the period,
    stopped since or not. Take-up is as of now; so are open and overdue grievances (overdue:
    still open after the day it should have been resolved by, `today`).
    """
    today = today or timezone.localdate()
    detail = sees_detail(user)
    schemes = Scheme.objects.in_bulk()
    applications = in_scope(Application.objects.all(), user)
    started = applications.filter(receiving_since__range=(within.start, within.end))
    rejected = applications.filter(status=Status.REJECTED, decided_on__range=(within.start, within.end))
    return Results(
        period=within,
        today=today,
        suppressed=not detail,
        newly=_newly_receiving(started, schemes, detail),
        take_up=_take_up(user, schemes, detail),
        waiting=_waiting(started, schemes, detail),
        rejections=_rejections(rejected, schemes, detail),
        grievances=_grievances(user, within, today),
        referrals=_referrals(user, within),
    )


# ----- the home page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """What a facilitator needs first: each number links to the page that lists it."""

    schemes: int
    likely_eligible: int  # the work list: a member likely eligible for a scheme they do not receive
    cannot_tell: int  # a member and a scheme whose rule cannot tell: facts to collect
    applications: dict[str, int]  # status -> applications, and "stalled"
    open_grievances: int
    overdue_grievances: int
    referrals_pending: int
    documents_to_collect: int  # documents members lack for applications not yet submitted

    @property
    def statuses(self) -> list[tuple[str, str, int]]:
        return [(value, str(label), self.applications.get(value, 0)) for value, label in Status.choices]


def overview(user: User, today: datetime.date | None = None) -> Overview:
    """The home page's numbers for `user`'s scope, in eight grouped queries."""
    today = today or timezone.localdate()
    findings = open_findings(user)
    grievances = in_scope(Grievance.objects.filter(status__in=OPEN_GRIEVANCE), user, "application__member")
    open_grievances = grievances.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    return Overview(
        schemes=Scheme.objects.filter(is_active=True).count(),
        likely_eligible=sum(
            n for (_s, outcome), n in findings.items() if outcome == Finding.Outcome.ELIGIBLE
        ),
        cannot_tell=sum(n for (_s, outcome), n in findings.items() if outcome == Finding.Outcome.CANNOT_TELL),
        applications=status_counts(in_scope(Application.objects.all(), user), today),
        open_grievances=open_grievances["open"],
        overdue_grievances=open_grievances["overdue"],
        referrals_pending=in_scope(Referral.objects.filter(status=Referral.Status.REFERRED), user).count(),
        documents_to_collect=documents_to_collect(user),
    )


def documents_to_collect(user: User) -> int:
    """Documents members lack for their applications not yet submitted, each (member, kind) once.

    One query: for each kind of document some scheme asks for, the members with a gathering
    application to such a scheme who hold no such document (a national ID also counts as held
    when the registry has its number), as `documents.document_tasks` lists them.
    """
    asked: dict[str, list[int]] = {}
    for pk, kinds in Scheme.objects.values_list("pk", "documents"):
        for kind in kinds:
            if kind in DocumentKind.values:
                asked.setdefault(kind, []).append(pk)
    if not asked:
        return 0
    lacking = {}
    for kind, scheme_ids in asked.items():
        held = Exists(MemberDocument.objects.filter(member=OuterRef("member"), kind=kind))
        lacks = Q(scheme_id__in=scheme_ids) & ~held
        if kind == DocumentKind.NATIONAL_ID:
            lacks &= Q(member__national_id="")
        lacking[kind] = Count("member_id", distinct=True, filter=lacks)
    gathering = in_scope(Application.objects.filter(status__in=GATHERING), user)
    return sum(gathering.aggregate(**lacking).values())
