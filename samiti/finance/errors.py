"""The finance app's one error type."""

from samiti.core.errors import SamitiError


class FinanceError(SamitiError):
    """A rule of the ledger, dues, savings cycles or assets was broken."""

    code = "finance"
