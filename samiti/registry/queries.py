"""Reads shared by pages, the API and exports; every read of member data is scoped here."""

import dataclasses
import datetime
import re

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from samiti.core.bengali import to_latin_digits
from samiti.registry.models import WG_FIELDS, Area, ByLaws, Meeting, Member, Organisation, User


def _member_scope(user: User) -> Q | None:
    """Return the filter bounding what `user` may see, or None for the whole programme."""
    if user.sees_whole_programme:
        return None
    org = user.organisation
    if org is not None:
        if org.kind == Organisation.Kind.FEDERATION:
            return Q(association__parent_id=org.pk)
        if org.kind == Organisation.Kind.ASSOCIATION:
            return Q(association_id=org.pk)
        return Q(group_id=org.pk)
    if user.area is not None:
        if user.area.level == Area.Level.DISTRICT:
            return Q(district_id=user.area_id)
        return Q(area__path__startswith=user.area.path)
    return Q(pk__in=[])


def _organisation_scope(user: User) -> Q | None:
    if user.sees_whole_programme:
        return None
    org = user.organisation
    if org is not None:
        if org.kind == Organisation.Kind.FEDERATION:
            return Q(pk=org.pk) | Q(parent_id=org.pk) | Q(parent__parent_id=org.pk)
        if org.kind == Organisation.Kind.ASSOCIATION:
            return Q(pk=org.pk) | Q(parent_id=org.pk)
        return Q(pk=org.pk)
    if user.area is not None:
        return Q(area__path__startswith=user.area.path)
    return Q(pk__in=[])


def members_for(user: User) -> QuerySet[Member]:
    """Every member `user` may see: the one way pages, API and exports read members."""
    scope = _member_scope(user)
    members = Member.objects.all()
    return members if scope is None else members.filter(scope)


def organisations_for(user: User) -> QuerySet[Organisation]:
    scope = _organisation_scope(user)
    organisations = Organisation.objects.all()
    return organisations if scope is None else organisations.filter(scope)


def may_change(user: User | None, organisation: Organisation) -> bool:
    """Whether `user` may change records of `organisation` (None is the system itself)."""
    if user is None:
        return True
    return user.can_edit and organisations_for(user).filter(pk=organisation.pk).exists()


def member_or_404(user: User, pk: int) -> Member:
    member = (
        members_for(user)
        .select_related("group", "association", "area", "district", "household")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


def organisation_or_404(user: User, pk: int) -> Organisation:
    organisation = organisations_for(user).select_related("parent", "area").filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def members_of(user: User, organisation: Organisation) -> QuerySet[Member]:
    """The active members of a group, an association or a federation, within `user`'s scope."""
    return members_for(user).filter(_membership(organisation), is_active=True)


def active_members(organisation: Organisation) -> QuerySet[Member]:
    """Every active member of a group, an association or a federation (unscoped: for counts and
    eligibility, such as who may vote in a poll of the organisation)."""
    return Member.objects.filter(_membership(organisation), is_active=True)


def _membership(organisation: Organisation) -> Q:
    if organisation.kind == Organisation.Kind.GROUP:
        return Q(group=organisation)
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return Q(association=organisation)
    return Q(association__parent=organisation)


def belongs_to(member: Member, organisation: Organisation) -> bool:
    """Whether `member` is a member of `organisation` (directly, or through its group or association)."""
    if organisation.kind == Organisation.Kind.GROUP:
        return member.group_id == organisation.pk
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return member.association_id == organisation.pk
    return member.association.parent_id == organisation.pk


def by_laws(organisation: Organisation) -> ByLaws:
    """The organisation's by-laws, or the defaults (unsaved) when it has set none."""
    found = ByLaws.objects.filter(organisation=organisation).first()
    return found or ByLaws(organisation=organisation)


def meetings_for(user: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(organisation__in=organisations_for(user))


def meeting_or_404(user: User, pk: int) -> Meeting:
    meeting = meetings_for(user).select_related("organisation", "authority").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def groups_for(user: User) -> QuerySet[Organisation]:
    return organisations_for(user).filter(kind=Organisation.Kind.GROUP, status__in=["active", "forming"])


AGE_BANDS = {"under18": (0, 17), "18-35": (18, 35), "36-59": (36, 59), "60plus": (60, 200)}


def search_members(user: User, filters: dict, today: datetime.date | None = None) -> QuerySet[Member]:
    """Members in `user`'s scope matching the filters of the member list (see MemberFilterForm).

    The list page, its exports and the API all filter through here.
    """
    today = today or timezone.localdate()
    members = members_for(user)
    status = filters.get("status") or "active"
    if status == "active":
        members = members.filter(is_active=True)
    elif status == "left":
        members = members.filter(is_active=False, merged_into__isnull=True)
    text = (filters.get("q") or "").strip()
    if text:
        latin = to_latin_digits(text)
        digits = re.sub(r"[\s+-]", "", latin)
        match = Q(name_en__icontains=text) | Q(name_bn__icontains=text) | Q(code__iexact=latin)
        if digits.isdigit() and len(digits) >= 4:
            match |= Q(phone__endswith=digits.lstrip("0")) | Q(national_id__startswith=digits)
        members = members.filter(match)
    organisation = filters.get("organisation")
    if organisation:
        members = members.filter(
            Q(group_id=organisation.pk)
            | Q(association_id=organisation.pk)
            | Q(association__parent_id=organisation.pk)
        )
    area = filters.get("area")
    if area:
        if area.level == Area.Level.DISTRICT:
            members = members.filter(district_id=area.pk)
        else:
            members = members.filter(area__path__startswith=area.path)
    if filters.get("sex"):
        members = members.filter(sex=filters["sex"])
    band = AGE_BANDS.get(filters.get("age_band") or "")
    if band:
        youngest, oldest = band
        members = members.filter(birth_year__gte=today.year - oldest, birth_year__lte=today.year - youngest)
    ethnicity = filters.get("ethnicity")
    if ethnicity == "minority":
        members = members.filter(is_ethnic_minority=True)
    elif ethnicity:
        members = members.filter(ethnicity=ethnicity)
    disability = filters.get("disability")
    if disability == "yes":
        members = members.filter(has_disability=True)
    elif disability == "no":
        answered = Q()
        for field in WG_FIELDS:
            answered |= Q(**{f"{field}__isnull": False})
        members = members.filter(answered, has_disability=False)
    elif disability == "not_asked":
        members = members.filter(**{f"{f}__isnull": True for f in WG_FIELDS})
    if filters.get("farmer_category"):
        members = members.filter(farmer_category=filters["farmer_category"])
    return members


@dataclasses.dataclass(frozen=True)
class NumberLine:
    """One pasted line of member numbers: its line number, the number read, and whom it names."""

    line: int
    code: str
    member: Member | None  # None: nobody in the user's scope has this number


def members_by_number(user: User | None, text: str) -> list[NumberLine]:
    """Each non-blank line of pasted member numbers, with the member it names in `user`'s scope.

    Bengali digits count as Latin ones, case does not matter, and a name may follow the number
    ("G12-0034 Rina Begum"). A member outside the scope reads as unknown, so a page never tells
    a leader who exists elsewhere. `user=None` (a command or the demo) sees every member.
    """
    lines = []
    for n, raw in enumerate(text.splitlines(), start=1):
        words = to_latin_digits(raw).split()
        if words:
            lines.append((n, words[0].strip(",;.")))
    visible = members_for(user) if user is not None else Member.objects.all()
    codes = {code for _n, code in lines} | {code.upper() for _n, code in lines}
    by_code = {m.code.upper(): m for m in visible.filter(code__in=codes).select_related("association")}
    return [NumberLine(n, code, by_code.get(code.upper())) for n, code in lines]
