"""What voice adds to a registry meeting: its agenda, minutes, decisions and follow-up actions."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["AgendaItem", "Decision", "FollowUpAction", "Minutes"]


class AgendaItem(models.Model):
    """One point of a meeting's agenda, in order; its minutes are what was said on it."""

    meeting = models.ForeignKey(
        "registry.Meeting", on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("agenda item"), max_length=300)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Minutes(models.Model):
    """The minutes of the meeting as a whole (minutes of single agenda items live on the item)."""

    meeting = models.OneToOneField(
        "registry.Meeting", on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting")
    )
    text = models.TextField(_("minutes"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(_("Minutes of %(meeting)s") % {"meeting": self.meeting})


class Decision(models.Model):
    """What a meeting decided, with the demand and the poll it concerns when there are some."""

    meeting = models.ForeignKey(
        "registry.Meeting", on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    text = models.TextField(_("decision"))
    demand = models.ForeignKey(
        "voice.Demand",
        verbose_name=_("demand"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    poll = models.ForeignKey(
        "voice.Poll",
        verbose_name=_("poll"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["meeting", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date | None = None) -> "ActionQuerySet":
        """Actions not done whose due date has passed."""
        return self.filter(done_on__isnull=True, due_on__lt=today or timezone.localdate())

    def open(self) -> "ActionQuerySet":
        return self.filter(done_on__isnull=True)


class FollowUpAction(models.Model):
    """Something someone agreed to do after a meeting, by a date."""

    meeting = models.ForeignKey(
        "registry.Meeting", on_delete=models.CASCADE, related_name="actions", verbose_name=_("meeting")
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    what = models.CharField(_("what"), max_length=300)
    owner_member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("member responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_name = models.CharField(_("or person responsible"), max_length=150, blank=True)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["done_on", "due_on", "id"]
        indexes = [models.Index(fields=["meeting", "done_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_member__isnull=False) | ~Q(owner_name=""), name="action_has_an_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.what[:80]

    @property
    def owner(self) -> str:
        return str(self.owner_member) if self.owner_member_id else self.owner_name

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        if self.done_on is not None or self.due_on is None:
            return False
        return self.due_on < (today or timezone.localdate())
