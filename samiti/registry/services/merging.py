"""Deciding a duplicate flag: the two records are kept apart, or one is merged into the other."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import CommitteeOffice, DuplicateFlag, Household, Member, User
from samiti.registry.services._common import RegistryError, _check_scope
from samiti.registry.services.members import MEMBER_FIELDS, update_member


@transaction.atomic
def keep_apart(*, actor: User, flag: DuplicateFlag) -> DuplicateFlag:
    """Record that two flagged records are different people."""
    _check_scope(actor, flag.member.group)
    _check_scope(actor, flag.other.group)
    DuplicateFlag.objects.filter(
        member=flag.member, other=flag.other, status=DuplicateFlag.Status.OPEN
    ).update(status=DuplicateFlag.Status.KEPT_APART, resolved_by=actor, resolved_at=timezone.now())
    flag.refresh_from_db()
    return flag


@transaction.atomic
def merge_members(*, actor: User, keep: Member, drop: Member, channel: str = Channel.WEB) -> Member:
    """Merge `drop` into `keep`: blanks of `keep` are filled from `drop`, and `drop` is retired.

    Both records stay, so the history of each is kept; `drop` points to `keep`.
    """
    if keep.pk == drop.pk:
        raise RegistryError(_("A record cannot be merged with itself."))
    if drop.merged_into_id or keep.merged_into_id:
        raise RegistryError(_("One of these records has already been merged."))
    _check_scope(actor, keep.group)
    _check_scope(actor, drop.group)
    fill = {
        f: getattr(drop, f)
        for f in MEMBER_FIELDS
        if f not in ("code", "group", "area", "joined_on", "left_on", "leaving_reason")
        and getattr(keep, f) in (None, "", [])
        and getattr(drop, f) not in (None, "", [])
    }
    if drop.joined_on < keep.joined_on:
        fill["joined_on"] = drop.joined_on
    if fill:
        update_member(actor=actor, member=keep, channel=channel, **fill)
    CommitteeOffice.objects.filter(member=drop).update(member=keep)
    Household.objects.filter(representative=drop).update(representative=keep)
    before = audit.snapshot(drop, ["left_on", "leaving_reason"])
    drop.merged_into = keep
    drop.left_on = drop.left_on or timezone.localdate()
    drop.leaving_reason = f"merged into {keep.code}"
    drop.updated_at = timezone.now()
    drop.save()
    after = audit.snapshot(drop, ["left_on", "leaving_reason"]) | {"merged_into": keep.code}
    for obj, changes, note in (
        (drop, audit.diff(before, after), f"merged into {keep.code}"),
        (keep, {"merged_from": [None, drop.code]}, f"{drop.code} merged into this record"),
    ):
        audit.record(
            actor=actor,
            action=AuditEvent.Action.MERGE,
            obj=obj,
            changes=changes,
            channel=channel,
            association_id=obj.association_id,
            note=note,
        )
    DuplicateFlag.objects.filter(
        Q(member__in=[keep, drop]) & Q(other__in=[keep, drop]), status=DuplicateFlag.Status.OPEN
    ).update(status=DuplicateFlag.Status.MERGED, resolved_by=actor, resolved_at=timezone.now())
    keep.refresh_from_db()
    return keep
