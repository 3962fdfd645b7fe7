"""Membership dues: the fee an association sets (payments are ledger postings to dues income)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samiti.finance.models.savings import Frequency
from samiti.registry.models import Organisation

__all__ = ["MembershipFee"]


class MembershipFee(models.Model):
    """An association's membership fee from a date on; the latest one started applies."""

    association = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="membership_fees", verbose_name=_("association")
    )
    amount = models.BigIntegerField(_("amount (poisha)"), validators=[MinValueValidator(1)])
    frequency = models.CharField(
        _("every"), max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    starts_on = models.DateField(_("from"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["association", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["association", "starts_on"], name="fee_once_a_day"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fee_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.association}: {self.amount} / {self.get_frequency_display()}"
