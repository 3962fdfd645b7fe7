"""Public bodies (authorities) and the officials who hold their posts."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Authority, Official, User
from samiti.registry.services._common import RegistryError, _full_clean

AUTHORITY_FIELDS = ["kind", "code", "name_en", "name_bn", "area", "parent", "address", "phone", "email"]
OFFICIAL_FIELDS = ["authority", "post", "name", "phone", "since", "until"]


def _check_staff_may_edit(actor: User | None) -> None:
    if actor is not None and not actor.can_edit:
        raise RegistryError(_("Your role may only read."), code="forbidden")


@transaction.atomic
def save_authority(
    *, actor: User | None, authority: Authority | None = None, channel: str = Channel.WEB, **fields: Any
) -> Authority:
    """Add a public body (authority is None) or change one. Authorities are public facts any editor keeps."""
    _check_staff_may_edit(actor)
    authority = authority or Authority()
    before = audit.snapshot(authority, AUTHORITY_FIELDS) if authority.pk else {}
    for name, value in fields.items():
        setattr(authority, name, value)
    if not (authority.name_en or authority.name_bn):
        raise RegistryError(_("A name is required, in Bengali or in English."), field="name_en")
    _full_clean(authority)
    authority.save()
    changes = audit.diff(before, audit.snapshot(authority, AUTHORITY_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
            obj=authority,
            changes=changes,
            channel=channel,
        )
    return authority


@transaction.atomic
def add_official(
    *, actor: User | None, authority: Authority, channel: str = Channel.WEB, **fields: Any
) -> Official:
    """Record who holds a post at an authority."""
    _check_staff_may_edit(actor)
    official = Official(authority=authority, **fields)
    if official.since and official.until and official.until < official.since:
        raise RegistryError(_("The end of a post must come after its start."), field="until")
    _full_clean(official)
    official.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=official,
        changes=audit.created(official, OFFICIAL_FIELDS),
        channel=channel,
    )
    return official
