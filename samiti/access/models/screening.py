"""Screening runs and what they found: who is likely eligible, or cannot be told, for each scheme."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.access.models.catalogue import RuleVersion, Scheme
from samiti.registry.models import Member, Organisation

__all__ = ["Finding", "MemberDocument", "Screening"]


class MemberDocument(models.Model):
    """A document or account a member holds, so applications know what is still missing."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=24)
    obtained_on = models.DateField(_("obtained on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="one_document_of_a_kind")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}"


class Screening(models.Model):
    """One run of screening: who ran it, over whom, as of which day, with which rule versions."""

    on = models.DateField(_("screened as of"))
    scope = models.CharField(_("screened"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    versions = models.ManyToManyField(RuleVersion, related_name="+")
    counts = models.JSONField(
        default=dict
    )  # scheme code -> {"eligible", "cannot_tell", "not_eligible", "receiving"}
    members = models.PositiveIntegerField(_("members screened"), default=0)
    seconds = models.FloatField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.on})"

    @property
    def label(self) -> str:
        """What was screened, in the reader's language: an empty scope is the whole programme."""
        return self.scope or str(_("everyone in scope"))


class Finding(models.Model):
    """A member's latest screening result for a scheme, kept only when it is worth acting on.

    Not eligible members and members already receiving the scheme leave no finding; a new
    screening of the same member replaces the old finding.
    """

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", _("likely eligible")
        CANNOT_TELL = "cannot_tell", _("cannot tell")

    # Screening writes and replaces millions of findings at once, so this table carries only the
    # indexes its reads need (the unique constraint leads with member, the indexes below with
    # scheme, outcome and screening), and no foreign-key constraints in the database: every
    # finding is written by `services.screening.screen` from rows it has just read, and Django
    # still cascades deletes. A constraint would check every row written and, on SQLite, make
    # replacing all findings a delete row by row instead of a truncation (8.9 s against 0.3 s a
    # million rows).
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="findings", db_index=False, db_constraint=False
    )
    association = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    outcome = models.CharField(_("result"), max_length=12, choices=Outcome.choices)
    # How much the benefit matters to the household, as `services.screening.priority` defines it;
    # the work list is read in this order through the index below.
    priority = models.BigIntegerField(_("priority"), default=0)
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    screening = models.ForeignKey(
        Screening, on_delete=models.CASCADE, related_name="findings", db_index=False, db_constraint=False
    )
    screened_on = models.DateField(_("screened as of"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "scheme"], name="one_finding_per_member_and_scheme")
        ]
        indexes = [
            # Counts by scheme and outcome (the catalogue, results, a scheme's work list) read
            # this index alone.
            models.Index(fields=["scheme", "outcome", "association"], name="finding_scheme"),
            models.Index(fields=["outcome", "-priority", "id"], name="finding_worklist"),
            # A screening's counts by scheme and outcome read this index alone.
            models.Index(fields=["screening", "scheme", "outcome"], name="finding_screening"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.scheme_id} {self.outcome}"
