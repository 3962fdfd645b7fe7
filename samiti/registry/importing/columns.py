"""The fields a file's columns can fill, and guessing which column fills which from its header."""

import re
import unicodedata
from collections.abc import Sequence
from functools import cache

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from samiti.registry.importing.files import ImportFileError
from samiti.registry.importing.rows import HOUSEHOLD_COLUMNS
from samiti.registry.models import WG_FIELDS, Member
from samiti.registry.services import MEMBER_FIELDS

# The columns of the template and of exports, in order; exports re-import as "unchanged".
# A member's fields as a file names them: the group by its code first, the area as a village name,
# the household by its code and its facts (size, income per year, children under 5).
_AS_COLUMNS = {"group": [], "area": ["village"], "household": ["household_code", *HOUSEHOLD_COLUMNS]}
TEMPLATE_COLUMNS = ["group_code", *(c for f in MEMBER_FIELDS for c in _AS_COLUMNS.get(f, [f]))]
SENSITIVE_COLUMNS = {"national_id", "ethnicity", "marital_status", "pregnant", *WG_FIELDS}
# "name" goes to name_bn or name_en by its script; "age" becomes a year of birth.
TARGETS = [*TEMPLATE_COLUMNS[:4], "name", *TEMPLATE_COLUMNS[4:7], "age", *TEMPLATE_COLUMNS[7:]]

_MEMBER_LABELS = {f.name: f.verbose_name for f in Member._meta.fields}
LABELS = {
    "group_code": _("group code"),
    "name": _("name (Bengali or Latin script)"),
    "age": _("age in years"),
    "village": _("village"),
    "household_code": _("household code"),
    "household_size": _("household size"),
    "income_per_year": _("household income per year (taka)"),
    "children_under_5": _("children under 5 in the household"),
} | {f: _MEMBER_LABELS[f] for f in TEMPLATE_COLUMNS if f in _MEMBER_LABELS}

_ALIASES = {
    "group_code": ["group", "group id", "samiti code", "দল", "দলের কোড", "দল কোড", "গ্রুপ কোড", "সমিতির কোড"],
    "code": ["member code", "member number", "member no", "member id", "সদস্য নম্বর", "সদস্য নং", "সদস্য কোড"],
    "name": ["name", "full name", "member name", "নাম", "সদস্যের নাম"],
    "name_bn": ["name bengali", "name bangla", "bangla name", "bengali name", "name in bengali",
                "নাম বাংলা", "নাম বাংলায়", "বাংলা নাম"],
    "name_en": ["name english", "english name", "name in english", "name latin", "নাম ইংরেজি",
                "ইংরেজি নাম", "নাম ইংরেজিতে"],
    "sex": ["gender", "লিঙ্গ", "নারী পুরুষ"],
    "birth_date": ["date of birth", "dob", "birthdate", "birthday", "জন্ম তারিখ", "জন্মতারিখ"],
    "birth_year": ["year of birth", "birth year", "yob", "জন্ম সাল", "জন্মসাল", "জন্মের সাল"],
    "age": ["age years", "বয়স"],
    "phone": ["mobile", "mobile number", "mobile no", "phone number", "phone no", "cell", "মোবাইল",
              "মোবাইল নম্বর", "মোবাইল নং", "ফোন", "ফোন নম্বর"],
    "national_id": ["nid", "nid number", "nid no", "national id", "national id number",
                    "জাতীয় পরিচয়পত্র নম্বর", "জাতীয় পরিচয়পত্র", "জাতীয় পরিচয় পত্র নম্বর", "এনআইডি",
                    "এনআইডি নম্বর"],
    "ethnicity": ["ethnic group", "ethnic community", "community", "নৃগোষ্ঠী", "জাতিসত্তা", "জাতিগোষ্ঠী"],
    "marital_status": ["marital", "married", "marriage status", "বৈবাহিক অবস্থা", "বৈবাহিক অবস্থান"],
    "occupation": ["profession", "main occupation", "livelihood", "work", "পেশা", "প্রধান পেশা", "জীবিকা"],
    "pregnant": ["pregnancy", "is pregnant", "currently pregnant", "গর্ভবতী", "গর্ভবতী কিনা"],
    "wg_seeing": ["seeing", "difficulty seeing", "দেখা", "দেখতে অসুবিধা"],
    "wg_hearing": ["hearing", "difficulty hearing", "শোনা", "শুনতে অসুবিধা"],
    "wg_walking": ["walking", "difficulty walking", "হাঁটা", "হাঁটতে অসুবিধা"],
    "wg_cognition": ["cognition", "remembering", "difficulty remembering", "মনে রাখা", "মনে রাখতে অসুবিধা"],
    "wg_selfcare": ["self care", "selfcare", "difficulty with self care", "নিজের যত্ন", "নিজের যত্নে অসুবিধা"],
    "wg_communication": ["communication", "communicating", "difficulty communicating", "যোগাযোগ",
                         "যোগাযোগে অসুবিধা"],
    "land_owned": ["own land", "owned land", "নিজস্ব জমি", "জমির মালিকানা"],
    "land_cultivated": ["cultivated land", "land under cultivation", "চাষকৃত জমি", "চাষের জমি", "আবাদি জমি"],
    "main_crops": ["crops", "crop", "main crop", "প্রধান ফসল", "ফসল"],
    "village": ["village name", "gram", "গ্রাম", "গ্রামের নাম"],
    "household_code": ["household", "household id", "household no", "hh code", "hh id", "খানা", "খানা কোড",
                       "খানা নম্বর", "পরিবার কোড"],
    "household_size": ["household members", "hh size", "family size", "খানার সদস্য সংখ্যা",
                       "পরিবারের সদস্য সংখ্যা"],
    "income_per_year": ["household income", "annual income", "yearly income", "income", "income per year",
                        "income taka", "বার্ষিক আয়", "পরিবারের বার্ষিক আয়", "খানার বার্ষিক আয়", "আয়"],
    "children_under_5": ["children under five", "under 5 children", "under five children", "children 0 4",
                         "৫ বছরের কম বয়সী শিশু", "পাঁচ বছরের কম বয়সী শিশু", "৫ বছরের নিচে শিশু",
                         "শিশু ৫ বছরের নিচে"],
    "joined_on": ["joining date", "join date", "membership date", "যোগদানের তারিখ", "সদস্য হওয়ার তারিখ"],
    "left_on": ["leaving date", "left date", "ত্যাগের তারিখ", "সদস্যপদ ত্যাগের তারিখ"],
    "leaving_reason": ["leaving reason", "ত্যাগের কারণ"],
    "consent_on": ["consent date", "date of consent", "সম্মতির তারিখ"],
    "consent_method": ["consent type", "সম্মতির ধরন", "সম্মতির পদ্ধতি"],
}  # fmt: skip


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).lower()
    return " ".join(re.sub(r"[\s_\-()\[\]{}.:#*?,;'\"]+", " ", text).split())


@cache
def _header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for target in TARGETS:
        names = [target, *_ALIASES.get(target, [])]
        for language in ("en", "bn"):
            with translation.override(language):
                names.append(str(LABELS.get(target, "")))
        for name in names:
            if name:
                aliases.setdefault(_header_key(name), target)
    return aliases


def guess_mapping(headers: Sequence[str]) -> list[str]:
    """Return the target field of each column ("" to ignore it), from its header in English or Bengali."""
    aliases = _header_aliases()
    mapping: list[str] = []
    for header in headers:
        key = _header_key(header)
        target = aliases.get(key) or aliases.get(_header_key(str(header).rsplit("/", 1)[-1]), "")
        mapping.append("" if target in mapping else target)
    return mapping


def check_mapping(mapping: Sequence[str]) -> None:
    used = [t for t in mapping if t]
    unknown = sorted(set(used) - set(TARGETS))
    if unknown:
        raise ImportFileError(_("Unknown field: %(fields)s.") % {"fields": ", ".join(unknown)})
    twice = sorted({t for t in used if used.count(t) > 1})
    if twice:
        raise ImportFileError(
            _("Each field may come from one column only: %(fields)s.") % {"fields": ", ".join(twice)}
        )
    if "group_code" not in used:
        raise ImportFileError(_("No column gives the group code (group_code): map one to it."))
