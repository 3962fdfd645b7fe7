"""Template filters every page uses: digits in the reader's language, money, percentages."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import get_language

from samiti.core.bengali import to_bengali_digits
from samiti.core.money import format_taka

register = template.Library()


def _localise(text: str) -> str:
    return to_bengali_digits(text) if (get_language() or "").startswith("bn") else text


@register.filter
def digits(value: object) -> str:
    """Write the digits of `value` in Bengali when the page is in Bengali."""
    if value is None:
        return ""
    return _localise(str(value))


@register.filter
def number(value: object) -> str:
    """Write a count with thousands separators, in the reader's digits."""
    if value is None:
        return ""
    return _localise(intcomma(value, use_l10n=False))


@register.filter
def taka(poisha: int | None) -> str:
    """Write integer poisha as taka (৳1,250.50), in the reader's digits."""
    return _localise(format_taka(poisha))


@register.filter
def percent(value: float | None, places: int = 1) -> str:
    if value is None:
        return "–"
    return _localise(f"{value * 100:.{places}f}%")
