"""Forms of the asset pages: they parse input; the rules live in services/assets.py."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core.forms import ServiceErrors
from samiti.finance.forms.dues import association_member
from samiti.finance.models import SharedAsset
from samiti.finance.services.assets import POOLED, RENT_PAID_TO
from samiti.finance.services.chart import CHART
from samiti.registry.forms import DateInput, TakaField
from samiti.registry.models import Member, Organisation, User


def _accounts(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(code, CHART[code].name) for code in codes]


class AssetForm(ServiceErrors, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Such as: Kubota power tiller"))
    kind = forms.ChoiceField(label=_("Kind"), choices=SharedAsset.Kind.choices)
    bought_on = forms.DateField(label=_("Bought on"), widget=DateInput, initial=timezone.localdate)
    price = TakaField(label=_("Price (taka)"))
    paid_from = forms.ChoiceField(label=_("Paid from"), choices=_accounts(POOLED), initial="cash")
    unit = forms.ChoiceField(label=_("Rented by the"), choices=SharedAsset.Unit.choices)
    rate = TakaField(label=_("Rent per unit (taka)"))
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class RentalForm(ServiceErrors, forms.Form):
    member = forms.CharField(
        label=_("Member number"), max_length=40, required=False, help_text=_("Leave blank for someone else.")
    )
    renter = forms.CharField(label=_("Or the renter's name"), max_length=150, required=False)
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    quantity = forms.DecimalField(label=_("How much"), min_value=0, max_digits=8, decimal_places=2)
    amount = TakaField(
        label=_("Amount paid (taka)"), max_length=20, required=False, help_text=_("Blank: quantity × rent.")
    )
    paid_to = forms.ChoiceField(label=_("Paid into"), choices=_accounts(RENT_PAID_TO), initial="cash")
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, user: User, association: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.association = user, association

    def clean_member(self) -> Member | None:
        text = self.cleaned_data["member"].strip()
        return association_member(self.user, self.association, text) if text else None


class CostForm(ServiceErrors, forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    amount = TakaField(label=_("Amount (taka)"))
    memo = forms.CharField(label=_("Spent on"), max_length=200, help_text=_("Such as: diesel, a new belt"))
    paid_from = forms.ChoiceField(label=_("Paid from"), choices=_accounts(POOLED), initial="cash")
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class RetireForm(ServiceErrors, forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    sold_for = TakaField(
        label=_("Sold for (taka)"), max_length=20, required=False, help_text=_("Blank if not sold.")
    )
    paid_to = forms.ChoiceField(label=_("Paid into"), choices=_accounts(POOLED), initial="cash")

    def clean_sold_for(self) -> int:
        return self.cleaned_data["sold_for"] or 0
