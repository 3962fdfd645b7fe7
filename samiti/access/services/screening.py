"""Screening: every member in scope against every active scheme, in the database, with reasons.

`screen` runs one INSERT … SELECT per scheme, so a million members are screened without
loading one of them into Python. `explain_member` evaluates the same rules in Python for one
member and says why, condition by condition; a property test holds the two to the same answers.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from samiti.access.models import Application, Finding, RuleVersion, Scheme, Screening
from samiti.access.rules.facts import FACTS, ROW_FIELDS, Columns
from samiti.access.rules.logic import Step, explain, missing_facts
from samiti.access.rules.sql import compile_rule, receiving_sql
from samiti.access.rules.syntax import parse
from samiti.access.services.rules import rule_on, scheme_ids
from samiti.registry.models import Member, Organisation, User


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
) -> Screening:
    """Screen the active members of the queryset against every scheme; replace their findings.

    Keeps a finding for each member likely eligible or about whom the rule cannot tell, unless
    the member already receives the scheme; counts every outcome on the Screening.
    """
    started = time.perf_counter()
    members = members.filter(left_on__isnull=True)
    screening = Screening.objects.create(
        on=on,
        scope=scope[:200],
        organisation=organisation,
        member=member,
        created_by=user,
        members=members.count(),
    )
    member_ids_sql, member_params = members.values("pk").query.sql_with_params()
    schemes = screened_schemes(on)
    screening.versions.set([version for _scheme, version in schemes])
    for scheme, version in schemes:
        Finding.objects.filter(scheme=scheme, member__in=members.values("pk")).delete()
        _insert_findings(screening, scheme, version, member_ids_sql, member_params)
        screening.counts[scheme.code] = _counts(screening, scheme, members)
    screening.seconds = round(time.perf_counter() - started, 3)
    screening.save(update_fields=["counts", "seconds"])
    return screening


def _insert_findings(
    screening: Screening, scheme: Scheme, version: RuleVersion, ids_sql: str, ids_params: tuple
) -> None:
    node = parse(version.text)
    columns = Columns()
    rule, rule_params = compile_rule(node, screening.on, scheme_ids(node), columns)
    quote = connection.ops.quote_name
    finding = quote(Finding._meta.db_table)
    eligible, cannot_tell = Finding.Outcome.ELIGIBLE, Finding.Outcome.CANNOT_TELL
    sql = (
        f"INSERT INTO {finding} (member_id, association_id, scheme_id, outcome, rule_version_id, "  # noqa: S608
        f"screening_id, screened_on) SELECT {columns.member('id')}, {columns.member('association')}, %s, "
        f"CASE WHEN {rule} THEN '{eligible}' ELSE '{cannot_tell}' END, %s, %s, %s "
        f"FROM {columns.table} WHERE {columns.member('id')} IN ({ids_sql}) "
        f"AND ({rule}) IS NOT FALSE AND NOT {receiving_sql(columns)}"
    )
    params = [
        scheme.pk,
        *rule_params,
        version.pk,
        screening.pk,
        screening.on,
        *ids_params,
        *rule_params,
        scheme.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _counts(screening: Screening, scheme: Scheme, members: QuerySet[Member]) -> dict[str, int]:
    found = dict(
        Finding.objects.filter(screening=screening, scheme=scheme)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("outcome", "n")
    )
    receiving = Application.objects.filter(
        scheme=scheme, status=Application.Status.RECEIVING, member__in=members.values("pk")
    ).count()
    eligible, cannot_tell = found.get(Finding.Outcome.ELIGIBLE, 0), found.get(Finding.Outcome.CANNOT_TELL, 0)
    return {
        "eligible": eligible,
        "cannot_tell": cannot_tell,
        "receiving": receiving,
        "not_eligible": screening.members - eligible - cannot_tell - receiving,
    }


@dataclass
class Result:
    """One scheme's answer for one member, with the reasons."""

    scheme: Scheme
    version: RuleVersion | None
    answer: bool | None  # True likely eligible, False not eligible, None cannot tell
    receiving: bool
    steps: list[Step] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # labels of the facts to collect

    @property
    def outcome(self) -> str:
        if self.receiving:
            return "receiving"
        if self.version is None:
            return "no_rule"
        return {True: "eligible", False: "not_eligible", None: "cannot_tell"}[self.answer]

    @property
    def outcome_label(self) -> str:
        return {
            "receiving": _("receiving"),
            "no_rule": _("no rule yet"),
            "eligible": _("likely eligible"),
            "not_eligible": _("not eligible"),
            "cannot_tell": _("cannot tell"),
        }[self.outcome]


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
    results = []
    for scheme in Scheme.objects.filter(is_active=True).order_by("kind", "name_en"):
        version = rule_on(scheme, on)
        receiving = scheme.code in row["receiving"]
        if version is None:
            results.append(Result(scheme, None, None, receiving))
            continue
        steps = explain(parse(version.text), row, on, names)
        answer = steps[0].answer
        missing = [str(FACTS[name].label) for name in missing_facts(steps)] if answer is None else []
        results.append(Result(scheme, version, answer, receiving, steps, missing))
    return results
