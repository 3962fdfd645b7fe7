"""Forms of the catalogue pages: a scheme, its windows and its rule. They parse; services decide."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.access.models import DocumentKind, Scheme
from samiti.core.forms import ServiceErrors
from samiti.core.money import taka_amount
from samiti.registry.forms import DateInput, TakaField
from samiti.registry.models import Authority


class SchemeForm(ServiceErrors, forms.Form):
    name_en = forms.CharField(label=_("Name in English"), max_length=150, required=False)
    name_bn = forms.CharField(label=_("Name in Bengali"), max_length=150, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Scheme.Kind.choices)
    agency_en = forms.CharField(label=_("Agency in English"), max_length=200, required=False)
    agency_bn = forms.CharField(label=_("Agency in Bengali"), max_length=200, required=False)
    office = forms.ChoiceField(
        label=_("Office to apply at"), choices=[("", "—"), *Authority.Kind.choices], required=False
    )
    benefit = forms.ChoiceField(label=_("Kind of benefit"), choices=Scheme.Benefit.choices)
    benefit_en = forms.CharField(label=_("Benefit in English"), max_length=200)
    benefit_bn = forms.CharField(label=_("Benefit in Bengali"), max_length=200, required=False)
    value_per_year = TakaField(
        label=_("Value per year (taka)"),
        help_text=_("What the benefit is worth to a household in a year; the work list is sorted by it."),
    )
    how_to_apply_en = forms.CharField(
        label=_("How to apply, in English"), widget=forms.Textarea, required=False
    )
    how_to_apply_bn = forms.CharField(
        label=_("How to apply, in Bengali"), widget=forms.Textarea, required=False
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents needed"),
        choices=DocumentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    source = forms.CharField(
        label=_("Source"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Where the criteria and amounts come from, and any assumption behind the value."),
    )
    as_of = forms.DateField(label=_("As of"), widget=DateInput, required=False)
    is_active = forms.BooleanField(label=_("Active (screened and listed)"), required=False)

    @classmethod
    def initial_for(cls, scheme: Scheme) -> dict:
        initial = {name: getattr(scheme, name) for name in cls.base_fields}
        initial["value_per_year"] = taka_amount(scheme.value_per_year)
        return initial

    def clean_value_per_year(self) -> int:
        value = self.cleaned_data["value_per_year"]
        return 0 if value is None else value


class WindowForm(ServiceErrors, forms.Form):
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


class RuleForm(ServiceErrors, forms.Form):
    text = forms.CharField(
        label=_("Rule"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        strip=False,
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput, initial=tomorrow)
    note = forms.CharField(
        label=_("Reason for the change"),
        max_length=200,
        help_text=_("For example the budget or the circular that changed the criteria."),
    )
