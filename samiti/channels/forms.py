"""Forms of the channels pages: they parse input; the rules live in services and queries."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samiti.channels.models import Message
from samiti.channels.services import NOTE_LENGTH
from samiti.core.forms import ServiceErrors
from samiti.registry.forms import DateInput
from samiti.registry.models import Organisation, User
from samiti.registry.queries import organisations_for

ANY = [("", pgettext_lazy("filter", "any"))]


class MessageFilterForm(forms.Form):
    """The filters of the message history."""

    q = forms.CharField(label=_("Text or phone"), required=False, max_length=100)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=ANY + Message.Direction.choices, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=ANY + Message.Status.choices, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ANY + Message.Kind.choices, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("every organisation"),
    )
    member = forms.CharField(label=_("Member number"), required=False, max_length=30)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=pgettext_lazy("end of a period", "To"), required=False, widget=DateInput)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for(user).order_by("kind", "name_en")

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return data


class DealtWithForm(ServiceErrors, forms.Form):
    note = forms.CharField(
        label=_("What was done (optional)"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
