"""Polls and secret ballots: creating, opening, voting by every channel, paper counts, results.

`cast_vote` is the one way a member's vote enters a poll, whichever channel brought it (web, API,
SMS, USSD). A secret vote flips the member's `voted` on the register and adds one to a count in
the ballot box, both in one transaction and nothing else: no time, no channel, no order (see
`samiti.voice.models.polls`).

Auditing a secret vote: a ballot a leader records for a member is audited as the leader's act
(that the poll received a ballot, through which channel), naming neither the member nor the
choice; a member's own ballot (SMS, USSD) leaves no audit row, since one could say no more than
the register does. Opening (with the size of the register), paper counts and closing (with the
turnout) are audited like every write.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.bengali import to_latin_digits
from samiti.core.events import announce, poll_closed, poll_opened
from samiti.core.models import AuditEvent, Channel
from samiti.registry.models import Meeting, Member, Organisation, Sex, User
from samiti.registry.queries import AGE_BANDS, active_members, by_laws, organisations_for
from samiti.voice.errors import VoiceError
from samiti.voice.models.demands import Demand
from samiti.voice.models.polls import BallotBox, Option, Poll, Vote, Voter
from samiti.voice.services import counting

MAX_OPTIONS = 40
# A secret poll's box holds a row for every possible choice: 2^10 - 1 sets, 1,956 orderings of 6.
SECRET_APPROVAL_MAX = 10
SECRET_RANKING_MAX = 6

POLL_FIELDS = [
    "organisation",
    "question",
    "details",
    "kind",
    "secret",
    "status",
    "opens_at",
    "closes_at",
    "quorum_percent",
    "majority",
    "counting",
    "meeting",
]

Choice = Option | Sequence[Option]


# Choice keys -----------------------------------------------------------------------------------


def choice_key(poll: Poll, positions: Sequence[int]) -> str:
    """The box's key of a choice given as option positions (validated against the poll's kind)."""
    if poll.kind == Poll.Kind.APPROVAL:
        return ",".join(str(p) for p in sorted(positions))
    if poll.kind == Poll.Kind.RANKING:
        return ">".join(str(p) for p in positions)
    return str(positions[0])


def parse_key(poll: Poll, key: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[,>]", key) if p)


def _positions(poll: Poll) -> dict[int, int]:
    """{option id: position}, read once per poll object (a channel reuses the poll it loaded)."""
    cached = getattr(poll, "_option_positions", None)
    if cached is None:
        cached = dict(Option.objects.filter(poll=poll).values_list("pk", "position"))
        poll._option_positions = cached
    return cached


def _choice_positions(poll: Poll, choice: Choice) -> tuple[int, ...]:
    """Check a choice against the poll's kind and options; return it as positions."""
    options = [choice] if isinstance(choice, Option) else list(choice)
    known = _positions(poll)
    positions = []
    for option in options:
        if not isinstance(option, Option) or option.pk not in known:
            raise VoiceError(_("That is not an option of this poll."), code="invalid", field="choice")
        positions.append(known[option.pk])
    if not positions:
        raise VoiceError(_("Choose an option."), code="invalid", field="choice")
    if len(set(positions)) != len(positions):
        raise VoiceError(_("Each option may be chosen only once."), code="invalid", field="choice")
    if poll.kind in (Poll.Kind.YES_NO, Poll.Kind.SINGLE) and len(positions) > 1:
        raise VoiceError(_("Choose exactly one option."), code="invalid", field="choice")
    return tuple(positions)


def options_from_text(poll: Poll, text: str) -> list[Option]:
    """Read a choice typed as option numbers ("2", "1 3", "3>1>2", or "yes"/"no"), as from an SMS,
    a USSD screen or a paper ballot; for a ranking, the order given is the order of preference."""
    text = text.strip().lower()
    options = {o.position: o for o in poll.options.all()}
    if poll.kind == Poll.Kind.YES_NO:
        words = {"yes": 1, "y": 1, "হ্যাঁ": 1, "হা": 1, "no": 2, "n": 2, "না": 2}
        if text in words:
            return [options[words[text]]]
    numbers = re.findall(r"\d+", to_latin_digits(text))
    if not numbers or re.sub(r"[\d\s,>;.-]", "", to_latin_digits(text)):
        raise VoiceError(
            _("Write the numbers of the options, such as 2 or 3 1 2."), code="invalid", field="choice"
        )
    chosen = []
    for number in numbers:
        if int(number) not in options:
            raise VoiceError(
                _("There is no option %(number)s on this poll.") % {"number": number},
                code="invalid",
                field="choice",
            )
        chosen.append(options[int(number)])
    return chosen


# Creating, opening and closing ---------------------------------------------------------------


def _check_scope(actor: User | None, organisation: Organisation) -> None:
    if actor is None:
        return
    if not actor.can_edit or not organisations_for(actor).filter(pk=organisation.pk).exists():
        raise VoiceError(_("You may not run polls of this organisation."), code="forbidden")


def _association_id(organisation: Organisation) -> int | None:
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return organisation.pk
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.parent_id
    return None


def _clean_options(
    kind: str, secret: bool, options: Sequence[str | Demand]
) -> list[tuple[str, Demand | None]]:
    if kind == Poll.Kind.YES_NO:
        return [("yes", None), ("no", None)]
    cleaned: list[tuple[str, Demand | None]] = []
    seen: set[str] = set()
    for option in options:
        demand = option if isinstance(option, Demand) else None
        label = (demand.title if demand else str(option)).strip()
        if not label:
            continue
        if label.casefold() in seen:
            raise VoiceError(_("The option “%(label)s” is given twice.") % {"label": label}, field="options")
        if len(label) > 200:
            raise VoiceError(_("An option may be at most 200 characters long."), field="options")
        seen.add(label.casefold())
        cleaned.append((label, demand))
    if len(cleaned) < 2:
        raise VoiceError(_("Give at least two options, one per line."), field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise VoiceError(
            _("A poll may have at most %(max)d options.") % {"max": MAX_OPTIONS}, field="options"
        )
    if secret and kind == Poll.Kind.APPROVAL and len(cleaned) > SECRET_APPROVAL_MAX:
        raise VoiceError(
            _("A secret approval poll may have at most %(max)d options.") % {"max": SECRET_APPROVAL_MAX},
            field="options",
        )
    if secret and kind == Poll.Kind.RANKING and len(cleaned) > SECRET_RANKING_MAX:
        raise VoiceError(
            _("A secret ranking poll may have at most %(max)d options.") % {"max": SECRET_RANKING_MAX},
            field="options",
        )
    return cleaned


def _clean_settings(
    *,
    organisation: Organisation,
    question: str,
    kind: str,
    secret: bool,
    opens_at: datetime.datetime | None,
    closes_at: datetime.datetime | None,
    quorum_percent: int | None,
    majority: str | None,
    counting: str | None,
    meeting: Meeting | None,
) -> dict[str, Any]:
    """Check a poll's question and settings, fill in the defaults; return them as its fields."""
    question = (question or "").strip()
    if not question:
        raise VoiceError(_("Write the question."), field="question")
    if len(question) > 300:
        raise VoiceError(_("A question may be at most 300 characters long."), field="question")
    if kind not in Poll.Kind.values:
        raise VoiceError(_("Choose what kind of poll this is."), field="kind")
    ranking = kind == Poll.Kind.RANKING
    majority = majority or (Poll.Majority.PLURALITY if ranking else Poll.Majority.SIMPLE)
    if majority not in Poll.Majority.values:
        raise VoiceError(_("Choose the majority required."), field="majority")
    if ranking and majority != Poll.Majority.PLURALITY:
        raise VoiceError(
            _("A ranking is decided by its counting method: choose plurality as the majority."),
            field="majority",
        )
    if ranking:
        counting = counting or Poll.Counting.BORDA
        if counting not in Poll.Counting.values:
            raise VoiceError(_("Choose Borda or instant runoff."), field="counting")
    elif counting:
        raise VoiceError(_("Only a ranking has a counting method."), field="counting")
    if quorum_percent is None:
        quorum_percent = by_laws(organisation).quorum_percent
    if not 1 <= quorum_percent <= 100:
        raise VoiceError(_("The quorum is a share between 1 and 100 percent."), field="quorum_percent")
    if opens_at and closes_at and closes_at <= opens_at:
        raise VoiceError(_("A poll must close after it opens."), field="closes_at")
    if meeting is not None and meeting.organisation_id != organisation.pk:
        raise VoiceError(_("The meeting must be one of this organisation's."), field="meeting")
    return {
        "question": question,
        "kind": kind,
        "secret": secret,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "quorum_percent": quorum_percent,
        "majority": majority,
        "counting": counting or "",
        "meeting": meeting,
    }


@transaction.atomic
def create_poll(
    *,
    actor: User | None,
    organisation: Organisation,
    question: str,
    kind: str,
    options: Sequence[str | Demand] = (),
    secret: bool = False,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    quorum_percent: int | None = None,
    majority: str | None = None,
    counting: str | None = None,
    meeting: Meeting | None = None,
    details: str = "",
    channel: str = Channel.WEB,
) -> Poll:
    """Draft a poll of `organisation`'s members. Options are labels or demands (one per option);
    a yes/no poll makes its own. The quorum defaults to the organisation's by-laws; the majority
    to a simple majority (plurality for a ranking, which its counting method decides)."""
    _check_scope(actor, organisation)
    settings = _clean_settings(
        organisation=organisation,
        question=question,
        kind=kind,
        secret=secret,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        majority=majority,
        counting=counting,
        meeting=meeting,
    )
    cleaned = _clean_options(kind, secret, options)
    poll = Poll.objects.create(
        organisation=organisation,
        association_id=_association_id(organisation),
        details=details.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
        **settings,
    )
    Option.objects.bulk_create(
        [Option(poll=poll, label=label, position=i, demand=d) for i, (label, d) in enumerate(cleaned, 1)]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=poll,
        changes={**audit.created(poll, POLL_FIELDS), "options": [None, [label for label, _d in cleaned]]},
        channel=channel,
        association_id=poll.association_id,
    )
    return poll


def _locked(poll: Poll) -> Poll:
    fresh = Poll.objects.select_for_update().select_related("organisation").get(pk=poll.pk)
    poll.status, poll.eligible = fresh.status, fresh.eligible
    return fresh


def _check_draft(fresh: Poll) -> None:
    """Only a draft may change or go: once a poll opens, its register and box are fixed."""
    if fresh.status != Poll.Status.DRAFT:
        raise VoiceError(
            _("Only a draft poll can be changed or deleted; this one has been opened."),
            code="conflict",
            field="status",
        )
    if fresh.election_posts.exists():
        raise VoiceError(_("This poll belongs to an election: change the election instead."), code="conflict")


@transaction.atomic
def update_poll(
    *,
    actor: User | None,
    poll: Poll,
    question: str,
    kind: str,
    options: Sequence[str | Demand] = (),
    secret: bool = False,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    quorum_percent: int | None = None,
    majority: str | None = None,
    counting: str | None = None,
    meeting: Meeting | None = None,
    details: str = "",
    channel: str = Channel.WEB,
) -> Poll:
    """Change a draft poll's question, options and settings, checked as when it was drafted.
    An option kept under the same label keeps the demand it stands for."""
    _check_scope(actor, poll.organisation)
    fresh = _locked(poll)
    _check_draft(fresh)
    settings = _clean_settings(
        organisation=fresh.organisation,
        question=question,
        kind=kind,
        secret=secret,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        majority=majority,
        counting=counting,
        meeting=meeting,
    )
    cleaned = _clean_options(kind, secret, options)
    before = {**audit.snapshot(fresh, POLL_FIELDS), "details": fresh.details}
    old_options = list(Option.objects.filter(poll=fresh).order_by("position"))
    old_labels = [o.label for o in old_options]
    for name, value in {**settings, "details": details.strip()}.items():
        setattr(poll, name, value)
    poll.save(update_fields=[*settings, "details"])
    changes = audit.diff(before, {**audit.snapshot(poll, POLL_FIELDS), "details": poll.details})
    new_labels = [label for label, _d in cleaned]
    if new_labels != old_labels or any(
        d is not None and d.pk != o.demand_id for (_label, d), o in zip(cleaned, old_options, strict=False)
    ):
        demands = {o.label.casefold(): o.demand_id for o in old_options}
        Option.objects.filter(poll=poll).delete()
        Option.objects.bulk_create(
            [
                Option(
                    poll=poll,
                    label=label,
                    position=i,
                    demand_id=d.pk if d is not None else demands.get(label.casefold()),
                )
                for i, (label, d) in enumerate(cleaned, 1)
            ]
        )
        if new_labels != old_labels:
            changes["options"] = [old_labels, new_labels]
    poll._option_positions = None
    if changes:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=poll,
            changes=changes,
            channel=channel,
            association_id=poll.association_id,
        )
    return poll


@transaction.atomic
def delete_poll(*, actor: User | None, poll: Poll, channel: str = Channel.WEB) -> None:
    """Delete a draft poll (nobody has voted in it, nor could have); an opened poll stays for good."""
    _check_scope(actor, poll.organisation)
    fresh = _locked(poll)
    _check_draft(fresh)
    labels = list(Option.objects.filter(poll=fresh).order_by("position").values_list("label", flat=True))
    audit.record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=fresh,
        changes={
            **{k: [v, None] for k, v in audit.snapshot(fresh, POLL_FIELDS).items() if v not in (None, "")},
            "options": [labels, None],
        },
        channel=channel,
        association_id=fresh.association_id,
    )
    fresh.delete()


@transaction.atomic
def open_poll(*, actor: User | None, poll: Poll, channel: str = Channel.WEB) -> Poll:
    """Open a drafted poll: fix its register (every active member, in one INSERT ... SELECT) and,
    for a secret poll, put every possible choice in the box with a count of zero."""
    _check_scope(actor, poll.organisation)
    fresh = _locked(poll)
    if fresh.status != Poll.Status.DRAFT:
        raise VoiceError(_("Only a draft poll can be opened."), code="conflict", field="status")
    today = timezone.localdate()
    members_sql, params = (
        active_members(fresh.organisation)
        # In member order, so the register's (poll, member) index grows at its end instead of
        # being written all over: 20x faster at a million members.
        .order_by("pk")
        .annotate(
            ref=F("pk"), s=F("sex"), band=_age_band(today), m=F("is_ethnic_minority"), d=F("has_disability")
        )
        .values("ref", "s", "band", "m", "d")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        # The register's ids are given here, before any vote, so they cannot follow the voting.
        cursor.execute(
            f"INSERT INTO {Voter._meta.db_table} "  # noqa: S608
            "(poll_id, member_id, sex, age_band, ethnic_minority, disability, voted) "
            f"SELECT %s, e.ref, e.s, e.band, e.m, e.d, %s FROM ({members_sql}) e",
            [poll.pk, False, *params],
        )
        eligible = cursor.rowcount
    if poll.secret:
        BallotBox.objects.bulk_create(
            [BallotBox(poll=poll, choice=key, count=0) for key in _every_choice(poll)], batch_size=500
        )
    now = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(status=Poll.Status.OPEN, eligible=eligible, opened_at=now,
                                           opens_at=poll.opens_at or now)  # fmt: skip
    poll.status, poll.eligible, poll.opened_at, poll.opens_at = (
        Poll.Status.OPEN,
        eligible,
        now,
        poll.opens_at or now,
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=poll,
        changes={"status": [Poll.Status.DRAFT, Poll.Status.OPEN], "eligible": [0, eligible]},
        channel=channel,
        association_id=poll.association_id,
    )
    announce(poll_opened, sender=Poll, poll=poll, channel=channel)
    return poll


def _every_choice(poll: Poll) -> list[str]:
    positions = list(Option.objects.filter(poll=poll).order_by("position").values_list("position", flat=True))
    if poll.kind == Poll.Kind.APPROVAL:
        return [choice_key(poll, sorted(s)) for s in counting.all_subsets(positions)]
    if poll.kind == Poll.Kind.RANKING:
        return [choice_key(poll, r) for r in counting.all_rankings(positions)]
    return [str(p) for p in positions]


@transaction.atomic
def close_poll(*, actor: User | None, poll: Poll, channel: str = Channel.WEB) -> Poll:
    """Close an open poll: no more votes, and a secret poll's results can be shown."""
    _check_scope(actor, poll.organisation)
    fresh = _locked(poll)
    if fresh.status != Poll.Status.OPEN:
        raise VoiceError(_("Only an open poll can be closed."), code="conflict", field="status")
    now = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(status=Poll.Status.CLOSED, closed_at=now)
    poll.status, poll.closed_at = Poll.Status.CLOSED, now
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=poll,
        changes={
            "status": [Poll.Status.OPEN, Poll.Status.CLOSED],
            "turnout": [None, Voter.objects.filter(poll=poll, voted=True).count()],
        },
        channel=channel,
        association_id=poll.association_id,
    )
    announce(poll_closed, sender=Poll, poll=poll, channel=channel)
    return poll


# Voting ----------------------------------------------------------------------------------------


def _check_voting_time(poll: Poll) -> None:
    now = timezone.now()
    if poll.opens_at and now < poll.opens_at:
        raise VoiceError(_("This poll is not open for voting yet."), code="closed")
    if poll.closes_at and now >= poll.closes_at:
        raise VoiceError(_("Voting in this poll has ended."), code="closed")


def _explain_refusal(poll: Poll, member_ids: Sequence[int]) -> VoiceError:
    """Why the register refused a vote: the poll is not open, not on the register, or voted."""
    status = Poll.objects.filter(pk=poll.pk).values_list("status", flat=True).first()
    if status != Poll.Status.OPEN:
        return VoiceError(_("This poll is not open for voting."), code="closed")
    rows = dict(Voter.objects.filter(poll=poll, member_id__in=member_ids).values_list("member_id", "voted"))
    codes = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "code"))
    absent = [codes.get(m, str(m)) for m in member_ids if m not in rows]
    if absent:
        return VoiceError(
            _("Not on the register of this poll (not an active member when it opened): %(codes)s.")
            % {"codes": ", ".join(absent[:10])},
            code="not_eligible",
            field="member",
        )
    voted = [codes.get(m, str(m)) for m in member_ids if rows.get(m)]
    return VoiceError(
        _("Has already voted in this poll: %(codes)s.") % {"codes": ", ".join(voted[:10])},
        code="already_voted",
        field="member",
    )


# The whole audit of a secret ballot.
BALLOT_RECEIVED = {"ballots": [None, 1]}

_REGISTER_SQL = (
    f"UPDATE {Voter._meta.db_table} SET voted = %s WHERE poll_id = %s AND member_id = %s AND voted = %s "  # noqa: S608
    f"AND EXISTS (SELECT 1 FROM {Poll._meta.db_table} WHERE id = %s AND status = %s)"
)
_SECRET_BOX_SQL = (
    f"UPDATE {BallotBox._meta.db_table} SET count = count + CASE WHEN choice = %s THEN 1 ELSE 0 END "  # noqa: S608
    "WHERE poll_id = %s"
)
_BOX_SQL = f"UPDATE {BallotBox._meta.db_table} SET count = count + %s WHERE poll_id = %s AND choice = %s"  # noqa: S608


@transaction.atomic
def cast_vote(*, poll: Poll, member: Member, choice: Choice, channel: str, actor: User | None = None) -> None:
    """Record one member's vote, from any channel: an Option, the Options approved, or the Options
    in order of preference. One vote per member; a second is refused. `actor` is the leader who
    recorded it, if it did not come from the member directly."""
    if actor is not None:
        _check_scope(actor, poll.organisation)
    _check_voting_time(poll)
    key = choice_key(poll, _choice_positions(poll, choice))
    with connection.cursor() as cursor:
        # The register's condition `voted = false` is what makes a second vote impossible, even
        # when two arrive at once: only one UPDATE can flip the row.
        cursor.execute(_REGISTER_SQL, [True, poll.pk, member.pk, False, poll.pk, Poll.Status.OPEN])
        if cursor.rowcount != 1:
            raise _explain_refusal(poll, [member.pk])
        if poll.secret:
            # Every row of the poll's box is written, the chosen one +1 and the others +0: on
            # PostgreSQL each row then carries the same transaction id (xmin), so the last voter's
            # register row cannot be matched with the one count that changed.
            cursor.execute(_SECRET_BOX_SQL, [key, poll.pk])
            if cursor.rowcount == 0:
                raise VoiceError(_("This poll has no ballot box."), code="invalid", field="choice")
    if poll.secret:
        # A member's own secret ballot (SMS, USSD: no actor) leaves no audit row: a row naming
        # neither the member nor the choice would say no more than the register's flip, at the
        # cost of a third of the ballot's time. A ballot recorded by a leader is audited, as an
        # act of that leader: that the poll received a ballot, through which channel.
        if actor is not None:
            audit.record_many(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                model=Poll,
                ids=[poll.pk],
                reprs=[poll.question],
                changes=[BALLOT_RECEIVED],
                channel=channel,
                association_ids=[poll.association_id],
            )
        return
    vote = Vote.objects.create(poll=poll, member=member, choice=key, channel=channel,
                               recorded_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=vote,
        changes={"member": [None, member.code], "choice": [None, key]},
        channel=channel,
        association_id=poll.association_id,
    )


def _record_counts(
    *,
    actor: User | None,
    poll: Poll,
    members: Sequence[Member],
    counts: Sequence[tuple[Choice, int]],
    channel: str,
    how: str,
) -> int:
    _check_scope(actor, poll.organisation)
    members = list({m.pk: m for m in members}.values())
    if not members:
        raise VoiceError(_("Tick the members who voted."), field="members")
    keys: dict[str, int] = {}
    for choice, n in counts:
        if not isinstance(n, int) or n < 0:
            raise VoiceError(_("A count is a whole number, 0 or more."), field="counts")
        if n:
            key = choice_key(poll, _choice_positions(poll, choice))
            keys[key] = keys.get(key, 0) + n
    total = sum(keys.values())
    if total != len(members):
        raise VoiceError(
            _("The counts add up to %(counted)d but %(voters)d members voted: they must be equal.")
            % {"counted": total, "voters": len(members)},
            field="counts",
        )
    _check_voting_time(poll)
    ids = [m.pk for m in members]
    with connection.cursor() as cursor:
        flipped = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"UPDATE {Voter._meta.db_table} SET voted = %s WHERE poll_id = %s AND voted = %s "  # noqa: S608
                f"AND member_id IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND EXISTS (SELECT 1 FROM {Poll._meta.db_table} WHERE id = %s AND status = %s)",
                [True, poll.pk, False, *chunk, poll.pk, Poll.Status.OPEN],
            )
            flipped += cursor.rowcount
        if flipped != len(ids):
            raise _explain_refusal(poll, ids)
        for key, n in sorted(keys.items()):
            cursor.execute(_BOX_SQL, [n, poll.pk, key])
            if cursor.rowcount == 0:
                if poll.secret:
                    raise VoiceError(_("That is not an option of this poll."), code="invalid", field="counts")
                BallotBox.objects.create(poll=poll, choice=key, count=n)
    changes: dict[str, list[Any]] = {"ballots": [None, total], "counts": [None, dict(sorted(keys.items()))]}
    if not poll.secret:
        changes["members"] = [None, sorted(m.code for m in members)]
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=poll,
        changes=changes,
        channel=channel,
        association_id=poll.association_id,
        note=how,
    )
    return total


@transaction.atomic
def record_paper_ballots(
    *,
    actor: User | None,
    poll: Poll,
    members: Sequence[Member],
    counts: Sequence[tuple[Choice, int]],
    channel: str = Channel.WEB,
) -> int:
    """Count paper ballots into the poll: the members who signed the sheet, and how many ballots
    made each choice. The counts must add up to the members; none of them may have voted already.
    Returns the number of ballots."""
    return _record_counts(actor=actor, poll=poll, members=members, counts=counts, channel=channel,
                          how="paper ballots")  # fmt: skip


@transaction.atomic
def record_show_of_hands(
    *,
    actor: User | None,
    poll: Poll,
    members: Sequence[Member],
    counts: Sequence[tuple[Option, int]],
    channel: str = Channel.WEB,
) -> int:
    """Count a show of hands at a meeting (open yes/no or one-choice polls only): the members who
    voted and the hands raised for each option, which must add up to them."""
    if poll.secret:
        raise VoiceError(_("A secret poll cannot be decided by a show of hands."), code="invalid")
    if poll.kind not in (Poll.Kind.YES_NO, Poll.Kind.SINGLE):
        raise VoiceError(_("Hands can be counted only for yes/no and one-choice polls."), code="invalid")
    return _record_counts(actor=actor, poll=poll, members=members, counts=counts, channel=channel,
                          how="show of hands")  # fmt: skip


# Reading ----------------------------------------------------------------------------------------


def polls_for(user: User) -> QuerySet[Poll]:
    """Polls of the organisations `user` may see."""
    return Poll.objects.filter(organisation__in=organisations_for(user))


def poll_or_404(user: User, pk: int) -> Poll:
    poll = polls_for(user).select_related("organisation", "meeting").filter(pk=pk).first()
    if poll is None:
        raise Http404
    return poll


def tallies(poll: Poll) -> dict[str, int]:
    """{choice key: ballots} from the box and, for an open poll, the named votes."""
    found: dict[str, int] = {}
    for key, n in BallotBox.objects.filter(poll=poll, count__gt=0).values_list("choice", "count"):
        found[key] = found.get(key, 0) + n
    if not poll.secret:
        for key, n in (
            Vote.objects.filter(poll=poll).values("choice").annotate(n=Count("id")).values_list("choice", "n")
        ):
            found[key] = found.get(key, 0) + n
    return found


@dataclass
class Turnout:
    """Eligible members and voters in one category (a sex, an age band, …)."""

    key: str
    label: str
    eligible: int = 0
    voted: int = 0

    @property
    def percent(self) -> float:
        return 100 * self.voted / self.eligible if self.eligible else 0.0


@dataclass
class PollResult:
    """A poll's count: turnout, quorum, votes per option, winners, the runoff's rounds, ties."""

    poll: Poll
    eligible: int
    turnout: int
    quorum_met: bool
    counts: dict[int, int]
    winner_ids: list[int]
    valid: int = 0
    rounds: list[dict[str, Any]] = field(default_factory=list)
    tie: bool = False
    note: str = ""
    by_sex: list[Turnout] = field(default_factory=list)
    by_age: list[Turnout] = field(default_factory=list)
    by_ethnicity: list[Turnout] = field(default_factory=list)
    by_disability: list[Turnout] = field(default_factory=list)

    @property
    def turnout_percent(self) -> float:
        return 100 * self.turnout / self.eligible if self.eligible else 0.0

    @property
    def decided(self) -> bool:
        """Whether the poll decided: quorum met and a winner found."""
        return self.quorum_met and bool(self.winner_ids)

    @property
    def needed(self) -> int:
        """Voters needed for the quorum."""
        return -(-self.eligible * self.poll.quorum_percent // 100)


def results(poll: Poll) -> PollResult:
    """Count a poll. A secret poll's count is refused (code "hidden") until it closes."""
    if poll.results_hidden:
        raise VoiceError(_("The results of a secret poll are shown once it closes."), code="hidden")
    options = list(Option.objects.filter(poll=poll).order_by("position"))
    ids = {o.position: o.pk for o in options}
    positions = list(ids)
    ballots: dict[tuple[int, ...], int] = {}
    for key, n in tallies(poll).items():
        ballots[parse_key(poll, key)] = ballots.get(parse_key(poll, key), 0) + n
    rule = poll.majority
    if poll.kind == Poll.Kind.YES_NO:
        outcome = counting.yes_no(ballots.get((1,), 0), ballots.get((2,), 0), rule)
    elif poll.kind == Poll.Kind.SINGLE:
        outcome = counting.plurality({k[0]: n for k, n in ballots.items()}, positions, rule)
    elif poll.kind == Poll.Kind.APPROVAL:
        outcome = counting.approval(ballots, positions, rule)
    elif poll.counting == Poll.Counting.INSTANT_RUNOFF:
        outcome = counting.instant_runoff(ballots, positions)
    else:
        outcome = counting.borda(ballots, positions)
    breakdown = _turnout_breakdown(poll)
    turnout = sum(t.voted for t in breakdown["disability"])
    eligible = poll.eligible if poll.status != Poll.Status.DRAFT else 0
    return PollResult(
        poll=poll,
        eligible=eligible,
        turnout=turnout,
        quorum_met=eligible > 0 and turnout * 100 >= poll.quorum_percent * eligible,
        counts={ids[p]: n for p, n in outcome.counts.items()},
        winner_ids=[ids[p] for p in outcome.winners],
        valid=outcome.valid,
        rounds=[
            {
                "votes": {ids[p]: n for p, n in r.votes.items()},
                "exhausted": r.exhausted,
                "eliminated": ids.get(r.eliminated) if r.eliminated else None,
                "tie_broken_by": r.tie_broken_by,
            }
            for r in outcome.rounds
        ],
        tie=outcome.tie,
        note=outcome.note,
        by_sex=breakdown["sex"],
        by_age=breakdown["age"],
        by_ethnicity=breakdown["ethnicity"],
        by_disability=breakdown["disability"],
    )


# Turnout by sex is labelled as the demand and meeting pages label their counts, not by the
# registry's lower-case choice labels.
SEX_LABELS = {Sex.FEMALE: _("Women"), Sex.MALE: _("Men"), Sex.THIRD: _("Third gender")}

AGE_LABELS = {"under18": _("under 18"), "18-35": _("18–35"), "36-59": _("36–59"), "60plus": _("60 and over"),
              "unknown": _("age not known")}  # fmt: skip


def _age_band(today: datetime.date) -> Case:
    """The member's age band (as registry.queries.AGE_BANDS) in SQL, from the year of birth."""
    bands = [
        When(birth_year__gte=today.year - hi, birth_year__lte=today.year - lo, then=Value(key))
        for key, (lo, hi) in AGE_BANDS.items()
    ]
    return Case(*bands, default=Value("unknown"), output_field=CharField())


def _turnout_breakdown(poll: Poll) -> dict[str, list[Turnout]]:
    """Eligible and voted by sex, age band, ethnicity and disability, in one GROUP BY over the
    register (which holds each member's categories as they were when the poll opened)."""
    rows = (
        Voter.objects.filter(poll=poll)
        .values("sex", "age_band", "ethnic_minority", "disability")
        .annotate(eligible=Count("id"), voted=Count("id", filter=Q(voted=True)))
        .order_by()
    )
    sex = {key: Turnout(key, str(label)) for key, label in SEX_LABELS.items()}
    age = {k: Turnout(k, str(v)) for k, v in AGE_LABELS.items()}
    ethnicity = {
        "minority": Turnout("minority", str(_("ethnic minority"))),
        "majority": Turnout("majority", str(_("Bengali (majority)"))),
    }
    disability = {
        "yes": Turnout("yes", str(_("with a disability"))),
        "no": Turnout("no", str(_("without a disability"))),
    }
    for row in rows:
        n, voted = row["eligible"], row["voted"]
        for bucket in (
            sex.get(row["sex"]),
            age.get(row["age_band"]),
            ethnicity["minority" if row["ethnic_minority"] else "majority"],
            disability["yes" if row["disability"] else "no"],
        ):
            if bucket is not None:
                bucket.eligible += n
                bucket.voted += voted
    return {
        "sex": list(sex.values()),
        "age": list(age.values()),
        "ethnicity": list(ethnicity.values()),
        "disability": list(disability.values()),
    }


def member_choice(poll: Poll, member: Member) -> list[Option] | None:
    """How a member voted in an open poll (None if not, or if the poll is secret: nobody can know)."""
    if poll.secret:
        return None
    key = Vote.objects.filter(poll=poll, member=member).values_list("choice", flat=True).first()
    if key is None:
        return None
    by_position = {o.position: o for o in poll.options.all()}
    return [by_position[p] for p in parse_key(poll, key)]


def has_voted(poll: Poll, member: Member) -> bool:
    return Voter.objects.filter(poll=poll, member=member, voted=True).exists()
