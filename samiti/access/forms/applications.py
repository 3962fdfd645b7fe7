"""Forms of the application and task pages: they parse input; the rules live in services/applications.py."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.access.models import Application, DocumentKind, RejectionReason, Scheme
from samiti.core.forms import ServiceErrors
from samiti.registry.forms import DateInput, TakaField
from samiti.registry.models import Authority, Member, Organisation

Status = Application.Status


def authorities_near(member: Member) -> QuerySet[Authority]:
    """The authorities of the member's district, where an application is handed in."""
    return Authority.objects.filter(area__path__startswith=member.district.path).order_by("name_en", "pk")


class ApplicationNewForm(ServiceErrors, forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), queryset=Scheme.objects.filter(is_active=True), to_field_name="code"
    )
    on = forms.DateField(label=_("Identified on"), widget=DateInput)


class StepForm(ServiceErrors, forms.Form):
    """A step of an application: the day it happened and a note."""

    on = forms.DateField(label=_("On"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, application: Application, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate(), "since": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.application = application


class SubmitForm(StepForm):
    where = forms.CharField(
        label=_("Where"), max_length=200, required=False, help_text=_("The office or the digital centre.")
    )
    to = forms.CharField(label=_("To whom"), max_length=200, required=False)
    authority = forms.ModelChoiceField(
        label=_("Authority"), queryset=Authority.objects.none(), required=False
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        self.fields["authority"].queryset = authorities_near(application.member)
        self.order_fields(["on", "where", "to", "authority", "note"])


class RejectForm(StepForm):
    reason = forms.ChoiceField(label=_("Reason given"), choices=[("", "—"), *RejectionReason.choices])

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        self.order_fields(["on", "reason", "note"])


class ReceivingForm(StepForm):
    amount_per_month = TakaField(
        label=_("Amount per month (taka)"),
        required=False,
        help_text=_("Leave blank for food, a card or a service."),
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        self.fields["since"] = self.fields.pop("on")  # named as the service names it
        self.fields["since"].label = _("Receiving since")
        self.order_fields(["since", "amount_per_month", "note"])


# The form of each step, with the words of its heading and button.
STEP_FORMS = {
    Status.DOCUMENTS_READY: (StepForm, _("Documents ready")),
    Status.SUBMITTED: (SubmitForm, _("Submitted")),
    Status.APPROVED: (StepForm, _("Approved")),
    Status.REJECTED: (RejectForm, _("Rejected")),
    Status.RECEIVING: (ReceivingForm, _("Receiving")),
    Status.STOPPED: (StepForm, _("Stopped receiving")),
}


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any")), *Status.choices, ("stalled", _("stalled"))],
    )
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), queryset=Scheme.objects.all(), required=False, to_field_name="code"
    )
    group = forms.ModelChoiceField(label=_("Group"), queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, groups: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups.order_by("name_en")


class DocumentTickForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
