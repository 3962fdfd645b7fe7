"""Forms of the grievance pages: they parse input; the rules live in services/grievances.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.access.models import Grievance, GrievanceCategory, Scheme
from samiti.core.forms import ServiceErrors
from samiti.registry.forms import DateInput


class GrievanceForm(ServiceErrors, forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=GrievanceCategory.objects.all())
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    raised_with = forms.CharField(
        label=_("Raised with"),
        max_length=200,
        required=False,
        help_text=_("The office or person the member complained to."),
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput)


class EscalateForm(ServiceErrors, forms.Form):
    raised_with = forms.CharField(
        label=_("Raised with"), max_length=200, help_text=_("The higher office it now goes to.")
    )
    on = forms.DateField(label=_("On"), widget=DateInput, initial=timezone.localdate)


class ResolveForm(ServiceErrors, forms.Form):
    resolution = forms.CharField(label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("On"), widget=DateInput, initial=timezone.localdate)


class DropForm(ServiceErrors, forms.Form):
    note = forms.CharField(label=_("Why it was dropped"), max_length=2000, required=False)
    on = forms.DateField(label=_("On"), widget=DateInput, initial=timezone.localdate)


# Each way a grievance moves: its form, the words of its heading and button.
GRIEVANCE_STEPS = {
    "escalate": (EscalateForm, _("Escalate")),
    "resolve": (ResolveForm, _("Resolve")),
    "drop": (DropForm, _("Drop")),
}


class GrievanceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *Grievance.Status.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=GrievanceCategory.objects.all(), required=False
    )
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), queryset=Scheme.objects.all(), required=False, to_field_name="code"
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
