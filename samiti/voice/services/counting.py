"""Counting a poll's ballots: pure functions over counts, no database, checkable by hand.

Options are named by their position on the poll (1, 2, 3 …). Ballots come as counts: how many
voters made each choice, a choice being one option (yes/no, single choice), a set of options
(approval) or an ordering of options, most preferred first (ranking; a partial ranking leaves the
rest unranked).

Majority rules (for yes/no, single choice and approval), measured against the valid ballots:
- simple: more than half; two thirds: at least two thirds; plurality: the most votes.
- A yes/no question is carried only if "yes" meets the rule; otherwise "no" stands.
- Where no option meets the rule, or the leaders are tied under plurality, there is no winner and
  the note says why.

Borda: on a ballot ranking options among n, the first gets n-1 points, the second n-2 … the
last of n gets 0. Options a ballot leaves unranked get nothing from it (so a partial ranking
gives fewer points, never more). Most points wins; a tie goes to the option with more first
preferences; if still tied, the tie stands and is stated.

Instant runoff: each round counts every ballot for its highest-ranked option still in the count.
An option with more than half of those ballots wins. Otherwise one option is eliminated: the one
with the fewest votes; a tie goes to the one with fewer votes in the round before (then the one
before that …); still tied, the one with the lower Borda score; still tied, the later option on
the poll. Ballots with no option left in the count are exhausted and no longer counted.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import permutations

from django.utils.translation import gettext_lazy as _

Ranking = tuple[int, ...]

SIMPLE, TWO_THIRDS, PLURALITY = "simple", "two_thirds", "plurality"


@dataclass
class Round:
    """One round of an instant runoff: votes per continuing option, and who went out."""

    votes: dict[int, int]
    exhausted: int = 0
    eliminated: int | None = None
    tie_broken_by: str = ""


@dataclass
class Outcome:
    """What a count found: the winners (none, one, or several when tied), the counts, and why."""

    counts: dict[int, int]
    valid: int
    winners: list[int] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    note: str = ""
    tie: bool = False


def _meets(votes: int, valid: int, majority: str) -> bool:
    if majority == SIMPLE:
        return votes * 2 > valid
    if majority == TWO_THIRDS:
        return votes * 3 >= valid * 2
    return votes > 0


def plurality(counts: Mapping[int, int], options: Iterable[int], majority: str = SIMPLE) -> Outcome:
    """Count single-choice ballots (`counts` maps an option to its votes) under a majority rule."""
    counts = {o: counts.get(o, 0) for o in options}
    valid = sum(counts.values())
    return _best(counts, valid, majority)


def _best(counts: dict[int, int], valid: int, majority: str) -> Outcome:
    outcome = Outcome(counts=counts, valid=valid)
    if valid == 0:
        outcome.note = str(_("No valid ballots."))
        return outcome
    top = max(counts.values())
    leaders = [o for o, n in counts.items() if n == top]
    if len(leaders) > 1:
        outcome.tie = True
        outcome.note = str(_("Tied: no option has more votes than the others."))
        return outcome
    if not _meets(top, valid, majority):
        outcome.note = str(
            _("No option reached two thirds of the valid votes.")
            if majority == TWO_THIRDS
            else _("No option reached more than half of the valid votes.")
        )
        return outcome
    outcome.winners = leaders
    return outcome


def yes_no(yes: int, no: int, majority: str = SIMPLE) -> Outcome:
    """Count a yes/no question (yes is option 1, no is option 2): carried only if yes meets the rule."""
    valid = yes + no
    outcome = Outcome(counts={1: yes, 2: no}, valid=valid)
    if valid == 0:
        outcome.note = str(_("No valid ballots."))
        return outcome
    carried = yes > no if majority == PLURALITY else _meets(yes, valid, majority)
    outcome.winners = [1] if carried else [2]
    if yes == no:
        outcome.tie = True
        outcome.note = str(_("Tied: a tie does not carry the question."))
    elif not carried:
        outcome.note = str(_("Not carried: yes did not reach the majority required."))
    return outcome


def approval(ballots: Mapping[frozenset[int] | tuple[int, ...], int], options: Iterable[int],
             majority: str = SIMPLE) -> Outcome:  # fmt: skip
    """Count approval ballots: each option's approvals, measured against the number of ballots."""
    options = list(options)
    counts = dict.fromkeys(options, 0)
    valid = 0
    for chosen, n in ballots.items():
        valid += n
        for option in chosen:
            counts[option] += n
    return _best(counts, valid, majority)


def borda_points(ballots: Mapping[Ranking, int], options: Iterable[int]) -> dict[int, int]:
    """Points per option: n-1 for a first place among n options … 0 for last; unranked get 0."""
    options = list(options)
    points = dict.fromkeys(options, 0)
    top = len(options) - 1
    for ranking, n in ballots.items():
        for place, option in enumerate(ranking):
            points[option] += (top - place) * n
    return points


def first_preferences(ballots: Mapping[Ranking, int], options: Iterable[int]) -> dict[int, int]:
    firsts = dict.fromkeys(options, 0)
    for ranking, n in ballots.items():
        if ranking:
            firsts[ranking[0]] += n
    return firsts


def borda(ballots: Mapping[Ranking, int], options: Iterable[int]) -> Outcome:
    """Count ranking ballots by Borda (see the module docstring for the points and the ties)."""
    options = list(options)
    points = borda_points(ballots, options)
    valid = sum(ballots.values())
    outcome = Outcome(counts=points, valid=valid)
    if valid == 0:
        outcome.note = str(_("No valid ballots."))
        return outcome
    top = max(points.values())
    leaders = [o for o in options if points[o] == top]
    if len(leaders) > 1:
        firsts = first_preferences(ballots, options)
        most = max(firsts[o] for o in leaders)
        still = [o for o in leaders if firsts[o] == most]
        outcome.tie = True
        if len(still) == 1:
            outcome.note = str(_("Tied on points; won on more first preferences."))
            leaders = still
        else:
            outcome.note = str(_("Tied on points and on first preferences: the tie stands."))
            return outcome
    outcome.winners = leaders
    return outcome


def instant_runoff(ballots: Mapping[Ranking, int], options: Iterable[int]) -> Outcome:
    """Count ranking ballots by instant runoff, round by round (ties as in the module docstring)."""
    options = list(options)
    valid = sum(ballots.values())
    points = borda_points(ballots, options)
    continuing = list(options)
    rounds: list[Round] = []
    outcome = Outcome(counts={}, valid=valid, rounds=rounds)
    if valid == 0:
        outcome.counts = dict.fromkeys(options, 0)
        outcome.note = str(_("No valid ballots."))
        return outcome
    while True:
        votes = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking, n in ballots.items():
            top = next((o for o in ranking if o in votes), None)
            if top is None:
                exhausted += n
            else:
                votes[top] += n
        current = Round(votes=votes, exhausted=exhausted)
        rounds.append(current)
        counted = valid - exhausted
        leader = max(continuing, key=lambda o: votes[o])
        if votes[leader] * 2 > counted or len(continuing) == 1:
            outcome.counts = votes
            outcome.winners = [leader] if votes[leader] > 0 else []
            if not outcome.winners:
                outcome.note = str(_("Every ballot was exhausted."))
            break
        out, reason = _to_eliminate(continuing, rounds, points)
        current.eliminated = out
        current.tie_broken_by = reason
        if reason:
            outcome.tie = True
        continuing.remove(out)
    ties = [r for r in rounds if r.tie_broken_by]
    if ties:
        outcome.note = str(
            _("A tie for elimination was broken by %(rule)s.")
            % {"rule": "; ".join(r.tie_broken_by for r in ties)}
        )
    return outcome


def _to_eliminate(continuing: list[int], rounds: list[Round], points: dict[int, int]) -> tuple[int, str]:
    """The option to eliminate after the last round, and the tie-break used ("" if none was needed)."""
    last = rounds[-1].votes
    fewest = min(last[o] for o in continuing)
    tied = [o for o in continuing if last[o] == fewest]
    if len(tied) == 1:
        return tied[0], ""
    for earlier in reversed(rounds[:-1]):
        fewest = min(earlier.votes[o] for o in tied)
        tied = [o for o in tied if earlier.votes[o] == fewest]
        if len(tied) == 1:
            return tied[0], str(_("fewer votes in an earlier round"))
    fewest = min(points[o] for o in tied)
    tied = [o for o in tied if points[o] == fewest]
    if len(tied) == 1:
        return tied[0], str(_("the lower Borda score"))
    return max(tied), str(_("the later option on the poll"))


def all_subsets(options: list[int]) -> list[frozenset[int]]:
    """Every non-empty set of options, in a fixed order (the possible approval ballots)."""
    found = []
    for mask in range(1, 1 << len(options)):
        found.append(frozenset(o for i, o in enumerate(options) if mask >> i & 1))
    return found


def all_rankings(options: list[int]) -> list[Ranking]:
    """Every ordering of every non-empty set of options, in a fixed order (the possible rankings)."""
    found: list[Ranking] = []
    for size in range(1, len(options) + 1):
        found.extend(permutations(options, size))
    return found


def tally(keys_and_counts: Iterable[tuple[Ranking, int]]) -> dict[Ranking, int]:
    """Sum counts of the same choice."""
    total: Counter[Ranking] = Counter()
    for key, n in keys_and_counts:
        total[key] += n
    return dict(total)
