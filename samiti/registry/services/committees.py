"""Committee offices: seating members on an organisation's committee and ending their terms."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import CommitteeOffice, Member, Organisation, User
from samiti.registry.queries import belongs_to
from samiti.registry.services._common import RegistryError, _association_of, _check_scope


@transaction.atomic
def assign_office(
    *,
    actor: User | None,
    organisation: Organisation,
    member: Member,
    office: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> CommitteeOffice:
    """Seat a member on an organisation's committee; a single-holder office passes on."""
    _check_scope(actor, organisation)
    if office not in CommitteeOffice.Office.values:
        raise RegistryError(_("Unknown office."), field="office")
    if not belongs_to(member, organisation):
        raise RegistryError(_("Only a member of this organisation can hold its office."), field="member")
    if ended_on and ended_on < started_on:
        raise RegistryError(_("The end of an office must come after its start."), field="ended_on")
    if office != CommitteeOffice.Office.MEMBER:
        CommitteeOffice.objects.filter(
            organisation=organisation, office=office, ended_on__isnull=True
        ).update(ended_on=started_on)
    seat = CommitteeOffice.objects.create(
        organisation=organisation, member=member, office=office, started_on=started_on, ended_on=ended_on
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=seat,
        changes={"office": [None, office], "member": [None, member.code]},
        channel=channel,
        association_id=_association_of(organisation),
    )
    return seat


@transaction.atomic
def end_offices(
    *,
    actor: User | None,
    organisation: Organisation,
    offices: Iterable[str],
    on: datetime.date,
    channel: str = Channel.WEB,
    note: str = "",
) -> int:
    """End on `on` the seats of `offices` still running then (open, or ending later); return how many.

    An election ends the old committee this way: seats from a previous election carry their
    term's end, which `assign_office` does not pass on.
    """
    _check_scope(actor, organisation)
    running = CommitteeOffice.objects.select_for_update().filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        organisation=organisation,
        office__in=list(offices),
        started_on__lt=on,
    )
    seats = list(running.select_related("member"))
    for seat in seats:
        before = seat.ended_on
        seat.ended_on = on
        seat.save(update_fields=["ended_on"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=seat,
            changes={"ended_on": [before.isoformat() if before else None, on.isoformat()]},
            channel=channel,
            association_id=_association_of(organisation),
            note=note,
        )
    return len(seats)
