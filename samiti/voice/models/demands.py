"""Demands members raise of local government, their endorsements, evidence and timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core.models import Channel

__all__ = ["Demand", "DemandCategory", "DemandEvent", "Endorsement", "Evidence"]


class DemandCategory(models.TextChoices):
    IRRIGATION = "irrigation", _("irrigation and water")
    ROADS = "roads", _("roads")
    EXTENSION = "extension", _("agricultural extension")
    INPUTS = "inputs", _("inputs and subsidies")
    MARKETS = "markets", _("market access and prices")
    LAND = "land", _("land")
    WAGES = "wages", _("wages")
    SAFETY_NETS = "safety_nets", _("safety nets")
    HEALTH = "health", _("health")
    EDUCATION = "education", _("education")
    DISASTER = "disaster", _("disaster")
    OTHER = "other", _("other")


class Demand(models.Model):
    """What members ask of an authority; one row from its raising to its outcome, whoever holds it."""

    class Status(models.TextChoices):
        RAISED = "raised", _("raised")
        ADOPTED = "adopted", _("adopted by the group")
        TAKEN_UP = "taken_up", _("taken up")
        IN_CHARTER = "in_charter", _("in a charter")
        SUBMITTED = "submitted", _("submitted")
        COMMITTED = "committed", _("committed")
        REJECTED = "rejected", _("rejected")
        REFERRED = "referred", _("referred")
        FULFILLED = "fulfilled", _("fulfilled")
        PARTLY_FULFILLED = "partly_fulfilled", _("partly fulfilled")
        BROKEN = "broken", _("commitment broken")
        MERGED = "merged", _("merged")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # Statuses in which members may still endorse and the demand may still move up or be merged.
    OPEN_STATUSES = (Status.RAISED, Status.ADOPTED, Status.TAKEN_UP)

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=12, choices=DemandCategory.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RAISED)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        related_name="demands",
    )
    raised_by_organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("raised in"),
        on_delete=models.PROTECT,
        related_name="demands_raised",
    )
    # The association the demand was raised in (null for one raised by a federation): scope and
    # per-association counts filter on it without joining up the organisation tree.
    association = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("association"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    households_affected = models.PositiveIntegerField(_("households affected"), null=True, blank=True)
    authority = models.ForeignKey(
        "registry.Authority",
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
    )
    raised_by = models.ForeignKey(
        "registry.Member",
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands_raised",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    created_at = models.DateTimeField(_("raised on"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [
            models.Index(fields=["association", "status"]),
            models.Index(fields=["organisation", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="demand_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Endorsement(models.Model):
    """One member's support for a demand: at most one per member and demand."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="endorsements")
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="endorsements")
    # The member's association, so endorsement counts stay per association at a million members.
    association = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("endorsed on"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [models.UniqueConstraint(fields=["demand", "member"], name="endorse_once")]
        indexes = [models.Index(fields=["association", "demand"])]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.demand_id}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    """Name the stored file by demand and time; the uploader's file name may carry personal data."""
    now = timezone.now()
    return f"voice/evidence/{now:%Y/%m}/demand-{instance.demand_id}-{now:%d%H%M%S%f}.{instance.kind}"


class Evidence(models.Model):
    """A photo or a document that backs a demand."""

    class Kind(models.TextChoices):
        JPEG = "jpg", _("photo (JPEG)")
        PNG = "png", _("photo (PNG)")
        PDF = "pdf", _("document (PDF)")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.caption or self.get_kind_display()

    @property
    def is_image(self) -> bool:
        return self.kind in (self.Kind.JPEG, self.Kind.PNG)


class DemandEvent(models.Model):
    """A step on a demand's path, from its raising to what changed on the ground."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("raised")
        ENDORSED = "endorsed", _("endorsed")
        ADOPTED = "adopted", _("adopted at a meeting")
        TAKEN_UP = "taken_up", _("taken up")
        MERGED = "merged", _("merged")
        EVIDENCE = "evidence", _("evidence added")
        IN_CHARTER = "in_charter", _("put in a charter")
        OUT_OF_CHARTER = "out_of_charter", _("taken out of a charter")
        SUBMITTED = "submitted", _("submitted to the authority")
        COMMITTED = "committed", _("commitment made")
        REJECTED = "rejected", _("rejected")
        REFERRED = "referred", _("referred elsewhere")
        FULFILLED = "fulfilled", _("fulfilled")
        PARTLY_FULFILLED = "partly_fulfilled", _("partly fulfilled")
        BROKEN = "broken", _("commitment broken")
        WITHDRAWN = "withdrawn", _("withdrawn")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.ForeignKey(
        "registry.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="demand_events"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("demand step")
        verbose_name_plural = _("demand steps")
        indexes = [models.Index(fields=["demand", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.demand_id}"
