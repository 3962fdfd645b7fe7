"""The registry's JSON API: areas, organisations and members, scoped like the pages.

Reads go through `queries` (so a record outside the account's scope answers 404), writes go
through `services` with channel "api" (so they are checked and audited like any other write).
"""

import datetime
from copy import copy
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import SerializationInfo, SerializerFunctionWrapHandler, create_model, field_validator
from pydantic import model_serializer as pydantic_model_serializer

from samiti.core.models import Channel
from samiti.registry import queries, services
from samiti.registry.models import (
    WG_FIELDS,
    Area,
    ConsentMethod,
    Crop,
    Ethnicity,
    FarmerCategory,
    MaritalStatus,
    Member,
    Occupation,
    Organisation,
    Sex,
    User,
    mask_national_id,
)
from samiti.registry.services import RegistryError

router = Router()
areas = Router(tags=["areas"])
organisations = Router(tags=["organisations"])
members = Router(tags=["members"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

# Only roles that see sensitive data read or write these (DESIGN rule 7).
SENSITIVE_OUTPUT = [
    "ethnicity",
    "is_ethnic_minority",
    "has_disability",
    "marital_status",
    "pregnant",
    *WG_FIELDS,
]
SENSITIVE_INPUT = ["national_id", "ethnicity", "marital_status", "pregnant", *WG_FIELDS]
SENSITIVE_NOTE = "Only for roles that see sensitive data (facilitator, programme admin)."

SexCode = Literal[tuple(Sex.values)]
EthnicityCode = Literal[("", *Ethnicity.values)]
MaritalStatusCode = Literal[("", *MaritalStatus.values)]
OccupationCode = Literal[("", *Occupation.values)]
CropCode = Literal[tuple(Crop.values)]
ConsentCode = Literal[("", *ConsentMethod.values)]
WGCode = Literal[1, 2, 3, 4]
KindCode = Literal[tuple(Organisation.Kind.values)]
OrganisationStatusCode = Literal[tuple(Organisation.Status.values)]
LevelCode = Literal[tuple(Area.Level.values)]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _sees_sensitive(info: SerializationInfo) -> bool:
    """Read the account from ninja's serialization context; without one, hide."""
    request = (info.context or {}).get("request")
    user = getattr(request, "auth", None)
    return bool(user is not None and user.sees_sensitive)


def _may_edit(user: User) -> None:
    if not user.can_edit:
        raise RegistryError(_("Your role may read records but not change them."), code="forbidden")


def _invalid(field: str, message: str) -> ValidationError:
    """A 422 naming the field, shaped like ninja's own payload errors."""
    return ValidationError([{"loc": ("body", "payload", field), "msg": message, "type": "value_error"}])


class Blank(Schema):
    """Filters copied from a page's URL carry empty values (`?sex=&area=`): treat them as absent."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        return None if value == "" else value


def _optional(schema: type[Schema], name: str, leave_out: tuple[str, ...] = ()) -> type[Schema]:
    """The PATCH twin of a schema: every field optional, with the same constraints."""
    fields: dict[str, Any] = {}
    for field_name, info in schema.model_fields.items():
        if field_name in leave_out:
            continue
        patched = copy(info)
        patched.default, patched.default_factory = None, None
        fields[field_name] = (info.annotation | None, patched)
    return create_model(name, __base__=Schema, **fields)


# ----- areas -------------------------------------------------------------------------------------


class AreaOut(Schema):
    id: int
    code: str
    level: str
    name_en: str
    name_bn: str
    parent: str | None = Field(description="Code of the area this one lies in.")
    geocode: str
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_parent(area: Area) -> str | None:
        return area.parent.code if area.parent_id else None


class AreaFilters(Blank):
    level: LevelCode | None = None
    parent: str | None = Field(None, description="Code of the parent area.")


@areas.get("/areas", response=list[AreaOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_areas(request: HttpRequest, filters: Query[AreaFilters]) -> QuerySet[Area]:
    """Areas of the administrative tree (reference data, the same for every account)."""
    found = Area.objects.select_related("parent").order_by("name_en", "id")
    if filters.level:
        found = found.filter(level=filters.level)
    if filters.parent:
        found = found.filter(parent__code=filters.parent)
    return found


@areas.get("/areas/{code}", response=AreaOut)
def read_area(request: HttpRequest, code: str) -> Area:
    area = Area.objects.select_related("parent").filter(code=code).first()
    if area is None:
        raise Http404
    return area


def _area(code: str | None) -> Area | None:
    if code is None:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise _invalid("area", _("Unknown area code “%(code)s”.") % {"code": code})
    return area


# ----- organisations -----------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    kind: str
    code: str
    name_en: str
    name_bn: str
    parent: int | None = Field(description="Id of the organisation this one belongs to.")
    area: str = Field(description="Code of the organisation's area.")
    registration_number: str
    registered_on: datetime.date | None
    status: str

    @staticmethod
    def resolve_parent(organisation: Organisation) -> int | None:
        return organisation.parent_id

    @staticmethod
    def resolve_area(organisation: Organisation) -> str:
        return organisation.area.code


class OrganisationFilters(Blank):
    kind: KindCode | None = None
    parent: int | None = Field(None, description="Id of the parent organisation.")


class OrganisationIn(Schema):
    kind: KindCode
    code: str = Field(max_length=30)
    name_en: str = Field("", max_length=150)
    name_bn: str = Field("", max_length=150)
    parent: int | None = Field(None, description="Id of the organisation this one belongs to.")
    area: str = Field(description="Code of the organisation's area.")
    registration_number: str = Field("", max_length=50)
    registered_on: datetime.date | None = None
    status: OrganisationStatusCode = Organisation.Status.ACTIVE.value


# The kind of an organisation never changes (services refuse it), so PATCH does not offer it.
OrganisationPatch = _optional(OrganisationIn, "OrganisationPatch", leave_out=("kind",))


@organisations.get("/organisations", response=list[OrganisationOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]) -> QuerySet[Organisation]:
    """Federations, associations and groups in the account's scope."""
    found = queries.organisations_for(_user(request)).select_related("area").order_by("name_en", "id")
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.parent is not None:
        found = found.filter(parent_id=filters.parent)
    return found


@organisations.get("/organisations/{organisation_id}", response=OrganisationOut)
def read_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    return queries.organisation_or_404(_user(request), organisation_id)


@organisations.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Organisation:
    user = _user(request)
    _may_edit(user)
    fields = _organisation_fields(user, payload.model_dump())
    organisation = services.create_organisation(actor=user, channel=Channel.API, **fields)
    return queries.organisation_or_404(user, organisation.pk)


@organisations.patch("/organisations/{organisation_id}", response=OrganisationOut)
def update_organisation(
    request: HttpRequest,
    organisation_id: int,
    payload: OrganisationPatch,  # type: ignore[valid-type]
) -> Organisation:
    user = _user(request)
    organisation = queries.organisation_or_404(user, organisation_id)
    _may_edit(user)
    changes = _organisation_fields(user, payload.model_dump(exclude_unset=True))
    services.update_organisation(actor=user, organisation=organisation, channel=Channel.API, **changes)
    return queries.organisation_or_404(user, organisation.pk)


def _organisation_fields(user: User, data: dict[str, Any]) -> dict[str, Any]:
    for key in ("code", "name_en", "name_bn", "registration_number"):
        if key in data and data[key] is None:
            data[key] = ""
    if "area" in data:
        if data["area"] is None:
            raise _invalid("area", _("An organisation has an area."))
        data["area"] = _area(data["area"])
    if data.get("parent") is not None:
        parent = queries.organisations_for(user).filter(pk=data["parent"]).first()
        if parent is None:
            raise _invalid("parent", _("No organisation %(id)s in your scope.") % {"id": data["parent"]})
        data["parent"] = parent
    if "status" in data and data["status"] is None:
        raise _invalid("status", _("An organisation has a status."))
    return data


# ----- members -----------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    code: str
    name_bn: str
    name_en: str
    sex: str
    birth_date: datetime.date | None
    birth_year: int | None
    age: int | None
    phone: str
    national_id: str = Field(description="Masked to its last three digits unless your role sees it.")
    occupation: str = Field(description="Occupation code; blank if not recorded.")
    land_owned: int | None
    land_cultivated: int | None
    farmer_category: str
    main_crops: list[str]
    group: int = Field(description="Id of the member's group.")
    association: int = Field(description="Id of the group's association.")
    area: str = Field(description="Code of the member's village or area.")
    district: str = Field(description="Code of the member's district.")
    household: str | None = Field(description="Household code.")
    household_size: int | None = Field(None, description="People in the household; null if not recorded.")
    household_income_per_year: int | None = Field(
        None,
        description="The household's income per year in poisha (100 poisha = 1 taka); null if not recorded.",
    )
    household_children_under_5: int | None = Field(
        None, description="Children under 5 in the household; null if not recorded."
    )
    joined_on: datetime.date
    left_on: datetime.date | None
    leaving_reason: str
    consent_on: datetime.date | None
    consent_method: str
    is_active: bool
    merged_into: int | None = Field(description="Id of the record this one was merged into.")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    ethnicity: str | None = Field(None, description=SENSITIVE_NOTE)
    is_ethnic_minority: bool | None = Field(None, description=SENSITIVE_NOTE)
    has_disability: bool | None = Field(None, description=SENSITIVE_NOTE)
    marital_status: str | None = Field(None, description=SENSITIVE_NOTE + " Blank if not recorded.")
    pregnant: bool | None = Field(None, description=SENSITIVE_NOTE + " Null if not recorded.")
    wg_seeing: int | None = Field(None, description=SENSITIVE_NOTE)
    wg_hearing: int | None = Field(None, description=SENSITIVE_NOTE)
    wg_walking: int | None = Field(None, description=SENSITIVE_NOTE)
    wg_cognition: int | None = Field(None, description=SENSITIVE_NOTE)
    wg_selfcare: int | None = Field(None, description=SENSITIVE_NOTE)
    wg_communication: int | None = Field(None, description=SENSITIVE_NOTE)

    @staticmethod
    def resolve_age(member: Member) -> int | None:
        return member.age_on()

    @staticmethod
    def resolve_group(member: Member) -> int:
        return member.group_id

    @staticmethod
    def resolve_association(member: Member) -> int:
        return member.association_id

    @staticmethod
    def resolve_area(member: Member) -> str:
        return member.area.code

    @staticmethod
    def resolve_district(member: Member) -> str:
        return member.district.code

    @staticmethod
    def resolve_household(member: Member) -> str | None:
        return member.household.code if member.household_id else None

    @staticmethod
    def resolve_household_size(member: Member) -> int | None:
        return member.household.size if member.household_id else None

    @staticmethod
    def resolve_household_income_per_year(member: Member) -> int | None:
        return member.household.income_per_year if member.household_id else None

    @staticmethod
    def resolve_household_children_under_5(member: Member) -> int | None:
        return member.household.children_under_5 if member.household_id else None

    @staticmethod
    def resolve_merged_into(member: Member) -> int | None:
        return member.merged_into_id

    @pydantic_model_serializer(mode="wrap")
    def _protect(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        """Every member leaves the API through here: the sensitive fields stay for those who may see them."""
        data = handler(self)
        if not _sees_sensitive(info):
            for field in SENSITIVE_OUTPUT:
                data.pop(field, None)
            data["national_id"] = mask_national_id(self.national_id)
        return data


class MemberFilters(Blank):
    """The filters of the member list page (MemberFilterForm), by the same names."""

    q: str | None = Field(None, description="Name, phone, national ID or member number.")
    organisation: int | None = Field(None, description="Id of a group, association or federation.")
    area: str | None = Field(None, description="Code of an area: members living within it.")
    sex: SexCode | None = None
    age_band: Literal[tuple(queries.AGE_BANDS)] | None = None
    ethnicity: Literal[("minority", *Ethnicity.values)] | None = Field(None, description=SENSITIVE_NOTE)
    disability: Literal["yes", "no", "not_asked"] | None = Field(None, description=SENSITIVE_NOTE)
    farmer_category: Literal[tuple(FarmerCategory.values)] | None = None
    status: Literal["active", "left", "all"] | None = Field(None, description="Current members unless given.")


class MemberIn(Schema):
    code: str = Field("", max_length=30, description="Leave blank to number the member within the group.")
    name_bn: str = Field("", max_length=150)
    name_en: str = Field("", max_length=150)
    sex: SexCode
    birth_date: datetime.date | None = None
    birth_year: int | None = None
    phone: str = Field("", max_length=30)
    national_id: str = Field("", max_length=30, description=SENSITIVE_NOTE)
    ethnicity: EthnicityCode = Field("", description=SENSITIVE_NOTE)
    marital_status: MaritalStatusCode = Field("", description=SENSITIVE_NOTE)
    occupation: OccupationCode = ""
    pregnant: bool | None = Field(
        None, description=SENSITIVE_NOTE + " Refused for a member recorded as male."
    )
    wg_seeing: WGCode | None = Field(None, description=SENSITIVE_NOTE)
    wg_hearing: WGCode | None = Field(None, description=SENSITIVE_NOTE)
    wg_walking: WGCode | None = Field(None, description=SENSITIVE_NOTE)
    wg_cognition: WGCode | None = Field(None, description=SENSITIVE_NOTE)
    wg_selfcare: WGCode | None = Field(None, description=SENSITIVE_NOTE)
    wg_communication: WGCode | None = Field(None, description=SENSITIVE_NOTE)
    land_owned: int | None = Field(None, ge=0)
    land_cultivated: int | None = Field(None, ge=0)
    main_crops: list[CropCode] = Field(default_factory=list)
    group: int = Field(description="Id of the member's group.")
    area: str | None = Field(None, description="Code of the village or area; the group's area if left out.")
    joined_on: datetime.date = Field(default_factory=datetime.date.today)
    left_on: datetime.date | None = None
    leaving_reason: str = Field("", max_length=200)
    consent_on: datetime.date | None = None
    consent_method: ConsentCode = ""


MemberPatch = _optional(MemberIn, "MemberPatch")


@members.get("/members", response=list[MemberOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> QuerySet[Member]:
    """Members in the account's scope, filtered like the member list page."""
    user = _user(request)
    given = filters.model_dump(exclude_none=True)
    if not user.sees_sensitive:
        for name in ("ethnicity", "disability"):
            if name in given:
                raise RegistryError(
                    _("Your role may not filter members by this."), code="forbidden", field=name
                )
    if "organisation" in given:
        given["organisation"] = queries.organisations_for(user).filter(pk=given["organisation"]).first()
        if given["organisation"] is None:
            raise ValidationError(
                [{"loc": ("query", "organisation"), "msg": _("No such organisation in your scope.")}]
            )
    if "area" in given:
        given["area"] = Area.objects.filter(code=given["area"]).first()
        if given["area"] is None:
            raise ValidationError([{"loc": ("query", "area"), "msg": _("Unknown area code.")}])
    found = queries.search_members(user, given)
    return found.select_related("area", "district", "household").order_by("name_en", "id")


@members.get("/members/{member_id}", response=MemberOut)
def read_member(request: HttpRequest, member_id: int) -> Member:
    return queries.member_or_404(_user(request), member_id)


@members.post("/members", response={201: MemberOut})
def create_member(request: HttpRequest, payload: MemberIn) -> Member:
    """Register a member; the same rules as the registration page apply."""
    user = _user(request)
    _may_edit(user)
    fields = _member_fields(user, payload.model_dump(exclude_unset=True))
    member = services.register_member(actor=user, channel=Channel.API, **fields)
    return queries.member_or_404(user, member.pk)


@members.patch("/members/{member_id}", response=MemberOut)
def update_member(request: HttpRequest, member_id: int, payload: MemberPatch) -> Member:  # type: ignore[valid-type]
    """Change the fields sent; the others stay as they are."""
    user = _user(request)
    member = queries.member_or_404(user, member_id)
    _may_edit(user)
    changes = _member_fields(user, payload.model_dump(exclude_unset=True), current=member)
    services.update_member(actor=user, member=member, channel=Channel.API, **changes)
    return queries.member_or_404(user, member.pk)


def _member_fields(user: User, data: dict[str, Any], current: Member | None = None) -> dict[str, Any]:
    """Turn a member payload into service arguments: ids and codes become the records they name."""
    if not user.sees_sensitive:
        for field in SENSITIVE_INPUT:
            if field in data:
                raise RegistryError(
                    _(
                        "Your role does not record national IDs, ethnicity, disability, "
                        "marital status or pregnancy."
                    ),
                    code="forbidden",
                    field=field,
                )
    for key in (
        "code",
        "name_bn",
        "name_en",
        "phone",
        "national_id",
        "ethnicity",
        "marital_status",
        "occupation",
        "leaving_reason",
    ):
        if key in data and data[key] is None:
            data[key] = ""
    if "consent_method" in data and data["consent_method"] is None:
        data["consent_method"] = ""
    if "main_crops" in data and data["main_crops"] is None:
        data["main_crops"] = []
    if "joined_on" in data and data["joined_on"] is None:
        raise _invalid("joined_on", _("A member has a date of joining."))
    if "group" in data:
        data["group"] = _group(user, data["group"], current)
    if "area" in data:
        data["area"] = _area(data["area"])
    return data


def _group(user: User, pk: int | None, current: Member | None) -> Organisation:
    if pk is None:
        raise _invalid("group", _("A member belongs to a group."))
    if current is not None and current.group_id == pk:
        return current.group
    group = queries.groups_for(user).filter(pk=pk).first()
    if group is None:
        raise _invalid("group", _("No active group %(id)s in your scope.") % {"id": pk})
    return group


router.add_router("/", areas)
router.add_router("/", organisations)
router.add_router("/", members)
