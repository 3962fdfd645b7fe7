"""Documents and accounts members hold, what each application still lacks, and the facilitator's tasks.

A member's national ID counts as held when the registry has its number or a national ID card is
recorded here (the card may be seen before the number is typed in); every other document is a
`MemberDocument`.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.models import Application, DocumentKind, MemberDocument, Scheme
from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry.models import Member, Organisation, User

# Applications whose documents are still being gathered: these make the task list.
GATHERING = (Application.Status.IDENTIFIED, Application.Status.DOCUMENTS_READY)


def check_member_scope(actor: User | None, member: Member) -> None:
    """Refuse a write about a member the actor may not change (no actor: the system itself)."""
    if actor is None:
        return
    if not actor.can_edit or not queries.members_for(actor).filter(pk=member.pk).exists():
        raise AccessError(_("You may not change records of this member."), code="forbidden")


def documents_held(member: Member) -> set[str]:
    """The kinds of document the member holds."""
    held = set(MemberDocument.objects.filter(member=member).values_list("kind", flat=True))
    if member.national_id:
        held.add(DocumentKind.NATIONAL_ID)
    return held


def missing_documents(member: Member, scheme: Scheme) -> list[str]:
    """The kinds of document the scheme asks for that the member lacks, in the scheme's order."""
    held = documents_held(member)
    return [kind for kind in scheme.documents if kind not in held]


def document_names(kinds: list[str]) -> str:
    return ", ".join(str(DocumentKind(kind).label) for kind in kinds if kind in DocumentKind.values)


@transaction.atomic
def record_document(
    *,
    actor: User | None,
    member: Member,
    kind: str,
    obtained_on: datetime.date | None = None,
    channel: str = Channel.WEB,
) -> MemberDocument:
    """Record that the member holds a document; recording it again updates the date obtained."""
    check_member_scope(actor, member)
    if kind not in DocumentKind.values:
        raise AccessError(_("Choose a kind of document."), field="kind")
    if obtained_on is not None and obtained_on > timezone.localdate():
        raise AccessError(_("A document cannot be obtained in the future."), field="obtained_on")
    document = MemberDocument.objects.filter(member=member, kind=kind).first()
    if document is not None:
        if obtained_on is not None and obtained_on != document.obtained_on:
            before = document.obtained_on
            document.obtained_on = obtained_on
            document.save(update_fields=["obtained_on"])
            changes = {"obtained_on": [before.isoformat() if before else None, obtained_on.isoformat()]}
            _record(actor, AuditEvent.Action.UPDATE, document, changes, channel, member)
        return document
    document = MemberDocument.objects.create(
        member=member, kind=kind, obtained_on=obtained_on, recorded_by=actor
    )
    changes = audit.created(document, ["member", "kind", "obtained_on"])
    _record(actor, AuditEvent.Action.CREATE, document, changes, channel, member)
    return document


@transaction.atomic
def remove_document(*, actor: User | None, member: Member, kind: str, channel: str = Channel.WEB) -> None:
    """Record that the member no longer holds a document (lost, expired or ticked by mistake)."""
    check_member_scope(actor, member)
    document = MemberDocument.objects.filter(member=member, kind=kind).first()
    if document is None:
        raise AccessError(_("This document is not recorded for the member."), field="kind")
    changes = {"kind": [kind, None]}
    _record(actor, AuditEvent.Action.DELETE, document, changes, channel, member)
    document.delete()


def _record(
    actor: User | None, action: str, document: MemberDocument, changes: dict, channel: str, member: Member
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=document,
        changes=changes,
        channel=channel,
        association_id=member.association_id,
    )


@dataclass
class MemberTasks:
    """The documents one member still lacks, and the applications waiting on each."""

    member: Member
    missing: dict[str, list[Scheme]] = field(default_factory=dict)  # kind -> schemes asking for it

    @property
    def items(self) -> list[tuple[str, str, list[Scheme]]]:
        return [(kind, str(DocumentKind(kind).label), schemes) for kind, schemes in self.missing.items()]


@dataclass
class GroupTasks:
    group: Organisation
    members: list[MemberTasks] = field(default_factory=list)


def document_tasks(applications: QuerySet[Application]) -> list[GroupTasks]:
    """For the open applications not yet submitted, the documents each member lacks, by group.

    Two queries whatever the number of applications: the applications with their members,
    groups and schemes, and the documents those members hold.
    """
    found = list(
        applications.filter(status__in=GATHERING)
        .select_related("member__group", "scheme")
        .order_by("member__group__name_en", "member__name_en", "member_id", "scheme__name_en")
    )
    member_ids = {a.member_id for a in found}
    held: dict[int, set[str]] = {}
    for member_id, kind in MemberDocument.objects.filter(member_id__in=member_ids).values_list(
        "member_id", "kind"
    ):
        held.setdefault(member_id, set()).add(kind)
    groups: dict[int, GroupTasks] = {}
    by_member: dict[int, MemberTasks] = {}
    for application in found:
        member = application.member
        have = held.get(member.pk, set()) | ({DocumentKind.NATIONAL_ID} if member.national_id else set())
        lacking = [kind for kind in application.scheme.documents if kind not in have]
        if not lacking:
            continue
        tasks = by_member.get(member.pk)
        if tasks is None:
            tasks = by_member[member.pk] = MemberTasks(member)
            group = groups.setdefault(member.group_id, GroupTasks(member.group))
            group.members.append(tasks)
        for kind in lacking:
            tasks.missing.setdefault(kind, []).append(application.scheme)
    return list(groups.values())
