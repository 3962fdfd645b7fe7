"""Forms of the demand pages: they parse input; the rules live in services/demands.py."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samiti.core.bengali import to_latin_digits
from samiti.core.forms import ServiceErrors
from samiti.registry import queries
from samiti.registry.forms import AreaChoiceField, areas_for
from samiti.registry.models import Area, Authority, Meeting, Member, Organisation, User
from samiti.voice.models.demands import Demand, DemandCategory
from samiti.voice.services.demands import MAX_EVIDENCE_BYTES

BLANK = [("", "—")]
# Above this many members a checkbox per member is too heavy for a phone: codes are pasted instead.
MAX_CHECKBOXES = 150


def authorities_for(user: User) -> QuerySet[Authority]:
    """Authorities in the user's district (every authority for the whole programme)."""
    base = user.area or (user.organisation.area if user.organisation else None)
    authorities = Authority.objects.order_by("name_en")
    if base is None:
        return authorities
    district = base.ancestor_codes()[: Area.ORDER.index(Area.Level.DISTRICT) + 1]
    return authorities.filter(area__path__startswith="/" + "/".join(district) + "/")


class DemandFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=BLANK + Demand.Status.choices, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=BLANK + DemandCategory.choices, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queries.organisations_for(user).order_by("kind", "name_en")


class DemandForm(ServiceErrors, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Raised in"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("In Bengali, English or both, as the members said it."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=BLANK + DemandCategory.choices)
    authority = forms.ModelChoiceField(
        label=_("For authority"), queryset=Authority.objects.none(), required=False
    )
    area = AreaChoiceField(
        label=_("Area it concerns"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Leave empty for the organisation's own area."),
    )
    households_affected = forms.IntegerField(label=_("Households affected"), min_value=1, required=False)
    raised_by = forms.CharField(
        label=_("Raised by (member number)"), max_length=30, required=False, help_text=_("Optional.")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = (
            queries.organisations_for(user)
            .exclude(status=Organisation.Status.DISSOLVED)
            .order_by("kind", "name_en")
        )
        self.fields["authority"].queryset = authorities_for(user)
        self.fields["area"].queryset = areas_for(
            user, ["upazila", "union", "ward", "village"], programme_levels=("district", "upazila")
        )

    def clean_raised_by(self) -> Member | None:
        code = to_latin_digits(self.cleaned_data.get("raised_by") or "").strip()
        if not code:
            return None
        member = queries.members_for(self.user).filter(code__iexact=code).first()
        if member is None:
            raise forms.ValidationError(_("No member with number %(code)s.") % {"code": code})
        return member


class MemberCheckboxes(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj} · {obj.code}"


class EndorseForm(forms.Form):
    """Endorsers ticked from the holder's members, or member numbers pasted one per line."""

    members = MemberCheckboxes(
        label=_("Members"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    codes = forms.CharField(
        label=_("Member numbers, one per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("From a paper sheet; Bengali or Latin digits."),
    )

    def __init__(self, *args, user: User, demand: Demand, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.demand = demand
        eligible = queries.members_of(user, demand.organisation)
        self.show_checkboxes = eligible.count() <= MAX_CHECKBOXES
        if self.show_checkboxes:
            self.fields["members"].queryset = eligible.exclude(endorsements__demand=demand).order_by(
                "name_en", "name_bn"
            )
        else:
            del self.fields["members"]

    def clean_codes(self) -> list[Member]:
        lines = queries.members_by_number(self.user, self.data.get("codes", ""))
        unknown = [
            _("line %(line)s: no member %(code)s") % {"line": x.line, "code": x.code}
            for x in lines
            if x.member is None
        ]
        if unknown:
            raise forms.ValidationError(unknown)
        return [x.member for x in lines]

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = list(cleaned.get("members") or []) + list(cleaned.get("codes") or [])
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Tick members or paste their member numbers."))
        cleaned["endorsers"] = chosen
        return cleaned


class EvidenceForm(ServiceErrors, forms.Form):
    file = forms.FileField(
        label=_("Photo or document"),
        help_text=_("JPEG, PNG or PDF, at most %(mb)s MB.") % {"mb": MAX_EVIDENCE_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class AdoptForm(ServiceErrors, forms.Form):
    meeting = forms.ModelChoiceField(label=_("At the meeting"), queryset=Meeting.objects.none())

    def __init__(self, *args, demand: Demand, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            organisation=demand.organisation, status=Meeting.Status.HELD
        ).order_by("-starts_at")


class DemandChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Demand) -> str:
        return f"{obj.title} · {obj.organisation}"


class MergeForm(ServiceErrors, forms.Form):
    others = DemandChoices(
        label=_("Merge these demands into this one"),
        queryset=Demand.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates: QuerySet[Demand], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["others"].queryset = candidates


class FederationForm(ServiceErrors, forms.Form):
    demands = DemandChoices(
        label=_("The same demand from other associations"),
        queryset=Demand.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates: QuerySet[Demand], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demands"].queryset = candidates


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
