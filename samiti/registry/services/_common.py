"""What every registry write shares: its error, the scope check, and model validation."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samiti.core.errors import SamitiError
from samiti.registry.models import Organisation, User
from samiti.registry.queries import organisations_for


class RegistryError(SamitiError):
    code = "registry"


def _raise_first(errors: dict[str, str]) -> None:
    if errors:
        field, message = next(iter(errors.items()))
        raise RegistryError(message, field=field)


def _check_scope(actor: User | None, organisation: Organisation) -> None:
    """Refuse a write outside the actor's scope, as the read would have (404-equivalent)."""
    if actor is None:
        return
    if not actor.can_edit or not organisations_for(actor).filter(pk=organisation.pk).exists():
        raise RegistryError(_("You may not change records of this organisation."), code="forbidden")


def _association_of(organisation: Organisation) -> int | None:
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return organisation.pk
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.parent_id
    return None


def _full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's own validation; the first problem becomes a RegistryError on its field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise RegistryError(messages[0], field=None if field == NON_FIELD_ERRORS else field) from None
