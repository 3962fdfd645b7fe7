"""The catalogue in the API: the schemes with when to apply and how many in scope may qualify, one
scheme with its rule in force, versions and windows, and the rule check behind the rule editor."""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from samiti.access.errors import AccessError
from samiti.access.models import Scheme
from samiti.access.rules.syntax import RuleError
from samiti.access.services import catalogue as services
from samiti.access.services.catalogue import SchemeLine
from samiti.access.services.rules import count_matches, rule_on
from samiti.registry import queries
from samiti.registry.models import User

router = Router(tags=["access: catalogue"])


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


class WindowOut(Schema):
    opens_on: datetime.date
    closes_on: datetime.date
    note: str


class SchemeOut(Schema):
    code: str
    kind: str
    name_en: str
    name_bn: str
    agency_en: str
    agency_bn: str
    office: str
    benefit: str
    benefit_en: str
    benefit_bn: str
    value_per_year: int  # poisha
    documents: list[str]
    open_today: bool
    next_window: WindowOut | None
    eligible: int | None  # likely eligible in the caller's scope; null when fewer than 5 are hidden
    is_active: bool


class VersionOut(Schema):
    text: str
    valid_from: datetime.date
    note: str
    created_by: str | None


class SchemeDetailOut(SchemeOut):
    how_to_apply_en: str
    how_to_apply_bn: str
    source: str
    as_of: datetime.date | None
    rule: VersionOut | None  # in force today
    versions: list[VersionOut]
    windows: list[WindowOut]  # open today or coming


class RuleCheckIn(Schema):
    text: str
    on: datetime.date | None = None


class RuleCountsOut(Schema):
    eligible: int
    not_eligible: int
    cannot_tell: int
    total: int


class RuleErrorOut(Schema):
    code: str
    field: str
    message: str
    position: int
    reason: str


def _scheme_out(line: SchemeLine) -> dict:
    scheme = line.scheme
    fields = {name: getattr(scheme, name) for name in SchemeOut.model_fields if hasattr(scheme, name)}
    return fields | {
        "open_today": line.open_today,
        "next_window": line.open_now or line.next_window,
        "eligible": line.eligible,
    }


def _version_out(version) -> dict:
    author = version.created_by
    return {
        "text": version.text,
        "valid_from": version.valid_from,
        "note": version.note,
        "created_by": author.username if author else None,
    }


@router.get("/schemes", response=list[SchemeOut])
def list_schemes(request: HttpRequest):
    """The active schemes, with whether they take applications today and who in scope may qualify."""
    return [_scheme_out(line) for line in services.catalogue_for(_user(request), timezone.localdate())]


@router.get("/schemes/{code}", response=SchemeDetailOut)
def get_scheme(request: HttpRequest, code: str):
    scheme = services.scheme_or_404(code)
    today = timezone.localdate()
    (line,) = services.catalogue_for(_user(request), today, Scheme.objects.filter(pk=scheme.pk))
    version = rule_on(scheme, today)
    return _scheme_out(line) | {
        "how_to_apply_en": scheme.how_to_apply_en,
        "how_to_apply_bn": scheme.how_to_apply_bn,
        "source": scheme.source,
        "as_of": scheme.as_of,
        "rule": _version_out(version) if version else None,
        "versions": [
            _version_out(v) for v in scheme.rules.select_related("created_by").order_by("-valid_from")
        ],
        "windows": list(scheme.windows.filter(closes_on__gte=today)),
    }


@router.post("/rules/check", response={200: RuleCountsOut, 400: RuleErrorOut})
def check_rule(request: HttpRequest, payload: RuleCheckIn):
    """How many members in scope a rule finds likely eligible, not eligible or cannot tell about.

    A rule that does not parse answers 400 with the 1-based position and the reason. For
    programme admins, who edit the rules.
    """
    user = _user(request)
    if not user.sees_whole_programme:
        raise AccessError(_("Only a programme admin may check and change rules."), code="forbidden")
    members = queries.members_for(user).filter(left_on__isnull=True)
    try:
        return Status(200, count_matches(members, payload.text, payload.on or timezone.localdate()))
    except RuleError as error:
        body = {"code": error.code, "field": "text", "message": str(error)}
        return Status(400, body | {"position": error.position, "reason": str(error.reason)})
