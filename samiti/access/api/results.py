"""GET /api/access/results: the results page's figures as JSON, for the same period and scope.

Cells hidden from the account's role (fewer than 5 people) are null; `suppressed` says whether
any may be.
"""

import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from samiti.access import reports

router = Router(tags=["access"])


class PeriodQuery(Schema):
    period: Literal[tuple(reports.PeriodKind.values)] = reports.PeriodKind.YEAR  # type: ignore[valid-type]
    year: int | None = Field(None, description="This year unless given.")
    quarter: int | None = Field(None, description="1 to 4, with period=quarter.")
    month: int | None = Field(None, description="1 to 12, with period=month.")
    start: datetime.date | None = Field(None, description="The first day, with period=range.")
    end: datetime.date | None = Field(None, description="The last day, with period=range.")


class PeriodOut(Schema):
    kind: str
    start: datetime.date
    end: datetime.date


class ColumnOut(Schema):
    key: str = Field(description="A sex, ethnic group, community, disability answer, district id or reason.")
    label: str


class SchemeCountsOut(Schema):
    scheme: str = Field(description="The scheme's code.")
    total: int | None
    cells: dict[str, int | None] = Field(description="By column key; they add up to the total.")


class TableOut(Schema):
    columns: list[ColumnOut]
    schemes: list[SchemeCountsOut]


class TakeUpOut(Schema):
    scheme: str
    receiving: int | None = Field(description="Active members receiving the scheme now.")
    likely_eligible: int | None = Field(
        description="Likely eligible at their latest screening, not receiving."
    )
    cannot_tell: int | None
    rate: float | None = Field(description="receiving ÷ (receiving + likely_eligible).")


class WaitingOut(Schema):
    scheme: str
    members: int | None = Field(description="Members who started receiving in the period.")
    median: float | None = Field(description="Days from identified to receiving.")
    p75: float | None


class GrievancesOut(Schema):
    open: int = Field(description="Open or escalated today.")
    overdue: int = Field(description="Open past the day they should have been resolved by.")
    opened: int = Field(description="Opened in the period.")
    resolved: int = Field(description="Resolved in the period.")


class ReferralsOut(Schema):
    service: str | None = Field(description="The service's code; null for all of them.")
    referred: int
    received: int
    not_received: int
    pending: int


class ResultsOut(Schema):
    period: PeriodOut
    today: datetime.date
    suppressed: bool = Field(description="Whether cells under small_cell people are hidden (null).")
    small_cell: int
    newly_receiving: dict[str, TableOut] = Field(
        description="Members whose benefit started in the period, by sex, ethnicity, community "
        "(roles with detail only), disability and district."
    )
    take_up: list[TakeUpOut]
    days_to_receiving: list[WaitingOut]
    rejections: TableOut = Field(description="Applications rejected in the period, by reason.")
    grievances: GrievancesOut
    referrals: list[ReferralsOut] = Field(description="Referrals made in the period, by outcome.")


@router.get("/results", response=ResultsOut, summary="Results of access to services over a period")
def results(request: HttpRequest, filters: Query[PeriodQuery]) -> dict:
    """Members newly receiving each scheme (by sex, ethnicity, disability, district), take-up,
    days from identified to receiving, rejections by reason, grievances and referrals."""
    within = reports.period(kind=filters.period, **filters.dict(exclude={"period"}))
    return reports.results(request.auth, within).as_dict()  # type: ignore[attr-defined]
