"""Committee elections in the API: elections, candidates and declared results, scoped like the pages.

Elections are run on the web (nominations and ballots need a leader at the meeting); the API
reads them, and lists the committees whose term has run out.
"""

import datetime
from typing import Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from samiti.registry.models import User
from samiti.voice.errors import VoiceError
from samiti.voice.models.elections import Candidate, Election, Post
from samiti.voice.services import elections as services

router = Router(tags=["elections"])

StatusCode = Literal[tuple(Election.Status.values)]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


class CandidateOut(Schema):
    id: int
    member: int
    member_code: str
    name: str
    sex: str
    nominated_by: str = Field(description="Member number of the proposer.")
    seconded_by: str | None = Field(description="Member number of the seconder, once seconded.")
    status: str
    votes: int | None = Field(description="Votes won; null until declared, and for an uncontested post.")
    elected: bool
    by_quota: bool = Field(description="Seated by the women's quota.")
    gave_way: bool = Field(description="Elected by votes but gave way to the women's quota.")

    @staticmethod
    def resolve_member(c: Candidate) -> int:
        return c.member_id

    @staticmethod
    def resolve_member_code(c: Candidate) -> str:
        return c.member.code

    @staticmethod
    def resolve_name(c: Candidate) -> str:
        return str(c.member)

    @staticmethod
    def resolve_sex(c: Candidate) -> str:
        return c.member.sex

    @staticmethod
    def resolve_nominated_by(c: Candidate) -> str:
        return c.nominated_by.code

    @staticmethod
    def resolve_seconded_by(c: Candidate) -> str | None:
        return c.seconded_by.code if c.seconded_by_id else None


class PostOut(Schema):
    office: str
    seats: int
    poll: int | None = Field(
        description="Id of the post's secret poll; null if uncontested or not yet voting."
    )
    candidates: list[CandidateOut]

    @staticmethod
    def resolve_poll(post: Post) -> int | None:
        return post.poll_id

    @staticmethod
    def resolve_candidates(post: Post) -> list[Candidate]:
        return list(post.candidates.all())


class ElectionOut(Schema):
    id: int
    organisation: int
    organisation_name: str
    held_on: datetime.date
    term_ends_on: datetime.date
    term_years: int
    women_seats_percent: int
    status: str
    meeting: int | None

    @staticmethod
    def resolve_organisation(e: Election) -> int:
        return e.organisation_id

    @staticmethod
    def resolve_organisation_name(e: Election) -> str:
        return e.organisation.name

    @staticmethod
    def resolve_term_ends_on(e: Election) -> datetime.date:
        return services.term_end(e)

    @staticmethod
    def resolve_meeting(e: Election) -> int | None:
        return e.meeting_id


class ElectionDetailOut(ElectionOut):
    posts: list[PostOut]

    @staticmethod
    def resolve_posts(e: Election) -> list[Post]:
        return sorted(e.posts.all(), key=lambda p: p.order)


class ResultsOut(Schema):
    election: int
    declared_at: datetime.datetime
    seats_filled: int
    women_required: int
    women_elected: int
    quota_met: bool
    shortfall: int = Field(description="Women's seats the quota could not fill: not enough women stood.")
    elected: list[CandidateOut]
    posts: list[PostOut]


class ElectionFilters(Schema):
    organisation: int | None = None
    status: StatusCode | None = None


class OverdueOut(Schema):
    organisation: int
    organisation_name: str
    term_ended_on: datetime.date


def _with_posts(elections: QuerySet[Election]) -> QuerySet[Election]:
    candidates = Candidate.objects.select_related("member", "nominated_by", "seconded_by").order_by("id")
    return elections.select_related("organisation").prefetch_related(
        Prefetch("posts", queryset=Post.objects.prefetch_related(Prefetch("candidates", queryset=candidates)))
    )


@router.get("/elections", response=list[ElectionOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_elections(request: HttpRequest, filters: Query[ElectionFilters]) -> QuerySet[Election]:
    """Elections of the organisations in the account's scope, the latest first."""
    found = services.elections_for(_user(request)).select_related("organisation").order_by("-held_on", "-id")
    if filters.organisation is not None:
        found = found.filter(organisation_id=filters.organisation)
    if filters.status:
        found = found.filter(status=filters.status)
    return found


@router.get("/elections/{election_id}", response=ElectionDetailOut)
def read_election(request: HttpRequest, election_id: int) -> Election:
    """One election with its posts and candidates."""
    services.election_or_404(_user(request), election_id)
    return _with_posts(Election.objects.filter(pk=election_id)).get()


@router.get("/elections/{election_id}/results", response=ResultsOut)
def read_results(request: HttpRequest, election_id: int) -> dict:
    """The declared result: who was elected, the women's share, and the quota's changes."""
    services.election_or_404(_user(request), election_id)
    election = _with_posts(Election.objects.filter(pk=election_id)).get()
    if election.status != Election.Status.DECLARED:
        raise VoiceError(_("The results show once they are declared."), code="hidden")
    posts = sorted(election.posts.all(), key=lambda p: p.order)
    return {
        "election": election.pk,
        "declared_at": election.declared_at,
        "seats_filled": election.seats_filled or 0,
        "women_required": election.women_required or 0,
        "women_elected": election.women_elected or 0,
        "quota_met": bool(election.quota_met),
        "shortfall": max(0, (election.women_required or 0) - (election.women_elected or 0)),
        "elected": [c for p in posts for c in p.candidates.all() if c.elected],
        "posts": posts,
    }


@router.get("/committees/overdue", response=list[OverdueOut])
def list_overdue_committees(request: HttpRequest) -> list[dict]:
    """Organisations in scope whose committee's term has run out with no election under way."""
    return [
        {
            "organisation": item.organisation.pk,
            "organisation_name": item.organisation.name,
            "term_ended_on": item.term_ended_on,
        }
        for item in services.overdue_committees(_user(request))
    ]
