"""Every write of the channels app: contacts and their settings, messages in and out."""

from django.db import transaction
from django.utils import timezone

from samiti.channels.models import Contact
from samiti.registry.models import Member
from samiti.registry.services import RegistryError, normalise_phone


def member_for_phone(phone: str) -> Member | None:
    """The active member whose phone this is (numbers are stored in E.164), if there is one."""
    try:
        number = normalise_phone(phone)
    except RegistryError:
        return None
    return Member.objects.filter(phone=number, is_active=True).order_by("id").first()


def contact_for(member: Member) -> Contact:
    """The member's channel settings, made with the defaults on first contact."""
    contact, _made = Contact.objects.get_or_create(member=member)
    return contact


@transaction.atomic
def set_language(*, member: Member, language: str) -> Contact:
    """Remember the language the member chose (USSD first screen, LANG BN|EN)."""
    contact = contact_for(member)
    contact.language, contact.language_chosen = language, True
    contact.save(update_fields=["language", "language_chosen", "updated_at"])
    return contact


@transaction.atomic
def opt_out(*, member: Member) -> Contact:
    """STOP: no broadcast or notification reaches the member until START."""
    contact = contact_for(member)
    if contact.opted_out_at is None:
        contact.opted_out_at = timezone.now()
        contact.save(update_fields=["opted_out_at", "updated_at"])
    return contact


@transaction.atomic
def opt_in(*, member: Member) -> Contact:
    """START: messages reach the member again."""
    contact = contact_for(member)
    if contact.opted_out_at is not None:
        contact.opted_out_at = None
        contact.save(update_fields=["opted_out_at", "updated_at"])
    return contact
