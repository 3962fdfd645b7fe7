from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samiti.registry import queries
from samiti.registry.importing.values import Bad, parse_taka
from samiti.registry.models import (
    WG_FIELDS,
    Area,
    CommitteeOffice,
    Crop,
    Ethnicity,
    FarmerCategory,
    MaritalStatus,
    Member,
    Occupation,
    Organisation,
    Sex,
    User,
)
from samiti.registry.services import MEMBER_FIELDS, RegistryError, normalise_national_id, normalise_phone

BLANK = [("", "—")]
YES_NO = [("", _("not recorded")), ("yes", _("yes")), ("no", _("no"))]


class DateInput(forms.DateInput):
    """A date picker; it takes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


def areas_for(
    user: User, levels: list[str], programme_levels: tuple = ("district", "upazila")
) -> QuerySet[Area]:
    """Areas worth offering in a choice list: those in the user's district, or, for the whole
    programme, only `programme_levels` (all 5,000 unions are too heavy for a phone's page)."""
    base = user.area or (user.organisation.area if user.organisation else None)
    if base is None:
        return Area.objects.filter(level__in=programme_levels).order_by("path")
    district = base.ancestor_codes()[: Area.ORDER.index(Area.Level.DISTRICT) + 1]
    prefix = "/" + "/".join(district) + "/"
    return Area.objects.filter(path__startswith=prefix, level__in=levels).order_by("path")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class MemberFilterForm(forms.Form):
    """The filters of the member list; its exports and the API accept the same names."""

    q = forms.CharField(label=_("Name, phone, national ID or member number"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=BLANK + Sex.choices, required=False)
    age_band = forms.ChoiceField(
        label=_("Age"),
        choices=BLANK
        + [
            ("under18", _("under 18")),
            ("18-35", _("18–35")),
            ("36-59", _("36–59")),
            ("60plus", _("60 and over")),
        ],
        required=False,
    )
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"),
        choices=BLANK + [("minority", _("any ethnic minority"))] + Ethnicity.choices,
        required=False,
    )
    disability = forms.ChoiceField(
        label=_("Disability"),
        choices=BLANK
        + [("yes", _("with disability")), ("no", _("without disability")), ("not_asked", _("not asked"))],
        required=False,
    )
    farmer_category = forms.ChoiceField(
        label=_("Farmer category"), choices=BLANK + FarmerCategory.choices, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("active", _("current members")), ("left", _("former members")), ("all", _("all"))],
        required=False,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queries.organisations_for(user).order_by("kind", "name_en")
        self.fields["area"].queryset = areas_for(user, ["district", "upazila", "union", "ward", "village"])
        if not user.sees_sensitive:
            del self.fields["ethnicity"]
            del self.fields["disability"]


class MemberForm(forms.Form):
    """Add or edit a member; the rules live in services, this only parses the input."""

    name_bn = forms.CharField(label=_("Name in Bengali"), required=False, max_length=150)
    name_en = forms.CharField(label=_("Name in Latin script"), required=False, max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=BLANK + Sex.choices)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    birth_year = forms.IntegerField(label=_("Year of birth (if the date is not known)"), required=False)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=30)
    national_id = forms.CharField(label=_("National ID"), required=False, max_length=30)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=BLANK + Ethnicity.choices, required=False)
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=BLANK + MaritalStatus.choices, required=False
    )
    occupation = forms.ChoiceField(label=_("Occupation"), choices=BLANK + Occupation.choices, required=False)
    pregnant = forms.TypedChoiceField(
        label=_("Pregnant"), choices=YES_NO, coerce=lambda v: v == "yes", empty_value=None, required=False
    )
    land_owned = forms.IntegerField(label=_("Land owned (decimals)"), required=False, min_value=0)
    land_cultivated = forms.IntegerField(label=_("Land cultivated (decimals)"), required=False, min_value=0)
    main_crops = forms.MultipleChoiceField(
        label=_("Main crops"), choices=Crop.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    group = forms.ModelChoiceField(label=_("Group"), queryset=Organisation.objects.none())
    area = AreaChoiceField(
        label=_("Village or area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Leave blank to use the group's area."),
    )
    joined_on = forms.DateField(label=_("Date joined"), widget=DateInput)
    left_on = forms.DateField(label=_("Date left"), required=False, widget=DateInput)
    leaving_reason = forms.CharField(label=_("Reason for leaving"), required=False, max_length=200)
    consent_on = forms.DateField(label=_("Consent given on"), required=False, widget=DateInput)
    consent_method = forms.ChoiceField(
        label=_("Way consent was given"),
        choices=BLANK + Member._meta.get_field("consent_method").choices,
        required=False,
    )

    def __init__(self, *args, user: User, member: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in WG_FIELDS:
            model_field = Member._meta.get_field(field)
            self.fields[field] = forms.TypedChoiceField(
                label=model_field.verbose_name,
                choices=BLANK + model_field.choices,
                coerce=int,
                empty_value=None,
                required=False,
            )
        self.fields["group"].queryset = queries.groups_for(user).order_by("name_en")
        group = member.group if member else None
        if self.is_bound and self.data.get("group"):
            group = self.fields["group"].queryset.filter(pk=self.data.get("group")).first() or group
        if group is not None:
            union = group.area if group.area.level != Area.Level.VILLAGE else group.area.parent
            self.fields["area"].queryset = Area.objects.filter(path__startswith=union.path)
        else:
            self.fields["area"].queryset = Area.objects.filter(level__in=["union", "ward", "village"])
        if isinstance(self.initial.get("pregnant"), bool):
            self.initial["pregnant"] = "yes" if self.initial["pregnant"] else "no"
        if not user.sees_sensitive:
            for field in ["national_id", "ethnicity", "marital_status", "pregnant", *WG_FIELDS]:
                del self.fields[field]

    def clean_phone(self) -> str:
        return self._normalise("phone", normalise_phone)

    def clean_national_id(self) -> str:
        return self._normalise("national_id", normalise_national_id)

    def _normalise(self, name, function) -> str:
        try:
            return function(self.cleaned_data.get(name, ""))
        except RegistryError as error:
            raise forms.ValidationError(str(error)) from error

    def member_fields(self) -> dict:
        """The cleaned input, keyed as services expect it."""
        data = {k: v for k, v in self.cleaned_data.items() if k in MEMBER_FIELDS}
        for key in ("ethnicity", "marital_status", "occupation", "consent_method"):
            if key in data and data[key] is None:
                data[key] = ""
        return data

    def add_service_error(self, error: RegistryError) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error))


class TakaField(forms.CharField):
    """An amount of taka (Bengali or Latin digits, commas allowed) cleaned to integer poisha."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_taka(text)
        except Bad as error:
            raise forms.ValidationError(error.reason) from None


class HouseholdForm(forms.Form):
    household_code = forms.CharField(
        label=_("Household code"), max_length=30, required=False,
        help_text=_("Members of one household share a code; leave blank to take the member out."),
    )  # fmt: skip
    household_size = forms.IntegerField(label=_("Household size"), required=False, min_value=1, max_value=50)
    income_per_year = TakaField(label=_("Household income per year (taka)"), required=False)
    children_under_5 = forms.IntegerField(
        label=_("Children under 5 in the household"), required=False, min_value=0, max_value=50
    )
    representative = forms.BooleanField(label=_("Represents the household"), required=False)


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    code = forms.CharField(label=_("Code"), max_length=30)
    name_en = forms.CharField(label=_("Name in English"), required=False, max_length=150)
    name_bn = forms.CharField(label=_("Name in Bengali"), required=False, max_length=150)
    parent = forms.ModelChoiceField(
        label=_("Belongs to"), queryset=Organisation.objects.none(), required=False
    )
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none())
    registration_number = forms.CharField(label=_("Registration number"), required=False, max_length=50)
    registered_on = forms.DateField(label=_("Registration date"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=Organisation.Status.choices)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = queries.organisations_for(user).exclude(kind=Organisation.Kind.GROUP)
        self.fields["area"].queryset = areas_for(
            user, ["district", "upazila", "union", "ward", "village"], ("district", "upazila", "union")
        )

    def add_service_error(self, error: RegistryError) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error))


class OfficeForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    office = forms.ChoiceField(label=_("Office"), choices=CommitteeOffice.Office.choices)
    started_on = forms.DateField(label=_("From"), widget=DateInput)
    ended_on = forms.DateField(label=_("Until"), required=False, widget=DateInput)

    def __init__(self, *args, user: User, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = queries.members_of(user, organisation)
