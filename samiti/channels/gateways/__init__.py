"""SMS gateways, one module per provider on `base.Gateway`; importing the package registers them."""

from samiti.channels.gateways import africastalking, console, generic_json  # noqa: F401
from samiti.channels.gateways.base import Gateway, GatewayError, Inbound, Sent, StatusReport, gateway

__all__ = ["Gateway", "GatewayError", "Inbound", "Sent", "StatusReport", "gateway"]
