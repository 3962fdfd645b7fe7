"""Committee elections: calling one, nominations, the secret ballot, seats and the women's quota.

The ballot of each contested post is a secret poll run by the polls services; this module never
writes the polls' tables. Declared results seat the winners through `registry.services.assign_office`.
"""

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.core import audit
from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries
from samiti.registry import services as registry_services
from samiti.registry.models import ByLaws, CommitteeOffice, Meeting, Member, Organisation, Sex, User
from samiti.voice.errors import VoiceError
from samiti.voice.models.elections import Candidate, Election, Post
from samiti.voice.models.polls import Poll
from samiti.voice.services import polls

Office = CommitteeOffice.Office
MAX_MEMBER_SEATS = 25


# ----- reading -----------------------------------------------------------------------------------


def elections_for(user: User) -> QuerySet[Election]:
    """Every election of an organisation in `user`'s scope."""
    return Election.objects.filter(organisation__in=queries.organisations_for(user))


def election_or_404(user: User, pk: int) -> Election:
    election = elections_for(user).select_related("organisation", "meeting").filter(pk=pk).first()
    if election is None:
        raise Http404
    return election


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_end(election: Election) -> datetime.date:
    """The last day of the term the election's committee serves: held_on plus the term in years."""
    return add_years(election.held_on, election.term_years)


# ----- rules -------------------------------------------------------------------------------------


def ineligibility(member: Member, election: Election) -> str | None:
    """Why `member` may not stand in `election`, or None when they are in good standing.

    Good standing: an active member of the organisation who holds no seat on its committee that
    this election does not renew (a sitting cashier may stand again in a full election, but not
    for secretary in a by-election that leaves the cashier's seat as it is).
    """
    if not member.is_active:
        return str(_("%(member)s has left the organisation.") % {"member": member})
    if not queries.belongs_to(member, election.organisation):
        return str(
            _("%(member)s is not a member of %(organisation)s.")
            % {"member": member, "organisation": election.organisation}
        )
    renewed = set(election.posts.values_list("office", flat=True))
    held = (
        CommitteeOffice.objects.filter(
            organisation=election.organisation, member=member, started_on__lte=election.held_on
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=election.held_on))
        .exclude(office__in=renewed)
        .first()
    )
    if held is not None:
        return str(
            _("%(member)s already holds the office of %(office)s, which this election does not renew.")
            % {"member": member, "office": held.get_office_display()}
        )
    return None


def women_required(seats: int, percent: int) -> int:
    """The seats women must hold at least: the by-laws' share of the seats, rounded up."""
    return math.ceil(seats * percent / 100)


@dataclass(frozen=True)
class Standing:
    """A candidate as the count sees them: their post, their votes, their sex, when nominated."""

    candidate: int
    office: str
    votes: int
    sex: str
    order: int  # nomination order: among equal votes, the earlier nomination ranks higher


@dataclass
class Allocation:
    """Who takes which seat, and how the women's quota changed the count's result."""

    seats: dict[int, str]  # candidate → office, for every elected candidate
    by_quota: list[int]  # women seated by the quota, in the order they were seated
    gave_way: list[int]  # men who gave way to them, in the same order
    seats_filled: int
    women_required: int
    women_elected: int
    vacant: dict[str, int] = field(default_factory=dict)  # office → seats nobody stood for

    @property
    def quota_met(self) -> bool:
        return self.women_elected >= self.women_required

    @property
    def shortfall(self) -> int:
        return max(0, self.women_required - self.women_elected)


def _rank(standing: Standing) -> tuple[int, int]:
    return (-standing.votes, standing.order)


def allocate_seats(
    candidates: Sequence[Standing], seats: Mapping[str, int], women_percent: int
) -> Allocation:
    """Fill each post's seats by votes, then apply the women's quota.

    1. Each post's seats go to its candidates with the most votes; equal votes: the earlier
       nomination first.
    2. Women must hold at least ceil(seats filled × women_percent / 100) of the seats this
       election fills. While they hold fewer, the elected man with the fewest votes among the
       committee-member seats (equal votes: the later nomination) gives way to the woman with the
       most votes among the committee-member candidates not elected (equal votes: the earlier
       nomination). Single-holder offices (president, secretary…) are never changed, and members
       of the third gender neither give way nor take a woman's seat.
    3. When no such pair is left, the quota is not met and the allocation says by how much.
    """
    by_office: dict[str, list[Standing]] = {}
    for c in candidates:
        by_office.setdefault(c.office, []).append(c)
    elected: dict[int, str] = {}
    vacant: dict[str, int] = {}
    for office, count in seats.items():
        ranked = sorted(by_office.get(office, []), key=_rank)
        for c in ranked[:count]:
            elected[c.candidate] = office
        if len(ranked) < count:
            vacant[office] = count - len(ranked)
    seats_filled = len(elected)
    required = women_required(seats_filled, women_percent)
    women = sum(1 for c in candidates if c.candidate in elected and c.sex == Sex.FEMALE)
    members = by_office.get(Office.MEMBER, [])
    men_in = sorted(
        (c for c in members if c.candidate in elected and c.sex == Sex.MALE), key=_rank, reverse=True
    )
    women_out = sorted((c for c in members if c.candidate not in elected and c.sex == Sex.FEMALE), key=_rank)
    by_quota: list[int] = []
    gave_way: list[int] = []
    while women < required and men_in and women_out:
        man, woman = men_in.pop(0), women_out.pop(0)
        del elected[man.candidate]
        elected[woman.candidate] = Office.MEMBER
        gave_way.append(man.candidate)
        by_quota.append(woman.candidate)
        women += 1
    return Allocation(
        seats=elected,
        by_quota=by_quota,
        gave_way=gave_way,
        seats_filled=seats_filled,
        women_required=required,
        women_elected=women,
        vacant=vacant,
    )


# ----- writes ------------------------------------------------------------------------------------


def _check_scope(actor: User | None, organisation: Organisation) -> None:
    """Refuse a write outside the actor's scope, as the read would have."""
    if actor is None:
        return
    if not actor.can_edit or not queries.organisations_for(actor).filter(pk=organisation.pk).exists():
        raise VoiceError(_("You may not change records of this organisation."), code="forbidden")


def _association_of(organisation: Organisation) -> int | None:
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.parent_id
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return organisation.pk
    return None


def _locked(election: Election) -> Election:
    """Re-read the election under a row lock, so two leaders cannot move it at once."""
    return Election.objects.select_for_update().select_related("organisation").get(pk=election.pk)


@transaction.atomic
def call_election(
    *,
    actor: User | None,
    organisation: Organisation,
    held_on: datetime.date,
    member_seats: int,
    offices: Sequence[str] | None = None,
    meeting: Meeting | None = None,
    channel: str = Channel.WEB,
) -> Election:
    """Call an election of the organisation's committee and open nominations.

    `offices` are the posts to fill (all five by default: a by-election names fewer); the
    committee-member post has `member_seats` seats, the others one each. The term and the
    women's share come from the organisation's by-laws as they are today.
    """
    _check_scope(actor, organisation)
    offices = list(dict.fromkeys(offices if offices is not None else Office.values))
    if not offices:
        raise VoiceError(_("Choose at least one office to fill."), field="offices")
    unknown = [o for o in offices if o not in Office.values]
    if unknown:
        raise VoiceError(_("Unknown office: %(office)s.") % {"office": unknown[0]}, field="offices")
    if Office.MEMBER in offices and not 1 <= member_seats <= MAX_MEMBER_SEATS:
        raise VoiceError(
            _("Committee members' seats must be between 1 and %(most)s.") % {"most": MAX_MEMBER_SEATS},
            field="member_seats",
        )
    if held_on is None:
        raise VoiceError(_("Give the date of the election."), field="held_on")
    if meeting is not None and meeting.organisation_id != organisation.pk:
        raise VoiceError(_("The meeting must be one of this organisation's."), field="meeting")
    if Election.objects.filter(organisation=organisation, status__in=Election.IN_PROGRESS).exists():
        raise VoiceError(
            _("%(organisation)s already has an election under way.") % {"organisation": organisation},
            field="organisation",
        )
    rules: ByLaws = queries.by_laws(organisation)
    election = Election.objects.create(
        organisation=organisation,
        held_on=held_on,
        meeting=meeting,
        term_years=rules.term_years,
        women_seats_percent=rules.women_seats_percent,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Post.objects.bulk_create(
        [
            Post(election=election, office=o, seats=member_seats if o == Office.MEMBER else 1)
            for o in sorted(offices, key=Office.values.index)
        ]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=election,
        changes={
            **audit.created(
                election, ["organisation", "held_on", "meeting", "term_years", "women_seats_percent"]
            ),
            "posts": [None, {o: member_seats if o == Office.MEMBER else 1 for o in offices}],
        },
        channel=channel,
        association_id=_association_of(organisation),
    )
    return election


def _check_nominating(election: Election) -> None:
    if election.status != Election.Status.NOMINATING:
        raise VoiceError(_("Nominations are closed for this election."), code="closed")


def _check_backer(member: Member, election: Election, role: str) -> None:
    if not member.is_active or not queries.belongs_to(member, election.organisation):
        raise VoiceError(
            _("The %(role)s must be a member of %(organisation)s.")
            % {"role": role, "organisation": election.organisation},
            field=role_field(role),
        )


def role_field(role: str) -> str:
    return {"proposer": "nominated_by", "seconder": "seconded_by"}.get(role, role)


@transaction.atomic
def nominate(
    *,
    actor: User | None,
    election: Election,
    office: str,
    member: Member,
    nominated_by: Member,
    seconded_by: Member | None = None,
    channel: str = Channel.WEB,
) -> Candidate:
    """Nominate a member for a post; they stand once another member has seconded them."""
    election = _locked(election)
    _check_scope(actor, election.organisation)
    _check_nominating(election)
    post = election.posts.filter(office=office).first()
    if post is None:
        raise VoiceError(_("This election does not fill that office."), field="office")
    reason = ineligibility(member, election)
    if reason:
        raise VoiceError(reason, field="member")
    if nominated_by.pk == member.pk:
        raise VoiceError(_("A member cannot nominate themselves."), field="nominated_by")
    _check_backer(nominated_by, election, "proposer")
    standing = (
        election.candidates.filter(member=member, status=Candidate.Status.STANDING)
        .select_related("post")
        .first()
    )
    if standing is not None:
        raise VoiceError(
            _("%(member)s is already nominated for %(office)s.")
            % {"member": member, "office": standing.post.get_office_display()},
            field="member",
        )
    if seconded_by is not None:
        _check_seconder(seconded_by, member, nominated_by, election)
    candidate = Candidate.objects.create(
        election=election, post=post, member=member, nominated_by=nominated_by, seconded_by=seconded_by
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=candidate,
        changes={
            "office": [None, office],
            "member": [None, member.code],
            "nominated_by": [None, nominated_by.code],
            **({"seconded_by": [None, seconded_by.code]} if seconded_by else {}),
        },
        channel=channel,
        association_id=_association_of(election.organisation),
    )
    return candidate


def _check_seconder(seconder: Member, member: Member, proposer: Member, election: Election) -> None:
    if seconder.pk == member.pk:
        raise VoiceError(_("A member cannot second their own nomination."), field="seconded_by")
    if seconder.pk == proposer.pk:
        raise VoiceError(_("The seconder must be another member than the proposer."), field="seconded_by")
    _check_backer(seconder, election, "seconder")


@transaction.atomic
def second_nomination(
    *, actor: User | None, candidate: Candidate, seconded_by: Member, channel: str = Channel.WEB
) -> Candidate:
    """Record the member who seconds a nomination."""
    election = _locked(candidate.election)
    _check_scope(actor, election.organisation)
    _check_nominating(election)
    candidate = Candidate.objects.select_related("member", "nominated_by").get(pk=candidate.pk)
    if candidate.status != Candidate.Status.STANDING:
        raise VoiceError(_("This candidate has withdrawn."), field="candidate")
    if candidate.seconded_by_id is not None:
        raise VoiceError(_("This nomination is already seconded."), field="seconded_by")
    _check_seconder(seconded_by, candidate.member, candidate.nominated_by, election)
    candidate.seconded_by = seconded_by
    candidate.save(update_fields=["seconded_by"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=candidate,
        changes={"seconded_by": [None, seconded_by.code]},
        channel=channel,
        association_id=_association_of(election.organisation),
    )
    return candidate


@transaction.atomic
def withdraw_candidate(*, actor: User | None, candidate: Candidate, channel: str = Channel.WEB) -> Candidate:
    """Take a candidate off the ballot; only before voting opens."""
    election = _locked(candidate.election)
    _check_scope(actor, election.organisation)
    if election.status != Election.Status.NOMINATING:
        raise VoiceError(_("Candidates can withdraw only before voting opens."), code="closed")
    candidate = Candidate.objects.select_related("member", "post").get(pk=candidate.pk)
    if candidate.status == Candidate.Status.WITHDRAWN:
        raise VoiceError(_("This candidate has already withdrawn."), field="candidate")
    candidate.status = Candidate.Status.WITHDRAWN
    candidate.withdrawn_at = timezone.now()
    candidate.save(update_fields=["status", "withdrawn_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=candidate,
        changes={"status": [Candidate.Status.STANDING, Candidate.Status.WITHDRAWN]},
        channel=channel,
        association_id=_association_of(election.organisation),
    )
    return candidate


def _ballot_label(candidate: Candidate) -> str:
    member = candidate.member
    return f"{Member.display_name(member.name_bn, member.name_en)} ({member.code})"[:200]


@transaction.atomic
def open_voting(*, actor: User | None, election: Election, channel: str = Channel.WEB) -> Election:
    """Close nominations and open the secret ballot: one secret poll per contested post.

    Only seconded nominations go on the ballot. A post with no more seconded candidates than
    seats is uncontested: its candidates are elected unopposed and it gets no poll. A post
    with several seats is an approval poll where each voter chooses up to that many.
    """

    election = _locked(election)
    _check_scope(actor, election.organisation)
    _check_nominating(election)
    posts = list(election.posts.all())
    standing = list(
        election.candidates.filter(status=Candidate.Status.STANDING, seconded_by__isnull=False)
        .select_related("member")
        .order_by("id")
    )
    unseconded = election.candidates.filter(status=Candidate.Status.STANDING, seconded_by__isnull=True)
    if unseconded.exists():
        raise VoiceError(
            _("Every nomination must be seconded or withdrawn before voting opens: %(names)s.")
            % {"names": ", ".join(str(c.member) for c in unseconded.select_related("member")[:5])},
            field="candidates",
        )
    if not standing:
        raise VoiceError(_("Nobody stands in this election yet."), field="candidates")
    for post in posts:
        crowd = sum(1 for c in standing if c.post_id == post.pk)
        if post.seats > 1 and crowd > polls.SECRET_APPROVAL_MAX:
            raise VoiceError(
                _("At most %(most)s candidates fit on a secret ballot for %(office)s; %(count)s stand.")
                % {"most": polls.SECRET_APPROVAL_MAX, "office": post.get_office_display(), "count": crowd},
                field="candidates",
            )
    opened = []
    for post in posts:
        mine = [c for c in standing if c.post_id == post.pk]
        if len(mine) <= post.seats:
            continue
        post.poll = polls.create_poll(
            actor=actor,
            organisation=election.organisation,
            question=str(
                _("%(office)s: %(election)s") % {"office": post.get_office_display(), "election": election}
            ),
            kind=Poll.Kind.SINGLE if post.seats == 1 else Poll.Kind.APPROVAL,
            options=[_ballot_label(c) for c in mine],
            secret=True,
            majority=Poll.Majority.PLURALITY,
            meeting=election.meeting,
            channel=channel,
        )
        post.save(update_fields=["poll"])
        options = list(post.poll.options.order_by("position"))
        for candidate, option in zip(mine, options, strict=True):
            candidate.option = option
            candidate.save(update_fields=["option"])
        polls.open_poll(actor=actor, poll=post.poll)
        opened.append(post.office)
    election.status = Election.Status.VOTING
    election.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=election,
        changes={"status": [Election.Status.NOMINATING, Election.Status.VOTING], "ballots": [None, opened]},
        channel=channel,
        association_id=_association_of(election.organisation),
    )
    return election


BallotChoice = Candidate | Sequence[Candidate] | None


@transaction.atomic
def cast_ballot(
    *,
    actor: User | None,
    election: Election,
    member: Member,
    choices: Mapping[str, BallotChoice],
    channel: str = Channel.WEB,
) -> None:
    """Put one member's ballot paper in the boxes: for each contested post (by office), the
    chosen candidate, or up to that post's seats for committee members. A post left out or
    given None or [] is a blank on that post. All posts are cast together or none is."""

    election = Election.objects.select_related("organisation").get(pk=election.pk)
    _check_scope(actor, election.organisation)
    if election.status != Election.Status.VOTING:
        raise VoiceError(_("Voting is not open in this election."), code="closed")
    posts = {p.office: p for p in election.posts.filter(poll__isnull=False).select_related("poll")}
    unknown = [o for o in choices if o not in posts]
    if unknown:
        raise VoiceError(_("There is no ballot for this office in this election."), field=unknown[0])
    if not queries.belongs_to(member, election.organisation) or not member.is_active:
        raise VoiceError(
            _("Only members of %(organisation)s vote in its election.")
            % {"organisation": election.organisation},
            field="member",
        )
    cast = 0
    for office, choice in choices.items():
        post = posts[office]
        chosen = [] if choice is None else [choice] if isinstance(choice, Candidate) else list(choice)
        if not chosen:
            continue
        if len({c.pk for c in chosen}) != len(chosen):
            raise VoiceError(_("A candidate is chosen once on a ballot."), field=office)
        if len(chosen) > post.seats:
            raise VoiceError(
                _("Choose at most %(seats)s candidates for %(office)s.")
                % {"seats": post.seats, "office": post.get_office_display()},
                field=office,
            )
        if any(c.post_id != post.pk or c.option_id is None for c in chosen):
            raise VoiceError(
                _("That candidate is not on the ballot for %(office)s.")
                % {"office": post.get_office_display()},
                field=office,
            )
        options = [c.option for c in chosen]
        polls.cast_vote(
            actor=actor,
            poll=post.poll,
            member=member,
            choice=options[0] if post.poll.kind == Poll.Kind.SINGLE else options,
            channel=channel,
        )
        cast += 1
    if not cast:
        raise VoiceError(
            _("The ballot is blank: choose a candidate for at least one office."), field="choices"
        )


@transaction.atomic
def declare_results(*, actor: User | None, election: Election, channel: str = Channel.WEB) -> Election:
    """Close the ballot, count it, apply the women's quota and seat the new committee.

    The offices this election fills end on the election date for whoever held them; the winners
    take them from that date for the by-laws' term (see `allocate_seats` for the quota rule).
    """

    election = _locked(election)
    _check_scope(actor, election.organisation)
    if election.status != Election.Status.VOTING:
        raise VoiceError(_("Results are declared once voting has opened, and only once."), code="closed")
    posts = list(election.posts.select_related("poll"))
    votes: dict[int, int] = {}
    for post in posts:
        if post.poll is None:
            continue
        if post.poll.is_open:
            polls.close_poll(actor=actor, poll=post.poll)
        votes.update(polls.results(post.poll).counts)
    candidates = list(
        election.candidates.filter(status=Candidate.Status.STANDING, seconded_by__isnull=False)
        .select_related("member", "post")
        .order_by("id")
    )
    office_of = {p.pk: p.office for p in posts}
    standings = [
        Standing(
            candidate=c.pk,
            office=office_of[c.post_id],
            votes=votes.get(c.option_id, 0) if c.option_id else 0,
            sex=c.member.sex,
            order=c.pk,
        )
        for c in candidates
    ]
    allocation = allocate_seats(standings, {p.office: p.seats for p in posts}, election.women_seats_percent)
    for c, s in zip(candidates, standings, strict=True):
        c.votes = s.votes if c.option_id else None
        c.elected = c.pk in allocation.seats
        c.by_quota = c.pk in allocation.by_quota
        c.gave_way = c.pk in allocation.gave_way
    Candidate.objects.bulk_update(candidates, ["votes", "elected", "by_quota", "gave_way"])
    registry_services.end_offices(
        actor=actor,
        organisation=election.organisation,
        offices=[p.office for p in posts],
        on=election.held_on,
        channel=channel,
        note=f"election {election.pk}",
    )
    ends = term_end(election)
    for c in sorted(
        (c for c in candidates if c.elected), key=lambda c: (Post(office=office_of[c.post_id]).order, c.pk)
    ):
        registry_services.assign_office(
            actor=actor,
            organisation=election.organisation,
            member=c.member,
            office=office_of[c.post_id],
            started_on=election.held_on,
            ended_on=ends,
            channel=channel,
        )
    election.status = Election.Status.DECLARED
    election.declared_at = timezone.now()
    election.seats_filled = allocation.seats_filled
    election.women_required = allocation.women_required
    election.women_elected = allocation.women_elected
    election.save(update_fields=["status", "declared_at", "seats_filled", "women_required", "women_elected"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=election,
        changes={
            "status": [Election.Status.VOTING, Election.Status.DECLARED],
            "elected": [None, sorted(c.member.code for c in candidates if c.elected)],
            "women": [None, f"{allocation.women_elected}/{allocation.seats_filled}"],
            **({"quota_swaps": [None, len(allocation.by_quota)]} if allocation.by_quota else {}),
        },
        channel=channel,
        association_id=_association_of(election.organisation),
        note="" if allocation.quota_met else f"women's quota short by {allocation.shortfall}",
    )
    return election


@transaction.atomic
def cancel_election(*, actor: User | None, election: Election, channel: str = Channel.WEB) -> Election:
    """Call off an election before its results are declared; open ballots close uncounted."""

    election = _locked(election)
    _check_scope(actor, election.organisation)
    if not election.in_progress:
        raise VoiceError(_("Only an election under way can be cancelled."), code="closed")
    before = election.status
    for post in election.posts.select_related("poll").filter(poll__isnull=False):
        if post.poll.is_open:
            polls.close_poll(actor=actor, poll=post.poll)
    election.status = Election.Status.CANCELLED
    election.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=election,
        changes={"status": [before, election.status]},
        channel=channel,
        association_id=_association_of(election.organisation),
    )
    return election


# ----- the committee whose term has run out ------------------------------------------------------


@dataclass(frozen=True)
class OverdueCommittee:
    organisation: Organisation
    term_ended_on: datetime.date


def overdue_committees(user: User, today: datetime.date | None = None) -> list[OverdueCommittee]:
    """Organisations in `user`'s scope whose committee's term has run out with no election under way.

    A committee's term ends on the latest end date of its offices, or, for an office recorded
    without one, its start plus the by-laws' term. Organisations that never recorded a
    committee, and dissolved ones, are not listed.
    """
    today = today or timezone.localdate()
    organisations = queries.organisations_for(user).exclude(status=Organisation.Status.DISSOLVED)
    rows = (
        CommitteeOffice.objects.filter(organisation__in=organisations)
        .values("organisation")
        .annotate(last_end=Max("ended_on"), open_start=Max("started_on", filter=Q(ended_on__isnull=True)))
    )
    rows = {r["organisation"]: r for r in rows}
    if not rows:
        return []
    busy = set(
        Election.objects.filter(organisation__in=list(rows), status__in=Election.IN_PROGRESS).values_list(
            "organisation", flat=True
        )
    )
    default_term = ByLaws._meta.get_field("term_years").default
    terms = dict(ByLaws.objects.filter(organisation__in=list(rows)).values_list("organisation", "term_years"))
    overdue: dict[int, datetime.date] = {}
    for pk, row in rows.items():
        if pk in busy:
            continue
        ends = [row["last_end"]] if row["last_end"] else []
        if row["open_start"]:
            ends.append(add_years(row["open_start"], terms.get(pk, default_term)))
        ended = max(ends)
        if ended <= today:
            overdue[pk] = ended
    found = Organisation.objects.filter(pk__in=list(overdue)).order_by("name_en")
    return [OverdueCommittee(organisation=o, term_ended_on=overdue[o.pk]) for o in found]


def tallies(election: Election) -> dict[int, polls.PollResult]:
    """The polls' results of a declared election's contested posts, by post id."""

    return {p.pk: polls.results(p.poll) for p in election.posts.select_related("poll") if p.poll_id}
