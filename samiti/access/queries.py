"""Reads shared by the screening pages, the work list, its exports and the API; all scoped.

Every read of members goes through `samiti.registry.queries`: a record outside the user's
scope is not found.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from samiti.access.models import Application, Finding, RuleVersion, Scheme, Screening
from samiti.access.rules.facts import SENSITIVE_ANSWERS, SENSITIVE_VALUES
from samiti.access.rules.logic import Step, explain, facts_to_collect
from samiti.access.rules.syntax import Node, facts_used, parse
from samiti.access.services.screening import Result, explain_member, member_rows, share_of_income
from samiti.core.cells import SMALL_CELL, sees_detail
from samiti.registry import queries
from samiti.registry.models import Area, Member, Organisation, User

# A count of the work list stops here ("10,000 or more"): counting every finding of a million
# members on each page would cost more than the page.
COUNT_CAP = 10_000


def visible_value(step: Step, user: User) -> str:
    """What the member's record says for a step of an explanation, if the user may see it."""
    return step.value if user.sees_sensitive or step.fact not in SENSITIVE_VALUES else ""


def screenings_for(user: User) -> QuerySet[Screening]:
    """Screenings the user may see: of organisations and members in scope, or run by the user."""
    screenings = Screening.objects.all()
    if user.sees_whole_programme:
        return screenings
    return screenings.filter(
        Q(organisation__in=queries.organisations_for(user))
        | Q(member__in=queries.members_for(user))
        | Q(created_by=user)
    )


def screening_or_404(user: User, pk: int) -> Screening:
    screening = (
        screenings_for(user).select_related("organisation", "member", "created_by").filter(pk=pk).first()
    )
    if screening is None:
        raise Http404
    return screening


@dataclass
class SchemeCount:
    """One scheme's line of a screening: its counts, the rule version used and the time taken."""

    scheme: Scheme
    version_from: datetime.date | None
    eligible: int | None  # None: a small cell hidden from the user's role
    cannot_tell: int | None
    receiving: int | None
    not_eligible: int | None
    seconds: float | None


def screening_lines(screening: Screening, user: User) -> list[SchemeCount]:
    """Per scheme screened: the counts (cells under 5 hidden from roles without detail)."""
    versions = {v.scheme_id: v for v in screening.versions.select_related("scheme")}
    lines = []
    for version in sorted(versions.values(), key=lambda v: (v.scheme.kind, v.scheme.name_en)):
        counts = screening.counts.get(version.scheme.code, {})

        def cell(key: str, counts: dict = counts) -> int | None:
            return shown(counts.get(key, 0), user)

        lines.append(
            SchemeCount(
                scheme=version.scheme,
                version_from=version.valid_from,
                eligible=cell("eligible"),
                cannot_tell=cell("cannot_tell"),
                receiving=cell("receiving"),
                not_eligible=cell("not_eligible"),
                seconds=counts.get("seconds"),
            )
        )
    return lines


def shown(count: int, user: User) -> int | None:
    """The count, or None when it is a small cell the user's role may not see (DESIGN rule 7)."""
    if count == 0 or count >= SMALL_CELL or sees_detail(user):
        return count
    return None


def worklist(
    user: User,
    *,
    result: str = Finding.Outcome.ELIGIBLE,
    group: Organisation | None = None,
    union: Area | None = None,
    scheme: Scheme | None = None,
) -> QuerySet[Finding]:
    """Findings of active members in scope who do not receive the scheme, most needed first.

    The order is `Finding.priority` (see `services.screening.priority`: the benefit's value as
    a share of the household's income per person; unknown income after every known one), then
    the finding's id, read through the index (outcome, -priority, id). Filters that narrow the
    members (scope, group, union) are IN (subquery) on members, so the database starts from
    those members when they are few and from the index when they are many.
    """
    receiving = Application.objects.filter(
        member=OuterRef("member"), scheme=OuterRef("scheme"), status=Application.Status.RECEIVING
    )
    findings = Finding.objects.filter(outcome=result, member__left_on__isnull=True).exclude(Exists(receiving))
    if not user.sees_whole_programme:
        findings = findings.filter(member__in=queries.members_for(user).values("pk"))
    if group is not None:
        findings = findings.filter(member__in=Member.objects.filter(group=group).values("pk"))
    if union is not None:
        findings = findings.filter(
            member__in=Member.objects.filter(area__path__startswith=union.path).values("pk")
        )
    if scheme is not None:
        findings = findings.filter(scheme=scheme)
    hidden = hidden_rule_versions(user)
    if hidden:
        findings = findings.exclude(rule_version_id__in=hidden)
    return findings.order_by("-priority", "id")


def reads_sensitive_facts(text: str) -> bool:
    """Whether a rule's answer alone would tell a member's disability or ethnicity."""
    return bool(SENSITIVE_ANSWERS & set(facts_used(parse(text))))


def schemes_to_tell(member: Member, on: datetime.date) -> list[Result]:
    """The schemes to tell a member themself by SMS or USSD: likely eligible, with what to bring;
    none whose answer alone would tell a sensitive fact, since others may read a shared phone."""
    return [
        r
        for r in explain_member(member, on)
        if r.outcome == "eligible" and r.version is not None and not reads_sensitive_facts(r.version.text)
    ]


def hidden_rule_versions(user: User) -> set[int]:
    """The rule versions whose answers this user may not see: those reading sensitive facts,
    for roles that do not see sensitive data (DESIGN rule 7)."""
    if user.sees_sensitive:
        return set()
    return {pk for pk, text in RuleVersion.objects.values_list("pk", "text") if reads_sensitive_facts(text)}


def member_results(user: User, member: Member, on: datetime.date) -> tuple[list[Result], int]:
    """A member's schemes as `explain_member` gives them, without those whose answer would tell
    this user something sensitive; and how many were left out."""
    hidden = hidden_rule_versions(user)
    results = explain_member(member, on)
    shown = [r for r in results if r.version is None or r.version.pk not in hidden]
    return shown, len(results) - len(shown)


def bounded_count(findings: QuerySet[Finding], cap: int | None = None) -> int:
    """How many findings, counted up to `cap` (COUNT_CAP) + 1: more means "cap or more"."""
    return findings.order_by().values("pk")[: (COUNT_CAP if cap is None else cap) + 1].count()


@dataclass
class WorkItem:
    """One line of the work list: a member, a scheme, why they are listed and what to do next."""

    finding: Finding
    share: float | None  # the benefit as a share of income per person; None if income unknown
    income_per_person: int | None  # taka a year
    to_collect: list[str] = field(default_factory=list)  # for "cannot tell": the facts to record
    application: Application | None = None  # an application already under way

    @property
    def member(self) -> Member:
        return self.finding.member

    @property
    def scheme(self) -> Scheme:
        return self.finding.scheme


def with_relations(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """What a work-list line shows, in the same query."""
    return findings.select_related(
        "member", "member__group", "member__area", "member__household", "scheme", "rule_version"
    )


def page_of(findings: QuerySet[Finding], start: int, size: int) -> list[Finding]:
    """A page of the work list with what its lines show, in the list's order.

    Two queries: the page's ids alone (which both databases plan from the group's or union's
    members: 3 ms at a million members), then those findings with their member, household and
    scheme. In one query, the six joins led PostgreSQL to a plan taking 6 s for one group.
    """
    ids = list(findings.values_list("pk", flat=True)[start : start + size])
    found = {f.pk: f for f in with_relations(Finding.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids]


def work_items(findings: Iterable[Finding]) -> list[WorkItem]:
    """Work-list lines for a page of findings: three queries whatever the page's length."""
    findings = list(findings)
    if not findings:
        return []
    member_ids = {f.member_id for f in findings}
    open_applications = {
        (a.member_id, a.scheme_id): a
        for a in Application.objects.filter(
            member_id__in=member_ids, scheme_id__in={f.scheme_id for f in findings}
        ).exclude(status__in=[*Application.CLOSED, Application.Status.RECEIVING])
    }
    unknown = [f for f in findings if f.outcome == Finding.Outcome.CANNOT_TELL]
    rows = {}
    if unknown:
        rows = {
            row["id"]: row
            for row in member_rows(Member.objects.filter(pk__in={f.member_id for f in unknown}))
        }
    rules: dict[int, Node] = {}
    items = []
    for finding in findings:
        household = finding.member.household
        income_per_person = None
        if household and household.income_per_year is not None and household.size:
            income_per_person = round(Fraction(household.income_per_year, 100 * household.size))
        to_collect = []
        if finding.outcome == Finding.Outcome.CANNOT_TELL:
            node = rules.setdefault(finding.rule_version_id, parse(finding.rule_version.text))
            steps = explain(node, rows[finding.member_id], finding.screened_on)
            to_collect = facts_to_collect(steps)
        items.append(
            WorkItem(
                finding=finding,
                share=share_of_income(finding.priority),
                income_per_person=income_per_person,
                to_collect=to_collect,
                application=open_applications.get((finding.member_id, finding.scheme_id)),
            )
        )
    return items


def all_work_items(findings: QuerySet[Finding], chunk: int = 2000) -> Iterator[WorkItem]:
    """Every line of a work list, a chunk at a time (for exports), in the list's order."""
    findings = with_relations(findings)
    batch = []
    for finding in findings.iterator(chunk_size=chunk):
        batch.append(finding)
        if len(batch) == chunk:
            yield from work_items(batch)
            batch = []
    yield from work_items(batch)


def latest_findings(member: Member) -> dict[int, Finding]:
    """The member's findings by scheme id, with the rule version each used."""
    return {
        f.scheme_id: f
        for f in Finding.objects.filter(member=member).select_related("rule_version", "screening")
    }
