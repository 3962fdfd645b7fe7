"""Forms of the dues pages: they parse input; the rules live in services/dues.py."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core.forms import ServiceErrors
from samiti.finance.models import Frequency
from samiti.finance.services.chart import CHART, PAYMENT_ACCOUNTS
from samiti.registry.forms import DateInput, TakaField
from samiti.registry.models import Member, Organisation, User
from samiti.registry.queries import members_by_number

PAYMENT_METHODS = [(code, CHART[code].name) for code in PAYMENT_ACCOUNTS]


class FeeForm(ServiceErrors, forms.Form):
    amount = TakaField(label=_("Fee (taka)"))
    frequency = forms.ChoiceField(label=_("Due every"), choices=Frequency.choices, initial=Frequency.MONTHLY)
    starts_on = forms.DateField(label=_("From"), widget=DateInput, initial=timezone.localdate)


def association_member(user: User, association: Organisation, text: str) -> Member:
    """The member of `association` whose number was typed (Bengali digits count), in `user`'s scope."""
    lines = members_by_number(user, text)
    member = lines[0].member if lines else None
    if member is None or member.association_id != association.pk:
        raise forms.ValidationError(
            _("No member of this association has the number %(number)s."),
            params={"number": lines[0].code if lines else text},
        )
    return member


class PaymentForm(ServiceErrors, forms.Form):
    member = forms.CharField(
        label=_("Member number"), max_length=40, help_text=_("As on the member's card, such as G12-0034.")
    )
    amount = TakaField(label=_("Amount paid (taka)"))
    method = forms.ChoiceField(label=_("Paid by"), choices=PAYMENT_METHODS, initial="cash")
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("For mobile money, the bKash or Nagad transaction id; for the bank, the slip number."),
    )
    on = forms.DateField(label=_("Paid on"), widget=DateInput, initial=timezone.localdate)
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, user: User, association: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.association = user, association

    def clean_member(self) -> Member:
        return association_member(self.user, self.association, self.cleaned_data["member"])


class DuesFilterForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Organisation.objects.none(), required=False)
    on = forms.DateField(label=_("On"), widget=DateInput, required=False)

    def __init__(self, *args, association: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Organisation.objects.filter(
            parent=association, kind=Organisation.Kind.GROUP
        ).order_by("code")
