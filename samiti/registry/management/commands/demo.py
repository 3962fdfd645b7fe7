"""Build a believable demo programme: five districts, their federations, associations, groups,
villages, households and members, committees, staff accounts and the default targets.

Deterministic (one seeded random generator) and idempotent: when the demo federations exist it
does nothing. Members go through `services.bulk_register_members` in batches, all inside one
transaction, so an interrupted run leaves nothing behind.
"""

import csv
import datetime
import random
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry import demo_names as names
from samiti.registry import services
from samiti.registry.demo_names import (
    ASSOCIATION_NAME,
    CHILDREN_UNDER_5,
    CONSENT_METHODS,
    DISTRICTS,
    FEDERATION_CODES,
    FEDERATION_NAME,
    GROUP_KIND_NAMES,
    HOUSEHOLD_SIZES,
    LAND_BANDS,
    MINORITY_ELSEWHERE,
    MINORITY_HAMLET_SHARE,
    NID_DISTRICT,
    OCCUPATIONS,
    PHONE_PREFIXES,
    WG_WEIGHTS,
    WOMEN_ALONE,
    District,
    Odds,
)
from samiti.registry.management.commands.load_areas import SHIPPED
from samiti.registry.models import (
    WG_FIELDS,
    Area,
    CommitteeOffice,
    Ethnicity,
    Household,
    MaritalStatus,
    Member,
    Occupation,
    Organisation,
    Role,
    User,
)

Pair = tuple[str, str]

SEED = 20_000
BATCH = 5_000
PROGRAMME_START = datetime.date(2024, 7, 1)
# The day the demo data describes; every date in it falls before.
DATA_DATE = datetime.date(2025, 10, 31)
DEFAULT_TARGETS = {"members": 20_000, "women": 50, "ethnic_minority": 10, "disability": 5}
DEMO_PASSWORD = "samiti-demo"  # noqa: S105 - printed on purpose, only when DEMO_MODE is on
GROUP_SIZE = 22.5
GROUPS_PER_ASSOCIATION = 22


def _weighted(rng: random.Random, weights: dict[Any, float] | Odds) -> Any:
    """Draw one key of `weights` with its weight as the odds."""
    if isinstance(weights, Odds):
        return rng.choices(weights.keys, cum_weights=weights.cumulative)[0]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _split(total: int, parts: int) -> list[int]:
    """Split `total` into `parts` near-equal whole numbers."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


@dataclass
class Village:
    area: Area | None
    name: Pair
    union: Area
    community: str = ""
    groups: list["GroupPlan"] = field(default_factory=list)


@dataclass
class GroupPlan:
    size: int
    kind: str
    village: Village
    district: District
    association: Organisation | None = None
    organisation: Organisation | None = None
    registered_on: datetime.date = PROGRAMME_START


@dataclass
class HouseholdFacts:
    """What members of one household share: a phone, land and crops."""

    phone: str
    land_owned: int
    land_cultivated: int
    crops: list[str]


@dataclass
class Staff:
    username: str
    role: str
    name: str
    organisation: Organisation | None = None
    area: Area | None = None
    language: str = "bn"


class Builder:
    """Plan and write the demo programme; every choice comes from one seeded generator."""

    def __init__(self, *, members: int, out: Any, seed: int = SEED, verbosity: int = 1) -> None:
        self.verbosity = verbosity
        self.rng = random.Random(seed)
        # The facts safety nets ask about draw from their own generator, so adding them left every
        # other demo value as it was.
        self.facts_rng = random.Random(seed + 1)
        self.total = members
        self.out = out
        self.districts_by_code: dict[str, Area] = {}
        self.district_cache: dict[str, int] = {}
        self.national_ids: set[str] = set()
        self.phones: set[str] = set()
        # Association id -> the group office holders who may sit on its committee.
        self.officers: dict[int, list[Member]] = {}
        self.counts = {"villages": 0, "groups": 0, "members": 0, "households": 0, "offices": 0}

    # -- structure -----------------------------------------------------------------------

    def plan_groups(self) -> list[GroupPlan]:
        rng = self.rng
        n_groups = max(len(DISTRICTS), round(self.total / GROUP_SIZE))
        sizes = [rng.randint(18, 27) for _ in range(n_groups)]
        scale = self.total / sum(sizes)
        sizes = [max(1, round(s * scale)) for s in sizes]
        while (gap := self.total - sum(sizes)) != 0:
            i = rng.randrange(n_groups)
            if gap > 0 or sizes[i] > 1:
                sizes[i] += 1 if gap > 0 else -1
        # 40% women's groups, 30% men's, 30% mixed: about 55% of members are women.
        kinds = ["women"] * round(n_groups * 0.4) + ["men"] * round(n_groups * 0.3)
        kinds += ["mixed"] * (n_groups - len(kinds))
        rng.shuffle(kinds)
        plans: list[GroupPlan] = []
        start = 0
        for district, count in zip(DISTRICTS, _split(n_groups, len(DISTRICTS)), strict=True):
            unions = self._unions(district)
            n_assoc = min(len(unions), max(1, round(count / GROUPS_PER_ASSOCIATION)))
            for union, in_assoc in zip(unions, _split(count, n_assoc), strict=False):
                villages = self._villages(district, union, in_assoc)
                for i in range(in_assoc):
                    village = villages[i] if i < len(villages) else rng.choice(villages)
                    plan = GroupPlan(size=sizes[start], kind=kinds[start], village=village, district=district)
                    village.groups.append(plan)
                    plans.append(plan)
                    start += 1
            self._settle_minorities(district, [p.village for p in plans if p.district is district])
        return plans

    def _unions(self, district: District) -> list[Area]:
        """The district's unions: the starting upazilas' first, taken in turn, then the rest."""
        by_upazila: dict[str, list[Area]] = {}
        for union in Area.objects.filter(
            level=Area.Level.UNION, path__contains=f"/{district.code}/"
        ).order_by("code"):
            by_upazila.setdefault(union.path.split("/")[-3], []).append(union)
        first = [by_upazila.get(code, []) for code in district.upazilas]
        ordered = [u for row in _interleave(first) for u in row]
        ordered += [u for code, us in sorted(by_upazila.items()) if code not in district.upazilas for u in us]
        if not ordered:
            raise CommandError(f"No unions found in {district.code}; load the areas first.")
        return ordered

    def _villages(self, district: District, union: Area, groups: int) -> list[Village]:
        rng = self.rng
        count = max(1, min(groups, 25, round(groups / 1.7)))
        taken: set[str] = set()
        villages = []
        while len(villages) < count:
            if rng.random() < 0.55:
                root, suffix = rng.choice(names.PERSON_ROOTS), rng.choice(names.PERSON_SUFFIXES)
            else:
                root, suffix = rng.choice(names.NATURE_ROOTS), rng.choice(names.NATURE_SUFFIXES)
            en, bn = root[0] + suffix[0], root[1] + suffix[1]
            if rng.random() < district.char_share:
                en, bn = f"{names.CHAR[0]} {en}", f"{names.CHAR[1]} {bn}"
            elif rng.random() < 0.2:
                way = rng.choice(names.DIRECTIONS)
                en, bn = f"{way[0]} {en}", f"{way[1]} {bn}"
            if en in taken:
                continue
            taken.add(en)
            villages.append(Village(area=None, name=(en, bn), union=union))
        return villages

    def _settle_minorities(self, district: District, villages: list[Village]) -> None:
        """Mark hamlets of ethnic-minority communities until the district's share is met."""
        unique = list({id(v): v for v in villages}.values())
        people = sum(g.size for v in unique for g in v.groups)
        wanted = people * (district.minority_share - MINORITY_ELSEWHERE)
        order = unique[:]
        self.rng.shuffle(order)
        reached = 0.0
        for village in order:
            if reached >= wanted:
                break
            size = sum(g.size for g in village.groups)
            if reached + size * (MINORITY_HAMLET_SHARE - MINORITY_ELSEWHERE) / 2 > wanted:
                continue
            village.community = _weighted(self.rng, district.communities)
            para = names.COMMUNITY_PARA[village.community]
            en, bn = village.name
            if en.endswith("para"):  # "Ghoshpara" becomes "Ghosh Santal Para", not "Ghoshpara Santal Para"
                en, bn = en.removesuffix("para"), bn.removesuffix("পাড়া")
            village.name = (f"{en} {para[0]}", f"{bn} {para[1]}")
            reached += size * (MINORITY_HAMLET_SHARE - MINORITY_ELSEWHERE)

    def create_structure(self, plans: list[GroupPlan]) -> None:
        rng = self.rng
        area_codes = {d.code for d in DISTRICTS}
        self.districts_by_code = {a.code: a for a in Area.objects.filter(code__in=area_codes)}
        federations: dict[str, Organisation] = {}
        for district in DISTRICTS:
            area = self.districts_by_code[district.code]
            federations[district.code] = services.create_organisation(
                actor=None,
                channel=Channel.SYSTEM,
                kind=Organisation.Kind.FEDERATION,
                code=f"{district.abbr}-FED",
                name_en=f"{area.name_en} {FEDERATION_NAME[0]}",
                name_bn=f"{area.name_bn} {FEDERATION_NAME[1]}",
                area=area,
                registered_on=PROGRAMME_START - datetime.timedelta(days=rng.randint(60, 120)),
            )
        associations: dict[int, Organisation] = {}
        numbers: dict[str, int] = {}
        for plan in plans:
            union = plan.village.union
            if union.pk not in associations:
                numbers[plan.district.code] = numbers.get(plan.district.code, 0) + 1
                associations[union.pk] = services.create_organisation(
                    actor=None,
                    channel=Channel.SYSTEM,
                    kind=Organisation.Kind.ASSOCIATION,
                    code=f"{plan.district.abbr}-A{numbers[plan.district.code]:03d}",
                    name_en=f"{union.name_en} {ASSOCIATION_NAME[0]}",
                    name_bn=f"{_clean_union_bn(union.name_bn)} {ASSOCIATION_NAME[1]}",
                    parent=federations[plan.district.code],
                    area=union,
                    registered_on=PROGRAMME_START - datetime.timedelta(days=rng.randint(0, 50)),
                )
            plan.association = associations[union.pk]
        self._create_villages(plans)
        self._create_groups(plans)

    def _create_villages(self, plans: list[GroupPlan]) -> None:
        villages = list({id(p.village): p.village for p in plans}.values())
        per_union: dict[int, int] = {}
        areas = []
        for village in villages:
            union = village.union
            per_union[union.pk] = per_union.get(union.pk, 0) + 1
            code = f"{union.code}-V{per_union[union.pk]:02d}"
            area = Area(
                level=Area.Level.VILLAGE,
                code=code,
                name_en=village.name[0],
                name_bn=village.name[1],
                parent=union,
                path=f"{union.path}{code}/",
            )
            village.area = area
            areas.append(area)
        services.bulk_add(
            actor=None,
            channel=Channel.SYSTEM,
            objects=areas,
            fields=["level", "code", "name_en", "name_bn", "parent"],
            association_ids=[None] * len(areas),
        )
        self.counts["villages"] = len(areas)

    def _create_groups(self, plans: list[GroupPlan]) -> None:
        rng = self.rng
        numbers: dict[int, int] = {}
        groups = []
        for plan in plans:
            association = plan.association
            assert association is not None
            numbers[association.pk] = numbers.get(association.pk, 0) + 1
            motto = rng.choice(names.GROUP_NAMES)
            kind = GROUP_KIND_NAMES[plan.kind]
            plan.registered_on = PROGRAMME_START + datetime.timedelta(days=rng.randint(0, 450))
            status = _weighted(rng, {"active": 97, "forming": 2, "dormant": 1})
            plan.organisation = Organisation(
                kind=Organisation.Kind.GROUP,
                code=f"{association.code}-G{numbers[association.pk]:03d}",
                name_en=f"{motto[0]} {kind[0]}, {plan.village.name[0]}",
                name_bn=f"{motto[1]} {kind[1]}, {plan.village.name[1]}",
                parent=association,
                area=plan.village.area,
                registered_on=plan.registered_on,
                status=status,
            )
            groups.append(plan.organisation)
        services.bulk_add(
            actor=None,
            channel=Channel.SYSTEM,
            objects=groups,
            fields=services.ORGANISATION_FIELDS,
            association_ids=[g.parent_id for g in groups],
        )
        self.counts["groups"] = len(groups)

    # -- members -------------------------------------------------------------------------

    def create_members(self, plans: list[GroupPlan]) -> None:
        batch: list[tuple[GroupPlan, list[tuple[Household, list[Member]]]]] = []
        in_batch = 0
        for plan in plans:
            households = self._members_of(plan)
            batch.append((plan, households))
            in_batch += plan.size
            if in_batch >= BATCH:
                self._write(batch)
                batch, in_batch = [], 0
        if batch:
            self._write(batch)

    def _write(self, batch: list[tuple[GroupPlan, list[tuple[Household, list[Member]]]]]) -> None:
        households = [h for _plan, hs in batch for h, _ms in hs]
        associations = [p.association.pk for p, hs in batch for _h in hs]  # type: ignore[union-attr]
        services.bulk_add(
            actor=None,
            channel=Channel.SYSTEM,
            objects=households,
            fields=services.HOUSEHOLD_FIELDS,
            association_ids=associations,
        )
        members = []
        for _plan, hs in batch:
            for household, people in hs:
                for person in people:
                    person.household = household
                    members.append(person)
        values = [dict(vars(m)) for m in members]
        services.bulk_register_members(
            actor=None, channel=Channel.SYSTEM, members=values, districts=self.district_cache
        )
        for member, registered in zip(members, values, strict=True):
            for attname in ("id", "association_id", "area_id", "district_id", "birth_year"):
                setattr(member, attname, registered[attname])
        for _plan, hs in batch:
            for household, people in hs:
                household.representative = people[0]
        services.bulk_set_representatives(
            actor=None, channel=Channel.SYSTEM, households=households, association_ids=associations
        )
        self._seat_group_committees(batch)
        self.counts["members"] += len(members)
        self.counts["households"] += len(households)
        if self.verbosity > 1:
            self.out.write(f"  {self.counts['members']:,} members")

    def _members_of(self, plan: GroupPlan) -> list[tuple[Household, list[Member]]]:
        """Invent the households and members of one group."""
        rng = self.rng
        result: list[tuple[Household, list[Member]]] = []
        left = plan.size
        number = 0
        while left > 0:
            together = 2 if left >= 2 and rng.random() < (0.2 if plan.kind == "mixed" else 0.07) else 1
            if plan.kind == "women":
                sexes = ["F"] * together
            elif plan.kind == "men":
                sexes = ["M"] * together
            elif together == 2:
                sexes = ["M", "F"]
            else:
                sexes = ["T" if rng.random() < 0.003 else ("F" if rng.random() < 0.5 else "M")]
            household = Household(
                code=f"{plan.organisation.code}-H{len(result) + 1:02d}",  # type: ignore[union-attr]
                area=plan.village.area,
                size=max(together, _weighted(rng, HOUSEHOLD_SIZES)),
            )
            self._household_facts(household)
            owned, cultivated = self._land()
            facts = HouseholdFacts(
                phone=self._phone() if rng.random() < 0.85 else "",
                land_owned=owned,
                land_cultivated=cultivated,
                crops=self._crops(plan.district, cultivated),
            )
            community = self._community(plan)
            family = self._family(community)
            people: list[Member] = []
            for sex in sexes:
                number += 1
                people.append(self._member(plan, facts, number, sex, community, family, people))
            result.append((household, people))
            left -= together
        return result

    def _community(self, plan: GroupPlan) -> str:
        village = plan.village
        if village.community and self.rng.random() < MINORITY_HAMLET_SHARE:
            return village.community
        if not village.community and self.rng.random() < MINORITY_ELSEWHERE:
            return _weighted(self.rng, plan.district.communities)
        return "hindu" if self.rng.random() < plan.district.hindu_share else "muslim"

    def _family(self, community: str) -> Pair:
        """The surname a household shares (Hindu and ethnic-minority families)."""
        if community == "hindu":
            return self.rng.choice(names.HINDU_SURNAMES)
        if community == "muslim":
            return ("", "")
        return self.rng.choice(names.COMMUNITIES[community][2])

    def _member(
        self,
        plan: GroupPlan,
        household: HouseholdFacts,
        number: int,
        sex: str,
        community: str,
        family: Pair,
        housemates: Sequence[Member],
    ) -> Member:
        rng = self.rng
        name_en, name_bn = names.person_name(self.rng, community, sex, family)
        mode, oldest = (32, 70) if sex == "F" else (38, 75)
        age = round(rng.triangular(18, oldest, mode))
        birth_year = DATA_DATE.year - age
        birth_date = None
        national_id = ""
        if rng.random() < 0.7:
            birth_date = datetime.date(birth_year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
            national_id = self._national_id(plan.district, birth_year)
        elif rng.random() < 0.15:
            birth_year = None
        joined_on = plan.registered_on
        if rng.random() < 0.2:
            joined_on += datetime.timedelta(days=rng.randint(1, 300))
        joined_on = min(joined_on, DATA_DATE)
        left_on, reason = None, ""
        if rng.random() < 0.03 and (DATA_DATE - joined_on).days > 30:
            left_on = joined_on + datetime.timedelta(days=rng.randint(30, (DATA_DATE - joined_on).days))
            reason = rng.choice(names.LEAVING_REASONS)
        phone = household.phone
        if housemates:
            draw = rng.random()
            phone = phone if draw < 0.55 else (self._phone() if draw < 0.9 else "")
        code = f"{plan.organisation.code}-{number:03d}"  # type: ignore[union-attr]
        return Member(
            code=code,
            name_en=name_en,
            name_bn=name_bn,
            sex=sex,
            birth_date=birth_date,
            birth_year=birth_year,
            phone=phone,
            national_id=national_id,
            ethnicity=community if community in names.COMMUNITIES else Ethnicity.BENGALI,
            **self._washington_group(age),
            land_owned=household.land_owned,
            land_cultivated=household.land_cultivated,
            main_crops=household.crops,
            group=plan.organisation,
            area=plan.village.area,
            joined_on=joined_on,
            left_on=left_on,
            leaving_reason=reason,
            consent_on=joined_on - datetime.timedelta(days=rng.randint(0, 10)),
            consent_method=_weighted(rng, CONSENT_METHODS),
            **self._safety_net_facts(sex, age, household.land_owned),
        )

    def _household_facts(self, household: Household) -> None:
        """Income a year (poisha) and children under 5; one household in five has neither recorded."""
        rng = self.facts_rng
        if rng.random() < 0.2:
            return
        household.income_per_year = round(rng.lognormvariate(11.4, 0.5)) * 100  # around Tk 90,000
        household.children_under_5 = min(household.size or 0, _weighted(rng, CHILDREN_UNDER_5))

    def _safety_net_facts(self, sex: str, age: int, land_owned: int | None) -> dict[str, Any]:
        """Marital status, occupation and pregnancy as a rural survey finds them (some not asked)."""
        rng = self.facts_rng
        if rng.random() < 0.1:
            return {}
        if age < 25 and rng.random() < 0.35:
            marital = MaritalStatus.NEVER_MARRIED
        elif sex == "F" and rng.random() < min(0.45, max(0.0, (age - 35) / 80)):
            marital = _weighted(rng, WOMEN_ALONE)
        else:
            marital = MaritalStatus.MARRIED if rng.random() < 0.96 else MaritalStatus.WIDOWED
        if sex == "F" and rng.random() < 0.45:
            occupation = Occupation.HOMEMAKER
        elif land_owned and land_owned >= 50:
            occupation = Occupation.FARMER
        else:
            occupation = _weighted(rng, OCCUPATIONS)
        facts: dict[str, Any] = {"marital_status": marital, "occupation": occupation}
        if sex == "F" and 18 <= age <= 45 and marital == MaritalStatus.MARRIED:
            facts["pregnant"] = rng.random() < 0.06
        return facts

    def _washington_group(self, age: int) -> dict[str, int | None]:
        """Answers to the six questions: most "no difficulty", some "some", a few more."""
        rng = self.rng
        if rng.random() < 0.03:  # not asked yet
            return dict.fromkeys(WG_FIELDS)
        some = 0.04 + 0.002 * (age - 18)
        answers = {f: (2 if rng.random() < some else 1) for f in WG_FIELDS}
        if rng.random() < 0.03 + 0.0012 * (age - 18):
            # A list, not a set: a set's order changes from run to run, and so would the answers.
            domains = list(
                dict.fromkeys(_weighted(rng, WG_WEIGHTS) for _ in range(1 if rng.random() < 0.75 else 2))
            )
            for domain in domains:
                answers[domain] = 4 if rng.random() < 0.2 else 3
        return answers

    def _land(self) -> tuple[int, int]:
        low, high = _weighted(self.rng, LAND_BANDS)
        cultivated = round(self.rng.triangular(low, high, low))
        draw = self.rng.random()
        if cultivated < 5:
            owned = self.rng.randint(0, 4)  # the homestead
        elif draw < 0.25:
            owned = self.rng.randint(0, 4)  # sharecroppers and tenants
        elif draw < 0.7:
            owned = round(cultivated * self.rng.uniform(0.3, 1.0))
        else:
            owned = cultivated
        return owned, cultivated

    def _crops(self, district: District, cultivated: int) -> list[str]:
        rng = self.rng
        crops = ["rice"] if cultivated >= 5 and rng.random() < 0.85 else []
        wanted = rng.choices([1, 2, 3], weights=[30, 45, 25])[0]
        pool = dict(district.crops)
        while len(crops) < wanted and pool:
            crop = _weighted(rng, pool)
            del pool[crop]
            crops.append(crop)
        return crops

    def _phone(self) -> str:
        while True:
            prefix = _weighted(self.rng, PHONE_PREFIXES)
            phone = f"+880{prefix}{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _national_id(self, district: District, birth_year: int) -> str:
        rng = self.rng
        while True:
            draw = rng.random()
            if draw < 0.6:  # the 10-digit smart card
                nid = f"{rng.randint(1, 9)}{rng.randrange(10**9):09d}"
            elif draw < 0.9:  # the 17-digit number: year of birth, then the 13 digits
                nid = f"{birth_year}{NID_DISTRICT[district.code]}{rng.randrange(10**11):011d}"
            else:
                nid = f"{NID_DISTRICT[district.code]}{rng.randrange(10**11):011d}"
            if nid not in self.national_ids:
                self.national_ids.add(nid)
                return nid

    # -- committees ----------------------------------------------------------------------

    def _seat_group_committees(
        self, batch: list[tuple[GroupPlan, list[tuple[Household, list[Member]]]]]
    ) -> None:
        seats: list[CommitteeOffice] = []
        for plan, households in batch:
            active = [m for _h, ms in households for m in ms if m.left_on is None]
            chosen = self._seat(plan.organisation, active, plan.registered_on, seats)  # type: ignore[arg-type]
            association_id = plan.association.pk  # type: ignore[union-attr]
            self.officers.setdefault(association_id, []).extend(chosen[:3])
        self._write_seats(seats)

    def _seat(
        self,
        organisation: Organisation,
        candidates: list[Member],
        started_on: datetime.date,
        seats: list[CommitteeOffice],
    ) -> list[Member]:
        offices = [
            CommitteeOffice.Office.PRESIDENT,
            CommitteeOffice.Office.SECRETARY,
            CommitteeOffice.Office.CASHIER,
            CommitteeOffice.Office.MEMBER,
            CommitteeOffice.Office.MEMBER,
        ]
        chosen = self.rng.sample(candidates, min(len(offices), len(candidates)))
        for office, member in zip(offices, chosen, strict=False):
            seats.append(
                CommitteeOffice(
                    organisation=organisation, member=member, office=office, started_on=started_on
                )
            )
        return chosen

    def seat_upper_committees(self, plans: list[GroupPlan]) -> None:
        seats: list[CommitteeOffice] = []
        associations = {p.association.pk: p.association for p in plans}  # type: ignore[union-attr]
        by_federation: dict[int, list[Member]] = {}
        for pk, association in associations.items():
            holders = self.officers.get(pk, [])
            chosen = self._seat(association, holders, association.registered_on, seats)
            by_federation.setdefault(association.parent_id, []).extend(chosen[:2])
        for federation in Organisation.objects.filter(code__in=FEDERATION_CODES):
            self._seat(federation, by_federation.get(federation.pk, []), federation.registered_on, seats)
        self._write_seats(seats)

    def _write_seats(self, seats: list[CommitteeOffice]) -> None:
        CommitteeOffice.objects.bulk_create(seats, batch_size=1000)
        audit.record_objects(
            actor=None,
            action=AuditEvent.Action.CREATE,
            objects=seats,
            changes=[{"office": [None, s.office], "member": [None, s.member.code]} for s in seats],
            channel=Channel.SYSTEM,
            association_ids=[s.member.association_id for s in seats],
        )
        self.counts["offices"] += len(seats)

    # -- staff ---------------------------------------------------------------------------

    def staff_plan(self) -> list[Staff]:
        """One account at each level, held by the people who hold the office."""
        gaibandha = Organisation.objects.get(code="GAI-FED")
        association = Organisation.objects.filter(parent=gaibandha).order_by("code").first()
        group = Organisation.objects.filter(parent=association).order_by("code").first()

        def president(org: Organisation | None) -> str:
            seat = (
                CommitteeOffice.objects.filter(organisation=org, office=CommitteeOffice.Office.PRESIDENT)
                .select_related("member")
                .first()
            )
            return seat.member.name_en if seat else ""

        assert association is not None
        upazila = association.area.parent
        return [
            Staff("admin", Role.PROGRAMME_ADMIN, "Farzana Haque", language="en"),
            Staff("federation", Role.FEDERATION_LEADER, president(gaibandha), organisation=gaibandha),
            Staff("association", Role.ASSOCIATION_LEADER, president(association), organisation=association),
            Staff("group", Role.GROUP_LEADER, president(group), organisation=group),
            Staff("facilitator", Role.FACILITATOR, "Shyamal Chandra Das", area=upazila),
            Staff(
                "viewer",
                Role.VIEWER,
                "Tahmina Rahman",
                area=self.districts_by_code.get("DIS-60") or Area.objects.get(code="DIS-60"),
                language="en",
            ),
        ]


def _interleave(rows: list[list[Area]]) -> list[list[Area]]:
    """Take one from each list in turn: [[a1, b1], [a2, b2], ...]."""
    longest = max((len(r) for r in rows), default=0)
    return [[r[i] for r in rows if i < len(r)] for i in range(longest)]


def _clean_union_bn(name: str) -> str:
    # A few source names carry the word "union", misspelt; the association name adds it.
    return name.replace(" ইয়নিয়ন", "").replace(" ইউনিয়ন", "")


def ensure_targets() -> int:
    """Create the default targets that are missing; return how many were created.

    Targets belong to the results app, which builds on the registry: looked up by name, so
    the registry does not import it.
    """
    if not apps.is_installed("samiti.results"):
        return 0
    Target = apps.get_model("results", "Target")
    created = 0
    for indicator, value in DEFAULT_TARGETS.items():
        _target, new = Target.objects.get_or_create(indicator=indicator, defaults={"value": Decimal(value)})
        created += new
    return created


def areas_missing() -> bool:
    for district in DISTRICTS:
        if not Area.objects.filter(level=Area.Level.UNION, path__contains=f"/{district.code}/").exists():
            return True
    return False


class Command(BaseCommand):
    help = "Build demo data: a programme of five districts with N members (default 20,000)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=20_000, help="how many members (default 20,000)")
        parser.add_argument("--seed", type=int, default=SEED, help="seed of the random generator")
        parser.add_argument(
            "--force",
            action="store_true",
            help="build even when DEMO_MODE is off (accounts then get random passwords)",
        )

    def handle(self, *args, members: int, seed: int, force: bool, **options):
        if not settings.DEMO_MODE and not force:
            raise CommandError(
                "Demo data is for development and demonstrations, and DEMO_MODE is off. "
                "Set DEMO_MODE=1 (DEBUG=1 sets it), or pass --force to build it anyway "
                "with random passwords."
            )
        if members < 50:
            raise CommandError("A demo programme needs at least 50 members.")
        created_targets = ensure_targets()
        if created_targets:
            self.stdout.write(f"Targets: {created_targets} created.")
        if Organisation.objects.filter(code__in=FEDERATION_CODES).exists():
            count = Member.objects.filter(association__parent__code__in=FEDERATION_CODES).count()
            self.stdout.write(f"Demo data is already here ({count:,} members): nothing to do.")
            if settings.DEMO_MODE:
                self._print_accounts(
                    [(u.username, u.get_role_display(), DEMO_PASSWORD) for u in self._demo_users()]
                )
            return
        if areas_missing():
            started = time.perf_counter()
            with open(SHIPPED, encoding="utf-8-sig", newline="") as handle:
                created, _updated = services.load_areas(csv.DictReader(handle))
            self.stdout.write(f"Areas: {created:,} loaded in {time.perf_counter() - started:.1f} s.")
        started = time.perf_counter()
        builder = Builder(members=members, out=self.stdout, seed=seed, verbosity=options["verbosity"])
        with transaction.atomic():
            plans = builder.plan_groups()
            builder.create_structure(plans)
            structure_done = time.perf_counter()
            builder.create_members(plans)
            members_done = time.perf_counter()
            builder.seat_upper_committees(plans)
            accounts = self._create_accounts(builder.staff_plan())
        finished = time.perf_counter()
        c = builder.counts
        self.stdout.write(
            f"Demo programme: {len(DISTRICTS)} federations, "
            f"{len({p.association.pk for p in plans}):,} associations, "  # type: ignore[union-attr]
            f"{c['groups']:,} groups in {c['villages']:,} villages, {c['members']:,} members in "
            f"{c['households']:,} households, {c['offices']:,} committee seats."
        )
        self.stdout.write(
            f"Built in {finished - started:.1f} s (structure {structure_done - started:.1f} s, "
            f"members {members_done - structure_done:.1f} s, "
            f"{c['members'] / max(members_done - structure_done, 1e-9):,.0f} members/s)."
        )
        self._print_accounts(accounts)

    def _demo_users(self) -> list[User]:
        return list(
            User.objects.filter(
                username__in=["admin", "federation", "association", "group", "facilitator", "viewer"]
            ).order_by("id")
        )

    def _create_accounts(self, staff: list[Staff]) -> list[tuple[str, str, str]]:
        accounts = []
        for person in staff:
            if User.objects.filter(username=person.username).exists():
                accounts.append(
                    (person.username, str(Role(person.role).label), "(unchanged: account existed)")
                )
                continue
            password = DEMO_PASSWORD if settings.DEMO_MODE else secrets.token_urlsafe(12)
            user = User(
                username=person.username,
                role=person.role,
                first_name=person.name[:150],
                organisation=person.organisation,
                area=person.area,
                language=person.language,
                is_staff=person.role == Role.PROGRAMME_ADMIN,
                is_superuser=person.role == Role.PROGRAMME_ADMIN,
            )
            user.set_password(password)
            user.save()
            audit.record(
                actor=None,
                action=AuditEvent.Action.CREATE,
                obj=user,
                changes={"role": [None, person.role]},
                channel=Channel.SYSTEM,
            )
            accounts.append((person.username, str(Role(person.role).label), password))
        return accounts

    def _print_accounts(self, accounts: list[tuple[str, str, str]]) -> None:
        self.stdout.write("\nDemo accounts (username / password):")
        for username, role, password in accounts:
            self.stdout.write(f"  {username:<12} {password:<24} {role}")
        if not settings.DEMO_MODE:
            self.stdout.write("DEMO_MODE is off: these passwords are random and shown only once.")
