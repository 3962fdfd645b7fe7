"""The screening API: screen an organisation or everyone in scope, read a screening, a member's
schemes with the reasons, and the work list; scoped like the pages (outside scope answers 404).
"""

import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from samiti.access import queries
from samiti.access.models import Finding, Scheme, Screening
from samiti.access.services import screening as service
from samiti.core.models import Channel
from samiti.registry.models import Area, User
from samiti.registry.queries import groups_for, member_or_404, organisation_or_404

router = Router(tags=["screening"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

ResultCode = Literal[tuple(Finding.Outcome.values)]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


class ScreeningIn(Schema):
    organisation: int | None = Field(
        None, description="Id of a group, an association or a federation in scope; none for everyone."
    )
    on: datetime.date | None = Field(None, description="Screen as of this day; today when left out.")


class SchemeCountOut(Schema):
    scheme: str = Field(description="The scheme's code.")
    rule_from: datetime.date | None = Field(description="The day the rule version used came into force.")
    eligible: int | None = Field(description="Null: fewer than 5, hidden from the account's role.")
    cannot_tell: int | None
    receiving: int | None
    not_eligible: int | None
    seconds: float | None


class ScreeningOut(Schema):
    id: int
    on: datetime.date
    scope: str
    organisation: int | None
    member: int | None
    members: int = Field(description="Active members screened.")
    seconds: float
    created_at: datetime.datetime
    schemes: list[SchemeCountOut]


def _screening_out(screening: Screening, user: User) -> dict:
    return {
        "id": screening.pk,
        "on": screening.on,
        "scope": screening.label,
        "organisation": screening.organisation_id,
        "member": screening.member_id,
        "members": screening.members,
        "seconds": screening.seconds,
        "created_at": screening.created_at,
        "schemes": [
            {
                "scheme": line.scheme.code,
                "rule_from": line.version_from,
                "eligible": line.eligible,
                "cannot_tell": line.cannot_tell,
                "receiving": line.receiving,
                "not_eligible": line.not_eligible,
                "seconds": line.seconds,
            }
            for line in queries.screening_lines(screening, user)
        ],
    }


@router.post("/screenings", response={201: ScreeningOut})
def create_screening(request: HttpRequest, payload: ScreeningIn) -> Status:
    """Screen an organisation in scope, or everyone in scope, against every active scheme."""
    user = _user(request)
    organisation = organisation_or_404(user, payload.organisation) if payload.organisation else None
    screening = service.screen_in_scope(
        user=user, on=payload.on or timezone.localdate(), organisation=organisation, channel=Channel.API
    )
    return Status(201, _screening_out(screening, user))


@router.get("/screenings/{screening_id}", response=ScreeningOut)
def read_screening(request: HttpRequest, screening_id: int) -> dict:
    """One screening: per scheme, how many likely eligible, cannot tell, receiving, not eligible."""
    user = _user(request)
    return _screening_out(queries.screening_or_404(user, screening_id), user)


class StepOut(Schema):
    depth: int
    text: str
    answer: bool | None = Field(description="Null: not recorded.")
    value: str = Field(description="The member's value; empty for sensitive facts the role may not see.")
    fact: str


class SchemeResultOut(Schema):
    scheme: str
    name: str
    outcome: str = Field(description="eligible, not_eligible, cannot_tell, receiving or no_rule.")
    outcome_label: str
    rule_from: datetime.date | None
    reasons: list[StepOut]
    facts_to_collect: list[str]
    documents_lacking: list[str]
    finding: str | None = Field(description="The result of the member's last screening, if listed.")


class MemberSchemesOut(Schema):
    member: int
    on: datetime.date
    schemes: list[SchemeResultOut]


@router.get("/members/{member_id}/schemes", response=MemberSchemesOut)
def member_schemes(request: HttpRequest, member_id: int, on: datetime.date | None = None) -> dict:
    """Every active scheme's result for a member, with the reasons condition by condition."""
    user = _user(request)
    member = member_or_404(user, member_id)
    on = on or timezone.localdate()
    findings = queries.latest_findings(member)
    schemes = []
    results, _hidden = queries.member_results(user, member, on)
    for result in results:
        finding = findings.get(result.scheme.pk)
        schemes.append(
            {
                "scheme": result.scheme.code,
                "name": result.scheme.name,
                "outcome": result.outcome,
                "outcome_label": result.outcome_label,
                "rule_from": result.version.valid_from if result.version else None,
                "reasons": [
                    {
                        "depth": step.depth,
                        "text": step.text,
                        "answer": step.answer,
                        "value": queries.visible_value(step, user),
                        "fact": step.fact,
                    }
                    for step in result.steps
                ],
                "facts_to_collect": result.missing,
                "documents_lacking": result.documents_lacking,
                "finding": finding.outcome if finding else None,
            }
        )
    return {"member": member.pk, "on": on, "schemes": schemes}


class WorklistFilters(Schema):
    result: ResultCode = Finding.Outcome.ELIGIBLE
    scheme: str | None = Field(None, description="A scheme's code.")
    group: int | None = Field(None, description="Id of a group in scope.")
    union: str | None = Field(None, description="Code of a union.")


class WorkItemOut(Schema):
    member: int
    member_code: str
    name: str
    group: int
    scheme: str
    result: str
    share_of_income: float | None = Field(
        description="The benefit per year as a share of the household's income per person per year; "
        "null where the income or size is not recorded (those come after all others)."
    )
    income_per_person: int | None = Field(description="Taka per year.")
    facts_to_collect: list[str]
    screened_on: datetime.date
    rule_from: datetime.date
    application: int | None = Field(description="An application already under way.")


def _worklist(user: User, filters: WorklistFilters) -> QuerySet[Finding]:
    group = union = scheme = None
    if filters.group is not None:
        group = groups_for(user).filter(pk=filters.group).first()
        if group is None:
            raise Http404
    if filters.union:
        union = Area.objects.filter(code=filters.union, level=Area.Level.UNION).first()
        if union is None:
            raise Http404
    if filters.scheme:
        scheme = Scheme.objects.filter(code=filters.scheme).first()
        if scheme is None:
            raise Http404
    return queries.worklist(user, result=filters.result, group=group, union=union, scheme=scheme)


class WorkItemPagination(PageNumberPagination):
    """Pages of the work list, lines built for the page's findings only; `count` stops at
    `queries.COUNT_CAP` + 1, as counting every finding of a million members costs more than a page."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        size = self._get_page_size(pagination.page_size)
        findings = queries.page_of(queryset, (pagination.page - 1) * size, size)
        return {
            "items": [_item(item) for item in queries.work_items(findings)],
            "count": queries.bounded_count(queryset),
        }


def _item(item: queries.WorkItem) -> dict:
    return {
        "member": item.member.pk,
        "member_code": item.member.code,
        "name": str(item.member),
        "group": item.member.group_id,
        "scheme": item.scheme.code,
        "result": item.finding.outcome,
        "share_of_income": item.share,
        "income_per_person": item.income_per_person,
        "facts_to_collect": item.to_collect,
        "screened_on": item.finding.screened_on,
        "rule_from": item.finding.rule_version.valid_from,
        "application": item.application.pk if item.application else None,
    }


@router.get("/worklist", response=list[WorkItemOut])
@paginate(WorkItemPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def worklist(request: HttpRequest, filters: Query[WorklistFilters]) -> QuerySet[Finding]:
    """Members likely eligible (or about whom a rule cannot tell) and not receiving, most needed first."""
    return _worklist(_user(request), filters)
