"""Charters and commitments in the JSON API: read them, and record an authority's response.

Reads go through the scoped queries (another association's charter answers 404); the response is
written by the same service as the page, with channel "api".
"""

import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from samiti.core.models import Channel
from samiti.registry.models import Authority, Official, User
from samiti.voice.models import Charter, CharterItem, Commitment, FollowUp, Response
from samiti.voice.services import charters as services

router = Router(tags=["charters"])

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


class ResponseOut(Schema):
    kind: str
    responded_on: datetime.date
    answered_by: str
    reasons: str
    referred_to: int | None = Field(None, alias="referred_to_id")


class CommitmentOut(Schema):
    id: int
    charter: int = Field(alias="charter_id")
    demand: int = Field(alias="demand_id")
    what: str
    due_on: datetime.date
    budget_poisha: int | None
    responsible: str
    status: str
    closed_on: datetime.date | None
    overdue: bool

    @staticmethod
    def resolve_overdue(commitment: Commitment) -> bool:
        return commitment.is_overdue()


class ItemOut(Schema):
    id: int
    priority: int
    demand: int = Field(alias="demand_id")
    title: str
    households_affected: int | None
    endorsements: dict[str, int]
    response: ResponseOut | None
    commitment: CommitmentOut | None


class CharterOut(Schema):
    id: int
    subject: str
    organisation: int = Field(alias="organisation_id")
    authority: int = Field(alias="authority_id")
    official: int | None = Field(None, alias="official_id")
    language: str
    status: str
    created_at: datetime.datetime
    submitted_on: datetime.date | None
    method: str
    received_by: str
    meeting: int | None = Field(None, alias="meeting_id")


class CharterDetailOut(CharterOut):
    items: list[ItemOut]

    @staticmethod
    def resolve_items(charter: Charter) -> list[dict]:
        return [
            {
                "id": line.item.pk,
                "priority": line.item.priority,
                "demand_id": line.demand.pk,
                "title": line.demand.title,
                "households_affected": line.demand.households_affected,
                "endorsements": line.endorsements,
                "response": line.response,
                "commitment": line.commitment,
            }
            for line in services.charter_lines(charter)
        ]


class CharterFilters(Schema):
    status: Literal[tuple(Charter.Status.values)] | None = None  # type: ignore[valid-type]
    authority: int | None = None


@router.get("/charters", response=list[CharterOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_charters(request: HttpRequest, filters: Query[CharterFilters]) -> QuerySet[Charter]:
    """Charters of demands of the organisations this account sees."""
    charters = (
        services.charters_for(_user(request)).select_related("submitted_to").order_by("-created_at", "-pk")
    )
    if filters.status:
        charters = charters.filter(status=filters.status)
    if filters.authority:
        charters = charters.filter(authority_id=filters.authority)
    return charters


@router.get("/charters/{charter_id}", response=CharterDetailOut)
def read_charter(request: HttpRequest, charter_id: int) -> Charter:
    """One charter with its demands in priority order, their endorsements and the authority's responses."""
    return services.charter_or_404(_user(request), charter_id)


class CommitmentFilters(Schema):
    overdue: bool = False
    status: Literal[tuple(Commitment.Status.values)] | None = None  # type: ignore[valid-type]


@router.get("/commitments", response=list[CommitmentOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_commitments(request: HttpRequest, filters: Query[CommitmentFilters]) -> QuerySet[Commitment]:
    """Commitments authorities made on this account's charters; `overdue=true` for the overdue ones."""
    user = _user(request)
    commitments = services.overdue_commitments(user) if filters.overdue else services.commitments_for(user)
    if filters.status:
        commitments = commitments.filter(status=filters.status)
    return commitments.order_by("due_on", "pk")


@router.get("/commitments/{commitment_id}", response=CommitmentOut)
def read_commitment(request: HttpRequest, commitment_id: int) -> Commitment:
    return services.commitment_or_404(_user(request), commitment_id)


class ResponseIn(Schema):
    kind: Literal[tuple(Response.Kind.values)]  # type: ignore[valid-type]
    responded_on: datetime.date
    official: int | None = Field(None, description="Id of the official who answered.")
    official_name: str = ""
    reasons: str = Field("", description="Required for a rejection.")
    referred_to: int | None = Field(None, description="Id of the authority, required for a referral.")
    what: str = Field("", description="Required for a commitment.")
    due_on: datetime.date | None = Field(None, description="Required for a commitment.")
    budget_poisha: int | None = Field(None, ge=0, description="Budget allocated, in poisha (1 taka = 100).")
    responsible: str = ""


@router.post("/charters/{charter_id}/items/{item_id}/response", response={201: ResponseOut})
def record_response(request: HttpRequest, charter_id: int, item_id: int, payload: ResponseIn) -> Status:
    """Record the authority's response to one demand of a submitted charter."""
    user = _user(request)
    charter = services.charter_or_404(user, charter_id)
    item = get_object_or_404(
        CharterItem.objects.select_related("demand", "charter"), charter=charter, pk=item_id
    )
    data = payload.model_dump(exclude={"official", "referred_to"})
    official = get_object_or_404(Official, pk=payload.official) if payload.official else None
    referred_to = get_object_or_404(Authority, pk=payload.referred_to) if payload.referred_to else None
    response = services.record_response(
        actor=user, item=item, official=official, referred_to=referred_to, channel=Channel.API, **data
    )
    return Status(201, response)


class FollowUpIn(Schema):
    date: datetime.date
    note: str
    outcome: Literal[tuple(FollowUp.Outcome.values)] = Field(  # type: ignore[valid-type]
        "", description='"" while in progress; fulfilled, partly_fulfilled or broken close the commitment.'
    )


class FollowUpOut(Schema):
    id: int
    commitment: int = Field(alias="commitment_id")
    date: datetime.date = Field(alias="on")
    note: str
    outcome: str
    commitment_status: str

    @staticmethod
    def resolve_commitment_status(follow_up: FollowUp) -> str:
        return follow_up.commitment.status


@router.post("/commitments/{commitment_id}/follow-ups", response={201: FollowUpOut})
def follow_up_commitment(request: HttpRequest, commitment_id: int, payload: FollowUpIn) -> Status:
    """Record a check on a commitment; an outcome other than "" closes it (partly fulfilled may reopen)."""
    user = _user(request)
    commitment = services.commitment_or_404(user, commitment_id)
    follow_up = services.follow_up_commitment(
        actor=user,
        commitment=commitment,
        on=payload.date,
        note=payload.note,
        outcome=payload.outcome,
        channel=Channel.API,
    )
    return Status(201, follow_up)
