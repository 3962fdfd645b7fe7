"""GET /api/access/results: the results page's figures as JSON, for the same period and scope.

Cells hidden from the account's role (fewer than 5 people) are null; `suppressed` says whether
any may be.
"""

import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from samiti.access import reports

router = Router(tags=["access"])


class PeriodQuery(Schema):
    period: Literal[tuple(reports.PeriodKind.values)] = reports.PeriodKind.YEAR  # type: ignore[valid-type]
    year: int | None = None
    quarter: int | None = None
    month: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None


@router.get("/results", response=dict, summary="Results of access to services over a period")
def results(request: HttpRequest, filters: Query[PeriodQuery]) -> dict:
    """Members newly receiving each scheme (by sex, ethnicity, disability, district), take-up,
    days from identified to receiving, rejections by reason, grievances and referrals."""
    within = reports.period(kind=filters.period, **filters.dict(exclude={"period"}))
    return reports.results(request.auth, within).as_dict()  # type: ignore[attr-defined]
