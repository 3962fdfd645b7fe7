"""Give the demo programme (`manage.py demo`) believable access data.

Screens the whole demo programme against the shipped schemes (`manage.py load_schemes` first),
then, for a few hundred members of the facilitator's upazila and of one association in each
federation, starts applications and takes them to every stage: documents gathered or still
missing, submitted, approved, rejected with reasons, receiving with amounts, stopped; some
stalled. Rejected and stalled ones become grievances (some overdue, some escalated or resolved);
members are referred to the extension services and some receive them. A few members are found
already receiving a scheme.

Everything goes through the access services, so it is validated and audited like any other
write. Deterministic (one seeded generator) and idempotent: when demo applications exist it does
nothing. Dates are counted back from today, so what is stalled or overdue in the data is so on
the pages.
"""

import datetime
import random
import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from samiti.access import demo_data as words
from samiti.access.models import Application, Finding, GrievanceCategory, Scheme
from samiti.access.services import applications, documents, grievances, referrals
from samiti.access.services.screening import screen
from samiti.core.models import Channel
from samiti.registry.demo_names import FEDERATION_CODES
from samiti.registry.models import Authority, Member, Organisation, User

SEED = 40_400
SYSTEM = Channel.SYSTEM
Status = Application.Status
APPLICATIONS = 320  # applications started, at most two per member
LEARNT_RECEIVING = 25  # members found already receiving a scheme
REFERRALS = 80
APPLIED_KINDS = (Scheme.Kind.SAFETY_NET, Scheme.Kind.FINANCIAL)


def demo_members():
    return Member.objects.filter(association__parent__code__in=FEDERATION_CODES)


def chosen_associations() -> list[Organisation]:
    """The associations of the demo facilitator's upazila, and the first of each federation."""
    associations = Organisation.objects.filter(
        kind=Organisation.Kind.ASSOCIATION, parent__code__in=FEDERATION_CODES
    )
    chosen = {}
    facilitator = User.objects.filter(username="facilitator").select_related("area").first()
    if facilitator is not None and facilitator.area is not None:
        for association in associations.filter(area__path__startswith=facilitator.area.path).order_by("code"):
            chosen[association.pk] = association
    for code in FEDERATION_CODES:
        first = associations.filter(parent__code=code).order_by("code").first()
        if first is not None:
            chosen.setdefault(first.pk, first)
    return list(chosen.values())


class Builder:
    def __init__(self, *, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.counts: Counter[str] = Counter()
        self.authorities: dict[tuple[str, int], Authority | None] = {}
        self.categories = {c.code: c for c in GrievanceCategory.objects.all()}

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=max(days_ago, 0))

    def weighted(self, weights: dict) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # -- choosing who applies ------------------------------------------------------------

    def pairs(self, associations: list[Organisation]) -> list[Finding]:
        """Findings to act on, taken in turn from each scheme so that every scheme shows."""
        found = (
            Finding.objects.filter(
                association__in=associations, outcome=Finding.Outcome.ELIGIBLE, scheme__kind__in=APPLIED_KINDS
            )
            .order_by("scheme__code", "member_id")
            .values_list("pk", "scheme__code", "member_id")
        )
        by_scheme: dict[str, list[tuple[int, int]]] = {}
        for pk, code, member_id in found:
            by_scheme.setdefault(code, []).append((pk, member_id))
        for findings in by_scheme.values():
            self.rng.shuffle(findings)
        taken: list[int] = []
        per_member: Counter[int] = Counter()
        while len(taken) < APPLICATIONS and any(by_scheme.values()):
            for findings in by_scheme.values():
                while findings:
                    pk, member_id = findings.pop()
                    if per_member[member_id] < 2:
                        per_member[member_id] += 1
                        taken.append(pk)
                        break
        chosen = Finding.objects.filter(pk__in=taken[:APPLICATIONS]).select_related(
            "member__association__area__parent", "member__district", "scheme"
        )
        order = {pk: n for n, pk in enumerate(taken)}
        return sorted(chosen, key=lambda finding: order[finding.pk])

    # -- one application -----------------------------------------------------------------

    def dates(self, stage: str, stalled: bool) -> list[datetime.date]:
        """The day of identification and of each step after it, the last one recent unless stalled."""
        rng = self.rng
        steps = len(words.PATHS[stage])
        if stalled:
            last = rng.randint(applications.STALLED_AFTER_DAYS + 10, 200)
        elif stage in applications.WAITING:
            last = rng.randint(0, applications.STALLED_AFTER_DAYS - 15)
        else:
            last = rng.randint(0, 300)
        gaps = [rng.randint(7, 40) for _ in range(steps)]
        start = last + sum(gaps)
        days, at = [self.day(start)], start
        for gap in gaps:
            at -= gap
            days.append(self.day(at))
        return days

    def authority(self, member: Member, office: str) -> Authority | None:
        """The member's own office of the kind the scheme names: in the union or the upazila."""
        union = member.association.area
        key = (office, union.pk)
        if key not in self.authorities:
            self.authorities[key] = (
                Authority.objects.filter(kind=office, area__in=[union, union.parent]).order_by("code").first()
            )
        return self.authorities[key]

    def gather_documents(self, member: Member, scheme: Scheme, on: datetime.date, all_of_them: bool) -> None:
        missing = documents.missing_documents(member, scheme)
        if not all_of_them and missing:
            missing = self.rng.sample(missing, self.rng.randint(0, len(missing) - 1))
        for kind in missing:
            documents.record_document(actor=None, member=member, kind=kind, obtained_on=on, channel=SYSTEM)
            self.counts["documents"] += 1

    def apply(self, finding: Finding) -> Application:
        rng = self.rng
        member, scheme = finding.member, finding.scheme
        stage = self.weighted(words.STAGES)
        stalled = stage in applications.WAITING and rng.random() < 0.35
        days = self.dates(stage, stalled)
        application = applications.identify(
            actor=None, member=member, scheme=scheme, on=days[0], channel=SYSTEM
        )
        self.gather_documents(
            member, scheme, days[1] if len(days) > 1 else days[0], stage != Status.IDENTIFIED
        )
        for step, on in zip(words.PATHS[stage], days[1:], strict=True):
            self.step(application, step, on)
        self.counts[stage] += 1
        self.counts["stalled"] += stalled
        return application

    def step(self, application: Application, step: str, on: datetime.date) -> None:
        rng, scheme = self.rng, application.scheme
        note = words.STEP_NOTES.get(step, "") if rng.random() < 0.4 else ""
        common = {"actor": None, "application": application, "note": note, "channel": SYSTEM}
        if step == Status.DOCUMENTS_READY:
            applications.mark_documents_ready(on=on, **common)
        elif step == Status.SUBMITTED:
            where, to = words.SUBMITTED.get(scheme.office, words.SUBMITTED_ELSEWHERE)
            authority = self.authority(application.member, scheme.office) if scheme.office else None
            applications.submit(on=on, where=where, to=to, authority=authority, **common)
        elif step == Status.APPROVED:
            applications.approve(on=on, **common)
        elif step == Status.REJECTED:
            reason = self.weighted(words.REJECTION_REASONS)
            common["note"] = words.REJECTION_NOTES[reason]
            applications.reject(on=on, reason=reason, **common)
        elif step == Status.RECEIVING:
            applications.start_receiving(since=on, amount_per_month=self.amount(scheme), **common)
        else:
            applications.stop(on=on, **common)

    def amount(self, scheme: Scheme) -> int | None:
        """A cash scheme's month in whole taka (poisha stored); none for food, work or a card."""
        if scheme.benefit != Scheme.Benefit.CASH or not scheme.value_per_year:
            return None
        return scheme.value_per_year // 12 // 100 * 100

    # -- what follows --------------------------------------------------------------------

    def learnt_receiving(self, associations: list[Organisation]) -> None:
        """Members who told the facilitator they already receive an allowance."""
        found = list(
            Finding.objects.filter(
                association__in=associations,
                outcome=Finding.Outcome.CANNOT_TELL,
                scheme__code__in=["old_age_allowance", "widow_allowance", "disability_allowance"],
            )
            .exclude(member__applications__status__in=applications.OPEN)
            .select_related("member", "scheme")
            .order_by("scheme__code", "member_id")
        )
        for finding in self.rng.sample(found, min(LEARNT_RECEIVING, len(found))):
            if Application.objects.filter(member=finding.member, scheme=finding.scheme).exists():
                continue
            applications.record_receiving(
                actor=None,
                member=finding.member,
                scheme=finding.scheme,
                since=self.day(self.rng.randint(200, 900)),
                amount_per_month=self.amount(finding.scheme),
                channel=SYSTEM,
            )
            self.counts["learnt receiving"] += 1

    def grievances(self, started: list[Application]) -> None:
        rng = self.rng
        for application in started:
            application.refresh_from_db()
            if application.status == Status.REJECTED and rng.random() < 0.6:
                code = words.CATEGORY_FOR.get(application.rejection_reason, words.DEFAULT_CATEGORY)
                opened = application.updated_on + datetime.timedelta(days=rng.randint(3, 20))
            elif applications.is_stalled(application, self.today) and rng.random() < 0.5:
                code = words.CATEGORY_FOR["stalled"]
                quiet = (self.today - application.updated_on).days - applications.STALLED_AFTER_DAYS - 1
                opened = self.day(rng.randint(0, min(40, quiet)))
            else:
                continue
            category = self.categories.get(code)
            if category is None:
                continue
            opened = min(opened, self.today)
            grievance = grievances.open_grievance(
                actor=None,
                application=application,
                category=category,
                description=words.GRIEVANCES[code],
                raised_with=rng.choice(words.RAISED_WITH),
                opened_on=opened,
                channel=SYSTEM,
            )
            self.counts["grievances"] += 1
            self.follow_grievance(grievance)

    def follow_grievance(self, grievance) -> None:
        rng = self.rng
        fate = rng.random()
        later = self.day(rng.randint(0, max((self.today - grievance.opened_on).days, 0)))
        common = {"actor": None, "grievance": grievance, "on": later, "channel": SYSTEM}
        if fate < 0.45:
            return
        if fate < 0.6:
            grievances.escalate_grievance(raised_with=words.ESCALATED_TO, **common)
            self.counts["escalated"] += 1
        elif fate < 0.9:
            grievances.resolve_grievance(resolution=rng.choice(words.RESOLUTIONS), **common)
            self.counts["resolved"] += 1
        else:
            grievances.drop_grievance(note=words.DROPPED, **common)

    def referrals(self, associations: list[Organisation]) -> None:
        rng = self.rng
        services = {
            s.code: s for s in referrals.services_to_refer_to().filter(code__in=list(words.REFERRALS))
        }
        if not services:
            return
        members = list(demo_members().filter(association__in=associations, is_active=True).order_by("pk"))
        for member in rng.sample(members, min(REFERRALS, len(members))):
            code = rng.choice(sorted(services))
            to, reason = words.REFERRALS[code]
            on = self.day(rng.randint(5, 120))
            referral = referrals.refer(
                actor=None,
                member=member,
                service=services[code],
                referred_to=to,
                reason=reason,
                on=on,
                channel=SYSTEM,
            )
            self.counts["referrals"] += 1
            fate = rng.random()
            if fate < 0.7:
                received = fate < 0.5
                outcome_on = min(on + datetime.timedelta(days=rng.randint(3, 30)), self.today)
                referrals.record_referral_outcome(
                    actor=None,
                    referral=referral,
                    received=received,
                    on=outcome_on,
                    note=words.OUTCOME_NOTES[received],
                    channel=SYSTEM,
                )
                self.counts["received" if received else "not received"] += 1


class Command(BaseCommand):
    help = "Add access demo data: screening, applications at every stage, grievances, referrals, documents."

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
        if not Scheme.objects.exists():
            raise CommandError("No scheme is here: run `manage.py load_schemes` first.")
        existing = Application.objects.filter(association__parent__code__in=FEDERATION_CODES)
        if existing.exists():
            self.stdout.write(
                f"Access demo data is already here ({existing.count():,} applications): nothing to do."
            )
            return
        started = time.perf_counter()
        builder = Builder(seed=seed, today=timezone.localdate())
        with transaction.atomic():
            screening = screen(demo_members(), builder.today, None, "demo programme", channel=SYSTEM)
            associations = chosen_associations()
            made = [builder.apply(finding) for finding in builder.pairs(associations)]
            builder.learnt_receiving(associations)
            builder.grievances(made)
            builder.referrals(associations)
            # Members now receiving leave the work list: screen them again.
            receiving = Application.objects.filter(status=Status.RECEIVING).values("member_id")
            screen(
                demo_members().filter(pk__in=receiving),
                builder.today,
                None,
                "demo: receiving",
                channel=SYSTEM,
            )
        c = builder.counts
        stages = ", ".join(f"{c[s]} {Status(s).label}" for s in Status.values)
        self.stdout.write(
            f"Access demo: screened {screening.members:,} members; {len(made)} applications ({stages}; "
            f"{c['stalled']} stalled) in {len(associations)} associations, "
            f"{c['learnt receiving']} found already receiving, {c['documents']} documents, "
            f"{c['grievances']} grievances ({c['escalated']} escalated, {c['resolved']} resolved), "
            f"{c['referrals']} referrals ({c['received']} received, "
            f"{c['not received']} not received); built in {time.perf_counter() - started:.1f} s."
        )
