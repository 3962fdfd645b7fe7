"""Assets an association owns together, their rentals, and the thresholds of sustainability."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samiti.registry.models import Member, Organisation

__all__ = ["Rental", "SharedAsset", "SustainabilityThresholds"]


class SharedAsset(models.Model):
    """A machine or a room bought from pooled funds and rented to members."""

    class Kind(models.TextChoices):
        POWER_TILLER = "power_tiller", _("power tiller")
        PUMP = "pump", _("irrigation pump")
        THRESHER = "thresher", _("rice thresher")
        STORAGE = "storage", _("storage room")
        SPRAYER = "sprayer", _("sprayer")
        OTHER = "other", _("other asset")

    class Unit(models.TextChoices):
        HOUR = "hour", _("hour")
        DAY = "day", _("day")
        ACRE = "acre", _("acre")

    class Status(models.TextChoices):
        IN_USE = "in_use", _("in use")
        RETIRED = "retired", _("sold or retired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assets", verbose_name=_("owner")
    )
    association_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    bought_on = models.DateField(_("bought on"))
    price = models.BigIntegerField(_("price (poisha)"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("rented by the"), max_length=5, choices=Unit.choices)
    rate = models.BigIntegerField(_("rent per unit (poisha)"), validators=[MinValueValidator(0)])
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.IN_USE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return self.name


class Rental(models.Model):
    """One hire of an asset: how much of it was used, by whom, and what was paid."""

    asset = models.ForeignKey(
        SharedAsset, on_delete=models.PROTECT, related_name="rentals", verbose_name=_("asset")
    )
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rentals",
        verbose_name=_("member"),
    )
    renter = models.CharField(_("renter (not a member)"), max_length=150, blank=True)
    on = models.DateField(_("date"))
    quantity = models.DecimalField(
        _("quantity"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    amount = models.BigIntegerField(_("amount (poisha)"))
    transaction = models.OneToOneField("finance.Transaction", on_delete=models.PROTECT, related_name="rental")

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.asset} {self.on:%Y-%m-%d}"


class SustainabilityThresholds(models.Model):
    """Where green turns amber and amber turns red, for every association (one row, admin-edited)."""

    self_reliance_green = models.PositiveSmallIntegerField(
        _("own income covers running costs, green from (per cent)"), default=100
    )
    self_reliance_amber = models.PositiveSmallIntegerField(
        _("own income covers running costs, amber from (per cent)"), default=50
    )
    reserve_months_green = models.DecimalField(
        _("months of reserves, green from"), max_digits=5, decimal_places=1, default=Decimal(6)
    )
    reserve_months_amber = models.DecimalField(
        _("months of reserves, amber from"), max_digits=5, decimal_places=1, default=Decimal(3)
    )
    dues_green = models.PositiveSmallIntegerField(_("dues collected, green from (per cent)"), default=80)
    dues_amber = models.PositiveSmallIntegerField(_("dues collected, amber from (per cent)"), default=50)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("sustainability thresholds")

    def __str__(self) -> str:
        return str(_("sustainability thresholds"))
