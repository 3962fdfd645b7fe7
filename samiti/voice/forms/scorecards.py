"""Forms of the score card pages: they parse input; the rules live in services/scorecards.py."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samiti.core.forms import ServiceErrors
from samiti.registry import queries
from samiti.registry.forms import DateInput
from samiti.registry.models import Area, Authority, Meeting, Member, Organisation, User
from samiti.voice.models import Indicator, Round, ScoreCard, ScorerGroup
from samiti.voice.services.scorecards import ScoreEntry


def providers_for(user: User) -> QuerySet[Authority]:
    """Authorities in the user's district (every authority for the whole programme)."""
    base = user.area or (user.organisation.area if user.organisation else None)
    authorities = Authority.objects.order_by("name_en")
    if base is None:
        return authorities
    district = base.ancestor_codes()[: Area.ORDER.index(Area.Level.DISTRICT) + 1]
    return authorities.filter(area__path__startswith="/" + "/".join(district) + "/")


class ScoreCardForm(ServiceErrors, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Run by"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    service = forms.ChoiceField(label=_("Service"), choices=ScoreCard.Service.choices)
    authority = forms.ModelChoiceField(label=_("Provider"), queryset=Authority.objects.none())
    scale = forms.ChoiceField(
        label=_("Scale"),
        choices=ScoreCard.Scale.choices,
        help_text=_("0 to 100 is like school marks (50 is a pass); 1 to 5 suits low literacy."),
    )
    indicators = forms.CharField(
        label=_("Indicators"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("One per line, as the community chose them; English | Bengali when in both."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queries.organisations_for(user).order_by("kind", "name_en")
        self.fields["authority"].queryset = providers_for(user)

    def clean_indicators(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.cleaned_data["indicators"].splitlines():
            if not line.strip():
                continue
            english, bar, bengali = line.partition("|")
            if not bar and any("\u0980" <= ch <= "\u09ff" for ch in english):
                english, bengali = "", english  # a line in Bengali script only
            pairs.append((english.strip(), bengali.strip()))
        return pairs


class IndicatorForm(ServiceErrors, forms.Form):
    text_en = forms.CharField(label=_("Indicator (English)"), max_length=300, required=False)
    text_bn = forms.CharField(label=_("Indicator (Bengali)"), max_length=300, required=False)


class RoundForm(ServiceErrors, forms.Form):
    held_on = forms.DateField(label=_("Scored on"), widget=DateInput)
    interface_meeting = forms.ModelChoiceField(
        label=_("Interface meeting"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args, card: ScoreCard, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interface_meeting"].queryset = interface_meetings(card)


def interface_meetings(card: ScoreCard) -> QuerySet[Meeting]:
    return Meeting.objects.filter(organisation=card.organisation, kind=Meeting.Kind.INTERFACE).order_by(
        "-starts_at"
    )


class InterfaceMeetingForm(ServiceErrors, forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Interface meeting"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args, card: ScoreCard, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = interface_meetings(card)


class ScoresForm(ServiceErrors, forms.Form):
    """A score and a reason for each indicator; community scores also say who scored."""

    def __init__(self, *args, user: User, round: Round, provider: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        card = round.card
        self.provider = provider
        self.indicators = list(card.indicators.all())
        if not provider:
            self.fields["scorer_group"] = forms.ChoiceField(
                label=_("Scored by group"), choices=[("", "—"), *ScorerGroup.choices], required=False
            )
            self.fields["member"] = forms.ModelChoiceField(
                label=_("or by member"),
                queryset=queries.members_of(user, card.organisation).order_by("name_en"),
                required=False,
            )
        for indicator in self.indicators:
            self.fields[f"value_{indicator.pk}"] = forms.IntegerField(
                label=indicator.text,
                required=False,
                help_text=_("%(low)s to %(high)s") % {"low": card.lowest, "high": card.highest},
            )
            self.fields[f"reason_{indicator.pk}"] = forms.CharField(
                label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
            )
            if not provider:
                self.fields[f"suggestion_{indicator.pk}"] = forms.CharField(
                    label=_("Suggestion"), max_length=500, required=False
                )

    def entries(self) -> list[ScoreEntry]:
        data = self.cleaned_data
        return [
            ScoreEntry(
                indicator=indicator,
                value=data[f"value_{indicator.pk}"],
                reason=data.get(f"reason_{indicator.pk}", ""),
                suggestion=data.get(f"suggestion_{indicator.pk}", ""),
            )
            for indicator in self.indicators
            if data.get(f"value_{indicator.pk}") is not None
        ]

    def scorer(self) -> dict[str, str | Member | None]:
        if self.provider:
            return {}
        return {"scorer_group": self.cleaned_data["scorer_group"], "member": self.cleaned_data["member"]}


class PlanActionForm(ServiceErrors, forms.Form):
    what = forms.CharField(label=_("What"), max_length=300)
    owner = forms.CharField(
        label=_("Who"), max_length=150, help_text=_("The provider, the community, or a name.")
    )
    due_on = forms.DateField(label=_("Due by"), widget=DateInput, required=False)
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.none(), required=False
    )

    def __init__(self, *args, card: ScoreCard, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = card.indicators.all()
