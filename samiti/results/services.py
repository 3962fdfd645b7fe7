"""The one write of the results app: changing the programme's targets."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.errors import SamitiError
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import User
from samiti.results.models import Target

CENTS = Decimal("0.01")


@transaction.atomic
def update_targets(*, actor: User, values: dict[str, Decimal], channel: str = Channel.WEB) -> list[Target]:
    """Set the targets to `values` ({indicator: value}); audit each one that changes.

    Rows are locked in a fixed order so two admins saving at once do not interleave.
    """
    if not actor.sees_whole_programme:
        raise SamitiError(_("Only a programme admin changes targets."), code="forbidden")
    changed = []
    for target in Target.objects.select_for_update().filter(indicator__in=values).order_by("id"):
        new = Decimal(values[target.indicator]).quantize(CENTS)
        if new == target.value:
            continue
        old = target.value
        target.value = new
        target.save(update_fields=["value", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=target,
            changes={"value": [str(old), str(new)]},
            channel=channel,
        )
        changed.append(target)
    return changed
