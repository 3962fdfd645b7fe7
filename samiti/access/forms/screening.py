"""Forms of screening and the work list: what to screen and as of when, and the list's filters."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.access.models import Finding, Scheme
from samiti.core.forms import ServiceErrors
from samiti.registry.models import Area, Organisation, User
from samiti.registry.queries import groups_for, organisations_for


class DateInput(forms.DateInput):
    input_type = "date"


class ScreenForm(ServiceErrors, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Who to screen"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("everyone in my scope"),
        help_text=_("A group, an association or a federation; or everyone you may see."),
    )
    on = forms.DateField(
        label=_("As of"),
        widget=DateInput,
        help_text=_("Ages and the rules in force are taken on this day."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations_for(user)
            .exclude(status=Organisation.Status.DISSOLVED)
            .order_by("kind", "name_en", "pk")
        )
        self.fields["organisation"].label_from_instance = lambda o: f"{o.name} ({o.get_kind_display()})"
        self.fields["on"].initial = timezone.localdate()


class AsOfForm(forms.Form):
    """The day a member's schemes are worked out for (today when not given)."""

    on = forms.DateField(label=_("As of"), widget=DateInput, required=False)

    def day(self):
        if self.is_valid() and self.cleaned_data["on"]:
            return self.cleaned_data["on"]
        return timezone.localdate()


def unions_for(user: User) -> QuerySet[Area]:
    """Unions where organisations in the user's scope are, or have their villages."""
    places = organisations_for(user).values("area")
    return (
        Area.objects.filter(Q(pk__in=places) | Q(children__in=places), level=Area.Level.UNION)
        .distinct()
        .order_by("name_en", "pk")
    )


class WorklistFilterForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(value, label) for value, label in Finding.Outcome.choices],
        required=False,
    )
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), queryset=Scheme.objects.none(), required=False, empty_label=_("every scheme")
    )
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=Organisation.objects.none(), required=False, empty_label=_("every group")
    )
    union = forms.ModelChoiceField(
        label=_("Union"), queryset=Area.objects.none(), required=False, empty_label=_("every union")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(is_active=True).order_by("kind", "name_en")
        self.fields["group"].queryset = groups_for(user).order_by("name_en", "pk")
        self.fields["union"].queryset = unions_for(user)

    def filters(self) -> dict:
        """The filters for `queries.worklist`: likely eligible when no result is chosen."""
        data = self.cleaned_data
        return {
            "result": data.get("result") or Finding.Outcome.ELIGIBLE,
            "scheme": data.get("scheme"),
            "group": data.get("group"),
            "union": data.get("union"),
        }
