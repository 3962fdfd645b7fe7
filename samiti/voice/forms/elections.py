"""Forms of the election pages: they parse input; the rules live in services/elections.py."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core.bengali import to_latin_digits
from samiti.core.forms import ServiceErrors
from samiti.registry import queries
from samiti.registry.forms import DateInput
from samiti.registry.models import CommitteeOffice, Meeting, Member, Organisation, User
from samiti.voice.models.elections import Candidate, Election
from samiti.voice.services.elections import MAX_MEMBER_SEATS


class MemberCodeField(forms.CharField):
    """A member typed by their member number (as on the paper list), found in the organisation."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", _("The member number, as on the member list."))
        super().__init__(*args, **kwargs)
        self.members = Member.objects.none()

    def clean(self, value):
        code = to_latin_digits(super().clean(value) or "").strip()
        if not code:
            return None
        member = self.members.filter(code__iexact=code).first()
        if member is None:
            raise forms.ValidationError(_("No member with the number %(code)s here."), params={"code": code})
        return member


class ElectionForm(ServiceErrors, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    held_on = forms.DateField(
        label=_("Election date"),
        widget=DateInput,
        help_text=_("The new committee's term starts on this day."),
    )
    offices = forms.MultipleChoiceField(
        label=_("Offices to fill"),
        choices=CommitteeOffice.Office.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=CommitteeOffice.Office.values,
    )
    member_seats = forms.IntegerField(
        label=_("Seats for committee members"), min_value=1, max_value=MAX_MEMBER_SEATS, initial=4
    )
    meeting = forms.ModelChoiceField(
        label=_("At meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("The general assembly where members vote, if it is on the calendar."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            queries.organisations_for(user)
            .exclude(status=Organisation.Status.DISSOLVED)
            .order_by("kind", "name_en")
        )
        self.fields["meeting"].queryset = (
            queries.meetings_for(user)
            .filter(status=Meeting.Status.PLANNED, starts_at__gte=timezone.now() - datetime.timedelta(days=1))
            .select_related("organisation")
            .order_by("starts_at")
        )


class NominationForm(ServiceErrors, forms.Form):
    office = forms.ChoiceField(label=_("Office"))
    member = MemberCodeField(label=_("Candidate"))
    nominated_by = MemberCodeField(label=_("Nominated by"))
    seconded_by = MemberCodeField(label=_("Seconded by"), required=False)

    def __init__(self, *args, user: User, election: Election, **kwargs):
        super().__init__(*args, **kwargs)
        posts = sorted(election.posts.all(), key=lambda p: p.order)
        self.fields["office"].choices = [(p.office, p.get_office_display()) for p in posts]
        # Candidates are looked up in the leader's scope; the service checks membership itself.
        members = queries.members_for(user).filter(is_active=True)
        for name in ("member", "nominated_by", "seconded_by"):
            self.fields[name].members = members


class SecondForm(ServiceErrors, forms.Form):
    seconded_by = MemberCodeField(label=_("Seconded by"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seconded_by"].members = queries.members_for(user).filter(is_active=True)


class CandidateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Candidate) -> str:
        return f"{obj.member} ({obj.member.code})"


class CandidateChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Candidate) -> str:
        return f"{obj.member} ({obj.member.code})"


class BallotForm(ServiceErrors, forms.Form):
    """One member's ballot paper: a field per contested post."""

    voter = MemberCodeField(label=_("Voter"), help_text=_("The member number of the member who votes."))

    def __init__(self, *args, user: User, election: Election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voter"].members = queries.members_of(user, election.organisation)
        self.posts = []
        candidates = Candidate.objects.filter(
            election=election, option__isnull=False, status=Candidate.Status.STANDING
        ).select_related("member")
        for post in sorted(election.posts.filter(poll__isnull=False), key=lambda p: p.order):
            mine = candidates.filter(post=post).order_by("id")
            if post.seats == 1:
                field = CandidateChoice(
                    label=post.get_office_display(),
                    queryset=mine,
                    required=False,
                    widget=forms.RadioSelect,
                    empty_label=None,
                )
            else:
                field = CandidateChoices(
                    label=post.get_office_display(),
                    queryset=mine,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Choose up to %(seats)s.") % {"seats": post.seats},
                )
            self.fields[post.office] = field
            self.posts.append(post)

    def choices(self) -> dict:
        return {post.office: self.cleaned_data.get(post.office) for post in self.posts}
