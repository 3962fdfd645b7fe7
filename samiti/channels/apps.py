from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "samiti.channels"
    verbose_name = _("SMS and USSD")

    def ready(self) -> None:
        # The domain apps announce events through core; this app turns them into messages.
        from samiti.channels import receivers  # noqa: F401
