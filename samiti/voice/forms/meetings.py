"""Forms of the meeting pages: they parse input; the rules live in services/meetings.py."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samiti.core.forms import ServiceErrors
from samiti.registry import queries
from samiti.registry.forms import DateInput
from samiti.registry.models import Authority, Meeting, Member, Official, Organisation, User
from samiti.voice.errors import VoiceError
from samiti.voice.models import AgendaItem, Decision, Demand, Poll
from samiti.voice.services.demands import demands_for
from samiti.voice.services.meetings import BadLinesError
from samiti.voice.services.polls import polls_for

# Above this many members a checkbox per member is too heavy for a phone's page.
MAX_CHECKBOXES = 300


class DateTimeInput(forms.DateTimeInput):
    """A date-and-time picker; it takes ISO values whatever the page's language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format="%Y-%m-%dT%H:%M"):
        super().__init__(attrs, format=format)


class MeetingFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Meeting.Kind.choices], required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queries.organisations_for(user).order_by("kind", "name_en")


class MeetingForm(ServiceErrors, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_("Date and time"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    authority = forms.ModelChoiceField(
        label=_("With authority"),
        queryset=Authority.objects.order_by("name_en"),
        required=False,
        help_text=_("For a ward shava, an open budget meeting or a meeting with officials."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("One item per line, in order."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queries.organisations_for(user).order_by("kind", "name_en")

    def clean_agenda(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["agenda"].splitlines() if line.strip()]


class AttendanceForm(ServiceErrors, forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    numbers = forms.CharField(
        label=_("Or paste member numbers"),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        required=False,
        help_text=_("One per line; Bengali digits are fine. Added to the members ticked above."),
    )
    officials = forms.ModelMultipleChoiceField(
        label=_("Officials present"),
        queryset=Official.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    guests = forms.CharField(
        label=_("Other officials or guests"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One per line: name, post."),
    )

    def __init__(self, *args, user: User, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = queries.members_of(user, meeting.organisation).order_by("name_en")
        if meeting.authority_id:
            self.fields["officials"].queryset = Official.objects.filter(authority_id=meeting.authority_id)
        else:
            del self.fields["officials"]

    def add_service_error(self, error: VoiceError) -> None:
        if isinstance(error, BadLinesError):
            # One error per bad line, under the box that still holds what was pasted.
            self.add_error("numbers", [str(error.header), *(str(line) for line in error.lines)])
        else:
            super().add_service_error(error)

    def clean_guests(self) -> list[tuple[str, str]]:
        guests = []
        for line in self.cleaned_data["guests"].splitlines():
            if not line.strip():
                continue
            name, _comma, post = line.partition(",")
            if len(name.strip()) > 150 or len(post.strip()) > 100:
                raise forms.ValidationError(_("A name is at most 150 characters, a post 100."))
            guests.append((name.strip(), post.strip()))
        return guests

    def present(self) -> list[tuple[str, str, Official | None]]:
        """Officials and guests as the registry records them: (name, post, official)."""
        officials = [(o.name, o.post, o) for o in self.cleaned_data.get("officials", [])]
        return officials + [(name, post, None) for name, post in self.cleaned_data["guests"]]


class AgendaItemForm(ServiceErrors, forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=300)


class MinutesForm(ServiceErrors, forms.Form):
    agenda_item = forms.ModelChoiceField(
        label=_("On agenda item"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("the whole meeting"),
    )
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()


class DecisionForm(ServiceErrors, forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    agenda_item = forms.ModelChoiceField(
        label=_("On agenda item"), queryset=AgendaItem.objects.none(), required=False
    )
    demand = forms.ModelChoiceField(
        label=_("Concerns demand"), queryset=Demand.objects.none(), required=False
    )
    poll = forms.ModelChoiceField(label=_("Concerns poll"), queryset=Poll.objects.none(), required=False)

    def __init__(self, *args, user: User, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()
        # The demands and polls of this organisation and those it belongs to, not the programme's.
        organisation = meeting.organisation
        around = [organisation.pk, organisation.parent_id]
        self.fields["demand"].queryset = (
            demands_for(user)
            .filter(
                Q(organisation_id__in=[pk for pk in around if pk]) | Q(raised_by_organisation=organisation)
            )
            .exclude(status__in=[Demand.Status.MERGED, Demand.Status.WITHDRAWN])
            .order_by("-created_at")
        )
        self.fields["poll"].queryset = polls_for(user).filter(organisation=organisation).order_by("-id")


class ActionForm(ServiceErrors, forms.Form):
    what = forms.CharField(label=_("What"), max_length=300)
    owner_member = forms.ModelChoiceField(
        label=_("Member responsible"), queryset=Member.objects.none(), required=False
    )
    owner_name = forms.CharField(
        label=_("or person responsible"),
        max_length=150,
        required=False,
        help_text=_("A facilitator, an official: anyone who is not a member."),
    )
    due_on = forms.DateField(label=_("Due by"), widget=DateInput, required=False)
    decision = forms.ModelChoiceField(
        label=_("Follows decision"), queryset=Decision.objects.none(), required=False
    )

    def __init__(self, *args, user: User, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_member"].queryset = queries.members_of(user, meeting.organisation).order_by(
            "name_en"
        )
        self.fields["decision"].queryset = meeting.decisions.all()


class ActionDoneForm(ServiceErrors, forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput, required=False)
