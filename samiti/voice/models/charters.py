"""Charters of demands to an authority, the authority's responses, commitments and their follow-up."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core.money import format_taka

__all__ = ["Charter", "CharterItem", "Commitment", "FollowUp", "Response"]


class Charter(models.Model):
    """Prioritised demands of one organisation to one authority, printed as a letter and submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    class Method(models.TextChoices):
        LETTER = "letter", _("letter delivered")
        WARD_SHAVA = "ward_shava", _("at a ward shava")
        OPEN_BUDGET = "open_budget", _("at an open budget meeting")
        MEETING = "meeting", _("at a meeting with officials")
        OTHER = "other", _("other way")

    class Language(models.TextChoices):
        BENGALI = "bn", _("Bengali")
        ENGLISH = "en", _("English")

    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="charters",
    )
    authority = models.ForeignKey(
        "registry.Authority",
        verbose_name=_("to authority"),
        on_delete=models.PROTECT,
        related_name="charters",
    )
    official = models.ForeignKey(
        "registry.Official",
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("opening paragraph"),
        blank=True,
        help_text=_("Printed after the salutation; a standard paragraph is printed when empty."),
    )
    language = models.CharField(
        _("language of the letter"), max_length=2, choices=Language.choices, default=Language.BENGALI
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("prepared on"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The submission: when, how and to whom (an official of the authority, or a name).
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=12, choices=Method.choices, blank=True)
    submitted_to = models.ForeignKey(
        "registry.Official",
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_to_name = models.CharField(_("received by (name and post)"), max_length=150, blank=True)
    meeting = models.ForeignKey(
        "registry.Meeting",
        verbose_name=_("at meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="charters",
    )
    submission_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("charter of demands")
        verbose_name_plural = _("charters of demands")
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_on__isnull=False),
                name="charter_submitted_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def received_by(self) -> str:
        return str(self.submitted_to) if self.submitted_to_id else self.submitted_to_name


class CharterItem(models.Model):
    """A demand in a charter, at its priority (1 comes first)."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="items")
    demand = models.ForeignKey(
        "voice.Demand", verbose_name=_("demand"), on_delete=models.PROTECT, related_name="charter_items"
    )
    priority = models.PositiveSmallIntegerField(_("priority"))

    class Meta:
        ordering = ["charter", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "demand"], name="charter_lists_a_demand_once"),
            models.UniqueConstraint(fields=["charter", "priority"], name="charter_priorities_distinct"),
        ]

    def __str__(self) -> str:
        return f"{self.priority}. {self.demand}"


class Response(models.Model):
    """The authority's answer to one demand of a charter: a commitment, a rejection or a referral."""

    class Kind(models.TextChoices):
        COMMITTED = "committed", _("commitment")
        REJECTED = "rejected", _("rejection")
        REFERRED = "referred", _("referral elsewhere")

    item = models.OneToOneField(CharterItem, on_delete=models.CASCADE, related_name="response")
    kind = models.CharField(_("response"), max_length=10, choices=Kind.choices)
    responded_on = models.DateField(_("answered on"))
    official = models.ForeignKey(
        "registry.Official",
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    official_name = models.CharField(_("answered by (name and post)"), max_length=150, blank=True)
    reasons = models.TextField(_("reasons given"), blank=True)
    referred_to = models.ForeignKey(
        "registry.Authority",
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="referred") | Q(referred_to__isnull=False),
                name="referral_names_an_authority",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.item.demand}"

    @property
    def answered_by(self) -> str:
        return str(self.official) if self.official_id else self.official_name


class Commitment(models.Model):
    """What an authority promised for a demand, by when, with what budget; followed up until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        FULFILLED = "fulfilled", _("fulfilled")
        PARTLY_FULFILLED = "partly_fulfilled", _("partly fulfilled")
        BROKEN = "broken", _("broken")

    # Fulfilled and broken are final; a partly fulfilled commitment may still be fulfilled.
    CLOSED = (Status.FULFILLED, Status.BROKEN)

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="commitment")
    # Carried on the row so lists and scope need not climb response › item › charter.
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="commitments")
    demand = models.ForeignKey("voice.Demand", on_delete=models.PROTECT, related_name="commitments")
    what = models.TextField(_("what was promised"))
    due_on = models.DateField(_("by when"))
    budget_poisha = models.BigIntegerField(_("budget allocated (poisha)"), null=True, blank=True)
    responsible = models.CharField(_("who is responsible"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_poisha__isnull=True) | Q(budget_poisha__gte=0),
                name="commitment_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.what[:80]

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """The due date has passed and the commitment is neither fulfilled nor broken."""
        return not self.is_closed and self.due_on < (today or timezone.localdate())

    @property
    def budget_taka(self) -> str:
        """The budget in taka with Latin digits (pages pass it through `digits`)."""
        return format_taka(self.budget_poisha)


def evidence_path(instance: "FollowUp", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    return f"voice/commitments/{now:%Y/%m}/commitment-{instance.commitment_id}-{now:%d%H%M%S%f}.{extension}"


class FollowUp(models.Model):
    """A visit or a check on a commitment: what was seen, and whether it is now closed."""

    class Outcome(models.TextChoices):
        PROGRESS = "", _("still in progress")
        FULFILLED = "fulfilled", _("fulfilled")
        PARTLY_FULFILLED = "partly_fulfilled", _("partly fulfilled")
        BROKEN = "broken", _("broken")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("date"))
    note = models.TextField(_("what was found"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.on}: {self.note[:60]}"
