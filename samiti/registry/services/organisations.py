"""Federations, associations and groups, and each organisation's by-laws."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import ByLaws, Member, Organisation, User
from samiti.registry.services._common import RegistryError, _association_of, _check_scope, _full_clean

ORGANISATION_FIELDS = [
    "kind",
    "code",
    "name_en",
    "name_bn",
    "parent",
    "area",
    "registration_number",
    "registered_on",
    "status",
]


def _check_organisation(fields: dict[str, Any]) -> None:
    kind, parent = fields.get("kind"), fields.get("parent")
    if kind not in Organisation.Kind.values:
        raise RegistryError(_("Choose federation, association or group."), field="kind")
    expected = Organisation.PARENT_KIND.get(kind)
    if kind == Organisation.Kind.GROUP and parent is None:
        raise RegistryError(_("A group belongs to an association."), field="parent")
    if parent is not None and parent.kind != expected:
        raise RegistryError(
            _("A %(kind)s belongs to a %(parent)s.")
            % {"kind": Organisation.Kind(kind).label, "parent": Organisation.Kind(expected).label}
            if expected
            else _("A federation belongs to no other organisation."),
            field="parent",
        )
    if not fields.get("code"):
        raise RegistryError(_("A code is required."), field="code")
    if not (fields.get("name_en") or fields.get("name_bn")):
        raise RegistryError(_("A name is required, in Bengali or in English."), field="name_en")


@transaction.atomic
def create_organisation(*, actor: User | None, channel: str = Channel.WEB, **fields: Any) -> Organisation:
    """Found a federation, an association or a group."""
    _check_organisation(fields)
    if fields.get("parent") is not None:
        _check_scope(actor, fields["parent"])
    elif actor is not None and not actor.sees_whole_programme:
        raise RegistryError(_("Only a programme admin creates federations and free-standing associations."))
    if Organisation.objects.filter(code=fields["code"]).exists():
        raise RegistryError(_("Code %(code)s is taken.") % {"code": fields["code"]}, field="code")
    organisation = Organisation.objects.create(**fields)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=organisation,
        changes=audit.created(organisation, ORGANISATION_FIELDS),
        channel=channel,
        association_id=_association_of(organisation),
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, actor: User | None, organisation: Organisation, channel: str = Channel.WEB, **changes: Any
) -> Organisation:
    _check_scope(actor, organisation)
    before = audit.snapshot(organisation, ORGANISATION_FIELDS)
    merged = {f: getattr(organisation, f) for f in ORGANISATION_FIELDS} | changes
    _check_organisation(merged)
    if changes.get("kind", organisation.kind) != organisation.kind:
        raise RegistryError(_("The kind of an organisation cannot change."), field="kind")
    if "parent" in changes and changes["parent"] is not None:
        _check_scope(actor, changes["parent"])
    for field, value in changes.items():
        setattr(organisation, field, value)
    changed = audit.diff(before, audit.snapshot(organisation, ORGANISATION_FIELDS))
    if not changed:
        return organisation
    organisation.save()
    if "parent" in changed and organisation.kind == Organisation.Kind.GROUP:
        Member.objects.filter(group=organisation).update(association_id=organisation.parent_id)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=organisation,
        changes=changed,
        channel=channel,
        association_id=_association_of(organisation),
    )
    return organisation


@transaction.atomic
def delete_organisation(
    *, actor: User | None, organisation: Organisation, channel: str = Channel.WEB
) -> None:
    _check_scope(actor, organisation)
    if organisation.children.exists() or organisation.members.exists():
        raise RegistryError(
            _("Only an organisation without groups or members can be deleted; dissolve it instead.")
        )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=organisation,
        changes=audit.diff(audit.snapshot(organisation, ORGANISATION_FIELDS), {}),
        channel=channel,
        association_id=_association_of(organisation),
    )
    organisation.delete()


BY_LAWS_FIELDS = [
    "quorum_percent",
    "term_years",
    "women_seats_percent",
    "demand_endorsements",
    "demand_percent",
]


@transaction.atomic
def save_by_laws(
    *, actor: User | None, organisation: Organisation, channel: str = Channel.WEB, **fields: Any
) -> ByLaws:
    """Set an organisation's own rules (quorum, committee term, women's seats, demand threshold)."""
    _check_scope(actor, organisation)
    unknown = set(fields) - set(BY_LAWS_FIELDS)
    if unknown:
        raise TypeError(f"unknown by-law fields: {sorted(unknown)}")
    rules = ByLaws.objects.filter(organisation=organisation).first() or ByLaws(organisation=organisation)
    before = audit.snapshot(rules, BY_LAWS_FIELDS) if rules.pk else {}
    for name, value in fields.items():
        setattr(rules, name, value)
    _full_clean(rules)
    rules.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        obj=rules,
        changes=audit.diff(before, audit.snapshot(rules, BY_LAWS_FIELDS)),
        channel=channel,
        association_id=_association_of(organisation),
    )
    return rules
