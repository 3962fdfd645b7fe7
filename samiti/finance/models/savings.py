"""Savings groups (the VSLA method): cycles with their constitution, meetings, loans."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samiti.registry.models import Meeting, Member, Organisation

__all__ = ["ChargeMethod", "Cycle", "Frequency", "Loan", "SavingsMeeting"]


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    FORTNIGHTLY = "fortnightly", _("every two weeks")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("every three months")
    YEARLY = "yearly", _("yearly")


class ChargeMethod(models.TextChoices):
    FLAT = "flat", _("flat, on the amount borrowed")
    DECLINING = "declining", _("on the balance still owed")


class Cycle(models.Model):
    """A savings cycle of a group, with the constitution it runs by (fixed for the cycle)."""

    class Status(models.TextChoices):
        OPEN = "open", _("running")
        SHARED_OUT = "shared_out", _("shared out")

    group = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("group")
    )
    association_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    number = models.PositiveSmallIntegerField(_("cycle number"))
    share_price = models.BigIntegerField(_("share price (poisha)"), validators=[MinValueValidator(1)])
    max_shares_per_meeting = models.PositiveSmallIntegerField(
        _("most shares a member may buy at a meeting"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    social_fund_per_meeting = models.BigIntegerField(
        _("social fund contribution per meeting (poisha)"), default=0, validators=[MinValueValidator(0)]
    )
    service_charge_percent = models.DecimalField(
        _("service charge per month (per cent)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    service_charge_method = models.CharField(
        _("service charge on"), max_length=10, choices=ChargeMethod.choices, default=ChargeMethod.FLAT
    )
    loan_multiple = models.PositiveSmallIntegerField(
        _("largest loan, times the member's savings"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    max_loan_months = models.PositiveSmallIntegerField(
        _("longest loan (months)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    fine_absent = models.BigIntegerField(
        _("fine for absence (poisha)"), default=0, validators=[MinValueValidator(0)]
    )
    fine_late = models.BigIntegerField(
        _("fine for lateness (poisha)"), default=0, validators=[MinValueValidator(0)]
    )
    meeting_frequency = models.CharField(
        _("meetings"), max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    starts_on = models.DateField(_("starts on"))
    planned_end_on = models.DateField(_("planned end"))
    share_social_fund = models.BooleanField(
        _("social fund is shared out"),
        default=False,
        help_text=_("Usually not: the social fund stays with the group and is carried to the next cycle."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    shared_out_on = models.DateField(_("shared out on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="cycle_number_once"),
            models.UniqueConstraint(
                fields=["group"], condition=models.Q(status="open"), name="one_open_cycle_per_group"
            ),
            models.CheckConstraint(condition=models.Q(share_price__gt=0), name="cycle_share_price_positive"),
            models.CheckConstraint(
                condition=models.Q(planned_end_on__gt=models.F("starts_on")), name="cycle_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return _("%(group)s, cycle %(number)s") % {"group": self.group, "number": self.number}

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class SavingsMeeting(models.Model):
    """The money of one meeting of a savings group, recorded as one batch and then locked."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.PROTECT, related_name="savings", verbose_name=_("meeting")
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("cycle")
    )
    association_id = models.BigIntegerField(null=True, blank=True)
    number = models.PositiveSmallIntegerField(_("meeting number"))
    held_on = models.DateField(_("held on"))
    # Made by the client: a phone that recorded the meeting offline retries with the same id.
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    counted_loan_fund = models.BigIntegerField(_("loan fund counted (poisha)"))
    counted_social_fund = models.BigIntegerField(_("social fund counted (poisha)"))
    members_present = models.PositiveIntegerField(_("members present"), default=0)
    members_expected = models.PositiveIntegerField(_("members of the group"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="savings_meeting_number_once")
        ]

    def __str__(self) -> str:
        return _("Meeting %(number)s of %(cycle)s") % {"number": self.number, "cycle": self.cycle}


class Loan(models.Model):
    """A loan from a group's loan fund to a member; what is owed is the member's loans-receivable
    balance in the ledger (a member has one open loan at a time)."""

    class Status(models.TextChoices):
        OPEN = "open", _("being repaid")
        REPAID = "repaid", _("repaid")
        WRITTEN_OFF = "written_off", _("written off")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="loans", verbose_name=_("cycle"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="loans", verbose_name=_("member")
    )
    association_id = models.BigIntegerField(null=True, blank=True)
    meeting = models.ForeignKey(
        SavingsMeeting, on_delete=models.PROTECT, related_name="loans_given", verbose_name=_("given at")
    )
    principal = models.BigIntegerField(_("amount lent (poisha)"))
    months = models.PositiveSmallIntegerField(_("months"))
    service_charge_percent = models.DecimalField(
        _("service charge per month (per cent)"), max_digits=5, decimal_places=2
    )
    service_charge_method = models.CharField(
        _("service charge on"), max_length=10, choices=ChargeMethod.choices
    )
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    issued_on = models.DateField(_("given on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["cycle", "status"], name="loan_cycle_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="open"), name="one_open_loan_per_member"
            ),
            models.CheckConstraint(condition=models.Q(principal__gt=0), name="loan_principal_positive"),
        ]

    def __str__(self) -> str:
        return _("Loan to %(member)s of %(date)s") % {"member": self.member, "date": self.issued_on}

    def is_overdue(self, on: datetime.date, days: int = 0) -> bool:
        return self.status == self.Status.OPEN and (on - self.due_on).days > days
