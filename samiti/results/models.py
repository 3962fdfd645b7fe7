from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    """A programme target an admin can edit: a member count or a share of members."""

    class Indicator(models.TextChoices):
        MEMBERS = "members", _("members")
        WOMEN = "women", _("women")
        ETHNIC_MINORITY = "ethnic_minority", _("ethnic minorities")
        DISABILITY = "disability", _("people with disabilities")

    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices, unique=True)
    # A count for `members`; a share in per cent for the others.
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.value}"

    @property
    def is_share(self) -> bool:
        return self.indicator != self.Indicator.MEMBERS
