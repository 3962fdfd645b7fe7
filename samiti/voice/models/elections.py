"""Committee elections: the posts to fill, the candidates, and the seats their votes won."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samiti.registry.models import CommitteeOffice, Member, Organisation

__all__ = ["Candidate", "Election", "Post"]

# The offices with one holder each; committee members fill `Election.member_seats` seats.
SINGLE_OFFICES = [
    CommitteeOffice.Office.PRESIDENT,
    CommitteeOffice.Office.VICE_PRESIDENT,
    CommitteeOffice.Office.SECRETARY,
    CommitteeOffice.Office.CASHIER,
]


class Election(models.Model):
    """An election of an organisation's committee, under the by-laws in force when it was called."""

    class Status(models.TextChoices):
        NOMINATING = "nominating", _("taking nominations")
        VOTING = "voting", _("voting")
        DECLARED = "declared", _("results declared")
        CANCELLED = "cancelled", _("cancelled")

    IN_PROGRESS = [Status.NOMINATING, Status.VOTING]

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="elections", verbose_name=_("organisation")
    )
    held_on = models.DateField(
        _("election date"), help_text=_("The new committee's term starts on this day.")
    )
    meeting = models.ForeignKey(
        "registry.Meeting",
        verbose_name=_("at meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="elections",
    )
    # Copied from the by-laws when the election is called, so a later change of rules does not
    # rewrite an election already under way or declared.
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    women_seats_percent = models.PositiveSmallIntegerField(_("seats for women (per cent, at least)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOMINATING)
    # Filled when the results are declared.
    women_required = models.PositiveSmallIntegerField(_("women's seats required"), null=True, blank=True)
    women_elected = models.PositiveSmallIntegerField(_("women elected"), null=True, blank=True)
    seats_filled = models.PositiveSmallIntegerField(_("seats filled"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "status"])]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return str(
            _("Committee election of %(organisation)s, %(date)s")
            % {"organisation": self.organisation, "date": self.held_on.isoformat()}
        )

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def quota_met(self) -> bool | None:
        if self.women_required is None or self.women_elected is None:
            return None
        return self.women_elected >= self.women_required

    @property
    def women_share(self) -> float | None:
        if not self.seats_filled:
            return None
        return (self.women_elected or 0) / self.seats_filled


class Post(models.Model):
    """One office an election fills, with its seats and, once voting opens, its secret poll."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="posts")
    office = models.CharField(_("office"), max_length=20, choices=CommitteeOffice.Office.choices)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    # Null while nominations are open, and for an uncontested post (no more candidates than seats).
    poll = models.ForeignKey(
        "voice.Poll", null=True, blank=True, on_delete=models.PROTECT, related_name="election_posts"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "office"], name="election_post_once"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_post_has_a_seat"),
        ]

    def __str__(self) -> str:
        return self.get_office_display()

    @property
    def order(self) -> int:
        return CommitteeOffice.Office.values.index(self.office)


class Candidate(models.Model):
    """A member standing for a post: nominated by one member, seconded by another."""

    class Status(models.TextChoices):
        STANDING = "standing", _("standing")
        WITHDRAWN = "withdrawn", _("withdrawn")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="candidacies", verbose_name=_("candidate")
    )
    nominated_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominated by")
    )
    seconded_by = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("seconded by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.STANDING)
    nominated_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The candidate's line on the post's ballot, once voting opens.
    option = models.ForeignKey(
        "voice.Option", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Filled when the results are declared.
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    elected = models.BooleanField(_("elected"), default=False)
    by_quota = models.BooleanField(_("seated by the women's quota"), default=False)
    gave_way = models.BooleanField(_("gave way to the women's quota"), default=False)

    class Meta:
        ordering = ["post", "id"]
        constraints = [
            # A member stands for one post at a time in an election.
            models.UniqueConstraint(
                fields=["election", "member"],
                condition=Q(status="standing"),
                name="candidate_stands_once",
            ),
            models.CheckConstraint(condition=~Q(member=models.F("nominated_by")), name="no_self_nomination"),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.post})"

    @property
    def seconded(self) -> bool:
        return self.seconded_by_id is not None
