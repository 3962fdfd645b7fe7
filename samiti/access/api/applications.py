"""Applications, documents, grievances and referrals in the API: read what is in scope, start an
application and move it a step, record documents, open and move grievances, refer members and
record outcomes, through the same services as the pages. Amounts are integer poisha."""

import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from samiti.access.errors import AccessError
from samiti.access.models import (
    Application,
    ApplicationEvent,
    DocumentKind,
    Grievance,
    GrievanceCategory,
    Referral,
    RejectionReason,
    Scheme,
)
from samiti.access.services import applications as services
from samiti.access.services import documents, grievances, referrals
from samiti.core.models import Channel
from samiti.registry import queries
from samiti.registry.models import Authority, Member, User

router = Router(tags=["applications"])
Status = Application.Status

StatusCode = Literal[tuple(Status.values)]
StepCode = Literal[tuple(s for s in Status.values if s != Status.IDENTIFIED)]
ReasonCode = Literal[tuple(RejectionReason.values)]
DocumentCode = Literal[tuple(DocumentKind.values)]
GrievanceStep = Literal["escalate", "resolve", "drop"]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _may_edit(user: User) -> None:
    if not user.can_edit:
        raise AccessError(_("Your role may read records but not change them."), code="forbidden")


def _member(user: User, pk: int) -> Member:
    member = queries.members_for(user).filter(pk=pk).first()
    if member is None:
        raise AccessError(_("Unknown member."), field="member")
    return member


def _scheme(code: str) -> Scheme:
    scheme = Scheme.objects.filter(code=code).first()
    if scheme is None:
        raise AccessError(_("No scheme has the code “%(code)s”.") % {"code": code}, field="scheme")
    return scheme


def _authority(pk: int | None) -> Authority | None:
    if pk is None:
        return None
    found = Authority.objects.filter(pk=pk).first()
    if found is None:
        raise AccessError(_("No such authority."), field="authority")
    return found


# ----- applications ------------------------------------------------------------------------------


class EventOut(Schema):
    status: str
    on: datetime.date
    note: str
    recorded_by: str | None

    @staticmethod
    def resolve_recorded_by(event: ApplicationEvent) -> str | None:
        return event.recorded_by.username if event.recorded_by else None


class ApplicationOut(Schema):
    id: int
    member: int
    scheme: str = Field(description="The scheme's code.")
    status: StatusCode
    stalled: bool = Field(description=f"No step for {services.STALLED_AFTER_DAYS} days while waiting.")
    identified_on: datetime.date
    documents_ready_on: datetime.date | None
    submitted_on: datetime.date | None
    submitted_where: str
    submitted_to: str
    authority: int | None
    decided_on: datetime.date | None
    rejection_reason: str
    rejection_note: str
    receiving_since: datetime.date | None
    amount_per_month: int | None = Field(description="Poisha (100 poisha = 1 taka).")
    stopped_on: datetime.date | None
    updated_on: datetime.date

    @staticmethod
    def resolve_member(application: Application) -> int:
        return application.member_id

    @staticmethod
    def resolve_scheme(application: Application) -> str:
        return application.scheme.code

    @staticmethod
    def resolve_authority(application: Application) -> int | None:
        return application.authority_id

    @staticmethod
    def resolve_stalled(application: Application) -> bool:
        return services.is_stalled(application)


class ApplicationDetailOut(ApplicationOut):
    next_steps: list[str]
    missing_documents: list[str]
    events: list[EventOut]

    @staticmethod
    def resolve_next_steps(application: Application) -> list[str]:
        return list(services.next_steps(application))

    @staticmethod
    def resolve_missing_documents(application: Application) -> list[str]:
        return documents.missing_documents(application.member, application.scheme)

    @staticmethod
    def resolve_events(application: Application) -> list[ApplicationEvent]:
        return list(application.events.select_related("recorded_by"))


class ApplicationFilters(Schema):
    status: StatusCode | Literal["stalled"] | None = None
    scheme: str | None = Field(None, description="A scheme's code.")
    group: int | None = None
    member: int | None = None


class ApplicationIn(Schema):
    member: int
    scheme: str = Field(description="The scheme's code.")
    on: datetime.date | None = Field(
        None, description="The day the member was identified (today if left out)."
    )


class ReceivingIn(Schema):
    scheme: str = Field(description="The scheme's code.")
    since: datetime.date
    amount_per_month: int | None = Field(None, ge=0, description="Poisha.")


class StepIn(Schema):
    status: StepCode = Field(description="The step to take; see next_steps on the application.")
    on: datetime.date | None = Field(None, description="The day it happened (today if left out).")
    note: str = Field("", max_length=300)
    where: str = Field("", max_length=200, description="submitted: where.")
    to: str = Field("", max_length=200, description="submitted: to whom.")
    authority: int | None = Field(None, description="submitted: the authority.")
    reason: ReasonCode | None = Field(None, description="rejected: the reason given.")
    amount_per_month: int | None = Field(None, ge=0, description="receiving: poisha a month.")


@router.get("/applications", response=list[ApplicationOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters]) -> QuerySet[Application]:
    """Applications of the members in the account's scope, the latest step first."""
    found = services.applications_for(_user(request)).select_related("scheme")
    if filters.status == "stalled":
        found = found.filter(services.stalled())
    elif filters.status:
        found = found.filter(status=filters.status)
    if filters.scheme:
        found = found.filter(scheme__code=filters.scheme)
    if filters.group:
        found = found.filter(member__group_id=filters.group)
    if filters.member:
        found = found.filter(member_id=filters.member)
    return found.order_by("-updated_on", "-id")


@router.get("/applications/{application_id}", response=ApplicationDetailOut)
def read_application(request: HttpRequest, application_id: int) -> Application:
    """An application with its timeline, its next steps and the documents the member still lacks."""
    return services.application_or_404(_user(request), application_id)


@router.post("/applications", response={201: ApplicationDetailOut})
def start_application(request: HttpRequest, payload: ApplicationIn) -> Application:
    """Start an application at identified; a member has one open application per scheme."""
    user = _user(request)
    _may_edit(user)
    application = services.identify(
        actor=user,
        member=_member(user, payload.member),
        scheme=_scheme(payload.scheme),
        on=payload.on,
        channel=Channel.API,
    )
    return services.application_or_404(user, application.pk)


@router.post("/members/{member_id}/receiving", response=ApplicationDetailOut)
def record_receiving(request: HttpRequest, member_id: int, payload: ReceivingIn) -> Application:
    """A member already receives a scheme: create the application or move it to receiving."""
    user = _user(request)
    _may_edit(user)
    application = services.record_receiving(
        actor=user,
        member=queries.member_or_404(user, member_id),
        scheme=_scheme(payload.scheme),
        since=payload.since,
        amount_per_month=payload.amount_per_month,
        channel=Channel.API,
    )
    return services.application_or_404(user, application.pk)


@router.post("/applications/{application_id}/steps", response=ApplicationDetailOut)
def take_step(request: HttpRequest, application_id: int, payload: StepIn) -> Application:
    """Move the application one step, dated no later than today and no earlier than the last step."""
    user = _user(request)
    application = services.application_or_404(user, application_id)
    _may_edit(user)
    on = payload.on or timezone.localdate()
    common = {"actor": user, "application": application, "note": payload.note, "channel": Channel.API}
    if payload.status == Status.DOCUMENTS_READY:
        services.mark_documents_ready(on=on, **common)
    elif payload.status == Status.SUBMITTED:
        services.submit(
            on=on, where=payload.where, to=payload.to, authority=_authority(payload.authority), **common
        )
    elif payload.status == Status.APPROVED:
        services.approve(on=on, **common)
    elif payload.status == Status.REJECTED:
        services.reject(on=on, reason=payload.reason or "", **common)
    elif payload.status == Status.RECEIVING:
        services.start_receiving(since=on, amount_per_month=payload.amount_per_month, **common)
    else:
        services.stop(on=on, **common)
    return services.application_or_404(user, application.pk)


# ----- documents ---------------------------------------------------------------------------------


class DocumentsOut(Schema):
    member: int
    held: list[str] = Field(description="Kinds of document the member holds.")


class DocumentIn(Schema):
    kind: DocumentCode
    obtained_on: datetime.date | None = None


def _documents(member: Member) -> dict:
    return {"member": member.pk, "held": sorted(documents.documents_held(member))}


@router.get("/members/{member_id}/documents", response=DocumentsOut)
def read_documents(request: HttpRequest, member_id: int) -> dict:
    """The documents a member holds (the national ID counts when its number is recorded)."""
    return _documents(queries.member_or_404(_user(request), member_id))


@router.post("/members/{member_id}/documents", response=DocumentsOut)
def record_document(request: HttpRequest, member_id: int, payload: DocumentIn) -> dict:
    """Record that a member holds a document."""
    user = _user(request)
    member = queries.member_or_404(user, member_id)
    _may_edit(user)
    documents.record_document(
        actor=user, member=member, kind=payload.kind, obtained_on=payload.obtained_on, channel=Channel.API
    )
    return _documents(member)


@router.delete("/members/{member_id}/documents/{kind}", response=DocumentsOut)
def remove_document(request: HttpRequest, member_id: int, kind: DocumentCode) -> dict:
    """Record that a member no longer holds a document."""
    user = _user(request)
    member = queries.member_or_404(user, member_id)
    _may_edit(user)
    documents.remove_document(actor=user, member=member, kind=kind, channel=Channel.API)
    return _documents(member)


# ----- grievances --------------------------------------------------------------------------------


class GrievanceOut(Schema):
    id: int
    application: int
    category: str = Field(description="The category's code.")
    description: str
    raised_with: str
    opened_on: datetime.date
    due_on: datetime.date
    overdue: bool
    status: str
    resolution: str
    resolved_on: datetime.date | None

    @staticmethod
    def resolve_application(grievance: Grievance) -> int:
        return grievance.application_id

    @staticmethod
    def resolve_category(grievance: Grievance) -> str:
        return grievance.category.code

    @staticmethod
    def resolve_overdue(grievance: Grievance) -> bool:
        return grievance.is_overdue()


class GrievanceIn(Schema):
    application: int
    category: str = Field(description="The category's code.")
    description: str = Field(min_length=1, max_length=5000)
    raised_with: str = Field("", max_length=200)
    opened_on: datetime.date | None = None


class GrievanceStepIn(Schema):
    step: GrievanceStep
    on: datetime.date | None = None
    raised_with: str = Field("", max_length=200, description="escalate: the higher office.")
    resolution: str = Field("", max_length=5000, description="resolve: how; drop: why.")


@router.get("/grievances", response=list[GrievanceOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_grievances(request: HttpRequest, overdue: bool = False) -> QuerySet[Grievance]:
    """Grievances in scope, overdue ones first."""
    found = grievances.grievances_for(_user(request)).select_related("category")
    if overdue:
        found = found.filter(grievances.overdue())
    return grievances.overdue_first(found)


@router.get("/grievances/{grievance_id}", response=GrievanceOut)
def read_grievance(request: HttpRequest, grievance_id: int) -> Grievance:
    return grievances.grievance_or_404(_user(request), grievance_id)


@router.post("/grievances", response={201: GrievanceOut})
def open_grievance(request: HttpRequest, payload: GrievanceIn) -> Grievance:
    """Open a grievance on a rejected or stalled application; it is due the category's days later."""
    user = _user(request)
    _may_edit(user)
    application = services.applications_for(user).filter(pk=payload.application).first()
    if application is None:
        raise AccessError(_("Unknown application."), field="application")
    category = GrievanceCategory.objects.filter(code=payload.category).first()
    if category is None:
        raise AccessError(_("No such grievance category."), field="category")
    grievance = grievances.open_grievance(
        actor=user,
        application=application,
        category=category,
        description=payload.description,
        raised_with=payload.raised_with,
        opened_on=payload.opened_on,
        channel=Channel.API,
    )
    return grievance


@router.post("/grievances/{grievance_id}/steps", response=GrievanceOut)
def move_grievance(request: HttpRequest, grievance_id: int, payload: GrievanceStepIn) -> Grievance:
    """Escalate, resolve or drop a grievance."""
    user = _user(request)
    grievance = grievances.grievance_or_404(user, grievance_id)
    _may_edit(user)
    common = {"actor": user, "grievance": grievance, "on": payload.on, "channel": Channel.API}
    if payload.step == "escalate":
        return grievances.escalate_grievance(raised_with=payload.raised_with, **common)
    if payload.step == "resolve":
        return grievances.resolve_grievance(resolution=payload.resolution, **common)
    return grievances.drop_grievance(note=payload.resolution, **common)


# ----- referrals ---------------------------------------------------------------------------------


class ReferralOut(Schema):
    id: int
    member: int
    service: str = Field(description="The service's code.")
    referred_on: datetime.date
    referred_to: str
    authority: int | None
    reason: str
    status: str
    outcome_on: datetime.date | None
    outcome_note: str

    @staticmethod
    def resolve_member(referral: Referral) -> int:
        return referral.member_id

    @staticmethod
    def resolve_service(referral: Referral) -> str:
        return referral.service.code

    @staticmethod
    def resolve_authority(referral: Referral) -> int | None:
        return referral.authority_id


class ReferralIn(Schema):
    member: int
    service: str = Field(description="The code of an extension or health service.")
    referred_to: str = Field("", max_length=200)
    authority: int | None = None
    reason: str = Field("", max_length=300)
    on: datetime.date | None = None


class OutcomeIn(Schema):
    received: bool
    on: datetime.date | None = None
    note: str = Field("", max_length=300)


@router.get("/referrals", response=list[ReferralOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_referrals(
    request: HttpRequest, status: Literal[tuple(Referral.Status.values)] | None = None
) -> QuerySet:
    """Referrals of members in scope, the latest first."""
    found = referrals.referrals_for(_user(request)).select_related("service")
    if status:
        found = found.filter(status=status)
    return found.order_by("-referred_on", "-id")


@router.get("/referrals/{referral_id}", response=ReferralOut)
def read_referral(request: HttpRequest, referral_id: int) -> Referral:
    return referrals.referral_or_404(_user(request), referral_id)


@router.post("/referrals", response={201: ReferralOut})
def refer(request: HttpRequest, payload: ReferralIn) -> Referral:
    """Refer a member to an extension or health service."""
    user = _user(request)
    _may_edit(user)
    referral = referrals.refer(
        actor=user,
        member=_member(user, payload.member),
        service=_scheme(payload.service),
        referred_to=payload.referred_to,
        authority=_authority(payload.authority),
        reason=payload.reason,
        on=payload.on,
        channel=Channel.API,
    )
    return referral


@router.post("/referrals/{referral_id}/outcome", response=ReferralOut)
def record_outcome(request: HttpRequest, referral_id: int, payload: OutcomeIn) -> Referral:
    """Whether the member received the service."""
    user = _user(request)
    referral = referrals.referral_or_404(user, referral_id)
    _may_edit(user)
    return referrals.record_referral_outcome(
        actor=user,
        referral=referral,
        received=payload.received,
        on=payload.on,
        note=payload.note,
        channel=Channel.API,
    )
