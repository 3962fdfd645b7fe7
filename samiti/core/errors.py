"""The one error family of Samiti: a code and a message in the user's language."""

from django.utils.functional import Promise


class SamitiError(Exception):
    """A rule was broken; `message` is translatable, `field` names the input at fault."""

    code = "error"

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)
