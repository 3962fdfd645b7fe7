"""Every write to the registry, with its rules and its audit row.

One module per topic; every public name is imported here, so callers use `services.register_member`
or `from samiti.registry.services import RegistryError` whatever module holds it.

- _common: RegistryError and what every write shares (scope check, model validation)
- members: a member's fields, their checks and derivation; register, update, delete
- bulk_writes: many records at once, for imports and demo data
- duplicates: finding and flagging possible duplicates
- merging: deciding a flag: keep apart, or merge
- households: placing a member in a household
- organisations: federations, associations and groups; their by-laws
- areas: wards and villages, and loading the shipped areas
- committees: committee offices
- authorities: public bodies and their officials
- meetings: meetings and attendance
- tokens: API tokens
"""

from samiti.registry.services._common import RegistryError
from samiti.registry.services.areas import AREA_COLUMNS, add_area, load_areas, save_area
from samiti.registry.services.authorities import (
    AUTHORITY_FIELDS,
    OFFICIAL_FIELDS,
    add_official,
    save_authority,
)
from samiti.registry.services.bulk_writes import bulk_add, bulk_register_members, bulk_set_representatives
from samiti.registry.services.committees import assign_office, end_offices
from samiti.registry.services.duplicates import duplicate_candidates, flag_duplicates, flag_pair, flag_pairs
from samiti.registry.services.households import (
    HOUSEHOLD_FIELDS,
    MOST_INCOME,
    check_household,
    place_in_household,
)
from samiti.registry.services.meetings import (
    MEETING_FIELDS,
    hold_meeting,
    plan_meeting,
    record_attendance,
    update_meeting,
)
from samiti.registry.services.members import (
    AGE_LIMITS,
    CONSENT_METHODS,
    CROPS,
    ETHNICITIES,
    MARITAL_STATUSES,
    MEMBER_FIELDS,
    MOST_LAND,
    NATIONAL_ID_LENGTHS,
    OCCUPATIONS,
    SEXES,
    WG_ANSWERS,
    check_member,
    delete_member,
    derive_member_fields,
    derived_member_values,
    next_member_code,
    normalise_national_id,
    normalise_phone,
    register_member,
    update_member,
)
from samiti.registry.services.merging import keep_apart, merge_members
from samiti.registry.services.organisations import (
    BY_LAWS_FIELDS,
    ORGANISATION_FIELDS,
    create_organisation,
    delete_organisation,
    save_by_laws,
    update_organisation,
)
from samiti.registry.services.tokens import issue_api_token, revoke_api_token, user_for_token

__all__ = [
    "AGE_LIMITS",
    "AREA_COLUMNS",
    "AUTHORITY_FIELDS",
    "BY_LAWS_FIELDS",
    "CONSENT_METHODS",
    "CROPS",
    "ETHNICITIES",
    "HOUSEHOLD_FIELDS",
    "MARITAL_STATUSES",
    "MEETING_FIELDS",
    "MEMBER_FIELDS",
    "MOST_INCOME",
    "MOST_LAND",
    "NATIONAL_ID_LENGTHS",
    "OCCUPATIONS",
    "OFFICIAL_FIELDS",
    "ORGANISATION_FIELDS",
    "SEXES",
    "WG_ANSWERS",
    "RegistryError",
    "add_area",
    "add_official",
    "assign_office",
    "bulk_add",
    "bulk_register_members",
    "bulk_set_representatives",
    "check_household",
    "check_member",
    "create_organisation",
    "delete_member",
    "delete_organisation",
    "derive_member_fields",
    "derived_member_values",
    "duplicate_candidates",
    "end_offices",
    "flag_duplicates",
    "flag_pair",
    "flag_pairs",
    "hold_meeting",
    "issue_api_token",
    "keep_apart",
    "load_areas",
    "merge_members",
    "next_member_code",
    "normalise_national_id",
    "normalise_phone",
    "place_in_household",
    "plan_meeting",
    "record_attendance",
    "register_member",
    "revoke_api_token",
    "save_area",
    "save_authority",
    "save_by_laws",
    "update_meeting",
    "update_member",
    "update_organisation",
    "user_for_token",
]
