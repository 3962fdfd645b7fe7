"""The channels app's one error type."""

from samiti.core.errors import SamitiError


class ChannelError(SamitiError):
    """A rule of messaging was broken (an unknown gateway, a bad callback, an opted-out member)."""

    code = "channels"
