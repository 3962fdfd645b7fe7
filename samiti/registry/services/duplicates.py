"""Possible duplicates: members who may be the same person, flagged for a person to decide on."""

from collections.abc import Iterable

from django.db.models import Q

from samiti.registry.models import DuplicateFlag, Member


def duplicate_candidates(member: Member) -> list[tuple[Member, str]]:
    """Other active members who may be the same person, with the reason."""
    found: list[tuple[Member, str]] = []
    others = Member.objects.exclude(pk=member.pk).filter(merged_into__isnull=True)
    if member.national_id:
        found += [
            (m, DuplicateFlag.Reason.NATIONAL_ID) for m in others.filter(national_id=member.national_id)
        ]
    if member.phone:
        found += [(m, DuplicateFlag.Reason.PHONE) for m in others.filter(phone=member.phone)]
    keys = {k for k in (member.name_key_bn, member.name_key_en) if k}
    if keys:
        same_name = others.filter(area_id=member.area_id).filter(
            Q(name_key_bn__in=keys) | Q(name_key_en__in=keys)
        )
        found += [(m, DuplicateFlag.Reason.NAME) for m in same_name]
    return found


def flag_duplicates(member: Member) -> list[DuplicateFlag]:
    """Flag possible duplicates of `member` for a person to decide on; never merge here."""
    flags = []
    for other, reason in duplicate_candidates(member):
        flags.append(flag_pair(member, other, reason))
    return flags


def flag_pairs(pairs: Iterable[tuple[int, int, str]], associations: dict[int, int]) -> None:
    """Flag many (member id, other id, reason) pairs at once; pairs already flagged are kept."""
    DuplicateFlag.objects.bulk_create(
        [
            DuplicateFlag(member_id=a, other_id=b, reason=r, association_id=associations[a])
            for a, b, r in (((min(x, y), max(x, y), r)) for x, y, r in pairs)
        ],
        ignore_conflicts=True,
    )


def flag_pair(a: Member, b: Member, reason: str) -> DuplicateFlag:
    first, second = (a, b) if a.pk < b.pk else (b, a)
    flag, _created = DuplicateFlag.objects.get_or_create(
        member=first, other=second, reason=reason, defaults={"association_id": first.association_id}
    )
    return flag
