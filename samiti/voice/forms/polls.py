"""Forms of the poll pages: they parse input; the rules live in services/polls.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samiti.core.forms import ServiceErrors
from samiti.registry import queries
from samiti.registry.models import Member, User
from samiti.voice.errors import VoiceError
from samiti.voice.models.polls import Option, Poll
from samiti.voice.services import polls as service

BLANK = [("", "—")]


def members_by_code(user: User, text: str, field: str = "members") -> list[Member]:
    """The members whose numbers are written one per line (Bengali or Latin digits), in scope."""
    lines = queries.members_by_number(user, text)
    unknown = [x.code for x in lines if x.member is None]
    if unknown:
        raise forms.ValidationError(
            _("No member with the number %(codes)s.") % {"codes": ", ".join(unknown[:10])}, code=field
        )
    return list({x.member.pk: x.member for x in lines}.values())


class PollForm(ServiceErrors, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    question = forms.CharField(label=_("Question"), max_length=300)
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Poll.Kind.choices)
    options = forms.CharField(
        label=_("Options, one per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Not needed for a yes/no question."),
    )
    secret = forms.BooleanField(
        label=_("Secret ballot"),
        required=False,
        help_text=_("Nobody can tell how a member voted; results show only once the poll closes."),
    )
    # The format a datetime-local input shows, so an edited draft's times come back filled in.
    opens_at = forms.DateTimeField(
        label=_("Opens at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum (per cent of eligible members)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Leave empty to follow the organisation's by-laws."),
    )
    majority = forms.ChoiceField(
        label=_("Majority required"), choices=BLANK + Poll.Majority.choices, required=False
    )
    counting = forms.ChoiceField(
        label=_("Counting (ranking)"),
        choices=BLANK + Poll.Counting.choices,
        required=False,
        help_text=_(
            "Borda: on a ballot ranking options among n, first place gets n−1 points, the next n−2 … "
            "unranked options get nothing. Instant runoff: the option with the fewest first "
            "preferences goes out, round by round, until one has more than half."
        ),
    )

    def __init__(self, *args, user: User, poll: Poll | None = None, **kwargs):
        if poll is not None:
            kwargs["initial"] = {
                "question": poll.question,
                "details": poll.details,
                "kind": poll.kind,
                "options": ""
                if poll.kind == Poll.Kind.YES_NO
                else "\n".join(o.label for o in poll.options.order_by("position")),
                "secret": poll.secret,
                "opens_at": poll.opens_at,
                "closes_at": poll.closes_at,
                "quorum_percent": poll.quorum_percent,
                "majority": poll.majority,
                "counting": poll.counting,
            }
        super().__init__(*args, **kwargs)
        if poll is not None:
            # A draft stays with the organisation it was drafted for: its quorum and scope follow it.
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = queries.organisations_for(user).order_by("kind", "name_en")

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["options"] = [line.strip() for line in data["options"].splitlines() if line.strip()]
        data["majority"] = data["majority"] or None
        data["counting"] = data["counting"] or None
        return data


class VoteForm(forms.Form):
    """One member's vote, recorded by a leader."""

    member = forms.CharField(label=_("Member number"), max_length=30)
    option = forms.TypedChoiceField(label=_("Choice"), coerce=int, required=False, widget=forms.RadioSelect)
    approved = forms.TypedMultipleChoiceField(
        label=_("Approved options"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    order = forms.CharField(
        label=_("Option numbers in order of preference"),
        required=False,
        help_text=_("For example 3 1 2: option 3 first. Options left out are unranked."),
    )

    def __init__(self, *args, user: User, poll: Poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.poll = user, poll
        self.options = list(poll.options.order_by("position"))
        labelled = [(o.pk, f"{o.position}. {o.display_label}") for o in self.options]
        for name in ("option", "approved"):
            self.fields[name].choices = labelled
        keep = {
            Poll.Kind.YES_NO: "option",
            Poll.Kind.SINGLE: "option",
            Poll.Kind.APPROVAL: "approved",
            Poll.Kind.RANKING: "order",
        }[poll.kind]
        for name in ("option", "approved", "order"):
            if name != keep:
                del self.fields[name]
        self.fields[keep].required = True

    def clean_member(self) -> Member:
        return members_by_code(self.user, self.cleaned_data["member"], "member")[0]

    def choice(self) -> list[Option]:
        by_pk = {o.pk: o for o in self.options}
        data = self.cleaned_data
        if "option" in data:
            return [by_pk[data["option"]]]
        if "approved" in data:
            return [by_pk[pk] for pk in data["approved"]]
        return service.options_from_text(self.poll, data["order"])


class PaperForm(forms.Form):
    """Paper ballots or a show of hands: the members who voted, and the count per choice."""

    members = forms.CharField(
        label=_("Member numbers of those who voted, one per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("From the signature sheet; Bengali or Latin digits."),
    )
    present = forms.BooleanField(label=_("Everyone present at the meeting who has not voted"), required=False)
    ballots = forms.CharField(
        label=_("Ballots, one per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_(
            "The option numbers on each ballot, such as 1 3 (approval) or 3 1 2 (in order of preference)."
        ),
    )

    def __init__(self, *args, user: User, poll: Poll, hands: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.poll = user, poll
        self.options = list(poll.options.order_by("position"))
        self.by_count = poll.kind in (Poll.Kind.YES_NO, Poll.Kind.SINGLE)
        if self.by_count:
            del self.fields["ballots"]
            for option in self.options:
                self.fields[f"count_{option.position}"] = forms.IntegerField(
                    label=f"{option.position}. {option.display_label}", min_value=0, initial=0
                )
        if not (hands and poll.meeting_id):
            del self.fields["present"]

    def clean(self) -> dict:
        data = super().clean()
        members: list[Member] = []
        if data.get("present") and self.poll.meeting_id:
            members = list(
                queries.members_for(self.user)
                .filter(attendance__meeting_id=self.poll.meeting_id)
                .exclude(pk__in=self.poll.register.filter(voted=True).values("member_id"))
            )
        try:
            members += members_by_code(self.user, data.get("members", ""))
        except forms.ValidationError as error:
            self.add_error("members", error)
        data["member_list"] = list({m.pk: m for m in members}.values())
        counts: list[tuple[list[Option], int]] = []
        if self.by_count:
            counts = [([o], data.get(f"count_{o.position}") or 0) for o in self.options]
        else:
            for n, line in enumerate(data.get("ballots", "").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    counts.append((service.options_from_text(self.poll, line), 1))
                except VoiceError as error:
                    self.add_error("ballots", _("Line %(line)d: %(error)s") % {"line": n, "error": error})
        data["counts"] = counts
        return data
