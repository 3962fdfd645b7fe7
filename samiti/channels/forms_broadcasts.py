"""The form of a new broadcast: the member list's filters and the text in each language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samiti.core.forms import ServiceErrors
from samiti.registry.forms import MemberFilterForm
from samiti.registry.models import User

# The filters shown at once; the others fold away (a phone has little room).
MAIN_FILTERS = ("organisation", "area", "sex")
TEXTS = ("text_bn", "text_en")


class BroadcastForm(ServiceErrors, MemberFilterForm):
    """Whom (the member list's filters, current members only) and what (a text per language)."""

    text_bn = forms.CharField(
        label=_("Message in Bengali"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "bn", "data-sms-length": ""}),
    )
    text_en = forms.CharField(
        label=_("Message in English"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en", "data-sms-length": ""}),
        help_text=_("Each member gets the text in their language; one left blank takes the other."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["status"]  # a broadcast reaches current members only

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("text_bn") or "").strip() and not (data.get("text_en") or "").strip():
            self.add_error("text_bn", _("Write the message in Bengali, English or both."))
        return data

    def filters(self) -> dict:
        """The member filters of the cleaned data (without the texts)."""
        return {name: value for name, value in self.cleaned_data.items() if name not in TEXTS}
