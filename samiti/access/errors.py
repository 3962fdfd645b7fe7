"""The access app's one error type."""

from samiti.core.errors import SamitiError


class AccessError(SamitiError):
    """A rule of the catalogue, screening, applications, grievances or referrals was broken."""
