"""Give the demo programme (`manage.py demo`) believable collective-voice data.

For a handful of associations: public authorities and their officials, demands raised in groups,
endorsed, adopted at group meetings and taken up, one demand a federation takes up for two of its
associations, a secret ranking poll counted by instant runoff and an open yes/no poll, meetings
with minutes, decisions and follow-up actions, a group election with the women's quota, a charter
to the Union Parishad with its responses and follow-ups, and a score card on agricultural
extension scored twice.

Everything goes through the registry and voice services, so it is validated and audited like any
other write. Deterministic (one seeded generator) and idempotent: when demo demands exist it does
nothing. Dates are counted back from today, so what is overdue in the data is overdue on the pages.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from samiti.core.models import Channel
from samiti.registry import demo_names as names
from samiti.registry import services as registry
from samiti.registry.demo_names import FEDERATION_CODES
from samiti.registry.models import Area, Authority, Meeting, Member, Official, Organisation
from samiti.registry.queries import active_members
from samiti.voice.demo_data import (
    AGRICULTURE_OFFICE,
    AGRICULTURE_OFFICE_POSTS,
    ANSWERS,
    CHARTER,
    COMMITTEE_MEETING,
    DISTRICT_ADMINISTRATION,
    DISTRICT_ADMINISTRATION_POSTS,
    ELECTION_MEETING,
    FOLLOW_UPS,
    GENERAL_ASSEMBLY,
    GROUP_MEETING,
    INDICATORS,
    OTHER_DEMANDS,
    PADDY,
    RANKING_QUESTION,
    SCORE_CARD,
    SOCIAL_SERVICES_OFFICE,
    SOCIAL_SERVICES_OFFICE_POSTS,
    UNION_PARISHAD,
    UNION_PARISHAD_POSTS,
    UP_DEMANDS,
    YES_NO_QUESTION,
    DemandSpec,
)
from samiti.voice.models import Charter, Demand, ScoreCard, ScorerGroup
from samiti.voice.models.charters import FollowUp, Response
from samiti.voice.models.elections import Candidate
from samiti.voice.models.polls import Poll
from samiti.voice.services import charters, demands, elections, meetings, polls, scorecards
from samiti.voice.services.scorecards import ScoreEntry

SEED = 20_100
SYSTEM = Channel.SYSTEM
# Associations that get voice data: the first of each federation, two in Gaibandha (whose first
# association and group are the demo accounts'), so that a federation can take up a shared demand.
PER_FEDERATION = {"GAI-FED": 2}
OTHER_FEDERATIONS = 1  # associations taken in each of the other federations
THRESHOLD = 8  # endorsements at which the associations take a group's demand up


@dataclass
class Counts:
    values: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            [
                "associations",
                "authorities",
                "officials",
                "demands",
                "endorsements",
                "meetings",
                "actions",
                "polls",
                "votes",
                "elections",
                "charters",
                "commitments",
                "score_cards",
            ],
            0,
        )
    )

    def add(self, key: str, n: int = 1) -> None:
        self.values[key] += n


def named(template: tuple[str, str], area: Area) -> tuple[str, str]:
    """An authority's (English, Bengali) name: the template filled with the area's names."""
    return template[0].format(area.name_en), template[1].format(area.name_bn)


class Builder:
    def __init__(self, *, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.counts = Counts()
        self.authorities: dict[str, Authority] = {}
        self.officials: dict[int, list[Official]] = {}

    # -- helpers -------------------------------------------------------------------------

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def at(self, days_ago: int, hour: int = 15) -> datetime.datetime:
        moment = datetime.datetime.combine(self.day(days_ago), datetime.time(hour, 0))
        return timezone.make_aware(moment)

    def person(self, sex: str = "M") -> str:
        community = "hindu" if self.rng.random() < 0.12 else "muslim"
        family = self.rng.choice(names.HINDU_SURNAMES) if community == "hindu" else ("", "")
        return names.person_name(self.rng, community, sex, family)[1]

    def sample(self, members: list[Member], n: int, women_weight: float = 1.6) -> list[Member]:
        """n members drawn without replacement, women more likely (weighted reservoir keys)."""
        keyed = [
            (self.rng.random() ** (1 / (women_weight if m.sex == "F" else 1.0)), m.pk, m) for m in members
        ]
        keyed.sort(key=lambda k: (-k[0], k[1]))
        return [m for _k, _pk, m in keyed[: max(0, min(n, len(members)))]]

    def official(self, authority: Authority, index: int = 0) -> Official:
        return self.officials[authority.pk][index]

    # -- authorities ---------------------------------------------------------------------

    def authority(
        self, code: str, kind: str, area: Area, name: tuple[str, str], posts: list[tuple[str, str]]
    ):
        found = Authority.objects.filter(code=code).first()
        if found is None:
            found = registry.save_authority(
                actor=None, channel=SYSTEM, kind=kind, code=code, area=area, name_en=name[0], name_bn=name[1]
            )
            self.counts.add("authorities")
            for post, sex in posts:
                since = self.day(self.rng.randint(400, 1500))
                registry.add_official(
                    actor=None, authority=found, channel=SYSTEM, post=post, name=self.person(sex), since=since
                )
                self.counts.add("officials")
        self.officials[found.pk] = list(found.officials.order_by("pk"))
        self.authorities[code] = found
        return found

    def create_authorities(self, unions: list[Area]) -> None:
        upazilas = {u.parent_id: u.parent for u in unions}
        districts = {u.parent.parent_id: u.parent.parent for u in unions}
        for union in unions:
            self.authority(
                f"UP-{union.code}",
                Authority.Kind.UNION_PARISHAD,
                union,
                named(UNION_PARISHAD, union),
                UNION_PARISHAD_POSTS,
            )
        for upazila in upazilas.values():
            self.authority(
                f"UAO-{upazila.code}",
                Authority.Kind.AGRICULTURE_OFFICE,
                upazila,
                named(AGRICULTURE_OFFICE, upazila),
                AGRICULTURE_OFFICE_POSTS,
            )
            self.authority(
                f"USSO-{upazila.code}",
                Authority.Kind.SOCIAL_SERVICES_OFFICE,
                upazila,
                named(SOCIAL_SERVICES_OFFICE, upazila),
                SOCIAL_SERVICES_OFFICE_POSTS,
            )
        for district in districts.values():
            self.authority(
                f"DC-{district.code}",
                Authority.Kind.DISTRICT_ADMINISTRATION,
                district,
                named(DISTRICT_ADMINISTRATION, district),
                DISTRICT_ADMINISTRATION_POSTS,
            )

    def provider(self, association: Organisation, which: str) -> Authority:
        union = association.area
        code = {
            "up": f"UP-{union.code}",
            "uao": f"UAO-{union.parent.code}",
            "usso": f"USSO-{union.parent.code}",
            "dc": f"DC-{union.parent.parent.code}",
        }[which]
        return self.authorities[code]

    # -- one association -----------------------------------------------------------------

    def build(self, association: Organisation, shared: dict[int, list[Demand]]) -> None:
        rng = self.rng
        self.counts.add("associations")
        registry.save_by_laws(
            actor=None, organisation=association, channel=SYSTEM, quorum_percent=30, demand_percent=20
        )
        members = list(active_members(association).order_by("pk"))
        by_group: dict[int, list[Member]] = {}
        for member in members:
            by_group.setdefault(member.group_id, []).append(member)
        groups = [
            g
            for g in association.children.filter(kind=Organisation.Kind.GROUP).order_by("code")
            if len(by_group.get(g.pk, [])) >= 8
        ]
        if not groups:
            return
        initial = demands.association_threshold(association) or THRESHOLD + 1
        specs = UP_DEMANDS + rng.sample(OTHER_DEMANDS, rng.randint(1, 3))
        take_up = {"canal", "road", "vgf", specs[4].key}
        raised: list[tuple[Demand, DemandSpec, Organisation]] = []
        for n, spec in enumerate(specs):
            group = groups[n % len(groups)]
            people = by_group[group.pk]
            village = group.area.name_en if spec.title.isascii() else group.area.name_bn
            demand = demands.raise_demand(
                actor=None,
                organisation=group,
                title=spec.title.format(village=village),
                category=spec.category,
                description=spec.description,
                households_affected=rng.randint(15, 120),
                authority=self.provider(association, spec.authority),
                raised_by=rng.choice(people),
                channel=SYSTEM,
            )
            share = rng.uniform(0.4, 0.6) if spec.key in take_up else rng.uniform(0.2, 0.35)
            wanted = round(share * len(people))
            if spec.key in take_up:
                wanted = max(wanted, THRESHOLD)
            wanted = min(wanted, initial - 1, len(people))
            endorsers = self.sample(people, wanted)
            paper, by_sms = endorsers[: len(endorsers) * 2 // 3], endorsers[len(endorsers) * 2 // 3 :]
            for batch, channel in ((paper, Channel.WEB), (by_sms, Channel.SMS)):
                if batch:
                    self.counts.add(
                        "endorsements",
                        demands.endorse_many(actor=None, demand=demand, members=batch, channel=channel),
                    )
            raised.append((demand, spec, group))
            self.counts.add("demands")
        adopted = [(d, s, g) for d, s, g in raised if s.key in take_up or s.key == "tubewell"]
        self.group_meetings(adopted, by_group)
        agm = self.general_assembly(association, members, [d for d, _s, _g in adopted])
        registry.save_by_laws(
            actor=None, organisation=association, channel=SYSTEM, demand_endorsements=THRESHOLD
        )
        taken = []
        for demand, spec, _group in adopted:
            demand.refresh_from_db()
            if spec.key in take_up and demands.threshold_reached(demand):
                taken.append(demands.take_up_demand(actor=None, demand=demand, channel=SYSTEM))
        shared.setdefault(association.parent_id, []).append(self.association_demand(association, members))
        ranked = self.ranking_poll(association, members, agm, taken)
        self.open_poll(association, members)
        self.charter(association, members, ranked, [d for d, s, _g in raised if s.key == "tubewell"])
        if not self.counts.values["elections"]:  # one election is enough to show
            self.election(association, groups, by_group)
        self.score_card(association, members)
        self.upcoming_meeting(association)

    def group_meetings(self, adopted: list[tuple[Demand, DemandSpec, Organisation]], by_group) -> None:
        rng = self.rng
        for n, (demand, _spec, group) in enumerate(adopted):
            people = by_group[group.pk]
            days_ago = 140 - 4 * n
            meeting = meetings.plan_meeting(
                actor=None,
                organisation=group,
                kind=Meeting.Kind.GROUP,
                starts_at=self.at(days_ago),
                title=GROUP_MEETING["title"],
                place=GROUP_MEETING["place"].format(village=group.area.name_bn),
                agenda=[item.format(demand=demand.title)[:300] for item in GROUP_MEETING["agenda"]],
                channel=SYSTEM,
            )
            present = self.sample(people, round(len(people) * rng.uniform(0.6, 0.85)), 1.3)
            registry.record_attendance(actor=None, meeting=meeting, members=present, channel=SYSTEM)
            meetings.record_minutes(
                actor=None,
                meeting=meeting,
                text=GROUP_MEETING["minutes"].format(present=len(present)),
                channel=SYSTEM,
            )
            decision = meetings.record_decision(
                actor=None,
                meeting=meeting,
                text=GROUP_MEETING["decision"],
                demand=demand,
                channel=SYSTEM,
            )
            demands.adopt_demand(actor=None, demand=demand, meeting=meeting, channel=SYSTEM)
            action = meetings.add_action(
                actor=None,
                meeting=meeting,
                what=GROUP_MEETING["action"],
                owner_member=rng.choice(present),
                due_on=self.day(days_ago - 14),
                decision=decision,
                channel=SYSTEM,
            )
            meetings.complete_action(
                actor=None, action=action, done_on=self.day(days_ago - rng.randint(5, 12))
            )
            self.counts.add("meetings")
            self.counts.add("actions")

    def general_assembly(
        self, association: Organisation, members: list[Member], adopted: list[Demand]
    ) -> Meeting:
        rng = self.rng
        meeting = meetings.plan_meeting(
            actor=None,
            organisation=association,
            kind=Meeting.Kind.GENERAL_ASSEMBLY,
            starts_at=self.at(110, 11),
            title=GENERAL_ASSEMBLY["title"],
            place=GENERAL_ASSEMBLY["place"],
            agenda=[item.format(threshold=THRESHOLD) for item in GENERAL_ASSEMBLY["agenda"]],
            channel=SYSTEM,
        )
        present = self.sample(members, round(len(members) * rng.uniform(0.35, 0.5)), 1.3)
        registry.record_attendance(actor=None, meeting=meeting, members=present, channel=SYSTEM)
        items = list(meeting.agenda_items.order_by("position"))
        meetings.record_minutes(
            actor=None,
            meeting=meeting,
            text=GENERAL_ASSEMBLY["minutes"].format(present=len(present), adopted=len(adopted)),
            channel=SYSTEM,
        )
        meetings.record_minutes(
            actor=None,
            meeting=meeting,
            agenda_item=items[1],
            text=GENERAL_ASSEMBLY["by_laws_minutes"],
            channel=SYSTEM,
        )
        meetings.record_decision(
            actor=None,
            meeting=meeting,
            agenda_item=items[1],
            text=GENERAL_ASSEMBLY["by_laws_decision"].format(threshold=THRESHOLD),
            channel=SYSTEM,
        )
        decision = meetings.record_decision(
            actor=None,
            meeting=meeting,
            agenda_item=items[3],
            text=GENERAL_ASSEMBLY["charter_decision"],
            channel=SYSTEM,
        )
        done = meetings.add_action(
            actor=None,
            meeting=meeting,
            what=GENERAL_ASSEMBLY["actions"][0],
            owner_member=present[0],
            due_on=self.day(95),
            decision=decision,
            channel=SYSTEM,
        )
        meetings.complete_action(actor=None, action=done, done_on=self.day(95))
        meetings.add_action(
            actor=None,
            meeting=meeting,
            what=GENERAL_ASSEMBLY["actions"][1],
            owner_member=present[1],
            due_on=self.day(60),
            channel=SYSTEM,
        )  # not done: overdue
        meetings.add_action(
            actor=None,
            meeting=meeting,
            what=GENERAL_ASSEMBLY["actions"][2],
            owner_name=GENERAL_ASSEMBLY["ward_member"],
            due_on=self.day(-10),
            channel=SYSTEM,
        )
        self.counts.add("meetings")
        self.counts.add("actions", 3)
        return meeting

    def association_demand(self, association: Organisation, members: list[Member]) -> Demand:
        demand = demands.raise_demand(
            actor=None,
            organisation=association,
            title=PADDY.title,
            category=PADDY.category,
            description=PADDY.description,
            households_affected=self.rng.randint(150, 400),
            authority=self.provider(association, PADDY.authority),
            channel=SYSTEM,
        )
        endorsers = self.sample(members, round(len(members) * self.rng.uniform(0.2, 0.3)))
        self.counts.add(
            "endorsements",
            demands.endorse_many(actor=None, demand=demand, members=endorsers, channel=Channel.WEB),
        )
        self.counts.add("demands")
        return demand

    def cast(self, poll: Poll, voters: list[Member], choose) -> None:
        channels = [Channel.WEB, Channel.SMS, Channel.SMS, Channel.USSD]
        for member in voters:
            polls.cast_vote(poll=poll, member=member, choice=choose(), channel=self.rng.choice(channels))
        self.counts.add("votes", len(voters))

    def ranking_poll(
        self, association: Organisation, members: list[Member], agm: Meeting, taken: list[Demand]
    ):
        """The AGM's secret ranking of the demands taken up, counted by instant runoff; returns the
        demands in the order the count ranked them."""
        if len(taken) < 2:
            return taken
        rng = self.rng
        poll = polls.create_poll(
            actor=None,
            organisation=association,
            question=RANKING_QUESTION,
            kind=Poll.Kind.RANKING,
            options=taken,
            secret=True,
            counting=Poll.Counting.INSTANT_RUNOFF,
            meeting=agm,
            channel=SYSTEM,
        )
        polls.open_poll(actor=None, poll=poll, channel=SYSTEM)
        options = list(poll.options.order_by("position"))
        appeal = {o.pk: rng.uniform(0.5, 2.0) for o in options}

        def choose() -> list:
            keyed = sorted(options, key=lambda o: -appeal[o.pk] * rng.random())
            return keyed[: rng.randint(2, len(options))]

        voters = self.sample(members, round(len(members) * rng.uniform(0.33, 0.42)), 1.2)
        self.cast(poll, voters, choose)
        polls.close_poll(actor=None, poll=poll, channel=SYSTEM)
        self.counts.add("polls")
        result = polls.results(poll)
        by_option = {o.pk: o.demand for o in options}
        order = list(result.winner_ids) + sorted(
            (pk for pk in by_option if pk not in result.winner_ids), key=lambda pk: -result.counts.get(pk, 0)
        )
        return [by_option[pk] for pk in order]

    def open_poll(self, association: Organisation, members: list[Member]) -> None:
        rng = self.rng
        poll = polls.create_poll(
            actor=None,
            organisation=association,
            question=YES_NO_QUESTION,
            kind=Poll.Kind.YES_NO,
            closes_at=timezone.now() + datetime.timedelta(days=12),
            channel=SYSTEM,
        )
        polls.open_poll(actor=None, poll=poll, channel=SYSTEM)
        yes, no = list(poll.options.order_by("position"))
        voters = self.sample(members, round(len(members) * rng.uniform(0.12, 0.2)))
        self.cast(poll, voters, lambda: yes if rng.random() < 0.8 else no)
        self.counts.add("polls")

    def charter(
        self, association: Organisation, members: list[Member], ranked: list[Demand], extra: list[Demand]
    ):
        council = self.provider(association, "up")
        chairman, ward_woman = self.official(council, 0), self.official(council, 3)
        charterable = {spec.description for spec in UP_DEMANDS}
        order = list(dict.fromkeys(d.pk for d in [*ranked, *extra] if d.description in charterable))
        fresh = Demand.objects.in_bulk(order)
        chosen = [fresh[pk] for pk in order if fresh[pk].status in Demand.OPEN_STATUSES][:4]
        if not chosen:
            return
        meeting = meetings.plan_meeting(
            actor=None,
            organisation=association,
            kind=Meeting.Kind.OPEN_BUDGET,
            starts_at=self.at(95, 10),
            title=CHARTER["meeting_title"].format(council=council.name_bn),
            place=CHARTER["meeting_place"],
            authority=council,
            channel=SYSTEM,
        )
        present = self.sample(members, self.rng.randint(18, 30), 1.5)
        registry.record_attendance(
            actor=None,
            meeting=meeting,
            members=present,
            officials=[(o.name, o.post, o) for o in (chairman, ward_woman)],
            channel=SYSTEM,
        )
        self.counts.add("meetings")
        charter = charters.create_charter(
            actor=None,
            organisation=association,
            authority=council,
            official=chairman,
            subject=CHARTER["subject"].format(association=association.name_bn),
            body=CHARTER["body"],
            demands=chosen,
            channel=SYSTEM,
        )
        charter = charters.submit_charter(
            actor=None,
            charter=charter,
            submitted_on=self.day(95),
            method=Charter.Method.OPEN_BUDGET,
            official=chairman,
            meeting=meeting,
            channel=SYSTEM,
        )
        self.counts.add("charters")
        keys = {}
        for spec in UP_DEMANDS:
            for demand in chosen:
                if demand.description == spec.description:
                    keys[demand.pk] = spec.key
        dues = {"vgf": 50, "canal": 35, "tubewell": 12}
        for item in charter.items.select_related("demand").order_by("priority"):
            key = keys.get(item.demand_id, "tubewell")
            kind, text, budget = ANSWERS[key]
            if kind == Response.Kind.REJECTED:
                charters.record_response(
                    actor=None,
                    item=item,
                    kind=kind,
                    responded_on=self.day(80),
                    official=chairman,
                    reasons=text,
                    channel=SYSTEM,
                )
                continue
            response = charters.record_response(
                actor=None,
                item=item,
                kind=Response.Kind.COMMITTED,
                responded_on=self.day(80),
                official=chairman,
                what=text,
                due_on=self.day(dues[key]),
                budget_poisha=budget or None,
                responsible=ward_woman.name if key == "vgf" else chairman.name,
                channel=SYSTEM,
            )
            self.counts.add("commitments")
            commitment = response.commitment
            if key == "vgf":
                charters.follow_up_commitment(
                    actor=None,
                    commitment=commitment,
                    on=self.day(48),
                    outcome=FollowUp.Outcome.FULFILLED,
                    note=FOLLOW_UPS["vgf"],
                    channel=SYSTEM,
                )
            elif key == "canal":
                charters.follow_up_commitment(
                    actor=None,
                    commitment=commitment,
                    on=self.day(30),
                    outcome=FollowUp.Outcome.PARTLY_FULFILLED,
                    note=FOLLOW_UPS["canal"],
                    channel=SYSTEM,
                )
            else:
                charters.follow_up_commitment(
                    actor=None,
                    commitment=commitment,
                    on=self.day(20),
                    note=FOLLOW_UPS["tubewell"],
                    channel=SYSTEM,
                )  # still open, due 12 days ago: overdue

    def election(self, association: Organisation, groups: list[Organisation], by_group) -> None:
        rng = self.rng

        def fits(group: Organisation) -> bool:
            people = by_group[group.pk]
            return sum(m.sex == "F" for m in people) >= 4 and sum(m.sex == "M" for m in people) >= 4

        # Not the first group: that is the demo group leader's, whose committee stays as it is.
        group = next((g for g in groups[1:] if fits(g)), None)
        if group is None:
            return
        people = by_group[group.pk]
        meeting = meetings.plan_meeting(
            actor=None,
            organisation=group,
            kind=Meeting.Kind.GENERAL_ASSEMBLY,
            starts_at=self.at(70),
            title=ELECTION_MEETING["title"],
            place=ELECTION_MEETING["place"].format(village=group.area.name_bn),
            agenda=ELECTION_MEETING["agenda"],
            channel=SYSTEM,
        )
        present = self.sample(people, round(len(people) * 0.85), 1.0)
        registry.record_attendance(actor=None, meeting=meeting, members=present, channel=SYSTEM)
        self.counts.add("meetings")
        election = elections.call_election(
            actor=None,
            organisation=group,
            held_on=self.day(70),
            member_seats=2,
            meeting=meeting,
            channel=SYSTEM,
        )
        women = [m for m in people if m.sex == "F"]
        men = [m for m in people if m.sex == "M"]
        rng.shuffle(women)
        rng.shuffle(men)
        slate = [
            ("president", men[0]),
            ("president", women[0]),
            ("secretary", men[1]),
            ("secretary", women[1]),
            ("cashier", women[2]),
            ("member", men[2]),
            ("member", men[3]),
            ("member", women[3]),
        ]
        standing = {m.pk for _o, m in slate}
        backers = [m for m in people if m.pk not in standing] or people
        for n, (office, member) in enumerate(slate):
            proposer = backers[n % len(backers)]
            seconder = backers[(n + 1) % len(backers)]
            candidate = elections.nominate(
                actor=None,
                election=election,
                office=office,
                member=member,
                nominated_by=proposer,
                channel=SYSTEM,
            )
            elections.second_nomination(actor=None, candidate=candidate, seconded_by=seconder, channel=SYSTEM)
        elections.open_voting(actor=None, election=election, channel=SYSTEM)
        candidates: dict[str, list[Candidate]] = {}
        for c in election.candidates.select_related("post", "member").order_by("pk"):
            candidates.setdefault(c.post.office, []).append(c)
        for voter in present:
            lean = 0.6 if voter.sex == "M" else 0.4  # how likely the voter picks the man
            choices = {}
            for office in ("president", "secretary"):
                man, woman = candidates[office]
                choices[office] = man if rng.random() < lean + 0.1 else woman
            members_ballot = sorted(
                candidates["member"], key=lambda c: -rng.random() * (1.4 if c.member.sex == "M" else 1)
            )
            choices["member"] = members_ballot[:2]
            elections.cast_ballot(
                actor=None, election=election, member=voter, choices=choices, channel=Channel.WEB
            )
        self.counts.add("votes", len(present))
        elections.declare_results(actor=None, election=election, channel=SYSTEM)
        self.counts.add("elections")

    def score_card(self, association: Organisation, members: list[Member]) -> None:
        rng = self.rng
        office = self.provider(association, "uao")
        saao, officer = self.official(office, 0), self.official(office, 1)
        card = scorecards.create_score_card(
            actor=None,
            organisation=association,
            title=SCORE_CARD["title"],
            service=ScoreCard.Service.AGRICULTURAL_EXTENSION,
            authority=office,
            indicators=INDICATORS,
            channel=SYSTEM,
        )
        indicators = list(card.indicators.order_by("position"))
        first = {i.pk: rng.randint(1, 2) for i in indicators}
        gains = {i.pk: rng.choice([0, 1, 1, 2]) for i in indicators}
        for number, days_ago in ((1, 160), (2, 25)):
            meeting = meetings.plan_meeting(
                actor=None,
                organisation=association,
                kind=Meeting.Kind.INTERFACE,
                starts_at=self.at(days_ago - 3, 11),
                title=SCORE_CARD["meeting_title"].format(number=number),
                place=SCORE_CARD["meeting_place"],
                authority=office,
                channel=SYSTEM,
            )
            present = self.sample(members, rng.randint(20, 35), 1.5)
            registry.record_attendance(
                actor=None,
                meeting=meeting,
                members=present,
                officials=[(saao.name, saao.post, saao), (officer.name, officer.post, officer)],
                channel=SYSTEM,
            )
            self.counts.add("meetings")
            round_ = scorecards.start_round(
                actor=None, card=card, held_on=self.day(days_ago), interface_meeting=meeting, channel=SYSTEM
            )
            for group, bias in ((ScorerGroup.WOMEN, 0), (ScorerGroup.MEN, 1), (ScorerGroup.YOUTH, 0)):
                entries = []
                for indicator in indicators:
                    value = first[indicator.pk] + (gains[indicator.pk] if number == 2 else 0)
                    value = max(1, min(5, value + rng.choice([0, 0, bias])))
                    reason = SCORE_CARD["low_reason"] if value <= 2 else SCORE_CARD["high_reason"]
                    entries.append(
                        ScoreEntry(
                            indicator=indicator,
                            value=value,
                            reason=reason,
                            suggestion=SCORE_CARD["suggestion"],
                        )
                    )
                scorecards.record_scores(
                    actor=None, round=round_, scores=entries, scorer_group=group, channel=SYSTEM
                )
            provider = [
                ScoreEntry(
                    indicator=i,
                    value=min(5, first[i.pk] + 2 + (gains[i.pk] if number == 2 else 0)),
                    reason=SCORE_CARD["provider_reason"],
                )
                for i in indicators
            ]
            scorecards.record_provider_scores(actor=None, round=round_, scores=provider, channel=SYSTEM)
            if number == 1:
                action = scorecards.plan_action(
                    actor=None,
                    round=round_,
                    what=SCORE_CARD["actions"][0],
                    owner=saao.name,
                    due_on=self.day(130),
                    indicator=indicators[0],
                    channel=SYSTEM,
                )
                scorecards.complete_plan_action(actor=None, action=action, done_on=self.day(125))
                action = scorecards.plan_action(
                    actor=None,
                    round=round_,
                    what=SCORE_CARD["actions"][1],
                    owner=officer.name,
                    due_on=self.day(90),
                    indicator=indicators[2],
                    channel=SYSTEM,
                )
                scorecards.complete_plan_action(actor=None, action=action, done_on=self.day(70))
            else:
                scorecards.plan_action(
                    actor=None,
                    round=round_,
                    what=SCORE_CARD["actions"][2],
                    owner=officer.name,
                    due_on=self.day(-30),
                    indicator=indicators[3],
                    channel=SYSTEM,
                )
        self.counts.add("score_cards")

    def upcoming_meeting(self, association: Organisation) -> None:
        meetings.plan_meeting(
            actor=None,
            organisation=association,
            kind=Meeting.Kind.COMMITTEE,
            starts_at=self.at(-7, 11),
            title=COMMITTEE_MEETING["title"],
            place=COMMITTEE_MEETING["place"],
            agenda=COMMITTEE_MEETING["agenda"],
            channel=SYSTEM,
        )
        self.counts.add("meetings")

    def federation_demands(self, shared: dict[int, list[Demand]]) -> None:
        for federation_id, raised in shared.items():
            if len(raised) < 2:
                continue
            federation = Organisation.objects.get(pk=federation_id)
            demands.take_up_at_federation(actor=None, federation=federation, demands=raised, channel=SYSTEM)


def chosen_associations() -> list[Organisation]:
    chosen = []
    for code in FEDERATION_CODES:
        associations = Organisation.objects.filter(
            kind=Organisation.Kind.ASSOCIATION, parent__code=code
        ).select_related("area__parent__parent", "parent")
        chosen += list(associations.order_by("code")[: PER_FEDERATION.get(code, OTHER_FEDERATIONS)])
    return chosen


class Command(BaseCommand):
    help = "Add collective-voice demo data (demands, polls, meetings, an election, charters, score cards)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED, help="seed of the random generator")
        parser.add_argument("--force", action="store_true", help="run even when DEMO_MODE is off")

    def handle(self, *args, seed: int, force: bool, **options):
        if not settings.DEMO_MODE and not force:
            raise CommandError(
                "Demo data is for development and demonstrations, and DEMO_MODE is off. "
                "Set DEMO_MODE=1 (DEBUG=1 sets it), or pass --force to add it anyway."
            )
        if not Organisation.objects.filter(code__in=FEDERATION_CODES).exists():
            raise CommandError("The demo programme is not here: run `manage.py demo` first.")
        existing = Demand.objects.filter(
            association__parent__code__in=FEDERATION_CODES
        ) | Demand.objects.filter(organisation__code__in=FEDERATION_CODES)
        if existing.exists():
            self.stdout.write(
                f"Voice demo data is already here ({existing.count():,} demands): nothing to do."
            )
            return
        started = time.perf_counter()
        builder = Builder(seed=seed, today=timezone.localdate())
        associations = chosen_associations()
        with transaction.atomic():
            unions = [
                a.area
                for a in Organisation.objects.filter(
                    kind=Organisation.Kind.ASSOCIATION, parent__code__in=FEDERATION_CODES
                )
                .select_related("area__parent__parent")
                .order_by("code")
            ]
            builder.create_authorities(unions)
            shared: dict[int, list[Demand]] = {a.parent_id: [] for a in associations}
            for association in associations:
                builder.build(association, shared)
            builder.federation_demands(shared)
        c = builder.counts.values
        self.stdout.write(
            f"Voice demo: {c['associations']} associations, {c['authorities']} authorities with "
            f"{c['officials']} officials, {c['demands']} demands with {c['endorsements']:,} endorsements, "
            f"{c['meetings']} meetings with {c['actions']} follow-up actions, {c['polls']} polls and "
            f"{c['elections']} election{'' if c['elections'] == 1 else 's'} ({c['votes']:,} ballots), "
            f"{c['charters']} charters with "
            f"{c['commitments']} commitments, {c['score_cards']} score cards; "
            f"built in {time.perf_counter() - started:.1f} s."
        )
