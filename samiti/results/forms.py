"""The targets form."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from samiti.core.bengali import to_latin_digits
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


def plain_number(value: Decimal) -> str:
    """Write 50.00 as "50" and 7.50 as "7.5" (not "5E+1", as Decimal.normalize would)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
