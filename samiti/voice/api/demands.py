"""The demands API: list, read and raise demands, record endorsements; scoped like the pages.

Reads go through `demands_for` (a demand outside the account's scope answers 404); writes go
through the services with channel "api", checked and audited like any other write.
"""

import datetime
from typing import Literal

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination, paginate

from samiti.core.cells import SMALL_CELL, sees_detail
from samiti.core.models import Channel
from samiti.registry.models import Area, Authority, User
from samiti.registry.queries import members_for, organisations_for
from samiti.voice.errors import VoiceError
from samiti.voice.models.demands import Demand, DemandCategory, DemandEvent
from samiti.voice.services import demands as service

router = Router(tags=["demands"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_ENDORSERS = 5000

StatusCode = Literal[tuple(Demand.Status.values)]
CategoryCode = Literal[tuple(DemandCategory.values)]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _may_edit(user: User) -> None:
    if not user.can_edit:
        raise VoiceError(_("Your role may read records but not change them."), code="forbidden")


def _invalid(field: str, message: str) -> ValidationError:
    """A 422 naming the field, shaped like ninja's own payload errors."""
    return ValidationError([{"loc": ("body", "payload", field), "msg": message, "type": "value_error"}])


class DemandOut(Schema):
    id: int
    title: str
    description: str
    category: str
    status: str
    organisation: int = Field(description="Id of the group, association or federation that holds it now.")
    raised_by_organisation: int = Field(description="Id of the organisation it was raised in.")
    association: int | None
    area: str | None = Field(description="Code of the area it concerns.")
    households_affected: int | None
    authority: str | None = Field(description="Code of the authority it is for.")
    raised_by: int | None = Field(description="Id of the member who raised it.")
    merged_into: int | None
    created_at: datetime.datetime
    endorsements: int

    @staticmethod
    def resolve_organisation(demand: Demand) -> int:
        return demand.organisation_id

    @staticmethod
    def resolve_raised_by_organisation(demand: Demand) -> int:
        return demand.raised_by_organisation_id

    @staticmethod
    def resolve_association(demand: Demand) -> int | None:
        return demand.association_id

    @staticmethod
    def resolve_area(demand: Demand) -> str | None:
        return demand.area.code if demand.area_id else None

    @staticmethod
    def resolve_authority(demand: Demand) -> str | None:
        return demand.authority.code if demand.authority_id else None

    @staticmethod
    def resolve_raised_by(demand: Demand) -> int | None:
        return demand.raised_by_id

    @staticmethod
    def resolve_merged_into(demand: Demand) -> int | None:
        return demand.merged_into_id

    @staticmethod
    def resolve_endorsements(demand: Demand) -> int:
        count = getattr(demand, "endorsement_count", None)
        return demand.endorsements.count() if count is None else count


class Breakdown(Schema):
    total: int
    women: int
    men: int
    third_gender: int
    ethnic_minority: int | None = Field(
        description="Null when 1–4 and the account's role does not see sensitive data."
    )
    disability: int | None = Field(
        description="Null when 1–4 and the account's role does not see sensitive data."
    )


class EventOut(Schema):
    kind: str
    at: datetime.datetime
    organisation: int | None
    meeting: int | None
    note: str
    demand: int = Field(description="The demand the step happened to (a merged demand's steps are included).")

    @staticmethod
    def resolve_organisation(event: DemandEvent) -> int | None:
        return event.organisation_id

    @staticmethod
    def resolve_meeting(event: DemandEvent) -> int | None:
        return event.meeting_id

    @staticmethod
    def resolve_demand(event: DemandEvent) -> int:
        return event.demand_id


class DemandDetailOut(DemandOut):
    breakdown: Breakdown
    timeline: list[EventOut]


class DemandFilters(Schema):
    status: StatusCode | None = Field(None, description="Merged demands are left out unless asked for.")
    category: CategoryCode | None = None
    organisation: int | None = Field(None, description="Id of an organisation: demands it holds or raised.")


class DemandIn(Schema):
    organisation: int = Field(description="Id of the group or association raising the demand.")
    title: str = Field(max_length=200)
    category: CategoryCode
    description: str = ""
    area: str | None = Field(
        None, description="Code of the area it concerns; the organisation's if left out."
    )
    households_affected: int | None = Field(None, ge=1)
    authority: str | None = Field(None, description="Code of the authority it is for.")
    raised_by: int | None = Field(None, description="Id of the member who raised it.")


class EndorsementsIn(Schema):
    members: list[int] = Field(
        min_length=1, max_length=MAX_ENDORSERS, description="Ids of the endorsing members."
    )


class EndorsementsOut(Schema):
    new: int = Field(description="Endorsements recorded now (members who had endorsed already count once).")
    endorsements: int


def _listed(user: User) -> QuerySet[Demand]:
    return (
        service.demands_for(user)
        .select_related("area", "authority")
        .annotate(endorsement_count=Count("endorsements"))
        .order_by("-created_at", "-pk")
    )


@router.get("/demands", response=list[DemandOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_demands(request: HttpRequest, filters: Query[DemandFilters]) -> QuerySet[Demand]:
    """Demands in the account's scope, newest first, filtered like the list page."""
    found = _listed(_user(request))
    found = (
        found.filter(status=filters.status) if filters.status else found.exclude(status=Demand.Status.MERGED)
    )
    if filters.category:
        found = found.filter(category=filters.category)
    if filters.organisation:
        org = filters.organisation
        found = found.filter(
            Q(organisation_id=org)
            | Q(raised_by_organisation_id=org)
            | Q(association_id=org)
            | Q(association__parent_id=org)
        )
    return found


def _detail(user: User, pk: int) -> Demand:
    demand = service.demand_or_404(user, pk)
    breakdown = service.endorsement_breakdown([demand])
    demand.endorsement_count = demand.endorsements.count()
    if not sees_detail(user):
        for key in ("ethnic_minority", "disability"):
            if 0 < breakdown[key] < SMALL_CELL:
                breakdown[key] = None
    demand.breakdown = breakdown
    demand.timeline = list(service.demand_events(demand))
    return demand


@router.get("/demands/{demand_id}", response=DemandDetailOut)
def read_demand(request: HttpRequest, demand_id: int) -> Demand:
    """One demand with its endorsements by sex, ethnicity and disability, and its timeline."""
    return _detail(_user(request), demand_id)


@router.post("/demands", response={201: DemandDetailOut})
def raise_demand(request: HttpRequest, payload: DemandIn) -> Demand:
    """Raise a demand in a group or an association; the same rules as the page apply."""
    user = _user(request)
    _may_edit(user)
    organisation = organisations_for(user).filter(pk=payload.organisation).first()
    if organisation is None:
        raise _invalid(
            "organisation", _("No organisation %(id)s in your scope.") % {"id": payload.organisation}
        )
    area = None
    if payload.area:
        area = Area.objects.filter(code=payload.area).first()
        if area is None:
            raise _invalid("area", _("Unknown area code."))
    authority = None
    if payload.authority:
        authority = Authority.objects.filter(code=payload.authority).first()
        if authority is None:
            raise _invalid("authority", _("Unknown authority code."))
    raised_by = None
    if payload.raised_by is not None:
        raised_by = members_for(user).filter(pk=payload.raised_by).first()
        if raised_by is None:
            raise _invalid("raised_by", _("No member %(id)s in your scope.") % {"id": payload.raised_by})
    demand = service.raise_demand(
        actor=user,
        organisation=organisation,
        title=payload.title,
        category=payload.category,
        description=payload.description,
        area=area,
        households_affected=payload.households_affected,
        authority=authority,
        raised_by=raised_by,
        channel=Channel.API,
    )
    return _detail(user, demand.pk)


@router.post("/demands/{demand_id}/endorsements", response=EndorsementsOut)
def endorse(request: HttpRequest, demand_id: int, payload: EndorsementsIn) -> dict[str, int]:
    """Record the endorsements of members (a paper sheet, a show of hands); repeats count once."""
    user = _user(request)
    demand = service.demand_or_404(user, demand_id)
    _may_edit(user)
    wanted = list(dict.fromkeys(payload.members))
    members = {m.pk: m for m in members_for(user).filter(pk__in=wanted)}
    unknown = [pk for pk in wanted if pk not in members]
    if unknown:
        raise _invalid(
            "members",
            _("No members with these ids in your scope: %(ids)s.")
            % {"ids": ", ".join(map(str, unknown[:20]))},
        )
    new = service.endorse_many(actor=user, demand=demand, members=list(members.values()), channel=Channel.API)
    return {"new": new, "endorsements": demand.endorsements.count()}
