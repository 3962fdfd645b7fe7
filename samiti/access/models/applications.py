"""Applications from identified to receiving, grievances when they fail, referrals to services."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.access.models.catalogue import RuleVersion, Scheme
from samiti.registry.models import Authority, BilingualName, Member, Organisation

__all__ = ["Application", "ApplicationEvent", "Grievance", "GrievanceCategory", "Referral", "RejectionReason"]


class RejectionReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("found not eligible")
    DOCUMENTS = "documents", _("documents missing or not accepted")
    QUOTA_FULL = "quota_full", _("the union's quota was full")
    NOT_LISTED = "not_listed", _("left off the committee's list")
    OTHER_ALLOWANCE = "other_allowance", _("already receives another allowance")
    AGE_PROOF = "age_proof", _("age not accepted")
    PAYMENT_ASKED = "payment_asked", _("a payment was asked for")
    OTHER = "other", _("other reason")


class Application(models.Model):
    """One member's way to one scheme, from being identified to receiving the benefit."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("identified")
        DOCUMENTS_READY = "documents_ready", _("documents ready")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        RECEIVING = "receiving", _("receiving")
        STOPPED = "stopped", _("stopped receiving")

    CLOSED = (Status.REJECTED, Status.STOPPED)

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="applications")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="applications")
    association = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IDENTIFIED)
    rule_version = models.ForeignKey(
        RuleVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identified_on = models.DateField(_("identified on"))
    documents_ready_on = models.DateField(_("documents ready on"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_where = models.CharField(_("submitted where"), max_length=200, blank=True)
    submitted_to = models.CharField(_("submitted to"), max_length=200, blank=True)
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.CharField(_("note on the rejection"), max_length=300, blank=True)
    receiving_since = models.DateField(_("receiving since"), null=True, blank=True)
    amount_per_month = models.BigIntegerField(_("amount per month (poisha)"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    updated_on = models.DateField(_("last step on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-updated_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "scheme"], condition=~Q(status__in=["rejected", "stopped"]),
                name="one_open_application_per_member_and_scheme",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["association", "scheme", "status"]),
            models.Index(fields=["scheme", "status", "member"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.scheme}"


class ApplicationEvent(models.Model):
    """A step of an application, dated as it happened, with who recorded it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=16, choices=Application.Status.choices)
    on = models.DateField(_("on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status} {self.on}"


class GrievanceCategory(BilingualName):
    """A kind of grievance and how many days it should take to resolve (data, not code)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    resolution_days = models.PositiveSmallIntegerField(_("days to resolve"))

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("grievance category")
        verbose_name_plural = _("grievance categories")


class Grievance(models.Model):
    """A complaint about a rejected or stalled application, with a date by which it should be resolved."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ESCALATED = "escalated", _("escalated")
        RESOLVED = "resolved", _("resolved")
        DROPPED = "dropped", _("dropped")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="grievances")
    association = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(GrievanceCategory, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("what happened"))
    raised_with = models.CharField(_("raised with"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"))
    due_on = models.DateField(_("to be resolved by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["association", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.category} ({self.opened_on})"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status in (self.Status.OPEN, self.Status.ESCALATED) and self.due_on < (
            today or timezone.localdate()
        )


class Referral(models.Model):
    """A member sent to an extension or health service, and whether they got it."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("referred")
        RECEIVED = "received", _("service received")
        NOT_RECEIVED = "not_received", _("service not received")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="referrals")
    association = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    referred_on = models.DateField(_("referred on"))
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.REFERRED)
    outcome_on = models.DateField(_("outcome recorded on"), null=True, blank=True)
    outcome_note = models.CharField(_("note on the outcome"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-referred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} → {self.service}"
