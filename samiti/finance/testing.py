"""Small builders for finance tests, the demo and the benchmark: a cycle, and a meeting whose
box count is what the books say."""

import datetime
from collections.abc import Sequence
from typing import Any

from samiti.finance.models import Cycle, SavingsMeeting
from samiti.finance.services.savings import MemberLine, check_meeting, record_meeting, start_cycle
from samiti.registry import testing
from samiti.registry.models import Member, Organisation

START = datetime.date(2026, 1, 5)


def cycle(group: Organisation | None = None, **constitution: Any) -> Cycle:
    constitution.setdefault("share_price", 5000)
    constitution.setdefault("social_fund_per_meeting", 1000)
    constitution.setdefault("starts_on", START)
    constitution.setdefault("planned_end_on", START + datetime.timedelta(days=364))
    return start_cycle(actor=None, group=group or testing.group(), **constitution)


def members(group: Organisation, count: int) -> list[Member]:
    return [testing.member(group, joined_on=START - datetime.timedelta(days=30)) for _ in range(count)]


def meeting(
    cycle: Cycle, held_on: datetime.date, lines: Sequence[MemberLine], **options: Any
) -> SavingsMeeting:
    """Record a meeting whose counted cash is exactly what the books expect."""
    check = check_meeting(
        cycle=cycle, held_on=held_on, lines=lines, corrections=options.get("corrections", ())
    )
    return record_meeting(
        actor=options.pop("actor", None),
        cycle=cycle,
        held_on=held_on,
        lines=lines,
        counted_loan_fund=check.loan_fund,
        counted_social_fund=check.social_fund,
        **options,
    )
