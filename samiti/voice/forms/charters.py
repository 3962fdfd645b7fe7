"""Forms of the authority, charter and commitment pages: they parse input; the rules live in services."""

import decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samiti.core.bengali import to_latin_digits
from samiti.core.forms import ServiceErrors
from samiti.registry import queries
from samiti.registry.forms import AreaChoiceField, DateInput, areas_for
from samiti.registry.models import Area, Authority, Meeting, Official, Organisation, User
from samiti.voice.errors import VoiceError
from samiti.voice.models.charters import Charter, FollowUp, Response
from samiti.voice.models.demands import Demand

BLANK = [("", "—")]


def authorities_near(user: User) -> QuerySet[Authority]:
    """Authorities in the user's district (every authority for the whole programme)."""
    base = user.area or (user.organisation.area if user.organisation else None)
    authorities = Authority.objects.select_related("area").order_by("name_en", "pk")
    if base is None or user.sees_whole_programme:
        return authorities
    district = base.ancestor_codes()[: Area.ORDER.index(Area.Level.DISTRICT) + 1]
    return authorities.filter(area__path__startswith="/" + "/".join(district) + "/")


class AuthorityForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Authority.Kind.choices)
    name_bn = forms.CharField(label=_("Name in Bengali"), max_length=150, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=150, required=False)
    code = forms.CharField(label=_("Code"), max_length=40)
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none())
    parent = forms.ModelChoiceField(label=_("Part of"), queryset=Authority.objects.none(), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        levels = ["district", "upazila", "union", "ward"]
        self.fields["area"].queryset = areas_for(user, levels, programme_levels=("district", "upazila"))
        self.fields["parent"].queryset = authorities_near(user)


class OfficialForm(ServiceErrors, forms.Form):
    post = forms.CharField(label=_("Post"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    since = forms.DateField(label=_("Since"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Official) -> str:
        return f"{obj.name}, {obj.post}"


def _priority_field(demand: Demand) -> forms.IntegerField:
    return forms.IntegerField(
        label=demand.title,
        required=False,
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"size": 3}),
    )


class PrioritiesMixin:
    """One priority box per demand: the demands given a number go in, in the order of the numbers."""

    demands: list[Demand]

    def _add_priorities(self, demands: list[Demand], initial: dict[int, int] | None = None) -> None:
        self.demands = demands
        for demand in demands:
            name = f"priority_{demand.pk}"
            self.fields[name] = _priority_field(demand)  # type: ignore[attr-defined]
            if initial and demand.pk in initial:
                self.initial[name] = initial[demand.pk]  # type: ignore[attr-defined]

    def priority_fields(self) -> list:
        return [(self[f"priority_{d.pk}"], d) for d in self.demands]  # type: ignore[index]

    def ordered_demands(self) -> list[Demand]:
        chosen = [
            (self.cleaned_data[f"priority_{d.pk}"], d)  # type: ignore[attr-defined]
            for d in self.demands
            if self.cleaned_data.get(f"priority_{d.pk}") is not None  # type: ignore[attr-defined]
        ]
        numbers = [n for n, _d in chosen]
        if len(set(numbers)) != len(numbers):
            raise VoiceError(_("Give each demand a different priority."), field="demands")
        return [d for _n, d in sorted(chosen, key=lambda pair: pair[0])]


class CharterForm(ServiceErrors, PrioritiesMixin, forms.Form):
    authority = forms.ModelChoiceField(label=_("To authority"), queryset=Authority.objects.none())
    official = OfficialChoiceField(
        label=_("Addressed to (official)"), queryset=Official.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Opening paragraph"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty for the standard paragraph with the endorsement counts."),
    )
    language = forms.ChoiceField(label=_("Language of the letter"), choices=Charter.Language.choices)

    def __init__(self, *args, user: User, demands: list[Demand], **kwargs):
        super().__init__(*args, **kwargs)
        authorities = authorities_near(user)
        self.fields["authority"].queryset = authorities
        self.fields["official"].queryset = Official.objects.filter(authority__in=authorities).select_related(
            "authority"
        )
        self._add_priorities(demands)


class ReorderForm(ServiceErrors, PrioritiesMixin, forms.Form):
    def __init__(self, *args, charter: Charter, **kwargs):
        super().__init__(*args, **kwargs)
        items = list(charter.items.select_related("demand").order_by("priority"))
        self._add_priorities([i.demand for i in items], {i.demand_id: i.priority for i in items})
        for name in self.fields:
            self.fields[name].required = True


class AddDemandForm(ServiceErrors, forms.Form):
    demand = forms.ModelChoiceField(label=_("Demand"), queryset=Demand.objects.none())
    priority = forms.IntegerField(
        label=_("At priority"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to add it last."),
        widget=forms.NumberInput(attrs={"size": 3}),
    )

    def __init__(self, *args, demands: QuerySet[Demand], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].queryset = demands


class RemoveDemandForm(forms.Form):
    demand = forms.ModelChoiceField(queryset=Demand.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, charter: Charter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].queryset = Demand.objects.filter(charter_items__charter=charter)


class SubmissionForm(ServiceErrors, forms.Form):
    submitted_on = forms.DateField(label=_("Submitted on"), widget=DateInput)
    method = forms.ChoiceField(label=_("How"), choices=Charter.Method.choices)
    official = OfficialChoiceField(
        label=_("Received by (official)"), queryset=Official.objects.none(), required=False
    )
    to_name = forms.CharField(label=_("…or received by (name and post)"), max_length=150, required=False)
    meeting = forms.ModelChoiceField(label=_("At meeting"), queryset=Meeting.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user: User, charter: Charter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official"].queryset = charter.authority.officials.all()
        self.fields["meeting"].queryset = (
            queries.meetings_for(user)
            .filter(organisation=charter.organisation)
            .exclude(status=Meeting.Status.CANCELLED)
        )


class TakaField(forms.CharField):
    """An amount of taka (Bengali or Latin digits, commas allowed) cleaned to integer poisha."""

    def to_python(self, value: object) -> int | None:
        text = to_latin_digits(str(value or "")).replace(",", "").replace("৳", "").strip()
        if not text:
            return None
        try:
            amount = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise forms.ValidationError(_("Write the amount in taka, such as 150000 or 1250.50.")) from None
        if amount < 0 or amount != amount.quantize(decimal.Decimal("0.01")):
            raise forms.ValidationError(_("Write the amount in taka, such as 150000 or 1250.50."))
        return int(amount * 100)


class ResponseForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label=_("Response"), choices=Response.Kind.choices, widget=forms.RadioSelect)
    responded_on = forms.DateField(label=_("Answered on"), widget=DateInput)
    official = OfficialChoiceField(
        label=_("Answered by (official)"), queryset=Official.objects.none(), required=False
    )
    official_name = forms.CharField(
        label=_("…or answered by (name and post)"), max_length=150, required=False
    )
    what = forms.CharField(
        label=_("What was promised"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(label=_("By when"), required=False, widget=DateInput)
    budget = TakaField(label=_("Budget allocated (taka)"), required=False)
    responsible = forms.CharField(label=_("Who is responsible"), max_length=150, required=False)
    reasons = forms.CharField(
        label=_("Reasons given (for a rejection)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    referred_to = forms.ModelChoiceField(
        label=_("Referred to (for a referral)"), queryset=Authority.objects.none(), required=False
    )

    def __init__(self, *args, user: User, charter: Charter, **kwargs):
        super().__init__(*args, **kwargs)
        authority = charter.authority
        self.fields["official"].queryset = Official.objects.filter(
            authority_id__in=[pk for pk in (authority.pk, authority.parent_id) if pk]
        )
        self.fields["referred_to"].queryset = authorities_near(user).exclude(pk=authority.pk)

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["budget_poisha"] = data.pop("budget")
        return data


class CorrectResponseForm(ResponseForm):
    why = forms.CharField(
        label=_("What was wrong"),
        max_length=300,
        help_text=_("Kept in the record of changes, with the response as it was."),
    )

    @staticmethod
    def initial_from(response: Response) -> dict:
        commitment = getattr(response, "commitment", None)
        initial = {
            "kind": response.kind,
            "responded_on": response.responded_on,
            "official": response.official_id,
            "official_name": response.official_name,
            "reasons": response.reasons,
            "referred_to": response.referred_to_id,
        }
        if commitment is not None:
            budget = commitment.budget_poisha
            initial.update(
                what=commitment.what,
                due_on=commitment.due_on,
                budget=f"{budget // 100}.{budget % 100:02d}" if budget is not None else "",
                responsible=commitment.responsible,
            )
        return initial


class FollowUpForm(ServiceErrors, forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUp.Outcome.choices, required=False)
    evidence = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class CharterOrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=pgettext_lazy("sender of a letter", "From"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queries.organisations_for(user).order_by("kind", "name_en")
