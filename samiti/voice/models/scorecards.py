"""Community score cards (CARE's method): a community scores a public service, round after round,
the provider scores itself, and both agree an action plan at an interface meeting."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = ["Action", "Indicator", "ProviderScore", "Round", "Score", "ScoreCard", "ScorerGroup"]


class ScoreCard(models.Model):
    """A community's score card on one public service of one provider."""

    class Service(models.TextChoices):
        AGRICULTURAL_EXTENSION = "agricultural_extension", _("agricultural extension")
        SAFETY_NET = "safety_net", _("safety-net distribution")
        HEALTH_POST = "health_post", _("health post")
        SCHOOL = "school", _("school")
        OTHER = "other", _("other service")

    class Scale(models.TextChoices):
        ONE_TO_FIVE = "1-5", _("1 to 5")
        PERCENT = "0-100", _("0 to 100")

    # (lowest, highest) score on each scale.
    LIMITS = {Scale.ONE_TO_FIVE: (1, 5), Scale.PERCENT: (0, 100)}

    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="score_cards",
        verbose_name=_("run by"),
    )
    title = models.CharField(_("title"), max_length=200)
    service = models.CharField(_("service"), max_length=24, choices=Service.choices)
    authority = models.ForeignKey(
        "registry.Authority",
        on_delete=models.PROTECT,
        related_name="score_cards",
        verbose_name=_("provider"),
    )
    scale = models.CharField(_("scale"), max_length=6, choices=Scale.choices, default=Scale.ONE_TO_FIVE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def lowest(self) -> int:
        return self.LIMITS[self.Scale(self.scale)][0]

    @property
    def highest(self) -> int:
        return self.LIMITS[self.Scale(self.scale)][1]


class Indicator(models.Model):
    """Something the community chose to score the service on, in its own words."""

    card = models.ForeignKey(ScoreCard, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"))
    text_en = models.CharField(_("indicator (English)"), max_length=300, blank=True)
    text_bn = models.CharField(_("indicator (Bengali)"), max_length=300, blank=True)

    class Meta:
        ordering = ["card", "position"]
        constraints = [
            models.UniqueConstraint(fields=["card", "position"], name="indicator_position_once"),
            models.CheckConstraint(condition=~Q(text_en="", text_bn=""), name="indicator_has_a_text"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        if (get_language() or "").startswith("bn"):
            return self.text_bn or self.text_en
        return self.text_en or self.text_bn


class Round(models.Model):
    """One scoring of every indicator, repeated every few months so change shows."""

    card = models.ForeignKey(ScoreCard, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    held_on = models.DateField(_("scored on"))
    interface_meeting = models.ForeignKey(
        "registry.Meeting",
        verbose_name=_("interface meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="score_rounds",
    )

    class Meta:
        ordering = ["card", "number"]
        constraints = [models.UniqueConstraint(fields=["card", "number"], name="round_number_once")]

    def __str__(self) -> str:
        return str(_("Round %(number)s of %(card)s") % {"number": self.number, "card": self.card})


class ScorerGroup(models.TextChoices):
    WOMEN = "women", _("women")
    MEN = "men", _("men")
    YOUTH = "youth", _("youth")
    ELDERS = "elders", _("elders")
    MIXED = "mixed", _("mixed group")
    OTHER = "other", _("other group")


class Score(models.Model):
    """The community's score of one indicator in a round: a focus group's, or one member's."""

    Group = ScorerGroup

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="scores")
    scorer_group = models.CharField(_("scorer group"), max_length=10, choices=ScorerGroup.choices, blank=True)
    member = models.ForeignKey(
        "registry.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveSmallIntegerField(_("score"))
    reason = models.TextField(_("reason"), blank=True)
    suggestion = models.TextField(_("suggestion"), blank=True)

    class Meta:
        constraints = [
            # A score comes from a focus group or from a member, never both or neither.
            models.CheckConstraint(
                condition=(Q(member__isnull=True) & ~Q(scorer_group=""))
                | (Q(member__isnull=False) & Q(scorer_group="")),
                name="score_has_one_scorer",
            ),
            models.UniqueConstraint(
                fields=["round", "indicator", "scorer_group"],
                condition=Q(member__isnull=True),
                name="group_scores_once",
            ),
            models.UniqueConstraint(
                fields=["round", "indicator", "member"],
                condition=Q(member__isnull=False),
                name="member_scores_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class ProviderScore(models.Model):
    """The provider's own score of an indicator in a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="provider_scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="provider_scores")
    value = models.PositiveSmallIntegerField(_("provider's score"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "indicator"], name="provider_scores_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class Action(models.Model):
    """A step of the action plan agreed at a round's interface meeting."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="actions")
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    what = models.CharField(_("what"), max_length=300)
    owner = models.CharField(_("who"), max_length=150)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["round", "done_on", "due_on", "id"]

    def __str__(self) -> str:
        return self.what[:80]

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        if self.done_on is not None or self.due_on is None:
            return False
        return self.due_on < (today or timezone.localdate())
