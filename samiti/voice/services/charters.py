"""Charters of demands, their submission, the authority's responses and the follow-up of commitments.

Every step a demand takes here is also a step on its timeline (`record_demand_event`), so a
demand's page tells its whole path from a member's voice to what changed on the ground.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.bengali import to_bengali_digits
from samiti.core.events import announce, commitment_fulfilled
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Authority, Meeting, Official, Organisation, User
from samiti.registry.queries import meetings_for, organisations_for
from samiti.voice.errors import VoiceError
from samiti.voice.models import Demand, DemandEvent
from samiti.voice.models.charters import Charter, CharterItem, Commitment, FollowUp, Response
from samiti.voice.services.demands import demands_for, endorsement_breakdown, record_demand_event

CHARTER_FIELDS = ["organisation", "authority", "official", "subject", "body", "language", "status"]
SUBMISSION_FIELDS = ["status", "submitted_on", "method", "submitted_to", "submitted_to_name", "meeting"]
COMMITMENT_FIELDS = ["what", "due_on", "budget_poisha", "responsible", "status"]
EVIDENCE_KINDS = {"jpg", "jpeg", "png", "pdf"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# A demand can join a charter while it is still open, not once it is in another or answered.
CHARTERABLE = Demand.OPEN_STATUSES
# Where a new item waits until the charter is renumbered: above every priority _renumber passes through.
PARKED_PRIORITY = 30_000
OUTCOME_EVENTS = {
    Commitment.Status.FULFILLED: DemandEvent.Kind.FULFILLED,
    Commitment.Status.PARTLY_FULFILLED: DemandEvent.Kind.PARTLY_FULFILLED,
    Commitment.Status.BROKEN: DemandEvent.Kind.BROKEN,
}


# ----- reads ---------------------------------------------------------------------------------------


def charters_for(user: User) -> QuerySet[Charter]:
    """Charters of the organisations `user` may see."""
    charters = Charter.objects.all()
    if user.sees_whole_programme:
        return charters
    return charters.filter(organisation__in=organisations_for(user))


def charter_or_404(user: User, pk: int) -> Charter:
    charter = (
        charters_for(user)
        .select_related(
            "organisation", "organisation__area", "authority", "official", "submitted_to", "meeting"
        )
        .filter(pk=pk)
        .first()
    )
    if charter is None:
        raise Http404
    return charter


def commitments_for(user: User) -> QuerySet[Commitment]:
    commitments = Commitment.objects.all()
    if not user.sees_whole_programme:
        commitments = commitments.filter(charter__organisation__in=organisations_for(user))
    return commitments


def commitment_or_404(user: User, pk: int) -> Commitment:
    commitment = (
        commitments_for(user)
        .select_related("charter", "charter__organisation", "charter__authority", "demand", "response")
        .filter(pk=pk)
        .first()
    )
    if commitment is None:
        raise Http404
    return commitment


def overdue_commitments(user: User, today: datetime.date | None = None) -> QuerySet[Commitment]:
    """Commitments in `user`'s scope whose due date has passed, neither fulfilled nor broken."""
    today = today or timezone.localdate()
    return commitments_for(user).exclude(status__in=Commitment.CLOSED).filter(due_on__lt=today)


@dataclass
class CharterLine:
    """One demand of a charter as the letter and the page show it."""

    item: CharterItem
    demand: Demand
    endorsements: dict[str, int]
    response: Response | None
    commitment: Commitment | None


def charter_lines(charter: Charter) -> list[CharterLine]:
    """The charter's demands in priority order, with their endorsement counts and responses."""
    items = list(
        charter.items.select_related(
            "demand", "response", "response__official", "response__referred_to", "response__commitment"
        ).order_by("priority")
    )
    lines = []
    for item in items:
        response = getattr(item, "response", None)
        lines.append(
            CharterLine(
                item=item,
                demand=item.demand,
                endorsements=endorsement_breakdown([item.demand]),
                response=response,
                commitment=getattr(response, "commitment", None) if response else None,
            )
        )
    return lines


def charter_totals(charter: Charter) -> dict[str, int]:
    """Endorsements of the whole charter, each member counted once, and the households affected."""
    demands = [item.demand for item in charter.items.select_related("demand")]
    totals = dict(endorsement_breakdown(demands))
    totals["households"] = sum(d.households_affected or 0 for d in demands)
    return totals


# ----- writes --------------------------------------------------------------------------------------


def _check_scope(actor: User | None, organisation: Organisation) -> None:
    """Refuse a write outside the actor's scope, as the read would have answered 404."""
    if actor is None:
        return
    if not actor.can_edit or not organisations_for(actor).filter(pk=organisation.pk).exists():
        raise VoiceError(_("You may not change records of this organisation."), code="forbidden")


def _association_id(organisation: Organisation) -> int | None:
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return organisation.pk
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.parent_id
    return None


def _day(value: datetime.date) -> str:
    """A date for a timeline note, in the language in use (Bengali digits in Bengali)."""
    text = formats.date_format(value, "j F Y")
    if (translation.get_language() or "").startswith("bn"):
        text = to_bengali_digits(text)
    return text


def _under(organisation: Organisation) -> Q:
    """Organisations that are `organisation` or lie beneath it."""
    return Q(pk=organisation.pk) | Q(parent_id=organisation.pk) | Q(parent__parent_id=organisation.pk)


def _check_demands(actor: User | None, organisation: Organisation, demands: list[Demand]) -> None:
    if not demands:
        raise VoiceError(_("Choose at least one demand for the charter."), field="demands")
    if len({d.pk for d in demands}) != len(demands):
        raise VoiceError(_("A demand appears twice; list each demand once."), field="demands")
    held_here = set(Organisation.objects.filter(_under(organisation)).values_list("pk", flat=True))
    visible = (
        set(demands_for(actor).filter(pk__in=[d.pk for d in demands]).values_list("pk", flat=True))
        if actor is not None
        else {d.pk for d in demands}
    )
    for demand in demands:
        if demand.pk not in visible or demand.organisation_id not in held_here:
            raise VoiceError(
                _("“%(demand)s” is not a demand of %(organisation)s.")
                % {"demand": demand, "organisation": organisation},
                field="demands",
            )
        if demand.status not in CHARTERABLE:
            raise VoiceError(
                _("“%(demand)s” is %(status)s; only open demands go into a charter.")
                % {"demand": demand, "status": demand.get_status_display()},
                field="demands",
            )


@transaction.atomic
def create_charter(
    *,
    actor: User | None,
    organisation: Organisation,
    authority: Authority,
    subject: str,
    demands: list[Demand],
    official: Official | None = None,
    body: str = "",
    language: str = Charter.Language.BENGALI,
    channel: str = Channel.WEB,
) -> Charter:
    """Bundle an organisation's demands, in priority order (the first is priority 1), for an authority."""
    _check_scope(actor, organisation)
    subject = (subject or "").strip()
    if not subject:
        raise VoiceError(_("Write the subject of the letter."), field="subject")
    if language not in Charter.Language.values:
        raise VoiceError(_("Choose Bengali or English for the letter."), field="language")
    if official is not None and official.authority_id != authority.pk:
        raise VoiceError(
            _("%(official)s is not an official of %(authority)s.")
            % {"official": official, "authority": authority},
            field="official",
        )
    demands = list(demands)
    _check_demands(actor, organisation, demands)
    charter = Charter.objects.create(
        organisation=organisation,
        authority=authority,
        official=official,
        subject=subject[:200],
        body=(body or "").strip(),
        language=language,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    CharterItem.objects.bulk_create(
        [CharterItem(charter=charter, demand=d, priority=n) for n, d in enumerate(demands, start=1)]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=charter,
        changes={**audit.created(charter, CHARTER_FIELDS), "demands": [None, [d.pk for d in demands]]},
        channel=channel,
        association_id=_association_id(organisation),
    )
    for priority, demand in enumerate(demands, start=1):
        record_demand_event(
            actor=actor,
            demand=demand,
            kind=DemandEvent.Kind.IN_CHARTER,
            organisation=organisation,
            channel=channel,
            note=str(
                _("Priority %(priority)s in the charter “%(charter)s” to %(authority)s, %(day)s.")
                % {
                    "priority": priority,
                    "charter": charter,
                    "authority": authority,
                    "day": _day(timezone.localdate()),
                }
            ),
        )
    return charter


def charterable_demands(user: User, organisation: Organisation) -> QuerySet[Demand]:
    """Open demands of `organisation` and those beneath it that `user` sees, most endorsed first."""
    return (
        demands_for(user)
        .filter(status__in=CHARTERABLE)
        .filter(organisation__in=Organisation.objects.filter(_under(organisation)))
        .select_related("organisation")
        .annotate(endorsement_count=Count("endorsements"))
        .order_by("-endorsement_count", "title")
    )


def _renumber(items: list[CharterItem]) -> None:
    """Give `items` the priorities 1..n in their list order; two passes keep (charter, priority) unique."""
    offset = len(items) + 1000
    for n, item in enumerate(items, start=1):
        item.priority = n + offset
    CharterItem.objects.bulk_update(items, ["priority"])
    for item in items:
        item.priority -= offset
    CharterItem.objects.bulk_update(items, ["priority"])


def _check_draft(charter: Charter) -> None:
    if charter.status != Charter.Status.DRAFT:
        raise VoiceError(_("A submitted charter keeps the demands it was sent with."), field="demand")


@transaction.atomic
def add_to_charter(
    *,
    actor: User | None,
    charter: Charter,
    demand: Demand,
    priority: int | None = None,
    channel: str = Channel.WEB,
) -> CharterItem:
    """Put an open demand into a draft charter at `priority` (last when not given); those after move down."""
    _check_scope(actor, charter.organisation)
    charter = (
        Charter.objects.select_for_update(of=("self",))
        .select_related("organisation", "authority")
        .get(pk=charter.pk)
    )
    _check_draft(charter)
    demand = Demand.objects.select_for_update(of=("self",)).get(pk=demand.pk)
    items = list(charter.items.order_by("priority"))
    if any(item.demand_id == demand.pk for item in items):
        raise VoiceError(_("“%(demand)s” is already in this charter.") % {"demand": demand}, field="demand")
    _check_demands(actor, charter.organisation, [demand])
    if priority is None:
        priority = len(items) + 1
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= len(items) + 1:
        raise VoiceError(
            _("Give a priority from 1 to %(last)s.") % {"last": len(items) + 1}, field="priority"
        )
    before = [item.demand_id for item in items]
    added = CharterItem.objects.create(charter=charter, demand=demand, priority=PARKED_PRIORITY)
    items.insert(priority - 1, added)
    _renumber(items)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=charter,
        changes={"demands": [before, [item.demand_id for item in items]]},
        channel=channel,
        association_id=_association_id(charter.organisation),
    )
    record_demand_event(
        actor=actor,
        demand=demand,
        kind=DemandEvent.Kind.IN_CHARTER,
        organisation=charter.organisation,
        channel=channel,
        note=str(
            _("Priority %(priority)s in the charter “%(charter)s” to %(authority)s, %(day)s.")
            % {
                "priority": priority,
                "charter": charter,
                "authority": charter.authority,
                "day": _day(timezone.localdate()),
            }
        ),
    )
    return added


def _status_before_charter(demand: Demand) -> str:
    """The open status a demand had before it went into a charter, read from its audited changes."""
    changes = AuditEvent.objects.filter(object_type="voice.demand", object_id=demand.pk).order_by("-pk")
    for event in changes.values_list("changes", flat=True).iterator():
        status = (event or {}).get("status")
        if status and status[1] == Demand.Status.IN_CHARTER and status[0] in CHARTERABLE:
            return status[0]
    # A demand put in a charter before its changes were audited: its last workflow step tells.
    steps = {
        DemandEvent.Kind.TAKEN_UP: Demand.Status.TAKEN_UP,
        DemandEvent.Kind.ADOPTED: Demand.Status.ADOPTED,
    }
    last = demand.events.filter(kind__in=steps).order_by("-at", "-pk").values_list("kind", flat=True).first()
    return steps.get(last, Demand.Status.RAISED)


@transaction.atomic
def remove_from_charter(
    *, actor: User | None, charter: Charter, demand: Demand, channel: str = Channel.WEB
) -> Charter:
    """Take a demand out of a draft charter: it is open again, and the priorities close the gap."""
    _check_scope(actor, charter.organisation)
    charter = (
        Charter.objects.select_for_update(of=("self",))
        .select_related("organisation", "authority")
        .get(pk=charter.pk)
    )
    _check_draft(charter)
    demand = Demand.objects.select_for_update(of=("self",)).get(pk=demand.pk)
    items = list(charter.items.order_by("priority"))
    gone = next((item for item in items if item.demand_id == demand.pk), None)
    if gone is None:
        raise VoiceError(_("“%(demand)s” is not in this charter.") % {"demand": demand}, field="demand")
    if len(items) == 1:
        raise VoiceError(_("A charter keeps at least one demand."), field="demand")
    before = [item.demand_id for item in items]
    gone.delete()
    items.remove(gone)
    _renumber(items)
    association_id = _association_id(charter.organisation)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=charter,
        changes={"demands": [before, [item.demand_id for item in items]]},
        channel=channel,
        association_id=association_id,
    )
    note = str(
        _("Taken out of the charter “%(charter)s” to %(authority)s, %(day)s.")
        % {"charter": charter, "authority": charter.authority, "day": _day(timezone.localdate())}
    )
    if demand.status == Demand.Status.IN_CHARTER:
        status = _status_before_charter(demand)
        demand.status = status
        demand.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=demand,
            changes={"status": [Demand.Status.IN_CHARTER, status]},
            channel=channel,
            association_id=demand.association_id,
            note=note,
        )
    DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.OUT_OF_CHARTER,
        actor=actor if getattr(actor, "pk", None) else None,
        organisation=charter.organisation,
        note=note,
    )
    return charter


@transaction.atomic
def reorder_charter(
    *, actor: User | None, charter: Charter, demands: list[Demand], channel: str = Channel.WEB
) -> Charter:
    """Set the priorities of a draft charter's demands: the same demands, in a new order."""
    _check_scope(actor, charter.organisation)
    if charter.status != Charter.Status.DRAFT:
        raise VoiceError(_("A submitted charter keeps the priorities it was sent with."), field="demands")
    items = {item.demand_id: item for item in charter.items.all()}
    order = [d.pk for d in demands]
    if sorted(order) != sorted(items):
        raise VoiceError(_("Give every demand of the charter a priority, each once."), field="demands")
    before = [i.demand_id for i in sorted(items.values(), key=lambda i: i.priority)]
    if before == order:
        return charter
    # Two passes keep (charter, priority) unique at every step.
    offset = len(order) + 1000
    for n, pk in enumerate(order, start=1):
        items[pk].priority = n + offset
    CharterItem.objects.bulk_update(items.values(), ["priority"])
    for item in items.values():
        item.priority -= offset
    CharterItem.objects.bulk_update(items.values(), ["priority"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=charter,
        changes={"priorities": [before, order]},
        channel=channel,
        association_id=_association_id(charter.organisation),
    )
    return charter


@transaction.atomic
def submit_charter(
    *,
    actor: User | None,
    charter: Charter,
    submitted_on: datetime.date,
    method: str,
    official: Official | None = None,
    to_name: str = "",
    meeting: Meeting | None = None,
    note: str = "",
    channel: str = Channel.WEB,
    today: datetime.date | None = None,
) -> Charter:
    """Record when, how and to whom a charter was handed over; its demands are then submitted."""
    _check_scope(actor, charter.organisation)
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    today = today or timezone.localdate()
    if charter.status != Charter.Status.DRAFT:
        raise VoiceError(_("This charter was already submitted."), field="submitted_on")
    if submitted_on is None:
        raise VoiceError(_("Give the date the charter was submitted."), field="submitted_on")
    if submitted_on > today:
        raise VoiceError(_("A charter cannot be submitted in the future."), field="submitted_on")
    if method not in Charter.Method.values:
        raise VoiceError(_("Choose how the charter was submitted."), field="method")
    to_name = (to_name or "").strip()
    if official is None and not to_name:
        raise VoiceError(_("Say who received the charter: an official or a name."), field="official")
    if official is not None and official.authority_id != charter.authority_id:
        raise VoiceError(
            _("%(official)s is not an official of %(authority)s.")
            % {"official": official, "authority": charter.authority},
            field="official",
        )
    if meeting is not None:
        if actor is not None and not meetings_for(actor).filter(pk=meeting.pk).exists():
            raise VoiceError(_("Choose a meeting you can see."), field="meeting")
        if meeting.status == Meeting.Status.CANCELLED:
            raise VoiceError(_("That meeting was cancelled."), field="meeting")
    before = audit.snapshot(charter, SUBMISSION_FIELDS)
    charter.status = Charter.Status.SUBMITTED
    charter.submitted_on = submitted_on
    charter.method = method
    charter.submitted_to = official
    charter.submitted_to_name = "" if official is not None else to_name[:150]
    charter.meeting = meeting
    charter.submission_note = (note or "").strip()[:300]
    charter.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=charter,
        changes=audit.diff(before, audit.snapshot(charter, SUBMISSION_FIELDS)),
        channel=channel,
        association_id=_association_id(charter.organisation),
    )
    step = str(
        _("Submitted to %(authority)s (%(person)s) %(method)s, %(day)s, in the charter “%(charter)s”.")
        % {
            "authority": charter.authority,
            "person": charter.received_by,
            "method": charter.get_method_display(),
            "day": _day(submitted_on),
            "charter": charter,
        }
    )
    for item in charter.items.select_related("demand").order_by("priority"):
        record_demand_event(
            actor=actor,
            demand=item.demand,
            kind=DemandEvent.Kind.SUBMITTED,
            organisation=charter.organisation,
            channel=channel,
            note=step,
        )
    return charter


def _parse_budget(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise VoiceError(_("The budget is a whole number of poisha."), field="budget_poisha")
    if value < 0:
        raise VoiceError(_("The budget cannot be negative."), field="budget_poisha")
    return value


def _check_response(
    *,
    charter: Charter,
    kind: str,
    responded_on: datetime.date,
    official: Official | None,
    reasons: str,
    referred_to: Authority | None,
    what: str,
    due_on: datetime.date | None,
    budget_poisha: int | None,
    today: datetime.date,
) -> tuple[str, str, int | None]:
    """Validate an authority's response; return its reasons, what was promised and the budget, cleaned."""
    if kind not in Response.Kind.values:
        raise VoiceError(_("Choose a commitment, a rejection or a referral."), field="kind")
    if responded_on is None:
        raise VoiceError(_("Give the date of the response."), field="responded_on")
    if responded_on > today:
        raise VoiceError(_("A response cannot be dated in the future."), field="responded_on")
    if responded_on < charter.submitted_on:
        raise VoiceError(_("A response cannot come before the charter was submitted."), field="responded_on")
    if official is not None and official.authority_id not in (
        charter.authority_id,
        charter.authority.parent_id,
    ):
        raise VoiceError(
            _("%(official)s is not an official of %(authority)s.")
            % {"official": official, "authority": charter.authority},
            field="official",
        )
    reasons = (reasons or "").strip()
    what = (what or "").strip()
    if kind == Response.Kind.REJECTED and not reasons:
        raise VoiceError(_("Write the reasons the authority gave for rejecting the demand."), field="reasons")
    if kind == Response.Kind.REFERRED:
        if referred_to is None:
            raise VoiceError(_("Choose the authority the demand was referred to."), field="referred_to")
        if referred_to.pk == charter.authority_id:
            raise VoiceError(_("A referral goes to another authority."), field="referred_to")
    if kind == Response.Kind.COMMITTED:
        if not what:
            raise VoiceError(_("Write what the authority committed to do."), field="what")
        if due_on is None:
            raise VoiceError(_("Give the date by which the commitment is due."), field="due_on")
        if due_on < responded_on:
            raise VoiceError(_("A commitment falls due after it was made."), field="due_on")
        budget_poisha = _parse_budget(budget_poisha)
    return reasons, what, budget_poisha


@transaction.atomic
def record_response(
    *,
    actor: User | None,
    item: CharterItem,
    kind: str,
    responded_on: datetime.date,
    official: Official | None = None,
    official_name: str = "",
    reasons: str = "",
    referred_to: Authority | None = None,
    what: str = "",
    due_on: datetime.date | None = None,
    budget_poisha: int | None = None,
    responsible: str = "",
    channel: str = Channel.WEB,
    today: datetime.date | None = None,
) -> Response:
    """Record the authority's answer to one demand of a submitted charter.

    A commitment says what, by when, with what budget (poisha) and who is responsible; a rejection
    gives its reasons; a referral names the authority the demand was sent on to.
    """
    charter = item.charter
    _check_scope(actor, charter.organisation)
    today = today or timezone.localdate()
    if charter.status != Charter.Status.SUBMITTED:
        raise VoiceError(_("Record responses once the charter has been submitted."), field="kind")
    if Response.objects.filter(item=item).exists():
        raise VoiceError(_("The authority's response to this demand is already recorded."), field="kind")
    reasons, what, budget_poisha = _check_response(
        charter=charter,
        kind=kind,
        responded_on=responded_on,
        official=official,
        reasons=reasons,
        referred_to=referred_to,
        what=what,
        due_on=due_on,
        budget_poisha=budget_poisha,
        today=today,
    )
    response = Response.objects.create(
        item=item,
        kind=kind,
        responded_on=responded_on,
        official=official,
        official_name="" if official is not None else (official_name or "").strip()[:150],
        reasons=reasons,
        referred_to=referred_to if kind == Response.Kind.REFERRED else None,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    association_id = _association_id(charter.organisation)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=response,
        changes=audit.created(response, ["kind", "responded_on", "official", "official_name", "referred_to"]),
        channel=channel,
        association_id=association_id,
    )
    if kind == Response.Kind.COMMITTED:
        commitment = Commitment.objects.create(
            response=response,
            charter=charter,
            demand=item.demand,
            what=what,
            due_on=due_on,
            budget_poisha=budget_poisha,
            responsible=(responsible or "").strip()[:150],
        )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=commitment,
            changes=audit.created(commitment, COMMITMENT_FIELDS),
            channel=channel,
            association_id=association_id,
        )
    record_demand_event(
        actor=actor,
        demand=item.demand,
        kind=kind,
        organisation=charter.organisation,
        channel=channel,
        note=_response_note(response),
    )
    return response


def _response_note(response: Response) -> str:
    """The response as a step of the demand's timeline."""
    charter = response.item.charter
    values = {"authority": charter.authority, "day": _day(response.responded_on)}
    if response.kind == Response.Kind.COMMITTED:
        commitment = response.commitment
        note = _("%(authority)s committed on %(day)s: %(what)s, by %(due)s%(budget)s.") % {
            **values,
            "what": commitment.what,
            "due": _day(commitment.due_on),
            "budget": f" ({commitment.budget_taka})" if commitment.budget_poisha is not None else "",
        }
    elif response.kind == Response.Kind.REJECTED:
        note = _("%(authority)s rejected it on %(day)s: %(reasons)s") % {
            **values,
            "reasons": response.reasons,
        }
    else:
        note = _("%(authority)s referred it on %(day)s to %(other)s.") % {
            **values,
            "other": response.referred_to,
        }
    return str(note)[:500]


RESPONSE_FIELDS = ["kind", "responded_on", "official", "official_name", "reasons", "referred_to"]


@transaction.atomic
def correct_response(
    *,
    actor: User | None,
    response: Response,
    kind: str,
    responded_on: datetime.date,
    why: str,
    official: Official | None = None,
    official_name: str = "",
    reasons: str = "",
    referred_to: Authority | None = None,
    what: str = "",
    due_on: datetime.date | None = None,
    budget_poisha: int | None = None,
    responsible: str = "",
    channel: str = Channel.WEB,
    today: datetime.date | None = None,
) -> Response:
    """Correct an authority's response recorded by mistake, while its commitment has no follow-up.

    The response is rewritten in place (a commitment made, changed or dropped with it), the change
    audited with its before and after, and the demand's status and timeline follow the new answer.
    """
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("item", "item__charter", "item__charter__authority", "item__demand")
        .get(pk=response.pk)
    )
    charter = response.item.charter
    _check_scope(actor, charter.organisation)
    today = today or timezone.localdate()
    commitment = Commitment.objects.select_for_update().filter(response=response).first()
    if commitment is not None and commitment.follow_ups.exists():
        raise VoiceError(
            _("The commitment has been followed up; record what changed as a follow-up instead."),
            field="kind",
        )
    why = (why or "").strip()
    if not why:
        raise VoiceError(_("Say what was wrong with the response."), field="why")
    reasons, what, budget_poisha = _check_response(
        charter=charter,
        kind=kind,
        responded_on=responded_on,
        official=official,
        reasons=reasons,
        referred_to=referred_to,
        what=what,
        due_on=due_on,
        budget_poisha=budget_poisha,
        today=today,
    )
    association_id = _association_id(charter.organisation)
    before = audit.snapshot(response, RESPONSE_FIELDS)
    response.kind = kind
    response.responded_on = responded_on
    response.official = official
    response.official_name = "" if official is not None else (official_name or "").strip()[:150]
    response.reasons = reasons
    response.referred_to = referred_to if kind == Response.Kind.REFERRED else None
    response.save()
    changes = audit.diff(before, audit.snapshot(response, RESPONSE_FIELDS))
    if kind == Response.Kind.COMMITTED:
        values = {
            "what": what,
            "due_on": due_on,
            "budget_poisha": budget_poisha,
            "responsible": (responsible or "").strip()[:150],
        }
        if commitment is None:
            commitment = Commitment(response=response, charter=charter, demand=response.item.demand)
        commitment_before = audit.snapshot(commitment, COMMITMENT_FIELDS) if commitment.pk else {}
        for name, value in values.items():
            setattr(commitment, name, value)
        commitment.save()
        response.commitment = commitment
        commitment_changes = audit.diff(commitment_before, audit.snapshot(commitment, COMMITMENT_FIELDS))
        changes.update({f"commitment.{k}": v for k, v in commitment_changes.items()})
    elif commitment is not None:
        changes.update(
            {f"commitment.{k}": [v, None] for k, v in audit.snapshot(commitment, COMMITMENT_FIELDS).items()}
        )
        commitment.delete()
    if not changes:
        raise VoiceError(_("Nothing was changed."), field="kind")
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=response,
        changes=changes,
        channel=channel,
        association_id=association_id,
        note=why[:300],
    )
    record_demand_event(
        actor=actor,
        demand=response.item.demand,
        kind=kind,
        organisation=charter.organisation,
        channel=channel,
        note=str(_("Corrected (%(why)s): %(response)s") % {"why": why, "response": _response_note(response)})[
            :500
        ],
    )
    return response


def _check_evidence(evidence: UploadedFile | None) -> None:
    if evidence is None:
        return
    extension = evidence.name.rsplit(".", 1)[-1].lower() if "." in evidence.name else ""
    if extension not in EVIDENCE_KINDS:
        raise VoiceError(_("Evidence is a photo (JPEG or PNG) or a PDF document."), field="evidence")
    if evidence.size > EVIDENCE_MAX_BYTES:
        raise VoiceError(_("Evidence files are at most 10 MB."), field="evidence")


@transaction.atomic
def follow_up_commitment(
    *,
    actor: User | None,
    commitment: Commitment,
    on: datetime.date,
    note: str,
    outcome: str = "",
    evidence: UploadedFile | None = None,
    channel: str = Channel.WEB,
    today: datetime.date | None = None,
) -> FollowUp:
    """Record a check on a commitment; an outcome of fulfilled, partly fulfilled or broken closes it
    (a partly fulfilled one may still be fulfilled later)."""
    commitment = (
        Commitment.objects.select_for_update().select_related("charter", "response").get(pk=commitment.pk)
    )
    charter = commitment.charter
    _check_scope(actor, charter.organisation)
    today = today or timezone.localdate()
    if commitment.is_closed:
        raise VoiceError(
            _("This commitment is closed (%(status)s).") % {"status": commitment.get_status_display()},
            field="outcome",
        )
    outcome = outcome or ""
    if outcome not in FollowUp.Outcome.values:
        raise VoiceError(
            _("Choose an outcome: in progress, fulfilled, partly fulfilled or broken."), field="outcome"
        )
    if on is None:
        raise VoiceError(_("Give the date of the follow-up."), field="on")
    if on > today:
        raise VoiceError(_("A follow-up cannot be dated in the future."), field="on")
    if on < commitment.response.responded_on:
        raise VoiceError(_("A follow-up cannot come before the commitment was made."), field="on")
    note = (note or "").strip()
    if not note:
        raise VoiceError(_("Write what was found."), field="note")
    _check_evidence(evidence)
    follow_up = FollowUp(
        commitment=commitment,
        on=on,
        note=note,
        outcome=outcome,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    if evidence is not None:
        follow_up.evidence = evidence
    follow_up.save()
    association_id = _association_id(charter.organisation)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=follow_up,
        changes=audit.created(follow_up, ["on", "outcome", "evidence"]),
        channel=channel,
        association_id=association_id,
        note=note[:300],
    )
    if outcome:
        before = audit.snapshot(commitment, ["status", "closed_on"])
        commitment.status = outcome
        commitment.closed_on = on
        commitment.save(update_fields=["status", "closed_on"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=commitment,
            changes=audit.diff(before, audit.snapshot(commitment, ["status", "closed_on"])),
            channel=channel,
            association_id=association_id,
        )
        record_demand_event(
            actor=actor,
            demand=commitment.demand,
            kind=OUTCOME_EVENTS[outcome],
            organisation=charter.organisation,
            channel=channel,
            note=str(
                _("%(status)s on %(day)s: %(note)s")
                % {"status": commitment.get_status_display(), "day": _day(on), "note": note}
            )[:500],
        )
        if outcome in (Commitment.Status.FULFILLED, Commitment.Status.PARTLY_FULFILLED):
            announce(
                commitment_fulfilled,
                sender=Commitment,
                commitment=commitment,
                outcome=outcome,
                on=on,
                channel=channel,
            )
    return follow_up
