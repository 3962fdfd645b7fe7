"""The voice app's one error type."""

from samiti.core.errors import SamitiError


class VoiceError(SamitiError):
    """A rule of demands, polls, meetings, elections, charters or score cards was broken."""
