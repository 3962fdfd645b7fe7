"""Forms of the referral pages: they parse input; the rules live in services/referrals.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.access.forms.applications import authorities_near
from samiti.access.models import Referral, Scheme
from samiti.access.services.referrals import services_to_refer_to
from samiti.core.forms import ServiceErrors
from samiti.registry.forms import DateInput
from samiti.registry.models import Authority, Member


class ReferralForm(ServiceErrors, forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Scheme.objects.none(), to_field_name="code")
    referred_to = forms.CharField(
        label=_("Referred to"), max_length=200, required=False, help_text=_("The officer, clinic or office.")
    )
    authority = forms.ModelChoiceField(
        label=_("Authority"), queryset=Authority.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    on = forms.DateField(label=_("Referred on"), widget=DateInput)

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services_to_refer_to()
        self.fields["authority"].queryset = authorities_near(member)


class OutcomeForm(ServiceErrors, forms.Form):
    received = forms.TypedChoiceField(
        label=_("Was the service received?"),
        choices=[("yes", _("yes, received")), ("no", _("no, not received"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("On"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *Referral.Status.choices]
    )
