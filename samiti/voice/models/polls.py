"""Polls and secret ballots: a question to the members of an organisation, its register and its box.

Secrecy (DESIGN rule 4) is a property of the tables, not of the pages:

- `Voter` is the register: one row per eligible member, written in one INSERT ... SELECT when the
  poll opens (so its ids follow member ids, never the order of voting). Casting only flips
  `voted`: the row holds no time, no channel and no choice.
- `BallotBox` holds COUNTS, one row per possible choice of a secret poll, all created when the
  poll opens, so a secret ballot is `UPDATE ... SET count = count + 1` and never a new row whose
  id or position could be matched with the register.
- `Vote` exists only for open polls, where who voted for what is recorded on purpose.

A secret vote writes every count of its poll (+1 for the choice, +0 for the rest), so that on
PostgreSQL the rows' transaction ids (xmin) do not point from the last voter to their choice.
What the tables cannot hide is what an observer sees while ballots arrive: snapshots taken
between two ballots, the write-ahead log before a checkpoint, or a log of SQL statements show
which count moved. Statement logging must stay off for these tables, and a secret poll's count
is shown only once it closes.

A choice is written as a key over the options' positions: "2" (yes/no, single choice), "1,3"
(approval: the approved options, ascending) or "3>1>2" (ranking: most preferred first; a partial
ranking leaves the rest unranked).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["BallotBox", "Option", "Poll", "Vote", "Voter"]


class Poll(models.Model):
    """One question put to the members of a group, an association or a federation."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("yes or no")
        SINGLE = "single", _("one choice")
        APPROVAL = "approval", _("approval (choose any)")
        RANKING = "ranking", _("ranking (in order of preference)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("simple majority (more than half of valid votes)")
        TWO_THIRDS = "two_thirds", _("two thirds of valid votes")
        PLURALITY = "plurality", _("plurality (most votes wins)")

    class Counting(models.TextChoices):
        BORDA = "borda", _("Borda count")
        INSTANT_RUNOFF = "irv", _("instant runoff")

    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="polls",
        verbose_name=_("organisation"),
    )
    # The association the poll belongs to (None for a federation's poll), for scope and sharding.
    association = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    question = models.CharField(_("question"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.YES_NO)
    secret = models.BooleanField(
        _("secret ballot"),
        default=False,
        help_text=_("Nobody can tell how a member voted; results show only once the poll closes."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (per cent of eligible members)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    majority = models.CharField(_("majority required"), max_length=10, choices=Majority.choices,
                                default=Majority.SIMPLE)  # fmt: skip
    counting = models.CharField(_("counting (ranking)"), max_length=5, choices=Counting.choices, blank=True)
    meeting = models.ForeignKey(
        "registry.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="polls",
    )
    # Fixed when the poll opens: the size of the register.
    eligible = models.PositiveIntegerField(_("eligible members"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="poll_org_status"),
            models.Index(fields=["association", "status"], name="poll_assoc_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_percent__gte=1, quorum_percent__lte=100), name="poll_quorum_range"
            ),
        ]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.question

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def voting_ended(self) -> bool:
        """Closed, or past its closing time (after which cast_vote refuses every ballot)."""
        return self.is_closed or (self.closes_at is not None and timezone.now() >= self.closes_at)

    @property
    def results_hidden(self) -> bool:
        """A secret poll shows nothing of its count until voting has ended."""
        return self.secret and not self.voting_ended


class Option(models.Model):
    """One of the answers a poll offers (yes/no polls have two: yes at 1, no at 2)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"))
    # A ranking poll prioritises demands: each option may stand for one.
    demand = models.ForeignKey(
        "voice.Demand", null=True, blank=True, on_delete=models.SET_NULL, related_name="poll_options"
    )

    class Meta:
        ordering = ["poll", "position"]
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="option_position_once")]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        if self.poll.kind == Poll.Kind.YES_NO:
            return str(_("Yes") if self.position == 1 else _("No"))
        return self.label


class Voter(models.Model):
    """A member on a poll's register: eligible when it opened, and whether they have voted.

    Deliberately without a time, a channel or any order of voting (see the module docstring).
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="register")
    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="+")
    voted = models.BooleanField(default=False)
    # The member as they were when the poll opened, so turnout by sex, age band, ethnicity and
    # disability is one GROUP BY over an index of the register, even at a million members.
    sex = models.CharField(max_length=1, blank=True)
    age_band = models.CharField(max_length=8, blank=True)
    ethnic_minority = models.BooleanField(default=False)
    disability = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="voter_once")]
        indexes = [
            models.Index(
                fields=["poll", "sex", "age_band", "ethnic_minority", "disability", "voted"],
                name="voter_turnout",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.poll_id}"


class Vote(models.Model):
    """How a member voted in an open (not secret) poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="poll_votes")
    choice = models.CharField(max_length=200)
    channel = models.CharField(max_length=10)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="vote_once")]
        indexes = [models.Index(fields=["poll", "choice"], name="vote_poll_choice")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.poll_id}: {self.choice}"


class BallotBox(models.Model):
    """The number of ballots for one choice of a poll.

    A secret poll has a row for every possible choice from the moment it opens; an open poll
    gets a row when paper ballots or a show of hands are counted into it (named votes are `Vote`s).
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="box")
    choice = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "choice"], name="box_choice_once")]

    def __str__(self) -> str:
        return f"{self.poll_id} {self.choice}: {self.count}"
