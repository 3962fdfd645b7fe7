"""Who: places, organisations, members, households, staff accounts and their scope."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("bn"):
            return self.name_bn or self.name_en
        return self.name_en or self.name_bn


class Area(BilingualName):
    """A place in the administrative tree: division › district › upazila › union › ward › village."""

    class Level(models.TextChoices):
        DIVISION = "division", _("division")
        DISTRICT = "district", _("district")
        UPAZILA = "upazila", _("upazila")
        UNION = "union", _("union")
        WARD = "ward", _("ward")
        VILLAGE = "village", _("village")

    ORDER = [c.value for c in Level]

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    # The official statistical geocode (BBS in Bangladesh), filled when a table is loaded.
    geocode = models.CharField(_("official geocode"), max_length=20, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Codes from the root down, "/DIV-6/DIS-57/", so a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    website = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name_en"]

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]

    def district_code(self) -> str | None:
        codes = self.ancestor_codes()
        index = self.ORDER.index(self.Level.DISTRICT)
        return codes[index] if len(codes) > index else None


class Organisation(BilingualName):
    """A federation, an association or a group of members."""

    class Kind(models.TextChoices):
        FEDERATION = "federation", _("federation")
        ASSOCIATION = "association", _("association")
        GROUP = "group", _("group")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        FORMING = "forming", _("forming")
        DORMANT = "dormant", _("dormant")
        DISSOLVED = "dissolved", _("dissolved")

    PARENT_KIND = {Kind.GROUP: Kind.ASSOCIATION, Kind.ASSOCIATION: Kind.FEDERATION}

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("belongs to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT)
    registration_number = models.CharField(_("registration number"), max_length=50, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="federation", parent__isnull=True) | ~Q(kind="federation"),
                name="federation_has_no_parent",
            ),
            models.CheckConstraint(
                condition=Q(kind="group", parent__isnull=False) | ~Q(kind="group"),
                name="group_belongs_to_an_association",
            ),
        ]

    @property
    def federation_id(self) -> int | None:
        if self.kind == self.Kind.FEDERATION:
            return self.pk
        if self.kind == self.Kind.ASSOCIATION:
            return self.parent_id
        return self.parent.parent_id if self.parent else None


class Household(models.Model):
    code = models.CharField(_("household code"), max_length=30, unique=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT)
    size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    # Integer poisha (DESIGN rule 1); entered and shown as taka. Blank: not recorded.
    income_per_year = models.BigIntegerField(_("household income per year"), null=True, blank=True)
    children_under_5 = models.PositiveSmallIntegerField(_("children under 5"), null=True, blank=True)
    representative = models.ForeignKey(
        "Member",
        verbose_name=_("representative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(income_per_year__gte=0) | Q(income_per_year__isnull=True),
                name="household_income_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def income_per_year_taka(self) -> int | None:
        """The income in whole taka (rounded down), for display."""
        return None if self.income_per_year is None else self.income_per_year // 100


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    THIRD = "T", _("third gender (hijra)")


class Ethnicity(models.TextChoices):
    """The majority and the ethnic-minority communities of the programme's districts."""

    BENGALI = "bengali", _("Bengali (majority)")
    GARO = "garo", _("Garo (Mandi)")
    HAJONG = "hajong", _("Hajong")
    KOCH = "koch", _("Koch")
    SANTAL = "santal", _("Santal")
    ORAON = "oraon", _("Oraon")
    MUNDA = "munda", _("Munda")
    MAHALI = "mahali", _("Mahali")
    PAHAN = "pahan", _("Pahan")
    BARMAN = "barman", _("Barman")
    RAJBANSHI = "rajbanshi", _("Rajbanshi")
    DALU = "dalu", _("Dalu")
    BANAI = "banai", _("Banai")
    CHAKMA = "chakma", _("Chakma")
    MARMA = "marma", _("Marma")
    TRIPURA = "tripura", _("Tripura")
    OTHER_MINORITY = "other", _("other ethnic minority")


class MaritalStatus(models.TextChoices):
    """Bangladesh's safety nets tell widowed, deserted and divorced women apart."""

    MARRIED = "married", _("married")
    NEVER_MARRIED = "never_married", _("never married")
    WIDOWED = "widowed", _("widowed")
    DIVORCED = "divorced", _("divorced")
    SEPARATED = "separated", _("separated")
    DESERTED = "deserted", _("deserted or abandoned")


class Occupation(models.TextChoices):
    """A member's main occupation."""

    FARMER = "farmer", _("farmer (own land)")
    TENANT = "tenant", _("tenant or sharecropper")
    AGRI_LABOURER = "agri_labourer", _("agricultural labourer")
    DAY_LABOURER = "day_labourer", _("day labourer (non-farm)")
    FISHER = "fisher", _("fisher")
    LIVESTOCK = "livestock", _("livestock rearer")
    TRADER = "trader", _("small trader")
    HOMEMAKER = "homemaker", _("homemaker")
    STUDENT = "student", _("student")
    OTHER = "other", _("other occupation")


class WGAnswer(models.IntegerChoices):
    """An answer to one Washington Group Short Set question."""

    NO_DIFFICULTY = 1, _("no difficulty")
    SOME = 2, _("some difficulty")
    A_LOT = 3, _("a lot of difficulty")
    CANNOT = 4, _("cannot do at all")


class Crop(models.TextChoices):
    RICE = "rice", _("rice")
    JUTE = "jute", _("jute")
    WHEAT = "wheat", _("wheat")
    MAIZE = "maize", _("maize")
    POTATO = "potato", _("potato")
    VEGETABLES = "vegetables", _("vegetables")
    PULSES = "pulses", _("pulses")
    OILSEEDS = "oilseeds", _("oilseeds (mustard, sesame)")
    CHILLI = "chilli", _("chilli")
    ONION = "onion", _("onion and garlic")
    FRUIT = "fruit", _("fruit")
    FISH = "fish", _("fish")
    LIVESTOCK = "livestock", _("livestock and poultry")


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", _("signed form")
    THUMBPRINT = "thumbprint", _("thumbprint on form")
    VERBAL = "verbal", _("verbal, witnessed by a facilitator")
    DIGITAL = "digital", _("digital form (KoboToolbox/ODK)")


WG_FIELDS = [
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
]

# Farmer categories by land cultivated, in decimals (100 decimals = 1 acre), as the
# Bangladesh agriculture census groups farm holdings.
FARMER_CATEGORY_LIMITS = [(5, "landless"), (50, "marginal"), (250, "small"), (750, "medium")]


class FarmerCategory(models.TextChoices):
    LANDLESS = "landless", _("landless (under 5 decimals)")
    MARGINAL = "marginal", _("marginal (5–49 decimals)")
    SMALL = "small", _("small (50–249 decimals)")
    MEDIUM = "medium", _("medium (250–749 decimals)")
    LARGE = "large", _("large (750 decimals or more)")


def _wg_cutoff() -> Q:
    """At least one domain answered "a lot of difficulty" or "cannot do at all"."""
    q = Q()
    for field in WG_FIELDS:
        q |= Q(**{f"{field}__gte": WGAnswer.A_LOT})
    return q


def _farmer_category() -> models.Case:
    whens = [
        models.When(land_cultivated__lt=limit, then=models.Value(name))
        for limit, name in FARMER_CATEGORY_LIMITS
    ]
    return models.Case(
        models.When(land_cultivated__isnull=True, then=models.Value("")),
        *whens,
        default=models.Value("large"),
    )


class Member(models.Model):
    """One person who belongs to a group."""

    code = models.CharField(_("member number"), max_length=30, unique=True)
    name_bn = models.CharField(_("name in Bengali"), max_length=150, blank=True)
    name_en = models.CharField(_("name in Latin script"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    national_id = models.CharField(_("national ID"), max_length=17, blank=True, db_index=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, choices=Ethnicity.choices, blank=True)
    wg_seeing = models.PositiveSmallIntegerField(
        _("difficulty seeing, even if wearing glasses"), choices=WGAnswer.choices, null=True, blank=True
    )
    wg_hearing = models.PositiveSmallIntegerField(
        _("difficulty hearing, even if using a hearing aid"),
        choices=WGAnswer.choices,
        null=True,
        blank=True,
    )
    wg_walking = models.PositiveSmallIntegerField(
        _("difficulty walking or climbing steps"), choices=WGAnswer.choices, null=True, blank=True
    )
    wg_cognition = models.PositiveSmallIntegerField(
        _("difficulty remembering or concentrating"), choices=WGAnswer.choices, null=True, blank=True
    )
    wg_selfcare = models.PositiveSmallIntegerField(
        _("difficulty with self-care, such as washing or dressing"),
        choices=WGAnswer.choices,
        null=True,
        blank=True,
    )
    wg_communication = models.PositiveSmallIntegerField(
        _("difficulty communicating in the usual language"),
        choices=WGAnswer.choices,
        null=True,
        blank=True,
    )
    marital_status = models.CharField(
        _("marital status"), max_length=15, choices=MaritalStatus.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=15, choices=Occupation.choices, blank=True)
    pregnant = models.BooleanField(_("pregnant"), null=True, blank=True)
    land_owned = models.PositiveIntegerField(_("land owned (decimals)"), null=True, blank=True)
    land_cultivated = models.PositiveIntegerField(_("land cultivated (decimals)"), null=True, blank=True)
    main_crops = models.JSONField(_("main crops"), default=list, blank=True)
    group = models.ForeignKey(
        Organisation, verbose_name=_("group"), on_delete=models.PROTECT, related_name="members"
    )
    # Carried on the row so scoping and reports never need to climb the tree (DESIGN rule 9).
    # Indexed by member_org, which leads with it.
    association = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="association_members",
        editable=False,
        db_index=False,
    )
    area = models.ForeignKey(
        Area, verbose_name=_("village or area"), on_delete=models.PROTECT, related_name="members"
    )
    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="district_members", editable=False
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    joined_on = models.DateField(_("date joined"), default=datetime.date.today)
    left_on = models.DateField(_("date left"), null=True, blank=True)
    leaving_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_method = models.CharField(
        _("way consent was given"), max_length=12, choices=ConsentMethod.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_members",
        db_index=False,  # a partial index below: almost every row is NULL here
    )
    name_key_bn = models.CharField(max_length=150, blank=True, editable=False)
    name_key_en = models.CharField(max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    is_active = models.GeneratedField(
        expression=models.ExpressionWrapper(Q(left_on__isnull=True), output_field=models.BooleanField()),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    has_disability = models.GeneratedField(
        # Case, not the bare condition: unanswered domains are NULL, and NULL OR NULL is NULL.
        expression=models.Case(
            models.When(_wg_cutoff(), then=models.Value(True)),
            default=models.Value(False),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    is_ethnic_minority = models.GeneratedField(
        expression=models.ExpressionWrapper(
            ~Q(ethnicity__in=["", Ethnicity.BENGALI]), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    farmer_category = models.GeneratedField(
        expression=_farmer_category(),
        output_field=models.CharField(max_length=10, choices=FarmerCategory.choices),
        db_persist=True,
    )

    class Meta:
        ordering = ["name_en", "id"]
        indexes = [
            # Covers the reach dashboard: counts by district and association need no table read.
            models.Index(
                fields=[
                    "is_active",
                    "district",
                    "association",
                    "sex",
                    "is_ethnic_minority",
                    "has_disability",
                ],
                name="member_reach",
            ),
            models.Index(fields=["association", "group"], name="member_org"),
            # Orders the member list. Each index slows every insert, so there are no more than
            # the pages and duplicate checks need (a village's name keys are read by its area).
            models.Index(fields=["name_en"], name="member_name_en"),
            models.Index(
                fields=["merged_into"], condition=Q(merged_into__isnull=False), name="member_merged"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(name_en="", name_bn=""), name="member_has_a_name"),
        ]

    def __str__(self) -> str:
        return self.display_name(self.name_bn, self.name_en)

    @staticmethod
    def display_name(name_bn: str, name_en: str) -> str:
        """The name in the script of the language in use, else the other."""
        if (get_language() or "").startswith("bn"):
            return name_bn or name_en
        return name_en or name_bn

    @property
    def wg_answered(self) -> bool:
        return any(getattr(self, f) is not None for f in WG_FIELDS)

    def age_on(self, day: datetime.date | None = None) -> int | None:
        day = day or datetime.date.today()
        if self.birth_date:
            before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
            return day.year - self.birth_date.year - before_birthday
        if self.birth_year:
            return day.year - self.birth_year
        return None

    @property
    def farmer_category_label(self) -> str:
        return FarmerCategory(self.farmer_category).label if self.farmer_category else ""

    @property
    def main_crop_labels(self) -> list[str]:
        return [Crop(c).label for c in self.main_crops if c in Crop.values]

    @property
    def masked_national_id(self) -> str:
        return mask_national_id(self.national_id)


def mask_national_id(value: str) -> str:
    if not value:
        return ""
    return "•" * (len(value) - 3) + value[-3:]


def has_disability(answers: dict[str, int | None]) -> bool:
    """Apply the Washington Group cut-off in Python, as the database column does."""
    return any((answers.get(f) or 0) >= WGAnswer.A_LOT for f in WG_FIELDS)


def farmer_category(land_cultivated: int | None) -> str:
    if land_cultivated is None:
        return ""
    for limit, name in FARMER_CATEGORY_LIMITS:
        if land_cultivated < limit:
            return name
    return "large"


class CommitteeOffice(models.Model):
    """A member's seat on an organisation's committee for a term."""

    class Office(models.TextChoices):
        PRESIDENT = "president", _("president")
        VICE_PRESIDENT = "vice_president", _("vice-president")
        SECRETARY = "secretary", _("secretary")
        CASHIER = "cashier", _("cashier")
        MEMBER = "member", _("committee member")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="offices", verbose_name=_("organisation")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="offices", verbose_name=_("member")
    )
    office = models.CharField(_("office"), max_length=20, choices=Office.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["organisation", "office", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="office_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_office_display()}: {self.member}"


class Role(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", _("programme admin")
    FEDERATION_LEADER = "federation_leader", _("federation leader")
    ASSOCIATION_LEADER = "association_leader", _("association leader")
    GROUP_LEADER = "group_leader", _("group leader")
    FACILITATOR = "facilitator", _("facilitator")
    VIEWER = "viewer", _("viewer")


# Roles whose work needs disability answers, ethnicity and national ID numbers.
SENSITIVE_ROLES = {Role.PROGRAMME_ADMIN, Role.FACILITATOR}
# Roles that may change records (viewers only read).
EDITING_ROLES = {r for r in Role} - {Role.VIEWER}


class User(AbstractUser):
    """A staff account: a role, attached to an organisation or an area that bounds its scope."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    language = models.CharField(_("language"), max_length=5, default="en")

    @property
    def sees_whole_programme(self) -> bool:
        return self.is_superuser or self.role == Role.PROGRAMME_ADMIN

    @property
    def sees_sensitive(self) -> bool:
        return self.role in SENSITIVE_ROLES

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class DuplicateFlag(models.Model):
    """Two member records that may be one person, waiting for a person to decide."""

    class Reason(models.TextChoices):
        NATIONAL_ID = "national_id", _("same national ID")
        PHONE = "phone", _("same phone")
        NAME = "name", _("similar name in the same village")

    class Status(models.TextChoices):
        OPEN = "open", _("to check")
        MERGED = "merged", _("merged")
        KEPT_APART = "kept_apart", _("different people")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    association = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "other", "reason"], name="one_flag_per_pair_reason"),
            models.CheckConstraint(condition=Q(member__lt=models.F("other")), name="flag_pair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "association"])]

    def __str__(self) -> str:
        return f"{self.member_id} ~ {self.other_id} ({self.reason})"


class ByLaws(models.Model):
    """The rules an organisation has set itself; one without a row follows the defaults below."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="by_laws", verbose_name=_("organisation")
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (per cent of members)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of members who must take part for a meeting or a poll to decide."),
    )
    term_years = models.PositiveSmallIntegerField(
        _("committee term (years)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    women_seats_percent = models.PositiveSmallIntegerField(
        _("seats for women (per cent, at least)"),
        default=33,
        validators=[MaxValueValidator(100)],
        help_text=_("At least this share of committee seats goes to women (33 is one third)."),
    )
    demand_endorsements = models.PositiveIntegerField(
        _("endorsements for a demand to be taken up"),
        null=True,
        blank=True,
        help_text=_("An association takes up a group's demand at this many endorsements…"),
    )
    demand_percent = models.PositiveSmallIntegerField(
        _("or this share of members (%)"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("…or when this share of its members have endorsed it, whichever comes first."),
    )

    class Meta:
        verbose_name = _("by-laws")
        verbose_name_plural = _("by-laws")

    def __str__(self) -> str:
        return str(_("By-laws of %(organisation)s") % {"organisation": self.organisation})


class Authority(BilingualName):
    """A public body members deal with: a Union Parishad, an upazila office, the district administration."""

    class Kind(models.TextChoices):
        UNION_PARISHAD = "union_parishad", _("Union Parishad")
        UP_WARD = "up_ward", _("Union Parishad ward")
        UP_STANDING_COMMITTEE = "up_committee", _("Union Parishad standing committee")
        UPAZILA_PARISHAD = "upazila_parishad", _("Upazila Parishad")
        AGRICULTURE_OFFICE = "agriculture_office", _("Upazila Agriculture Office")
        AGRICULTURE_BLOCK = "agriculture_block", _("agriculture block (SAAO)")
        LIVESTOCK_OFFICE = "livestock_office", _("Upazila Livestock Office")
        SOCIAL_SERVICES_OFFICE = "social_services_office", _("Upazila Social Services Office")
        WOMEN_AFFAIRS_OFFICE = "women_affairs_office", _("Upazila Women Affairs Office")
        PROJECT_IMPLEMENTATION_OFFICE = "pio", _("Project Implementation Office")
        DISTRICT_ADMINISTRATION = "district_commissioner", _("District Commissioner's office")
        MINISTRY = "ministry", _("ministry")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="authorities"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")


class Official(models.Model):
    """A person holding a post at an authority (a chairman, a ward member, a SAAO) for a time."""

    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="officials", verbose_name=_("authority")
    )
    post = models.CharField(_("post"), max_length=100)
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["authority", "post", "-since"]

    def __str__(self) -> str:
        return f"{self.name}, {self.post}"


class Meeting(models.Model):
    """A meeting on an organisation's calendar; voice adds its agenda and minutes, finance its money."""

    class Kind(models.TextChoices):
        GROUP = "group", _("group meeting")
        COMMITTEE = "committee", _("committee meeting")
        GENERAL_ASSEMBLY = "general_assembly", _("general assembly (AGM)")
        SAVINGS = "savings", _("savings meeting")
        WARD_SHAVA = "ward_shava", _("ward shava")
        OPEN_BUDGET = "open_budget", _("Union Parishad open budget meeting")
        WITH_OFFICIALS = "with_officials", _("meeting with officials")
        INTERFACE = "interface", _("score card interface meeting")
        OTHER = "other", _("other meeting")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GROUP)
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("with authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["organisation", "starts_at"])]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {timezone.localtime(self.starts_at):%Y-%m-%d}"


class Attendance(models.Model):
    """A member present at a meeting (absent members have no row)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attends_once")]

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting}"


class OfficialAttendance(models.Model):
    """An official (or another guest) present at a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="officials_present")
    official = models.ForeignKey(Official, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    post = models.CharField(_("post"), max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.meeting}"
