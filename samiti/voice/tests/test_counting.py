"""Counting rules against hand-worked examples, and properties that hold for any ballots."""

from hypothesis import given, settings
from hypothesis import strategies as st

from samiti.voice.services import counting
from samiti.voice.services.counting import PLURALITY, SIMPLE, TWO_THIRDS

A, B, C, D = 1, 2, 3, 4


def test_a_simple_majority_needs_more_than_half_of_the_valid_votes():
    assert counting.plurality({A: 5, B: 3, C: 2}, [A, B, C], SIMPLE).winners == []
    assert counting.plurality({A: 6, B: 3, C: 2}, [A, B, C], SIMPLE).winners == [A]


def test_plurality_takes_the_most_votes_and_states_a_tie():
    assert counting.plurality({A: 4, B: 3, C: 3}, [A, B, C], PLURALITY).winners == [A]
    tied = counting.plurality({A: 4, B: 4, C: 1}, [A, B, C], PLURALITY)
    assert tied.winners == [] and tied.tie and "Tied" in tied.note


def test_two_thirds_is_met_exactly_at_two_thirds():
    assert counting.yes_no(10, 5, TWO_THIRDS).winners == [A]
    assert counting.yes_no(9, 5, TWO_THIRDS).winners == [B]


def test_a_tied_yes_no_question_is_not_carried():
    outcome = counting.yes_no(4, 4, SIMPLE)
    assert outcome.winners == [B] and outcome.tie and outcome.counts == {A: 4, B: 4}


def test_approval_counts_each_approval_against_the_number_of_ballots():
    ballots = {frozenset({A, B}): 3, frozenset({B}): 2, frozenset({C}): 2}
    outcome = counting.approval(ballots, [A, B, C], SIMPLE)
    assert outcome.counts == {A: 3, B: 5, C: 2}
    assert outcome.valid == 7 and outcome.winners == [B]  # 5 of 7 ballots approve B


# 100 ballots: A has the most first preferences but loses both Borda and instant runoff.
CLASSIC = {(A,): 40, (B, C): 35, (C, B): 25}


def test_instant_runoff_elects_the_majority_choice_over_the_plurality_winner():
    outcome = counting.instant_runoff(CLASSIC, [A, B, C])
    assert [r.votes for r in outcome.rounds] == [{A: 40, B: 35, C: 25}, {A: 40, B: 60}]
    assert outcome.rounds[0].eliminated == C
    assert outcome.winners == [B] and outcome.counts == {A: 40, B: 60} and not outcome.tie


def test_borda_gives_two_points_for_first_one_for_second_and_none_for_unranked():
    # A: 40 x 2 = 80; B: 35 x 2 + 25 x 1 = 95; C: 35 x 1 + 25 x 2 = 85.
    outcome = counting.borda(CLASSIC, [A, B, C])
    assert outcome.counts == {A: 80, B: 95, C: 85} and outcome.winners == [B]


def test_a_borda_tie_goes_to_more_first_preferences():
    # A: 1 x 2 + 2 x 2 = 6 (3 firsts); B: 2 x 2 + 2 x 1 = 6 (2 firsts).
    outcome = counting.borda({(A,): 1, (B,): 2, (A, B): 2}, [A, B, C])
    assert outcome.counts == {A: 6, B: 6, C: 0}
    assert outcome.winners == [A] and outcome.tie and "first preferences" in outcome.note


def test_a_borda_tie_on_points_and_first_preferences_stands():
    outcome = counting.borda({(A, B): 1, (B, A): 1}, [A, B])
    assert outcome.winners == [] and outcome.tie


def test_an_elimination_tie_goes_out_by_fewer_votes_in_the_earlier_round():
    ballots = {(A,): 6, (B,): 5, (C,): 3, (D, C): 2}
    outcome = counting.instant_runoff(ballots, [A, B, C, D])
    first, second, third = outcome.rounds
    assert first.votes == {A: 6, B: 5, C: 3, D: 2} and first.eliminated == D
    assert second.votes == {A: 6, B: 5, C: 5} and second.eliminated == C  # C had 3 to B's 5 before
    assert third.votes == {A: 6, B: 5} and third.exhausted == 5
    assert outcome.winners == [A] and "earlier round" in outcome.note


def test_an_elimination_tie_in_the_first_round_goes_out_by_the_lower_borda_score():
    # Round 1: A 4, B 2, C 2. Borda: B = 2x2 + 2x1 = 6, C = 2x2 = 4, so C goes.
    ballots = {(A,): 4, (B, A): 2, (C, B): 2}
    outcome = counting.instant_runoff(ballots, [A, B, C])
    assert outcome.rounds[0].eliminated == C
    assert outcome.rounds[0].tie_broken_by == "the lower Borda score"
    # Round 2: A 4, B 4; A had more in round 1, so B goes and A wins.
    assert outcome.rounds[1].votes == {A: 4, B: 4} and outcome.winners == [A]


def test_a_complete_tie_eliminates_the_later_option_on_the_poll():
    outcome = counting.instant_runoff({(A,): 1, (B,): 1}, [A, B])
    assert outcome.rounds[0].eliminated == B and outcome.winners == [A]
    assert "later option" in outcome.note


def test_no_ballots_elect_nobody():
    assert counting.instant_runoff({}, [A, B]).winners == []
    assert counting.borda({}, [A, B]).winners == []
    assert counting.plurality({}, [A, B]).winners == []


def test_the_possible_secret_choices_are_every_set_and_every_ordering():
    assert len(counting.all_subsets([1, 2, 3])) == 7
    assert len(counting.all_rankings([1, 2, 3])) == 3 + 6 + 6
    assert len(counting.all_rankings(list(range(1, 7)))) == 1956


OPTIONS = [A, B, C, D]
rankings = st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=4, unique=True).map(tuple)
ballot_sets = st.dictionaries(rankings, st.integers(min_value=1, max_value=50), max_size=12)


@settings(max_examples=150, deadline=None)
@given(ballot_sets)
def test_every_round_of_a_runoff_accounts_for_every_ballot(ballots):
    outcome = counting.instant_runoff(ballots, OPTIONS)
    for r in outcome.rounds:
        assert sum(r.votes.values()) + r.exhausted == sum(ballots.values())
    assert len(outcome.winners) <= 1


@settings(max_examples=150, deadline=None)
@given(ballot_sets)
def test_a_majority_of_first_preferences_wins_the_runoff_in_round_one(ballots):
    total = sum(ballots.values())
    firsts = counting.first_preferences(ballots, OPTIONS)
    outcome = counting.instant_runoff(ballots, OPTIONS)
    for option, n in firsts.items():
        if n * 2 > total:
            assert outcome.winners == [option] and len(outcome.rounds) == 1


@settings(max_examples=150, deadline=None)
@given(ballot_sets)
def test_borda_points_add_up_to_the_points_handed_out(ballots):
    points = counting.borda_points(ballots, OPTIONS)
    handed = sum(n * sum(3 - place for place in range(len(r))) for r, n in ballots.items())
    assert sum(points.values()) == handed


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(OPTIONS), st.integers(min_value=0, max_value=100)))
def test_plurality_counts_sum_to_the_ballots_and_a_winner_meets_the_rule(counts):
    for rule in (SIMPLE, TWO_THIRDS, PLURALITY):
        outcome = counting.plurality(counts, OPTIONS, rule)
        assert outcome.valid == sum(counts.values()) == sum(outcome.counts.values())
        for winner in outcome.winners:
            assert all(outcome.counts[winner] > n for o, n in outcome.counts.items() if o != winner)
            if rule == SIMPLE:
                assert outcome.counts[winner] * 2 > outcome.valid
