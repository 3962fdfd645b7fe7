"""Checks every access service shares."""

from django.utils.translation import gettext as _

from samiti.access.errors import AccessError


def check_text(value: str, field: str, limit: int) -> str:
    """Free text trimmed, or refused on its field when longer than its column: never cut short."""
    value = value.strip()
    if len(value) > limit:
        raise AccessError(_("Keep this under %(limit)s characters.") % {"limit": limit}, field=field)
    return value
