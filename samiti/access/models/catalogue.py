"""Schemes and services members may be entitled to, their eligibility rules and their windows."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.registry.models import Authority, BilingualName

__all__ = ["DocumentKind", "RuleVersion", "Scheme", "Window"]


class DocumentKind(models.TextChoices):
    """Papers and accounts a scheme asks for; a member's national ID is in the registry."""

    NATIONAL_ID = "national_id", _("national ID card")
    PHOTO = "photo", _("passport-size photos")
    INCOME_CERTIFICATE = "income_certificate", _("income certificate from the Union Parishad")
    DISABILITY_CERTIFICATE = "disability_certificate", _("disability certificate")
    DEATH_CERTIFICATE = "death_certificate", _("husband's death certificate")
    ANC_CARD = "anc_card", _("antenatal care card")
    BANK_ACCOUNT = "bank_account", _("bank account")
    MOBILE_MONEY = "mobile_money", _("mobile money account")
    LAND_RECORD = "land_record", _("land record or tenancy proof")
    FARMER_CARD = "farmer_card", _("agricultural input assistance card")


class Scheme(BilingualName):
    """A safety-net programme or a public service, as published, with an 'as of' date and source."""

    class Kind(models.TextChoices):
        SAFETY_NET = "safety_net", _("safety net")
        EXTENSION = "extension", _("extension service")
        HEALTH = "health", _("health service")
        FINANCIAL = "financial", _("financial service")

    class Benefit(models.TextChoices):
        CASH = "cash", _("cash")
        FOOD = "food", _("food")
        WORK = "work", _("paid work")
        CARD = "card", _("card or account")
        SERVICE = "service", _("service")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    agency_en = models.CharField(_("agency (English)"), max_length=200, blank=True)
    agency_bn = models.CharField(_("agency (Bengali)"), max_length=200, blank=True)
    office = models.CharField(
        _("office to apply at"), max_length=24, choices=Authority.Kind.choices, blank=True,
        help_text=_("The kind of office; the member's own is found by their area."),
    )  # fmt: skip
    benefit = models.CharField(_("benefit"), max_length=10, choices=Benefit.choices)
    benefit_en = models.CharField(_("benefit (English)"), max_length=200)
    benefit_bn = models.CharField(_("benefit (Bengali)"), max_length=200, blank=True)
    value_per_year = models.BigIntegerField(
        _("value per year (poisha)"), default=0,
        help_text=_("What the benefit is worth to a household in a year; the work list is sorted by it."),
    )  # fmt: skip
    how_to_apply_en = models.TextField(_("how to apply (English)"), blank=True)
    how_to_apply_bn = models.TextField(_("how to apply (Bengali)"), blank=True)
    documents = models.JSONField(_("documents needed"), default=list, blank=True)
    source = models.TextField(_("source"), blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name_en"]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")

    def document_labels(self) -> list[str]:
        return [str(DocumentKind(kind).label) for kind in self.documents if kind in DocumentKind.values]

    def is_open_on(self, day: datetime.date) -> bool:
        """Open all year when it has no windows; otherwise on the days of one of them."""
        windows = list(self.windows.all())
        return not windows or any(w.opens_on <= day <= w.closes_on for w in windows)


class Window(models.Model):
    """A period in which applications to a scheme are taken."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="windows")
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="window_closes_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opens_on} – {self.closes_on}"


class RuleVersion(models.Model):
    """A scheme's eligibility rule from a date on; a change is a new version, old ones are kept."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules")
    text = models.TextField(_("rule"))
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("reason for the change"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["scheme", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "valid_from"], name="one_rule_per_scheme_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} {self.valid_from}"
