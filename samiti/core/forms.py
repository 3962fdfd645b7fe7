"""What every app's forms share."""

from samiti.core.errors import SamitiError


class ServiceErrors:
    """Show a service's refusal on the form: on the field it names, or above the form."""

    def add_service_error(self, error: SamitiError) -> None:
        field = getattr(error, "field", None)
        self.add_error(field if field in self.fields else None, str(error))  # type: ignore[attr-defined]
