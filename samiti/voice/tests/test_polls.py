"""Polls and secret ballots: eligibility, one vote per member, secrecy of the stored rows, paper
counts and shows of hands, results with turnout, and the pages and API that run them."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samiti.core.models import AuditEvent, Channel
from samiti.registry import services as registry_services
from samiti.registry import testing
from samiti.registry.models import CommitteeOffice, Role
from samiti.voice.errors import VoiceError
from samiti.voice.models.polls import BallotBox, Option, Poll, Vote, Voter
from samiti.voice.services import demands, elections, meetings, polls

pytestmark = pytest.mark.django_db


def _poll(group, kind=Poll.Kind.YES_NO, options=(), actor=None, open_it=True, **fields):
    poll = polls.create_poll(actor=actor, organisation=group, question="Dig a new canal?", kind=kind,
                             options=list(options), **fields)  # fmt: skip
    if open_it:
        polls.open_poll(actor=actor, poll=poll)
    return poll


def _options(poll):
    return list(Option.objects.filter(poll=poll).order_by("position"))


@pytest.fixture
def group():
    return testing.group()


# ----- creating and opening ----------------------------------------------------------------------


def test_a_poll_takes_its_quorum_from_the_by_laws_and_a_yes_no_poll_has_yes_and_no(group):
    registry_services.save_by_laws(actor=None, organisation=group, quorum_percent=40)
    poll = _poll(group, open_it=False)
    assert poll.quorum_percent == 40 and poll.status == Poll.Status.DRAFT
    assert [o.display_label for o in _options(poll)] == ["Yes", "No"]
    assert AuditEvent.objects.filter(object_type="voice.poll", object_id=poll.pk, action="create").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"question": " "}, "question"),
        ({"kind": Poll.Kind.SINGLE, "options": ["Canal"]}, "options"),
        ({"kind": Poll.Kind.SINGLE, "options": ["Canal", "canal "]}, "options"),
        ({"kind": Poll.Kind.RANKING, "options": list("ABCDEFG"), "secret": True}, "options"),
        ({"kind": Poll.Kind.APPROVAL, "options": list("ABCDEFGHIJK"), "secret": True}, "options"),
        ({"kind": Poll.Kind.RANKING, "options": ["A", "B"], "majority": "two_thirds"}, "majority"),
        ({"kind": Poll.Kind.SINGLE, "options": ["A", "B"], "counting": "borda"}, "counting"),
        ({"quorum_percent": 0}, "quorum_percent"),
    ],
)
def test_a_poll_with_bad_input_is_refused_naming_the_field(group, fields, field):
    fields = {"question": "Which road first?", "kind": Poll.Kind.YES_NO, **fields}
    with pytest.raises(VoiceError) as error:
        polls.create_poll(actor=None, organisation=group, **fields)
    assert error.value.field == field
    assert not Poll.objects.exists()


def test_opening_fixes_the_register_to_the_active_members(group):
    a, b = testing.member(group), testing.member(group)
    gone = testing.member(group)
    registry_services.update_member(
        actor=None, member=gone, left_on=timezone.localdate(), leaving_reason="moved"
    )
    testing.member()  # another group's member
    poll = _poll(group)
    assert poll.status == Poll.Status.OPEN and poll.eligible == 2
    assert set(Voter.objects.filter(poll=poll).values_list("member_id", "voted")) == {
        (a.pk, False),
        (b.pk, False),
    }
    late = testing.member(group)
    with pytest.raises(VoiceError) as error:
        polls.cast_vote(poll=poll, member=late, choice=_options(poll)[0], channel=Channel.SMS)
    assert error.value.code == "not_eligible"


def test_a_secret_poll_opens_with_a_zero_count_for_every_possible_choice(group):
    testing.member(group)
    ranking = _poll(group, Poll.Kind.RANKING, ["A", "B", "C"], secret=True)
    approval = _poll(group, Poll.Kind.APPROVAL, ["A", "B", "C"], secret=True)
    assert BallotBox.objects.filter(poll=ranking, count=0).count() == 15
    assert set(BallotBox.objects.filter(poll=approval).values_list("choice", flat=True)) == {
        "1", "2", "3", "1,2", "1,3", "2,3", "1,2,3"
    }  # fmt: skip


def test_a_leader_may_not_run_a_poll_of_another_group(group):
    outsider = testing.staff(Role.GROUP_LEADER, organisation=testing.group())
    with pytest.raises(VoiceError) as error:
        _poll(group, actor=outsider, open_it=False)
    assert error.value.code == "forbidden"


# ----- voting --------------------------------------------------------------------------------------


def test_each_member_votes_once_and_a_second_vote_changes_nothing(group):
    member = testing.member(group)
    poll = _poll(group, secret=True)
    yes, no = _options(poll)
    polls.cast_vote(poll=poll, member=member, choice=yes, channel=Channel.SMS)
    with pytest.raises(VoiceError) as error:
        polls.cast_vote(poll=poll, member=member, choice=no, channel=Channel.USSD)
    assert error.value.code == "already_voted"
    assert dict(BallotBox.objects.filter(poll=poll).values_list("choice", "count")) == {"1": 1, "2": 0}


def test_an_open_poll_records_who_voted_for_what(group):
    member = testing.member(group)
    poll = _poll(group, Poll.Kind.RANKING, ["Canal", "Road", "Bridge"], counting="irv")
    canal, _road, bridge = _options(poll)
    polls.cast_vote(poll=poll, member=member, choice=[bridge, canal], channel=Channel.WEB)
    assert Vote.objects.get(poll=poll, member=member).choice == "3>1"
    assert polls.member_choice(poll, member) == [bridge, canal]


def test_a_choice_that_does_not_fit_the_poll_is_refused(group):
    member = testing.member(group)
    poll = _poll(group, Poll.Kind.SINGLE, ["A", "B"])
    other = _poll(group, Poll.Kind.SINGLE, ["C", "D"])
    a, b = _options(poll)
    for choice in ([a, b], [], _options(other)[0], [a, a]):
        with pytest.raises(VoiceError) as error:
            polls.cast_vote(poll=poll, member=member, choice=choice, channel=Channel.WEB)
        assert error.value.field == "choice"
    assert not Voter.objects.filter(poll=poll, voted=True).exists()


def test_a_closed_poll_or_one_past_its_closing_time_takes_no_votes(group):
    a, b = testing.member(group), testing.member(group)
    poll = _poll(group)
    polls.close_poll(actor=None, poll=poll)
    with pytest.raises(VoiceError) as error:
        polls.cast_vote(poll=poll, member=a, choice=_options(poll)[0], channel=Channel.SMS)
    assert error.value.code == "closed"
    late = _poll(group, closes_at=timezone.now() + datetime.timedelta(hours=1))
    Poll.objects.filter(pk=late.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    late.refresh_from_db()
    with pytest.raises(VoiceError):
        polls.cast_vote(poll=late, member=b, choice=_options(late)[0], channel=Channel.SMS)


def test_choices_typed_as_numbers_or_words_are_read_as_options(group):
    poll = _poll(group, Poll.Kind.RANKING, ["A", "B", "C"], open_it=False)
    a, b, c = _options(poll)
    assert polls.options_from_text(poll, "3 1 2") == [c, a, b]
    assert polls.options_from_text(poll, "৩>১") == [c, a]
    yes_no = _poll(group, open_it=False)
    assert polls.options_from_text(yes_no, "হ্যাঁ") == _options(yes_no)[:1]
    with pytest.raises(VoiceError):
        polls.options_from_text(poll, "4")
    with pytest.raises(VoiceError):
        polls.options_from_text(poll, "road")


# ----- secrecy -------------------------------------------------------------------------------------


def _table(name, poll):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {name} WHERE poll_id = %s ORDER BY id", [poll.pk])  # noqa: S608
        columns = [c[0] for c in cursor.description]
        return sorted(columns), [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_a_secret_ballot_cannot_be_traced_to_its_voter(group):
    """Two secret polls of the same members, where the votes are swapped between the members and
    cast in opposite orders, leave the same rows in the register and the box (apart from the poll
    and the ids, which were all given when the polls opened, in the same order): so no column, id
    or order of those tables tells how a member voted."""
    a, b, _c = (testing.member(group) for _ in range(3))
    first = _poll(group, Poll.Kind.RANKING, ["Canal", "Road", "Bridge"], secret=True)
    second = _poll(group, Poll.Kind.RANKING, ["Canal", "Road", "Bridge"], secret=True)
    before = {p.pk: (_table("voice_voter", p), _table("voice_ballotbox", p)) for p in (first, second)}
    x, y, z = _options(first)
    polls.cast_vote(poll=first, member=a, choice=[x, y], channel=Channel.SMS)
    polls.cast_vote(poll=first, member=b, choice=[z], channel=Channel.USSD)
    x, y, z = _options(second)
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    polls.cast_vote(poll=second, member=b, choice=[x, y], channel=Channel.WEB, actor=leader)
    polls.cast_vote(poll=second, member=a, choice=[z], channel=Channel.WEB, actor=leader)

    def rows(poll):
        (register_columns, register), (box_columns, box) = (
            _table("voice_voter", poll),
            _table("voice_ballotbox", poll),
        )
        # The member's categories as at opening (for turnout), and voted: nothing about the choice.
        assert register_columns == [
            "age_band", "disability", "ethnic_minority", "id", "member_id", "poll_id", "sex", "voted"
        ]  # fmt: skip
        assert box_columns == ["choice", "count", "id", "poll_id"]
        # Ids were handed out at opening and did not move.
        assert [r["id"] for r in register] == [r["id"] for r in before[poll.pk][0][1]]
        assert [r["id"] for r in box] == [r["id"] for r in before[poll.pk][1][1]]
        return [{k: v for k, v in r.items() if k not in ("id", "poll_id")} for r in register], [
            (r["choice"], r["count"]) for r in box
        ]

    assert rows(first) == rows(second)
    assert ("1>2", 1) in rows(first)[1] and ("3", 1) in rows(first)[1]
    assert not Vote.objects.filter(poll__in=[first, second]).exists()
    # Members' own ballots leave no audit row; those a leader recorded say only that one came in.
    ballots = AuditEvent.objects.filter(object_type="voice.poll", changes={"ballots": [None, 1]})
    assert [(e.object_id, e.actor, e.channel, e.note) for e in ballots] == [
        (second.pk, leader, "web", "")
    ] * 2
    assert not any(a.code in str(e.changes) + e.note for e in ballots)


def test_a_secret_poll_shows_its_results_only_once_it_closes(group):
    member = testing.member(group)
    poll = _poll(group, secret=True)
    polls.cast_vote(poll=poll, member=member, choice=_options(poll)[0], channel=Channel.SMS)
    with pytest.raises(VoiceError) as error:
        polls.results(poll)
    assert error.value.code == "hidden"
    polls.close_poll(actor=None, poll=poll)
    assert polls.results(poll).counts == {_options(poll)[0].pk: 1, _options(poll)[1].pk: 0}


def test_a_secret_poll_past_its_closing_time_shows_its_results_before_anyone_closes_it(group):
    member = testing.member(group)
    poll = _poll(group, secret=True, closes_at=timezone.now() + datetime.timedelta(hours=1))
    polls.cast_vote(poll=poll, member=member, choice=_options(poll)[1], channel=Channel.SMS)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN and not poll.results_hidden
    assert polls.results(poll).counts[_options(poll)[1].pk] == 1


# ----- paper ballots and shows of hands ----------------------------------------------------------


def test_paper_ballots_count_into_the_box_and_mark_the_signers_as_voted(group):
    members = [testing.member(group) for _ in range(4)]
    poll = _poll(group, Poll.Kind.SINGLE, ["Canal", "Road"], secret=True)
    canal, road = _options(poll)
    polls.cast_vote(poll=poll, member=members[3], choice=road, channel=Channel.SMS)
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    n = polls.record_paper_ballots(
        actor=leader, poll=poll, members=members[:3], counts=[(canal, 2), (road, 1)]
    )
    assert n == 3
    assert dict(BallotBox.objects.filter(poll=poll).values_list("choice", "count")) == {"1": 2, "2": 2}
    assert Voter.objects.filter(poll=poll, voted=True).count() == 4
    event = AuditEvent.objects.filter(object_type="voice.poll", note="paper ballots").get()
    assert event.changes["ballots"] == [None, 3] and "members" not in event.changes  # secret: no names


def test_paper_counts_must_add_up_and_nobody_may_vote_twice(group):
    a, b = testing.member(group), testing.member(group)
    poll = _poll(group)
    yes, no = _options(poll)
    with pytest.raises(VoiceError) as error:
        polls.record_paper_ballots(actor=None, poll=poll, members=[a, b], counts=[(yes, 1)])
    assert error.value.field == "counts"
    polls.cast_vote(poll=poll, member=a, choice=no, channel=Channel.SMS)
    with pytest.raises(VoiceError) as error:
        polls.record_paper_ballots(actor=None, poll=poll, members=[a, b], counts=[(yes, 2)])
    assert error.value.code == "already_voted" and a.code in str(error.value)
    assert not Voter.objects.filter(poll=poll, member=b, voted=True).exists()  # nothing half-written
    assert not BallotBox.objects.filter(poll=poll).exists()


def test_a_show_of_hands_counts_an_open_poll_but_not_a_secret_one(group):
    members = [testing.member(group) for _ in range(3)]
    poll = _poll(group)
    yes, no = _options(poll)
    polls.record_show_of_hands(actor=None, poll=poll, members=members, counts=[(yes, 2), (no, 1)])
    polls.close_poll(actor=None, poll=poll)
    result = polls.results(poll)
    assert result.counts == {yes.pk: 2, no.pk: 1} and result.winner_ids == [yes.pk] and result.decided
    secret = _poll(group, secret=True)
    with pytest.raises(VoiceError):
        polls.record_show_of_hands(
            actor=None, poll=secret, members=members, counts=[(_options(secret)[0], 3)]
        )


# ----- results -------------------------------------------------------------------------------------


def test_results_give_turnout_by_sex_age_ethnicity_and_disability_and_the_quorum(group):
    woman = testing.member(group, sex="F", birth_year=timezone.localdate().year - 30, ethnicity="garo")
    man = testing.member(group, sex="M", birth_year=timezone.localdate().year - 65, wg_walking=3)
    testing.member(group, sex="F")
    testing.member(group, sex="M")
    poll = _poll(group, quorum_percent=60)
    yes, _no = _options(poll)
    polls.cast_vote(poll=poll, member=woman, choice=yes, channel=Channel.SMS)
    polls.cast_vote(poll=poll, member=man, choice=yes, channel=Channel.SMS)
    result = polls.results(poll)
    assert (result.eligible, result.turnout, result.quorum_met, result.needed) == (4, 2, False, 3)
    assert not result.decided and result.winner_ids == [yes.pk]
    by = {
        t.key: (t.eligible, t.voted)
        for t in result.by_sex + result.by_age + result.by_ethnicity + result.by_disability
    }
    assert by["F"] == (2, 1) and by["M"] == (2, 1) and by["T"] == (0, 0)
    assert by["18-35"] == (1, 1) and by["60plus"] == (1, 1) and by["unknown"] == (2, 0)
    assert by["minority"] == (1, 1) and by["yes"] == (1, 1) and by["no"] == (3, 1)


def test_a_ranking_counted_by_instant_runoff_reports_its_rounds(group):
    members = [testing.member(group) for _ in range(5)]
    poll = _poll(group, Poll.Kind.RANKING, ["A", "B", "C"], counting="irv", secret=True)
    a, b, c = _options(poll)
    for member, choice in zip(members, [[a], [a], [b, c], [c, b], [b]], strict=True):
        polls.cast_vote(poll=poll, member=member, choice=choice, channel=Channel.USSD)
    polls.close_poll(actor=None, poll=poll)
    result = polls.results(poll)
    assert result.rounds[0]["votes"] == {a.pk: 2, b.pk: 2, c.pk: 1} and result.rounds[0]["eliminated"] == c.pk
    assert result.winner_ids == [b.pk] and result.counts == {a.pk: 2, b.pk: 3}


# ----- pages ---------------------------------------------------------------------------------------


def _leader_client(group):
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    client = Client()
    client.force_login(leader)
    return leader, client


def test_a_leader_runs_a_secret_poll_to_its_result_through_the_pages(group):
    members = [testing.member(group) for _ in range(4)]
    _leader, client = _leader_client(group)
    response = client.post(
        reverse("voice:poll_add"),
        {"organisation": group.pk, "question": "Which road first?", "kind": "single",
         "options": "School road\nMarket road\n", "secret": "on", "quorum_percent": "50"},
    )  # fmt: skip
    poll = Poll.objects.get()
    assert response.status_code == 302 and poll.secret and poll.status == Poll.Status.DRAFT
    client.post(reverse("voice:poll_detail", args=[poll.pk]), {"action": "open"})
    school, market = _options(poll)
    response = client.post(
        reverse("voice:poll_detail", args=[poll.pk]),
        {"action": "vote", "vote-member": members[0].code, "vote-option": market.pk},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("voice:poll_detail", args=[poll.pk]),
        {"action": "paper", "paper-members": f"{members[1].code}\n{members[2].code}",
         "paper-count_1": "2", "paper-count_2": "1"},
    )  # fmt: skip
    assert "The counts add up to 3 but 2 members voted" in response.content.decode()
    client.post(
        reverse("voice:poll_detail", args=[poll.pk]),
        {"action": "paper", "paper-members": f"{members[1].code}\n{members[2].code}",
         "paper-count_1": "2", "paper-count_2": "0"},
    )  # fmt: skip
    hidden = client.get(reverse("voice:poll_results", args=[poll.pk]))
    assert "shown once the poll closes" in hidden.content.decode()
    client.post(reverse("voice:poll_detail", args=[poll.pk]), {"action": "close"})
    page = client.get(reverse("voice:poll_results", args=[poll.pk])).content.decode()
    assert "3 of 4 eligible members voted" in page and "Quorum met" in page
    result = polls.results(Poll.objects.get())
    assert result.counts == {school.pk: 2, market.pk: 1} and result.winner_ids == [school.pk]


def test_a_show_of_hands_counts_everyone_present_at_the_poll_s_meeting(group):
    present = [testing.member(group) for _ in range(3)]
    absent = testing.member(group)
    meeting = registry_services.plan_meeting(actor=None, organisation=group, starts_at=timezone.now())
    registry_services.record_attendance(actor=None, meeting=meeting, members=present)
    poll = _poll(group, meeting=meeting)
    _leader, client = _leader_client(group)
    page = client.get(reverse("voice:poll_detail", args=[poll.pk])).content.decode()
    assert "Count a show of hands" in page and "Everyone present at the meeting" in page
    response = client.post(
        reverse("voice:poll_detail", args=[poll.pk]),
        {"action": "hands", "hands-present": "on", "hands-count_1": "2", "hands-count_2": "1"},
    )
    assert response.status_code == 302
    assert set(Voter.objects.filter(poll=poll, voted=True).values_list("member_id", flat=True)) == {
        m.pk for m in present
    }
    assert not Voter.objects.get(poll=poll, member=absent).voted
    event = AuditEvent.objects.get(object_type="voice.poll", note="show of hands")
    assert event.changes["members"] == [None, sorted(m.code for m in present)]  # an open poll names them


def test_the_ranking_results_page_states_its_rounds_and_its_tie_rule(group):
    members = [testing.member(group) for _ in range(3)]
    poll = _poll(group, Poll.Kind.RANKING, ["A", "B", "C"], counting="irv")
    a, b, c = _options(poll)
    for member, choice in zip(members, [[a], [b, a], [c, b]], strict=True):
        polls.cast_vote(poll=poll, member=member, choice=choice, channel=Channel.WEB)
    _leader, client = _leader_client(group)
    page = client.get(reverse("voice:poll_results", args=[poll.pk])).content.decode()
    assert "Rounds" in page and "the later option on the poll" in page


def test_a_poll_of_another_group_is_not_found(group):
    poll = _poll(testing.group())
    _leader, client = _leader_client(group)
    assert client.get(reverse("voice:poll_detail", args=[poll.pk])).status_code == 404
    assert client.get(reverse("voice:poll_results", args=[poll.pk])).status_code == 404


def test_the_poll_list_reads_a_fixed_number_of_queries(group, django_assert_max_num_queries):
    for n in range(12):
        _poll(group, open_it=n % 2 == 0)
    _leader, client = _leader_client(group)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("voice:poll_list"))
    assert response.content.decode().count("Dig a new canal?") == 12


# ----- API ------------------------------------------------------------------------------------------


def _bearer(user):
    _token, key = registry_services.issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_casts_a_vote_once_and_hides_a_secret_count_until_close(group):
    member, stranger = testing.member(group), testing.member()
    poll = _poll(group, Poll.Kind.APPROVAL, ["Canal", "Road", "Bridge"], secret=True)
    canal, road, _bridge = _options(poll)
    leader, client = _leader_client(group)
    headers = _bearer(leader)
    url = f"/api/voice/polls/{poll.pk}/votes"
    listed = client.get("/api/voice/polls", headers=headers).json()
    assert [p["id"] for p in listed["items"]] == [poll.pk]
    assert client.get(f"/api/voice/polls/{poll.pk}", headers=headers).json()["eligible"] == 1
    vote = {"member": member.pk, "choice": [canal.pk, road.pk]}
    ok = client.post(url, vote, content_type="application/json", headers=headers)
    assert ok.status_code == 201
    again = client.post(url, vote, content_type="application/json", headers=headers)
    assert again.status_code == 400 and again.json()["code"] == "already_voted"
    outside = client.post(url, {"member": stranger.pk, "choice": canal.pk}, content_type="application/json",
                          headers=headers)  # fmt: skip
    assert outside.status_code == 404
    hidden = client.get(f"/api/voice/polls/{poll.pk}/results", headers=headers)
    assert hidden.status_code == 400 and hidden.json()["code"] == "hidden"
    polls.close_poll(actor=None, poll=poll)
    body = client.get(f"/api/voice/polls/{poll.pk}/results", headers=headers).json()
    assert body["counts"] == {str(canal.pk): 1, str(road.pk): 1, str(_bridge.pk): 0}
    assert body["turnout"] == 1 and body["turnout_by_disability"] is None  # a group leader sees no detail
    event = AuditEvent.objects.filter(object_type="voice.poll", channel=Channel.API).get()
    assert event.changes == {"ballots": [None, 1]} and event.actor == leader


def test_the_api_drafts_opens_and_closes_a_poll_audited_as_api(group):
    testing.member(group), testing.member(group)
    leader, client = _leader_client(group)
    headers = _bearer(leader)
    payload = {
        "organisation": group.pk,
        "question": "Which road first?",
        "kind": "ranking",
        "options": ["School road", "Market road", "Ghat road"],
        "secret": True,
        "quorum_percent": 50,
        "majority": "plurality",
        "counting": "irv",
        "opens_at": "2030-01-01T08:00:00+06:00",
        "closes_at": "2030-01-02T18:00:00+06:00",
    }
    created = client.post("/api/voice/polls", payload, content_type="application/json", headers=headers)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["kind"], body["counting"], body["secret"]) == (
        "draft",
        "ranking",
        "irv",
        True,
    )
    assert [o["label"] for o in body["options"]] == payload["options"]
    poll = Poll.objects.get(pk=body["id"])
    assert poll.created_by == leader and poll.quorum_percent == 50
    opened = client.post(f"/api/voice/polls/{poll.pk}/open", headers=headers)
    assert opened.status_code == 200 and opened.json()["status"] == "open" and opened.json()["eligible"] == 2
    again = client.post(f"/api/voice/polls/{poll.pk}/open", headers=headers)
    assert again.status_code == 400 and again.json()["code"] == "conflict"
    closed = client.post(f"/api/voice/polls/{poll.pk}/close", headers=headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    events = AuditEvent.objects.filter(object_type="voice.poll", object_id=poll.pk).order_by("pk")
    assert [(e.action, e.channel, e.actor) for e in events] == [("create", Channel.API, leader)] + [
        ("update", Channel.API, leader)
    ] * 2


def test_the_api_refuses_a_bad_poll_naming_the_field_and_writes_nothing(group):
    leader, client = _leader_client(group)
    headers = _bearer(leader)
    bad = {"organisation": group.pk, "question": "Which road?", "kind": "single", "options": ["Only one"]}
    response = client.post("/api/voice/polls", bad, content_type="application/json", headers=headers)
    assert response.status_code == 400 and response.json()["field"] == "options"
    wrong_kind = {**bad, "kind": "lottery"}
    response = client.post("/api/voice/polls", wrong_kind, content_type="application/json", headers=headers)
    assert response.status_code == 422 and response.json()["field"] == "kind"
    assert not Poll.objects.exists()


def test_the_api_answers_404_for_a_poll_or_organisation_out_of_scope(group):
    other = testing.group()
    stranger_poll = _poll(other, open_it=False)
    leader, client = _leader_client(group)
    headers = _bearer(leader)
    payload = {"organisation": other.pk, "question": "Whose canal?"}
    assert (
        client.post("/api/voice/polls", payload, content_type="application/json", headers=headers).status_code
        == 404
    )
    assert client.post(f"/api/voice/polls/{stranger_poll.pk}/open", headers=headers).status_code == 404
    assert client.post(f"/api/voice/polls/{stranger_poll.pk}/close", headers=headers).status_code == 404
    assert Poll.objects.get(pk=stranger_poll.pk).status == Poll.Status.DRAFT
    assert Poll.objects.count() == 1


def test_a_read_only_account_may_not_draft_open_or_close_polls_through_the_api(group):
    poll = _poll(group, open_it=False)
    viewer = testing.staff(Role.VIEWER, organisation=group)
    headers = _bearer(viewer)
    client = Client()
    payload = {"organisation": group.pk, "question": "Whose canal?"}
    assert (
        client.post("/api/voice/polls", payload, content_type="application/json", headers=headers).status_code
        == 403
    )
    assert client.post(f"/api/voice/polls/{poll.pk}/open", headers=headers).status_code == 403
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.DRAFT


# ----- editing and deleting a draft ----------------------------------------------------------------


def test_a_draft_poll_can_be_changed_and_the_change_is_audited(group):
    demand_poll = _poll(group, Poll.Kind.SINGLE, ["Canal", "Road"], open_it=False)
    canal = _options(demand_poll)[0]
    poll = polls.update_poll(
        actor=None,
        poll=demand_poll,
        question="Which road first?",
        kind=Poll.Kind.RANKING,
        options=["Road", "Bridge", "Canal"],
        counting="irv",
        quorum_percent=30,
    )
    fresh = Poll.objects.get(pk=poll.pk)
    assert (fresh.question, fresh.kind, fresh.counting, fresh.majority, fresh.quorum_percent) == (
        "Which road first?", "ranking", "irv", "plurality", 30
    )  # fmt: skip
    assert [o.label for o in _options(fresh)] == ["Road", "Bridge", "Canal"]
    assert not Option.objects.filter(pk=canal.pk).exists()
    event = AuditEvent.objects.get(object_type="voice.poll", object_id=poll.pk, action="update")
    assert event.changes["options"] == [["Canal", "Road"], ["Road", "Bridge", "Canal"]]
    assert event.changes["question"] == ["Dig a new canal?", "Which road first?"]
    assert event.changes["counting"] == ["", "irv"]


def test_changing_a_draft_is_checked_like_drafting_it(group):
    poll = _poll(group, Poll.Kind.SINGLE, ["Canal", "Road"], open_it=False)
    with pytest.raises(VoiceError) as error:
        polls.update_poll(actor=None, poll=poll, question="Which?", kind=Poll.Kind.SINGLE, options=["Canal"])
    assert error.value.field == "options"
    assert Poll.objects.get(pk=poll.pk).question == "Dig a new canal?"
    assert [o.label for o in _options(poll)] == ["Canal", "Road"]


def test_an_option_kept_under_its_label_keeps_its_demand(group):
    demand = demands.raise_demand(
        actor=None, organisation=group, title="Deep tube well", category="irrigation"
    )
    poll = _poll(group, Poll.Kind.RANKING, [demand, "Road"], open_it=False)
    polls.update_poll(actor=None, poll=poll, question="Priorities", kind=Poll.Kind.RANKING,
                      options=["Road", "Deep tube well", "Bridge"])  # fmt: skip
    assert [(o.label, o.demand_id) for o in _options(poll)] == [
        ("Road", None), ("Deep tube well", demand.pk), ("Bridge", None)
    ]  # fmt: skip


def test_an_opened_poll_can_be_neither_changed_nor_deleted(group):
    testing.member(group)
    poll = _poll(group)
    with pytest.raises(VoiceError) as error:
        polls.update_poll(actor=None, poll=poll, question="Something else?", kind=Poll.Kind.YES_NO)
    assert error.value.code == "conflict"
    with pytest.raises(VoiceError) as error:
        polls.delete_poll(actor=None, poll=poll)
    assert error.value.code == "conflict"
    assert Poll.objects.get(pk=poll.pk).question == "Dig a new canal?"


def test_a_draft_poll_can_be_deleted_and_the_deletion_is_audited(group):
    poll = _poll(group, Poll.Kind.SINGLE, ["Canal", "Road"], open_it=False)
    pk = poll.pk
    polls.delete_poll(actor=None, poll=poll)
    assert not Poll.objects.filter(pk=pk).exists() and not Option.objects.filter(poll_id=pk).exists()
    event = AuditEvent.objects.get(object_type="voice.poll", object_id=pk, action="delete")
    assert event.changes["options"] == [["Canal", "Road"], None]
    assert event.changes["question"] == ["Dig a new canal?", None]


def test_a_leader_edits_and_deletes_a_draft_through_its_pages(group):
    poll = _poll(group, Poll.Kind.SINGLE, ["Canal", "Road"], open_it=False)
    _leader, client = _leader_client(group)
    detail = client.get(reverse("voice:poll_detail", args=[poll.pk])).content.decode()
    assert reverse("voice:poll_edit", args=[poll.pk]) in detail and "Delete the draft" in detail
    form = client.get(reverse("voice:poll_edit", args=[poll.pk])).content.decode()
    assert "Canal\nRoad" in form and 'name="organisation"' not in form
    bad = client.post(reverse("voice:poll_edit", args=[poll.pk]),
                      {"question": "Which first?", "kind": "single", "options": "Canal\n"})  # fmt: skip
    assert bad.status_code == 200 and "Give at least two options" in bad.content.decode()
    response = client.post(
        reverse("voice:poll_edit", args=[poll.pk]),
        {"question": "Which first?", "kind": "approval", "options": "Canal\nRoad\nBridge\n",
         "secret": "on", "quorum_percent": "25", "opens_at": "2030-01-01T08:00"},
    )  # fmt: skip
    assert response.status_code == 302
    fresh = Poll.objects.get(pk=poll.pk)
    assert (fresh.question, fresh.kind, fresh.secret, fresh.quorum_percent) == (
        "Which first?",
        "approval",
        True,
        25,
    )
    assert fresh.opens_at is not None and [o.label for o in _options(fresh)] == ["Canal", "Road", "Bridge"]
    response = client.post(reverse("voice:poll_delete", args=[poll.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("voice:poll_list")
    assert not Poll.objects.filter(pk=poll.pk).exists()


def test_an_opened_poll_offers_no_edit_and_refuses_deletion_by_page(group):
    testing.member(group)
    poll = _poll(group)
    _leader, client = _leader_client(group)
    detail = client.get(reverse("voice:poll_detail", args=[poll.pk])).content.decode()
    assert reverse("voice:poll_edit", args=[poll.pk]) not in detail
    assert client.get(reverse("voice:poll_edit", args=[poll.pk])).status_code == 302
    client.post(reverse("voice:poll_delete", args=[poll.pk]))
    assert Poll.objects.filter(pk=poll.pk).exists()


def test_a_draft_of_another_group_cannot_be_edited_or_deleted(group):
    poll = _poll(testing.group(), open_it=False)
    _leader, client = _leader_client(group)
    assert client.get(reverse("voice:poll_edit", args=[poll.pk])).status_code == 404
    assert client.post(reverse("voice:poll_delete", args=[poll.pk])).status_code == 404
    assert Poll.objects.filter(pk=poll.pk).exists()


def test_turnout_by_sex_is_labelled_women_men_and_third_gender_on_the_page_and_in_the_api(group):
    woman, man = testing.member(group, sex="F"), testing.member(group, sex="M")
    testing.member(group, sex="T")
    poll = _poll(group)
    yes, _no = _options(poll)
    for member in (woman, man):
        polls.cast_vote(poll=poll, member=member, choice=yes, channel=Channel.SMS)
    assert [t.label for t in polls.results(poll).by_sex] == ["Women", "Men", "Third gender"]
    leader, client = _leader_client(group)
    page = client.get(reverse("voice:poll_results", args=[poll.pk])).content.decode()
    assert "<td>Women</td>" in page and "<td>Men</td>" in page and "<td>Third gender</td>" in page
    assert "<td>female</td>" not in page and "<td>male</td>" not in page
    body = client.get(f"/api/voice/polls/{poll.pk}/results", headers=_bearer(leader)).json()
    assert [(t["key"], t["label"]) for t in body["turnout_by_sex"]] == [
        ("F", "Women"), ("M", "Men"), ("T", "Third gender")
    ]  # fmt: skip


# ----- links to polls from meetings and elections --------------------------------------------------


def test_a_meeting_links_a_decision_to_its_poll(group):
    meeting = registry_services.plan_meeting(actor=None, organisation=group, starts_at=timezone.now())
    poll = _poll(group, meeting=meeting, open_it=False)
    meetings.record_decision(actor=None, meeting=meeting, text="Put the canal to a vote.", poll=poll)
    _leader, client = _leader_client(group)
    page = client.get(reverse("voice:meeting_detail", args=[meeting.pk])).content.decode()
    assert f'<a href="{reverse("voice:poll_detail", args=[poll.pk])}">Dig a new canal?</a>' in page


def test_the_election_pages_link_each_contested_post_to_its_poll(group):
    president = CommitteeOffice.Office.PRESIDENT
    a, b, c, d = (testing.member(group, sex=s) for s in "FMFM")
    leader, client = _leader_client(group)
    election = elections.call_election(
        actor=leader,
        organisation=group,
        held_on=datetime.date(2026, 3, 1),
        offices=[president],
        member_seats=1,
    )
    for member in (a, b):
        elections.nominate(actor=leader, election=election, office=president, member=member,
                           nominated_by=c, seconded_by=d)  # fmt: skip
    elections.open_voting(actor=leader, election=election)
    post = election.posts.get(office=president)
    link = f'href="{reverse("voice:poll_detail", args=[post.poll_id])}"'
    assert (
        post.poll_id
        and link in client.get(reverse("voice:election_detail", args=[election.pk])).content.decode()
    )
    elections.declare_results(actor=leader, election=election)
    assert link in client.get(reverse("voice:election_results", args=[election.pk])).content.decode()
