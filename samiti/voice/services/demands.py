"""Demands: raising, endorsing, moving up through group, association and federation, merging.

A demand is one row for its whole life: when it moves up, the same row changes holder, so it is
counted once wherever it is reported. Every write is audited and leaves a DemandEvent.
"""

import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Area, Authority, Meeting, Member, Organisation, User
from samiti.registry.queries import active_members, belongs_to, by_laws, members_for, organisations_for
from samiti.voice.errors import VoiceError
from samiti.voice.models.demands import Demand, DemandCategory, DemandEvent, Endorsement, Evidence

DEMAND_FIELDS = [
    "title",
    "description",
    "category",
    "status",
    "organisation",
    "raised_by_organisation",
    "association",
    "area",
    "households_affected",
    "authority",
    "raised_by",
    "merged_into",
]

# Steps with a service of their own here; other topics add the rest through record_demand_event.
WORKFLOW_STEPS = {
    DemandEvent.Kind.RAISED,
    DemandEvent.Kind.ADOPTED,
    DemandEvent.Kind.TAKEN_UP,
    DemandEvent.Kind.MERGED,
    DemandEvent.Kind.WITHDRAWN,
}
# Steps of a charter and the authority's response: each moves the demand to the status of its name.
STATUS_STEPS = {
    DemandEvent.Kind.IN_CHARTER: Demand.Status.IN_CHARTER,
    DemandEvent.Kind.SUBMITTED: Demand.Status.SUBMITTED,
    DemandEvent.Kind.COMMITTED: Demand.Status.COMMITTED,
    DemandEvent.Kind.REJECTED: Demand.Status.REJECTED,
    DemandEvent.Kind.REFERRED: Demand.Status.REFERRED,
    DemandEvent.Kind.FULFILLED: Demand.Status.FULFILLED,
    DemandEvent.Kind.PARTLY_FULFILLED: Demand.Status.PARTLY_FULFILLED,
    DemandEvent.Kind.BROKEN: Demand.Status.BROKEN,
}
# A merged or withdrawn demand lives on only as history.
ENDED = (Demand.Status.MERGED, Demand.Status.WITHDRAWN)
# Members may endorse a demand until the authority has answered it.
ENDORSABLE = (
    *Demand.OPEN_STATUSES,
    Demand.Status.IN_CHARTER,
    Demand.Status.SUBMITTED,
    Demand.Status.COMMITTED,
)

# Notes of steps the system words are kept plain (a number, a marker, titles): the page words them
# in the reader's language.
THRESHOLD_NOTE = "threshold"

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
_SIGNATURES = [
    (b"\xff\xd8\xff", Evidence.Kind.JPEG),
    (b"\x89PNG\r\n\x1a\n", Evidence.Kind.PNG),
    (b"%PDF-", Evidence.Kind.PDF),
]


# ----- reads ---------------------------------------------------------------------------------------


def _demand_scope(user: User) -> Q | None:
    """The demands `user` may see: those held or raised in their organisations, and for a group,
    those its association and federation hold (its members may endorse them)."""
    if user.sees_whole_programme:
        return None
    org = user.organisation
    if org is not None:
        if org.kind == Organisation.Kind.FEDERATION:
            return Q(organisation_id=org.pk) | Q(association__parent_id=org.pk)
        if org.kind == Organisation.Kind.ASSOCIATION:
            return Q(association_id=org.pk) | Q(organisation_id=org.pk) | Q(organisation_id=org.parent_id)
        above = [pk for pk in (org.parent_id, org.parent.parent_id if org.parent else None) if pk]
        return Q(raised_by_organisation_id=org.pk) | Q(organisation_id=org.pk) | Q(organisation_id__in=above)
    if user.area is not None:
        path = user.area.path
        return Q(raised_by_organisation__area__path__startswith=path) | Q(
            organisation__area__path__startswith=path
        )
    return Q(pk__in=[])


def demands_for(user: User) -> QuerySet[Demand]:
    """Every demand `user` may see: the one way pages and the API read demands."""
    scope = _demand_scope(user)
    demands = Demand.objects.all()
    return demands if scope is None else demands.filter(scope)


def demand_or_404(user: User, pk: int) -> Demand:
    demand = (
        demands_for(user)
        .select_related(
            "organisation__parent",
            "raised_by_organisation",
            "association",
            "area",
            "authority",
            "raised_by",
            "merged_into",
        )
        .filter(pk=pk)
        .first()
    )
    if demand is None:
        raise Http404
    return demand


def endorsement_breakdown(demands: QuerySet[Demand] | Sequence[Demand]) -> dict[str, int]:
    """Count the members who endorsed any of `demands`, each once, by sex, ethnicity and disability."""
    endorsements = Endorsement.objects.all()
    if isinstance(demands, QuerySet):
        endorsements = endorsements.filter(demand__in=demands.values("pk"))
    else:
        endorsements = endorsements.filter(demand_id__in=[d.pk for d in demands])

    def distinct(condition: Q | None = None) -> Count:
        return Count("member", distinct=True, filter=condition)

    return endorsements.aggregate(
        total=distinct(),
        women=distinct(Q(member__sex="F")),
        men=distinct(Q(member__sex="M")),
        third_gender=distinct(Q(member__sex="T")),
        ethnic_minority=distinct(Q(member__is_ethnic_minority=True)),
        disability=distinct(Q(member__has_disability=True)),
    )


def association_threshold(association: Organisation) -> int | None:
    """How many endorsements make the association take a group's demand up (None: no threshold).

    By-laws set a count, a share of active members, or both: whichever is reached first.
    """
    rules = by_laws(association)
    needed = []
    if rules.demand_endorsements:
        needed.append(rules.demand_endorsements)
    if rules.demand_percent:
        members = active_members(association).count()
        needed.append(max(1, math.ceil(members * rules.demand_percent / 100)))
    return min(needed) if needed else None


def threshold_reached(demand: Demand) -> bool:
    """Whether a demand a group holds has enough endorsements for its association to take it up."""
    if demand.organisation.kind != Organisation.Kind.GROUP or demand.status not in Demand.OPEN_STATUSES:
        return False
    needed = association_threshold(demand.organisation.parent)
    return needed is not None and demand.endorsements.count() >= needed


# ----- checks --------------------------------------------------------------------------------------


def _check_scope(actor: User | None, organisation: Organisation) -> None:
    """Refuse a write on an organisation outside the actor's scope (actor None: the system)."""
    if actor is None:
        return
    if not actor.can_edit or not organisations_for(actor).filter(pk=organisation.pk).exists():
        raise VoiceError(_("You may not change demands of this organisation."), code="forbidden")


def _check_sees(actor: User | None, demand: Demand) -> None:
    if actor is None:
        return
    if not actor.can_edit or not demands_for(actor).filter(pk=demand.pk).exists():
        raise VoiceError(_("You may not change this demand."), code="forbidden")


def _check_open(demand: Demand, field: str = "demand") -> None:
    if demand.status not in Demand.OPEN_STATUSES:
        raise VoiceError(
            _("“%(title)s” is %(status)s: it can no longer move.")
            % {"title": demand.title, "status": demand.get_status_display()},
            code="closed",
            field=field,
        )


def _association_of(organisation: Organisation) -> int | None:
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.parent_id
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return organisation.pk
    return None


def _event(
    demand: Demand,
    kind: str,
    *,
    actor: User | None,
    organisation: Organisation | None = None,
    note: str = "",
    meeting: Meeting | None = None,
) -> DemandEvent:
    return DemandEvent.objects.create(
        demand=demand,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        organisation=organisation or demand.organisation,
        meeting=meeting,
        note=str(note)[:500],
    )


def _save_changes(
    demand: Demand, before: dict[str, Any], *, actor: User | None, channel: str, note: str = ""
) -> None:
    demand.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=demand,
        changes=audit.diff(before, audit.snapshot(demand, DEMAND_FIELDS)),
        channel=channel,
        association_id=demand.association_id,
        note=str(note)[:300],
    )


# ----- raising -------------------------------------------------------------------------------------


@transaction.atomic
def raise_demand(
    *,
    actor: User | None,
    organisation: Organisation,
    title: str,
    category: str,
    description: str = "",
    area: Area | None = None,
    households_affected: int | None = None,
    authority: Authority | None = None,
    raised_by: Member | None = None,
    channel: str = Channel.WEB,
) -> Demand:
    """Raise a demand in a group or an association (or a federation), for members to endorse."""
    _check_scope(actor, organisation)
    title = (title or "").strip()
    if not title:
        raise VoiceError(_("Give the demand a title."), code="invalid", field="title")
    if len(title) > 200:
        raise VoiceError(_("Keep the title to 200 characters."), code="invalid", field="title")
    if category not in DemandCategory.values:
        raise VoiceError(_("Choose a category."), code="invalid", field="category")
    if households_affected is not None and households_affected < 1:
        raise VoiceError(
            _("Households affected is a count of at least 1, or left empty."),
            code="invalid",
            field="households_affected",
        )
    if raised_by is not None and not (raised_by.is_active and belongs_to(raised_by, organisation)):
        raise VoiceError(
            _("%(member)s is not an active member of %(organisation)s.")
            % {"member": raised_by, "organisation": organisation},
            code="invalid",
            field="raised_by",
        )
    if organisation.status == Organisation.Status.DISSOLVED:
        raise VoiceError(_("This organisation is dissolved."), code="invalid", field="organisation")
    demand = Demand.objects.create(
        title=title,
        description=(description or "").strip(),
        category=category,
        organisation=organisation,
        raised_by_organisation=organisation,
        association_id=_association_of(organisation),
        area=area or organisation.area,
        households_affected=households_affected,
        authority=authority,
        raised_by=raised_by,
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=demand,
        changes=audit.created(demand, DEMAND_FIELDS),
        channel=channel,
        association_id=demand.association_id,
    )
    _event(demand, DemandEvent.Kind.RAISED, actor=actor, note=str(raised_by or ""))
    return demand


# ----- endorsing -----------------------------------------------------------------------------------


def _check_endorsers(actor: User | None, demand: Demand, members: list[Member]) -> None:
    if demand.status not in ENDORSABLE:
        raise VoiceError(
            _("“%(title)s” is %(status)s: it takes no more endorsements.")
            % {"title": demand.title, "status": demand.get_status_display()},
            code="closed",
            field="demand",
        )
    holder = demand.organisation
    outsiders = [m.code for m in members if not (m.is_active and belongs_to(m, holder))]
    if outsiders:
        raise VoiceError(
            _("Not active members of %(organisation)s: %(codes)s.")
            % {"organisation": holder, "codes": ", ".join(outsiders[:20])},
            code="invalid",
            field="members",
        )
    if actor is not None:
        seen = set(members_for(actor).filter(pk__in=[m.pk for m in members]).values_list("pk", flat=True))
        hidden = [m.code for m in members if m.pk not in seen]
        if hidden:
            raise VoiceError(
                _("You may not record endorsements for %(codes)s.") % {"codes": ", ".join(hidden[:20])},
                code="forbidden",
                field="members",
            )


def _take_up_if_reached(demand: Demand, *, actor: User | None, channel: str) -> None:
    if threshold_reached(demand):
        _move_to_association(demand, actor=actor, channel=channel, note=THRESHOLD_NOTE)


@transaction.atomic
def endorse_demand(*, actor: User | None, demand: Demand, member: Member, channel: str) -> Endorsement:
    """Record one member's endorsement (by a leader on the web, or the member by SMS)."""
    demand = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("organisation__parent")
        .get(pk=demand.pk)
    )
    _check_sees(actor, demand)
    _check_endorsers(actor, demand, [member])
    if Endorsement.objects.filter(demand=demand, member=member).exists():
        raise VoiceError(
            _("%(member)s has already endorsed this demand.") % {"member": member},
            code="duplicate",
            field="member",
        )
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                demand=demand,
                member=member,
                association_id=member.association_id,
                channel=channel,
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise VoiceError(
            _("%(member)s has already endorsed this demand.") % {"member": member},
            code="duplicate",
            field="member",
        ) from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=endorsement,
        changes={"demand": [None, demand.pk], "member": [None, member.code]},
        channel=channel,
        association_id=member.association_id,
    )
    _take_up_if_reached(demand, actor=actor, channel=channel)
    return endorsement


@transaction.atomic
def endorse_many(*, actor: User | None, demand: Demand, members: Iterable[Member], channel: str) -> int:
    """Record the endorsements of a paper sheet or a show of hands; return how many were new.

    Members who had already endorsed, or appear twice in the list, count once.
    """
    demand = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("organisation__parent")
        .get(pk=demand.pk)
    )
    _check_sees(actor, demand)
    members = list({m.pk: m for m in members}.values())
    if not members:
        raise VoiceError(_("Choose at least one member."), code="invalid", field="members")
    _check_endorsers(actor, demand, members)
    already = set(
        Endorsement.objects.filter(demand=demand, member_id__in=[m.pk for m in members]).values_list(
            "member_id", flat=True
        )
    )
    recorded_by = actor if getattr(actor, "pk", None) else None
    new = Endorsement.objects.bulk_create(
        [
            Endorsement(
                demand=demand,
                member=m,
                association_id=m.association_id,
                channel=channel,
                recorded_by=recorded_by,
            )
            for m in members
            if m.pk not in already
        ]
    )
    if new and any(e.pk is None for e in new):
        # Backends that do not return ids from a bulk insert: read them back for the audit.
        new = list(Endorsement.objects.filter(demand=demand, member_id__in=[e.member_id for e in new]))
    audit.record_objects(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        objects=new,
        changes=[{"demand": [None, demand.pk], "member": [None, e.member.code]} for e in new],
        channel=channel,
        association_ids=[e.association_id for e in new],
    )
    if new:
        _event(
            demand,
            DemandEvent.Kind.ENDORSED,
            actor=actor,
            note=str(len(new)),
        )
        _take_up_if_reached(demand, actor=actor, channel=channel)
    return len(new)


# ----- moving up -----------------------------------------------------------------------------------


@transaction.atomic
def adopt_demand(
    *, actor: User | None, demand: Demand, meeting: Meeting, channel: str = Channel.WEB
) -> Demand:
    """Record that the group holding the demand adopted it at one of its meetings."""
    _check_scope(actor, demand.organisation)
    _check_open(demand)
    if demand.organisation.kind != Organisation.Kind.GROUP or demand.status != Demand.Status.RAISED:
        raise VoiceError(
            _("Only a demand raised in a group and not yet adopted can be adopted."),
            code="invalid",
            field="demand",
        )
    if meeting.organisation_id != demand.organisation_id:
        raise VoiceError(
            _("Choose a meeting of %(group)s.") % {"group": demand.organisation}, field="meeting"
        )
    if meeting.status != Meeting.Status.HELD:
        raise VoiceError(
            _("The meeting has not been held: record its attendance first."), code="invalid", field="meeting"
        )
    before = audit.snapshot(demand, DEMAND_FIELDS)
    demand.status = Demand.Status.ADOPTED
    _save_changes(demand, before, actor=actor, channel=channel, note=str(meeting))
    _event(demand, DemandEvent.Kind.ADOPTED, actor=actor, meeting=meeting, note=str(meeting))
    _take_up_if_reached(demand, actor=actor, channel=channel)
    return demand


def _move_to_association(demand: Demand, *, actor: User | None, channel: str, note: Any) -> None:
    before = audit.snapshot(demand, DEMAND_FIELDS)
    association = demand.organisation.parent
    demand.organisation = association
    demand.status = Demand.Status.TAKEN_UP
    _save_changes(demand, before, actor=actor, channel=channel, note=str(note))
    _event(demand, DemandEvent.Kind.TAKEN_UP, actor=actor, organisation=association, note=str(note))


@transaction.atomic
def take_up_demand(*, actor: User | None, demand: Demand, channel: str = Channel.WEB) -> Demand:
    """The association takes up a group's demand that has reached its threshold of endorsements."""
    demand = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("organisation__parent")
        .get(pk=demand.pk)
    )
    _check_open(demand)
    if demand.organisation.kind != Organisation.Kind.GROUP:
        raise VoiceError(_("Only a demand a group holds can be taken up by its association."), field="demand")
    _check_scope(actor, demand.organisation.parent)
    if not threshold_reached(demand):
        raise VoiceError(
            _("This demand has %(count)s endorsements; the association takes demands up at %(needed)s.")
            % {
                "count": demand.endorsements.count(),
                "needed": association_threshold(demand.organisation.parent),
            },
            code="threshold",
            field="demand",
        )
    _move_to_association(demand, actor=actor, channel=channel, note="")
    return demand


def _merge(keep: Demand, others: list[Demand], *, actor: User | None, channel: str) -> None:
    """Move the endorsements of `others` to `keep` (one per member) and mark them merged."""
    kept_members = Endorsement.objects.filter(demand=keep).values("member_id")
    moving = (
        Endorsement.objects.filter(demand__in=others)
        .exclude(member_id__in=kept_members)
        .values("member_id")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    before_count = Endorsement.objects.filter(demand=keep).count()
    moved = Endorsement.objects.filter(pk__in=list(moving)).update(demand=keep)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.MERGE,
        obj=keep,
        changes={
            "endorsements": [before_count, before_count + moved],
            "merged": [None, [o.pk for o in others]],
        },
        channel=channel,
        association_id=keep.association_id,
    )
    for other in others:
        before = audit.snapshot(other, DEMAND_FIELDS)
        other.status = Demand.Status.MERGED
        other.merged_into = keep
        _save_changes(other, before, actor=actor, channel=channel, note=str(keep))
        _event(other, DemandEvent.Kind.MERGED, actor=actor, organisation=keep.organisation, note=keep.title)
    _event(
        keep,
        DemandEvent.Kind.MERGED,
        actor=actor,
        note="; ".join(o.title for o in others),
    )


def _is_within(organisation: Organisation, holder: Organisation) -> bool:
    """Whether `organisation` is `holder` or lies under it."""
    node: Organisation | None = organisation
    while node is not None:
        if node.pk == holder.pk:
            return True
        node = node.parent
    return False


def _lock(demands: Iterable[Demand]) -> list[Demand]:
    """Lock the demands in id order (so two merges never deadlock) and read them afresh."""
    ids = sorted({d.pk for d in demands})
    found = {
        d.pk: d
        for d in Demand.objects.select_for_update(of=("self",))
        .select_related("organisation__parent__parent", "association")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    return [found[pk] for pk in ids]


@transaction.atomic
def merge_demands(
    *, actor: User | None, keep: Demand, others: Sequence[Demand], channel: str = Channel.WEB
) -> Demand:
    """Merge similar demands into `keep`: their endorsements move to it, each member counted once."""
    locked = {d.pk: d for d in _lock([keep, *others])}
    keep = locked[keep.pk]
    rest = [locked[o.pk] for o in others if o.pk != keep.pk]
    if not rest:
        raise VoiceError(_("Choose at least one other demand to merge."), code="invalid", field="others")
    _check_scope(actor, keep.organisation)
    _check_open(keep, "keep")
    for other in rest:
        _check_scope(actor, other.organisation)
        _check_open(other, "others")
        if not _is_within(other.organisation, keep.organisation):
            raise VoiceError(
                _("“%(title)s” is held by %(other)s, outside %(holder)s: take it up to a common level first.")
                % {"title": other.title, "other": other.organisation, "holder": keep.organisation},
                code="invalid",
                field="others",
            )
    _merge(keep, rest, actor=actor, channel=channel)
    return keep


@transaction.atomic
def take_up_at_federation(
    *,
    actor: User | None,
    federation: Organisation,
    demands: Sequence[Demand],
    keep: Demand | None = None,
    channel: str = Channel.WEB,
) -> Demand:
    """The federation takes up a demand that several of its associations share: the demands merge
    into one (`keep`, else the most endorsed) that the federation holds."""
    if federation.kind != Organisation.Kind.FEDERATION:
        raise VoiceError(_("Choose a federation."), code="invalid", field="federation")
    _check_scope(actor, federation)
    locked = _lock([*demands, *([keep] if keep else [])])
    for demand in locked:
        _check_open(demand, "demands")
        if demand.association is None or demand.association.parent_id != federation.pk:
            raise VoiceError(
                _("“%(title)s” was not raised in an association of %(federation)s.")
                % {"title": demand.title, "federation": federation},
                code="invalid",
                field="demands",
            )
    if len({d.association_id for d in locked}) < 2:
        raise VoiceError(
            _("A federation takes up demands that at least two of its associations share."),
            code="invalid",
            field="demands",
        )
    if keep is None:
        counts = dict(
            Endorsement.objects.filter(demand__in=locked)
            .values("demand")
            .annotate(n=Count("pk"))
            .values_list("demand", "n")
        )
        kept = max(locked, key=lambda d: (counts.get(d.pk, 0), -d.pk))
    else:
        kept = next(d for d in locked if d.pk == keep.pk)
    before = audit.snapshot(kept, DEMAND_FIELDS)
    kept.organisation = federation
    kept.status = Demand.Status.TAKEN_UP
    _save_changes(kept, before, actor=actor, channel=channel, note=str(federation))
    _event(kept, DemandEvent.Kind.TAKEN_UP, actor=actor, organisation=federation)
    _merge(kept, [d for d in locked if d.pk != kept.pk], actor=actor, channel=channel)
    return kept


# ----- ending, evidence and the rest of the path ---------------------------------------------------


@transaction.atomic
def withdraw_demand(
    *, actor: User | None, demand: Demand, reason: str = "", channel: str = Channel.WEB
) -> Demand:
    """Withdraw a demand its holder no longer presses; it stays in the record."""
    _check_scope(actor, demand.organisation)
    if demand.status in ENDED:
        raise VoiceError(
            _("This demand is already %(status)s.") % {"status": demand.get_status_display()},
            code="closed",
            field="demand",
        )
    before = audit.snapshot(demand, DEMAND_FIELDS)
    demand.status = Demand.Status.WITHDRAWN
    _save_changes(demand, before, actor=actor, channel=channel, note=reason)
    _event(demand, DemandEvent.Kind.WITHDRAWN, actor=actor, note=(reason or "").strip())
    return demand


@transaction.atomic
def record_demand_event(
    *,
    actor: User | None,
    demand: Demand,
    kind: str,
    note: str = "",
    organisation: Organisation | None = None,
    channel: str = Channel.WEB,
) -> DemandEvent:
    """Add a step to a demand's timeline (charters and commitments call this); a charter or
    response step also sets the demand's status."""
    if kind not in DemandEvent.Kind.values:
        raise VoiceError(_("Unknown step."), code="invalid", field="kind")
    if kind in WORKFLOW_STEPS:
        raise VoiceError(
            _("This step is recorded by raising, adopting, taking up, merging or withdrawing the demand."),
            code="invalid",
            field="kind",
        )
    if demand.status in ENDED:
        raise VoiceError(
            _("This demand is %(status)s.") % {"status": demand.get_status_display()},
            code="closed",
            field="demand",
        )
    _check_sees(actor, demand)
    status = STATUS_STEPS.get(kind)
    if status and status != demand.status:
        before = audit.snapshot(demand, DEMAND_FIELDS)
        demand.status = status
        _save_changes(demand, before, actor=actor, channel=channel, note=note)
    return _event(demand, kind, actor=actor, organisation=organisation, note=note)


def _evidence_kind(file: File) -> str | None:
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


@transaction.atomic
def add_evidence(
    *, actor: User | None, demand: Demand, file: File, caption: str = "", channel: str = Channel.WEB
) -> Evidence:
    """Attach a photo (JPEG, PNG) or a PDF document of at most 5 MB to a demand."""
    _check_sees(actor, demand)
    if demand.status in ENDED:
        raise VoiceError(
            _("This demand is %(status)s.") % {"status": demand.get_status_display()},
            code="closed",
            field="demand",
        )
    size = file.size or 0
    if size == 0:
        raise VoiceError(_("The file is empty."), code="invalid", field="file")
    if size > MAX_EVIDENCE_BYTES:
        raise VoiceError(
            _("The file is %(size)s MB; evidence may be at most 5 MB.")
            % {"size": f"{size / 1024 / 1024:.1f}"},
            code="invalid",
            field="file",
        )
    kind = _evidence_kind(file)
    if kind is None:
        raise VoiceError(
            _("Evidence must be a photo (JPEG or PNG) or a PDF document."), code="invalid", field="file"
        )
    caption = (caption or "").strip()
    if len(caption) > 200:
        raise VoiceError(_("Keep the caption to 200 characters."), code="invalid", field="caption")
    evidence = Evidence(
        demand=demand,
        kind=kind,
        size=size,
        caption=caption,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    evidence.file.save(f"evidence.{kind}", file, save=False)
    evidence.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=evidence,
        changes={
            "demand": [None, demand.pk],
            "kind": [None, kind],
            "size": [None, size],
            "caption": [None, caption],
        },
        channel=channel,
        association_id=demand.association_id,
    )
    _event(demand, DemandEvent.Kind.EVIDENCE, actor=actor, note=caption)
    return evidence


def demand_events(demand: Demand) -> QuerySet[DemandEvent]:
    """The demand's timeline, with the steps of demands merged into it."""
    return (
        DemandEvent.objects.filter(Q(demand=demand) | Q(demand__merged_into=demand))
        .select_related("organisation", "actor", "meeting", "demand")
        .order_by("at", "pk")
    )


def merge_candidates(user: User, demand: Demand) -> QuerySet[Demand]:
    """Open demands the holder of `demand` could merge into it (held by it or under it)."""
    holder = demand.organisation
    under = Q(organisation=holder) | Q(organisation__parent=holder) | Q(organisation__parent__parent=holder)
    return (
        demands_for(user)
        .filter(under, status__in=Demand.OPEN_STATUSES)
        .exclude(pk=demand.pk)
        .select_related("organisation")
    )
