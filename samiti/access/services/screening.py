"""Screening: every member in scope against every active scheme, in the database, with reasons.

`screen` runs one INSERT … SELECT per scheme, so a million members are screened without
loading one of them into Python: the member's household is joined once (not read by a subquery
per fact), and when the scope is everyone the members are read straight, not through an
IN (subquery). `explain_member` evaluates the same rules in Python for one member and says why,
condition by condition; a property test holds the two to the same answers.

How much a benefit matters to a household (the work list's order) is `priority`, written on
each finding by the same INSERT.
"""

import datetime
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.models import Application, DocumentKind, Finding, RuleVersion, Scheme, Screening
from samiti.access.rules.facts import ROW_FIELDS, Columns
from samiti.access.rules.logic import Step, explain, facts_to_collect
from samiti.access.rules.sql import compile_rule, receiving_sql
from samiti.access.rules.syntax import parse
from samiti.access.services.documents import documents_held
from samiti.access.services.rules import scheme_ids
from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry.models import Household, Member, Organisation, User

# The work list's order (see `priority`): a household whose income is known always ranks above
# one whose income is not; shares are counted in ten-thousandths and capped.
KNOWN_INCOME = 10**12
SHARE_CAP = 10**12 - 1
# A screening of this many members or more refreshes the database's statistics of findings and,
# on SQLite, works with a larger page cache (KiB) while it writes.
LARGE = 10_000
LARGE_CACHE_KIB = 256 * 1024


def priority(value_per_year: int, household_size: int | None, income_per_year: int | None) -> int:
    """How much a benefit matters to a household: its value as a share of income per person.

    The share is the benefit's value per year divided by the household's income per person per
    year (income per year ÷ household size), counted in ten-thousandths: Tk 7,200 a year to a
    household of 4 living on Tk 40,000 a year is 7,200 ÷ 10,000 = 0.72, written 7,200.
    A household recording no income at all has the greatest share (capped). Where the income or
    the size is not recorded the share cannot be known: such members rank after every member
    whose share is known, among themselves by the benefit's value in taka.
    """
    if income_per_year is None or not household_size:
        return value_per_year // 100
    if income_per_year == 0:
        return KNOWN_INCOME + SHARE_CAP
    return KNOWN_INCOME + min(SHARE_CAP, value_per_year * household_size * 10_000 // income_per_year)


def share_of_income(finding_priority: int) -> float | None:
    """The share `priority` encodes (0.72 for 72 %), or None where the income is not known."""
    if finding_priority < KNOWN_INCOME:
        return None
    return (finding_priority - KNOWN_INCOME) / 10_000


def _priority_sql(columns: Columns, value_per_year: int) -> tuple[str, list]:
    """`priority` in SQL, for the members' households (integer division in both databases)."""
    income, size = columns.household("income_per_year"), columns.household("size")
    share = f"(CAST(%s AS BIGINT) * {size} * 10000 / {income})"
    sql = (
        f"(CASE WHEN {income} IS NULL OR {size} IS NULL OR {size} = 0 THEN CAST(%s AS BIGINT) "
        f"WHEN {income} = 0 THEN CAST(%s AS BIGINT) "
        f"WHEN {share} > %s THEN CAST(%s AS BIGINT) ELSE %s + {share} END)"
    )
    top = KNOWN_INCOME + SHARE_CAP
    return sql, [value_per_year // 100, top, value_per_year, SHARE_CAP, top, KNOWN_INCOME, value_per_year]


class JoinedColumns(Columns):
    """The member's columns, and the household's through one LEFT JOIN named `hh`."""

    def household(self, name: str) -> str:
        return f"hh.{self.quote(Household._meta.get_field(name).column)}"

    def source(self) -> str:
        """The FROM clause: members and their households."""
        household = self.quote(Household._meta.db_table)
        return f"{self.table} LEFT JOIN {household} hh ON hh.{self.quote('id')} = {self.member('household')}"


def screened_schemes(on: datetime.date) -> list[tuple[Scheme, RuleVersion]]:
    """The active schemes with a rule in force on the day, each with that version."""
    pairs = []
    for scheme in Scheme.objects.filter(is_active=True).prefetch_related("rules"):
        version = next((v for v in scheme.rules.all() if v.valid_from <= on), None)  # newest first
        if version is not None:
            pairs.append((scheme, version))
    return pairs


@transaction.atomic
def screen(
    members: QuerySet[Member],
    on: datetime.date,
    user: User | None,
    scope: str,
    organisation: Organisation | None = None,
    member: Member | None = None,
    *,
    channel: str = Channel.WEB,
) -> Screening:
    """Screen the active members of the queryset against every scheme; replace their findings.

    Keeps a finding for each member likely eligible or about whom the rule cannot tell, unless
    the member already receives the scheme; counts every outcome on the Screening, with the
    seconds each scheme took. The members' earlier findings (of any scheme) go first, so a
    finding never outlives the screening that would no longer make it. Audited.
    """
    started = time.perf_counter()
    everyone = not members.query.where and not members.query.is_sliced  # no IN (subquery) needed
    active = members.filter(is_active=True)  # counted from an index, not the table
    screening = Screening.objects.create(
        on=on,
        scope=scope[:200],
        organisation=organisation,
        member=member,
        created_by=user,
        members=active.count(),
    )
    columns = JoinedColumns()
    if everyone:
        Finding.objects.all().delete()
        where, where_params = f"{columns.member('left_on')} IS NULL", []
    else:
        Finding.objects.filter(member__in=members.values("pk")).delete()
        ids_sql, ids_params = active.values("pk").query.sql_with_params()
        where, where_params = f"{columns.member('id')} IN ({ids_sql})", list(ids_params)
    schemes = screened_schemes(on)
    screening.versions.set([version for _scheme, version in schemes])
    seconds = {}
    with _page_cache(screening.members >= LARGE):
        for scheme, version in schemes:
            scheme_started = time.perf_counter()
            _insert_findings(screening, scheme, version, columns, where, where_params)
            seconds[scheme.code] = round(time.perf_counter() - scheme_started, 3)
    screening.counts = _counts(screening, [scheme for scheme, _version in schemes], active, everyone)
    for code, taken in seconds.items():
        screening.counts[code]["seconds"] = taken
    if screening.members >= LARGE:
        _refresh_statistics()
    screening.seconds = round(time.perf_counter() - started, 3)
    screening.save(update_fields=["counts", "seconds"])
    audit.record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=screening,
        changes=audit.created(screening, ["on", "scope", "organisation", "member", "members"]),
        channel=channel,
        association_id=_association_of(organisation, member),
        note=_("%(members)s members against %(schemes)s schemes")
        % {"members": screening.members, "schemes": len(schemes)},
    )
    return screening


@contextmanager
def _page_cache(large: bool) -> Iterator[None]:
    """On SQLite, a page cache large enough to hold the findings' indexes while a large screening
    writes them: each scheme adds its findings all over the (member, scheme) and work-list
    indexes. With SQLite's 2 MB default they spilled to the WAL (83 s against 53 s at a million
    members on a busy machine); at a million they outgrow the 64 MB every connection now keeps
    (settings.py) too. The cache is given back afterwards."""
    if not large or connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{LARGE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _refresh_statistics() -> None:
    """Tell the query planner how findings are now spread, so a group's work list starts from the
    group's members (6 ms at a million members) instead of walking the whole list's order (2.8 s)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")  # a sample: 40 ms, not a full read
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Finding._meta.db_table)}")


def _association_of(organisation: Organisation | None, member: Member | None) -> int | None:
    if member is not None:
        return member.association_id
    if organisation is None or organisation.kind == Organisation.Kind.FEDERATION:
        return None
    return organisation.pk if organisation.kind == Organisation.Kind.ASSOCIATION else organisation.parent_id


def _insert_findings(
    screening: Screening,
    scheme: Scheme,
    version: RuleVersion,
    columns: JoinedColumns,
    where: str,
    where_params: list,
) -> None:
    node = parse(version.text)
    rule, rule_params = compile_rule(node, screening.on, scheme_ids(node), columns)
    rank, rank_params = _priority_sql(columns, scheme.value_per_year)
    quote = connection.ops.quote_name
    finding = quote(Finding._meta.db_table)
    eligible, cannot_tell = Finding.Outcome.ELIGIBLE, Finding.Outcome.CANNOT_TELL
    sql = (
        f"INSERT INTO {finding} (member_id, association_id, scheme_id, outcome, priority, "  # noqa: S608
        f"rule_version_id, screening_id, screened_on) "
        f"SELECT {columns.member('id')}, {columns.member('association')}, %s, "
        f"CASE WHEN {rule} THEN '{eligible}' ELSE '{cannot_tell}' END, {rank}, %s, %s, %s "
        f"FROM {columns.source()} WHERE {where} "
        f"AND ({rule}) IS NOT FALSE AND NOT {receiving_sql(columns)}"
    )
    params = [
        scheme.pk,
        *rule_params,
        *rank_params,
        version.pk,
        screening.pk,
        screening.on,
        *where_params,
        *rule_params,
        scheme.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _counts(
    screening: Screening, schemes: list[Scheme], active: QuerySet[Member], everyone: bool
) -> dict[str, dict[str, int]]:
    """Per scheme code: likely eligible, cannot tell, receiving and not eligible (the rest)."""
    found = {
        (scheme_id, outcome): n
        for scheme_id, outcome, n in Finding.objects.filter(screening=screening)
        .values_list("scheme_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("scheme_id", "outcome", "n")
    }
    applications = Application.objects.filter(status=Application.Status.RECEIVING)
    if everyone:
        applications = applications.filter(member__is_active=True)
    else:
        applications = applications.filter(member__in=active.values("pk"))
    receiving = dict(applications.values_list("scheme_id").annotate(n=Count("pk")).order_by())
    counts = {}
    for scheme in schemes:
        eligible = found.get((scheme.pk, Finding.Outcome.ELIGIBLE), 0)
        unknown = found.get((scheme.pk, Finding.Outcome.CANNOT_TELL), 0)
        taking = receiving.get(scheme.pk, 0)
        counts[scheme.code] = {
            "eligible": eligible,
            "cannot_tell": unknown,
            "receiving": taking,
            "not_eligible": screening.members - eligible - unknown - taking,
        }
    return counts


def screen_in_scope(
    *,
    user: User,
    on: datetime.date,
    organisation: Organisation | None = None,
    channel: str = Channel.WEB,
) -> Screening:
    """Screen a group, an association or a federation in the user's scope, or everyone in it.

    An organisation outside the user's scope is not found (404), like any other record.
    """
    _may_screen(user)
    if organisation is not None:
        organisation = queries.organisation_or_404(user, organisation.pk)
        members = queries.members_of(user, organisation)
        scope = str(organisation)
    else:
        members = queries.members_for(user)
        # Recorded as the organisation the account is attached to, so its colleagues see it too.
        organisation = None if user.sees_whole_programme else user.organisation
        scope = "" if organisation is None else str(organisation)  # "": Screening.label says it
    return screen(members, on, user, scope, organisation=organisation, channel=channel)


def screen_member(*, user: User, member: Member, on: datetime.date, channel: str = Channel.WEB) -> Screening:
    """Screen one member in the user's scope again, so the findings carry the versions used."""
    _may_screen(user)
    member = queries.member_or_404(user, member.pk)
    if not member.is_active:
        raise AccessError(_("This member has left: there is nothing to screen."), field="member")
    return screen(Member.objects.filter(pk=member.pk), on, user, str(member), member=member, channel=channel)


def _may_screen(user: User) -> None:
    if not user.can_edit:
        raise AccessError(_("Your role may read records but not change them."), code="forbidden")


@dataclass
class Result:
    """One scheme's answer for one member, with the reasons and the documents still lacking."""

    scheme: Scheme
    version: RuleVersion | None
    answer: bool | None  # True likely eligible, False not eligible, None cannot tell
    receiving: bool
    steps: list[Step] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # labels of the facts to collect
    documents: list[tuple[str, bool]] = field(default_factory=list)  # (label, held) the scheme asks for

    @property
    def outcome(self) -> str:
        if self.receiving:
            return "receiving"
        if self.version is None:
            return "no_rule"
        return {True: "eligible", False: "not_eligible", None: "cannot_tell"}[self.answer]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]()

    @property
    def documents_lacking(self) -> list[str]:
        return [label for label, held in self.documents if not held]


OUTCOME_LABELS = {
    "receiving": lambda: _("receiving"),
    "no_rule": lambda: _("no rule yet"),
    "eligible": lambda: _("likely eligible"),
    "not_eligible": lambda: _("not eligible"),
    "cannot_tell": lambda: _("cannot tell"),
}


def member_rows(members: QuerySet[Member]) -> list[dict]:
    """The facts rules read, one dict per member, with the codes of the schemes each receives."""
    rows = list(members.values(*ROW_FIELDS))
    receiving: dict[int, set[str]] = {}
    for member_id, code in Application.objects.filter(
        member__in=[row["id"] for row in rows], status=Application.Status.RECEIVING
    ).values_list("member_id", "scheme__code"):
        receiving.setdefault(member_id, set()).add(code)
    for row in rows:
        row["receiving"] = receiving.get(row["id"], set())
    return rows


def explain_member(member: Member, on: datetime.date) -> list[Result]:
    """Every active scheme's answer for one member on a day, condition by condition."""
    (row,) = member_rows(Member.objects.filter(pk=member.pk))
    names = dict(Scheme.objects.values_list("code", "name_en"))
    held = documents_held(member)
    results = []
    schemes = Scheme.objects.filter(is_active=True).prefetch_related("rules").order_by("kind", "name_en")
    for scheme in schemes:
        version = next((v for v in scheme.rules.all() if v.valid_from <= on), None)  # newest first
        receiving = scheme.code in row["receiving"]
        documents = [
            (str(DocumentKind(kind).label), kind in held)
            for kind in scheme.documents
            if kind in DocumentKind.values
        ]
        if version is None:
            results.append(Result(scheme, None, None, receiving, documents=documents))
            continue
        steps = explain(parse(version.text), row, on, names)
        answer = steps[0].answer
        missing = facts_to_collect(steps) if answer is None else []
        results.append(Result(scheme, version, answer, receiving, steps, missing, documents))
    return results
