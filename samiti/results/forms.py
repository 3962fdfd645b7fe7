"""The targets form, and the one write of the results app: changing the programme's targets."""

from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.bengali import to_latin_digits
from samiti.core.errors import SamitiError
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Role, User
from samiti.results.models import Target


class LocalDecimalField(forms.DecimalField):
    """A number typed with Latin or Bengali digits."""

    def to_python(self, value):
        if isinstance(value, str):
            value = to_latin_digits(value).replace(",", "").strip()
        return super().to_python(value)


class TargetsForm(forms.Form):
    """One field per target: the member count, and the shares in per cent."""

    def __init__(self, *args, targets: list[Target], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {t.indicator: t for t in targets}
        for target in targets:
            if target.is_share:
                field = LocalDecimalField(
                    min_value=0, max_value=100, max_digits=5, decimal_places=2, help_text=_("per cent")
                )
            else:
                field = LocalDecimalField(
                    min_value=1, max_digits=12, decimal_places=0, help_text=_("active members")
                )
            field.label = target.get_indicator_display()
            field.initial = plain_number(target.value)
            field.widget.attrs["inputmode"] = "decimal"
            self.fields[target.indicator] = field


CENTS = Decimal("0.01")


def plain_number(value: Decimal) -> str:
    """Write 50.00 as "50" and 7.50 as "7.5" (not "5E+1", as Decimal.normalize would)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def can_edit_targets(user: User) -> bool:
    return user.is_superuser or user.role == Role.PROGRAMME_ADMIN


@transaction.atomic
def update_targets(*, actor: User, values: dict[str, Decimal], channel: str = Channel.WEB) -> list[Target]:
    """Set the targets to `values` ({indicator: value}); audit each one that changes.

    Kept here until results has a services module (see the report): the web page is the only
    caller. Rows are locked in a fixed order so two admins saving at once do not interleave.
    """
    if not can_edit_targets(actor):
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
