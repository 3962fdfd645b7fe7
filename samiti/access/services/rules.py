"""Eligibility rules: checking a rule's text, saving it as a dated version, counting who matches."""

import datetime

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.models import RuleVersion, Scheme, Screening
from samiti.access.rules.sql import outcome_sql
from samiti.access.rules.syntax import Node, RuleError, parse, schemes_named
from samiti.core import audit
from samiti.core.models import AuditEvent
from samiti.registry.models import Member, User


def check_rule(text: str) -> Node:
    """The parsed rule, or RuleError with the position and reason; every scheme it names must exist."""
    node = parse(text)
    named = schemes_named(node)
    known = set(Scheme.objects.filter(code__in=[r.scheme for r in named]).values_list("code", flat=True))
    for receiving in named:
        if receiving.scheme not in known:
            raise RuleError(
                _("no scheme has the code “%(code)s”") % {"code": receiving.scheme}, receiving.position
            )
    return node


def scheme_ids(node: Node) -> dict[str, int]:
    codes = [r.scheme for r in schemes_named(node)]
    return dict(Scheme.objects.filter(code__in=codes).values_list("code", "id"))


def rule_on(scheme: Scheme, on: datetime.date) -> RuleVersion | None:
    """The version of a scheme's rule in force on a day: the latest valid from that day or before."""
    return scheme.rules.filter(valid_from__lte=on).order_by("-valid_from").first()


@transaction.atomic
def save_rule(
    scheme: Scheme, text: str, valid_from: datetime.date, user: User | None, note: str = ""
) -> RuleVersion:
    """A new version of the scheme's rule from `valid_from`; the versions before it stay as they were.

    A version already used by a screening is never rewritten: a change on the same day is refused.
    """
    text = text.strip()
    check_rule(text)
    version = scheme.rules.filter(valid_from=valid_from).first()
    if version is not None:
        if Screening.versions.through.objects.filter(ruleversion_id=version.pk).exists():
            raise AccessError(
                _("The rule of %(day)s has been used in a screening; date the change from another day.")
                % {"day": valid_from},
                field="valid_from",
            )
        before = version.text
        version.text, version.note = text, note
        version.save(update_fields=["text", "note"])
        audit.record(
            actor=user, action=AuditEvent.Action.UPDATE, obj=version, changes={"text": [before, text]}
        )
        return version
    version = RuleVersion.objects.create(
        scheme=scheme, text=text, valid_from=valid_from, note=note, created_by=user
    )
    audit.record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=version,
        changes=audit.created(version, ["text", "valid_from", "note"]),
    )
    return version


def count_matches(members: QuerySet[Member], text: str, on: datetime.date | None = None) -> dict[str, int]:
    """How many of these members a rule finds likely eligible, not eligible, or cannot tell about."""
    node = check_rule(text)
    sql, params = outcome_sql(node, on or timezone.localdate(), scheme_ids(node))
    outcome = RawSQL(sql, params)  # noqa: S611 (values are parameters)
    rows = members.annotate(outcome=outcome).values("outcome").annotate(n=Count("pk")).order_by()
    by_outcome = {row["outcome"]: row["n"] for row in rows}
    counts = {
        "eligible": by_outcome.get(1, 0),
        "not_eligible": by_outcome.get(0, 0),
        "cannot_tell": by_outcome.get(None, 0),
    }
    counts["total"] = sum(counts.values())
    return counts
