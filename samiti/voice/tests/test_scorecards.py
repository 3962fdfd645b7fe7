"""Community score cards: scales, averages and change over rounds, provider scores, action plans,
their pages and API, all scoped."""

import datetime
import itertools

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from samiti.core.models import AuditEvent
from samiti.registry import services as registry
from samiti.registry import testing
from samiti.registry.models import Authority, Meeting, Role
from samiti.voice.errors import VoiceError
from samiti.voice.models import Score, ScoreCard
from samiti.voice.services import scorecards as services
from samiti.voice.services.scorecards import ScoreEntry

pytestmark = pytest.mark.django_db
_codes = itertools.count(1)


def _authority(group):
    return registry.save_authority(
        actor=None,
        kind=Authority.Kind.AGRICULTURE_BLOCK,
        code=f"SAAO-{next(_codes)}",
        name_en="Block 4 SAAO",
        area=group.area,
    )


def _card(group, scale=ScoreCard.Scale.ONE_TO_FIVE, actor=None):
    return services.create_score_card(
        actor=actor,
        organisation=group,
        title="Extension services, Kholahati",
        service=ScoreCard.Service.AGRICULTURAL_EXTENSION,
        authority=_authority(group),
        scale=scale,
        indicators=[("SAAO visits the village", "এসএএও গ্রামে আসেন"), ("Seed arrives on time", "")],
    )


def _round(card, day):
    return services.start_round(actor=None, card=card, held_on=day)


def _score(round_, indicator, value, group="", member=None):
    services.record_scores(
        actor=None, round=round_, scores=[ScoreEntry(indicator, value)], scorer_group=group, member=member
    )


def test_a_card_keeps_its_indicators_in_order_with_both_languages():
    card = _card(testing.group())
    visits, seed = card.indicators.all()
    assert (visits.position, visits.text_en) == (1, "SAAO visits the village")
    assert visits.text_bn == "এসএএও গ্রামে আসেন"
    assert (seed.position, seed.text) == (2, "Seed arrives on time")
    assert AuditEvent.objects.filter(object_type="voice.indicator").count() == 2
    with pytest.raises(VoiceError) as error:
        services.add_indicator(actor=None, card=card, text_en=" ", text_bn="")
    assert error.value.field == "text_en"


def test_averages_and_the_change_between_rounds_by_indicator():
    group = testing.group()
    card = _card(group)
    visits, seed = card.indicators.all()
    first = _round(card, datetime.date(2025, 6, 1))
    _score(first, visits, 2, "women")
    _score(first, visits, 3, "men")
    _score(first, visits, 1, "youth")
    _score(first, seed, 4, "women")
    weekly = ScoreEntry(visits, 5, "We visit weekly")
    services.record_provider_scores(actor=None, round=first, scores=[weekly])
    second = _round(card, datetime.date(2025, 12, 1))
    _score(second, visits, 4, "women")
    _score(second, visits, 3, "men")
    woman = testing.member(group, sex="F")
    _score(second, visits, 5, member=woman)
    services.record_provider_scores(actor=None, round=second, scores=[ScoreEntry(visits, 4)])

    found = {r.indicator.pk: r for r in services.results(card)}
    one, two = found[visits.pk].rounds
    columns = ("community", "scores", "women", "men", "provider", "change")
    assert [getattr(one, c) for c in columns] == [2.0, 3, 2.0, 3.0, 5, None]
    assert [getattr(two, c) for c in columns] == [4.0, 3, 4.5, 3.0, 4, 2.0]
    assert (one.gap, two.gap) == (3.0, 0.0)
    seed_one, seed_two = found[seed.pk].rounds
    assert (seed_one.community, seed_two.community, seed_two.change) == (4.0, None, None)


def test_scoring_a_scorer_again_replaces_the_score():
    card = _card(testing.group())
    visits = card.indicators.first()
    first = _round(card, datetime.date(2025, 6, 1))
    _score(first, visits, 2, "women")
    _score(first, visits, 4, "women")
    assert list(Score.objects.values_list("value", flat=True)) == [4]


@pytest.mark.parametrize(
    ("scale", "value", "accepted"),
    [
        ("1-5", 1, True),
        ("1-5", 5, True),
        ("1-5", 0, False),
        ("1-5", 6, False),
        ("0-100", 0, True),
        ("0-100", 100, True),
        ("0-100", 101, False),
        ("0-100", -1, False),
    ],
)
def test_scores_outside_the_cards_scale_are_refused_with_a_clear_error(scale, value, accepted):
    card = _card(testing.group(), scale=scale)
    first = _round(card, datetime.date(2025, 6, 1))
    entry = ScoreEntry(card.indicators.first(), value)
    if accepted:
        services.record_scores(actor=None, round=first, scores=[entry], scorer_group="women")
        services.record_provider_scores(actor=None, round=first, scores=[entry])
        return
    for record in (services.record_scores, services.record_provider_scores):
        kwargs = {"scorer_group": "women"} if record is services.record_scores else {}
        with pytest.raises(VoiceError) as error:
            record(actor=None, round=first, scores=[entry], **kwargs)
        assert error.value.field == "value"
        assert f"runs from {card.lowest} to {card.highest}" in str(error.value)
    assert not Score.objects.exists()


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6))
def test_the_community_average_is_the_mean_of_the_scores(values):
    group = testing.group()
    card = _card(group, scale="0-100")
    visits = card.indicators.first()
    first = _round(card, datetime.date(2025, 6, 1))
    for value in values:
        _score(first, visits, value, member=testing.member(group))
    latest = services.results(card)[0].latest
    assert latest.community == round(sum(values) / len(values), 2)
    assert latest.scores == len(values)


def test_a_score_comes_from_a_scorer_group_or_a_member_of_the_organisation():
    group = testing.group()
    card = _card(group)
    first = _round(card, datetime.date(2025, 6, 1))
    entry = ScoreEntry(card.indicators.first(), 3)
    with pytest.raises(VoiceError) as error:
        services.record_scores(actor=None, round=first, scores=[entry])
    assert error.value.field == "scorer_group"
    with pytest.raises(VoiceError) as error:
        services.record_scores(actor=None, round=first, scores=[entry], member=testing.member())
    assert error.value.field == "member"
    other = _card(testing.group()).indicators.first()
    with pytest.raises(VoiceError) as error:
        services.record_scores(actor=None, round=first, scores=[ScoreEntry(other, 3)], scorer_group="men")
    assert error.value.field == "indicator"


def test_rounds_are_numbered_in_order_and_not_dated_before_the_last():
    card = _card(testing.group())
    assert _round(card, datetime.date(2025, 6, 1)).number == 1
    assert _round(card, datetime.date(2025, 12, 1)).number == 2
    with pytest.raises(VoiceError) as error:
        _round(card, datetime.date(2025, 9, 1))
    assert error.value.field == "held_on"
    with pytest.raises(VoiceError):
        _round(card, timezone.localdate() + datetime.timedelta(days=1))


def test_the_action_plan_comes_from_an_interface_meeting_and_flags_overdue_steps():
    group = testing.group()
    card = _card(group)
    first = _round(card, datetime.date(2025, 6, 1))
    group_meeting = registry.plan_meeting(
        actor=None, organisation=group, kind=Meeting.Kind.GROUP, starts_at=timezone.now()
    )
    with pytest.raises(VoiceError) as error:
        services.set_interface_meeting(actor=None, round=first, meeting=group_meeting)
    assert error.value.field == "meeting"
    interface = registry.plan_meeting(
        actor=None, organisation=group, kind=Meeting.Kind.INTERFACE, starts_at=timezone.now()
    )
    services.set_interface_meeting(actor=None, round=first, meeting=interface)
    step = services.plan_action(
        actor=None,
        round=first,
        what="Monthly farmer field day",
        owner="SAAO",
        due_on=datetime.date(2025, 8, 1),
        indicator=card.indicators.first(),
    )
    assert step.is_overdue(datetime.date(2025, 8, 2)) and not step.is_overdue(datetime.date(2025, 7, 1))
    services.complete_plan_action(actor=None, action=step, done_on=datetime.date(2025, 8, 5))
    assert not step.is_overdue(datetime.date(2025, 9, 1))
    with pytest.raises(VoiceError) as error:
        services.plan_action(actor=None, round=first, what="x", owner=" ")
    assert error.value.field == "owner"


def test_a_leader_runs_score_cards_only_for_organisations_in_scope():
    group, other = testing.group(), testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    mine = _card(group, actor=leader)
    theirs = _card(other)
    assert list(services.score_cards_for(leader)) == [mine]
    with pytest.raises(VoiceError) as error:
        _card(other, actor=leader)
    assert error.value.code == "forbidden"
    with pytest.raises(VoiceError) as error:
        services.start_round(actor=leader, card=theirs, held_on=datetime.date(2025, 6, 1))
    assert error.value.code == "forbidden"


# ----- pages -------------------------------------------------------------------------------------


@pytest.fixture
def leader_client(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    client.force_login(leader)
    client.group = group
    return client


def test_a_card_started_on_the_web_keeps_indicators_in_either_language(leader_client):
    group = leader_client.group
    authority = _authority(group)
    response = leader_client.post(
        "/voice/scorecards/new/",
        {
            "organisation": group.pk,
            "title": "Health post",
            "service": "health_post",
            "authority": authority.pk,
            "scale": "0-100",
            "indicators": "Nurse is present | নার্স উপস্থিত\nওষুধ পাওয়া যায়\nClean water",
        },
    )
    card = ScoreCard.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/voice/scorecards/{card.pk}/"
    assert list(card.indicators.values_list("text_en", "text_bn")) == [
        ("Nurse is present", "নার্স উপস্থিত"),
        ("", "ওষুধ পাওয়া যায়"),
        ("Clean water", ""),
    ]


def test_the_card_page_shows_averages_change_and_bars_over_rounds(
    leader_client, django_assert_max_num_queries
):
    group = leader_client.group
    card = _card(group)
    visits = card.indicators.first()
    _score(_round(card, datetime.date(2025, 6, 1)), visits, 2, "women")
    second = _round(card, datetime.date(2025, 12, 1))
    _score(second, visits, 4, "women")
    services.record_provider_scores(actor=None, round=second, scores=[ScoreEntry(visits, 5)])
    with django_assert_max_num_queries(12):
        response = leader_client.get(f"/voice/scorecards/{card.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "+2.0" in page  # the change since round 1
    assert '<rect width="75.0"' in page  # 4 on a 1–5 scale is three quarters of the bar
    assert '<rect x="100.0"' in page  # the provider's 5 marks the end


def test_scores_entered_for_a_focus_group_on_the_round_page(leader_client):
    card = _card(leader_client.group)
    visits, seed = card.indicators.all()
    first = _round(card, datetime.date(2025, 6, 1))
    response = leader_client.post(
        f"/voice/scorecards/rounds/{first.pk}/scores/",
        {
            "scorer_group": "women",
            f"value_{visits.pk}": "2",
            f"reason_{visits.pk}": "He never comes",
            f"value_{seed.pk}": "",
        },
    )
    assert response.status_code == 302
    score = Score.objects.get()
    assert (score.indicator, score.scorer_group, score.value, score.reason) == (
        visits,
        "women",
        2,
        "He never comes",
    )
    refused = leader_client.post(
        f"/voice/scorecards/rounds/{first.pk}/scores/", {"scorer_group": "men", f"value_{visits.pk}": "9"}
    )
    assert refused.status_code == 400
    assert "runs from 1 to 5" in refused.content.decode()
    assert Score.objects.count() == 1
    page = leader_client.get(f"/voice/scorecards/rounds/{first.pk}/").content.decode()
    assert "He never comes" in page


def test_a_card_of_another_organisation_is_not_found(leader_client):
    card = _card(testing.group())
    first = _round(card, datetime.date(2025, 6, 1))
    assert leader_client.get(f"/voice/scorecards/{card.pk}/").status_code == 404
    assert leader_client.get(f"/voice/scorecards/rounds/{first.pk}/").status_code == 404
    visits = card.indicators.first()
    response = leader_client.post(
        f"/voice/scorecards/rounds/{first.pk}/scores/", {"scorer_group": "men", f"value_{visits.pk}": "3"}
    )
    assert response.status_code == 404
    assert "Extension" not in leader_client.get("/voice/scorecards/").content.decode()


# ----- API ---------------------------------------------------------------------------------------


def test_the_api_records_scores_and_reads_the_results_in_scope(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    _token, key = registry.issue_api_token(user=leader, name="test")
    headers = {"Authorization": f"Bearer {key}"}
    card = _card(group)
    visits = card.indicators.first()
    _round(card, datetime.date(2025, 6, 1))
    url = f"/api/voice/scorecards/{card.pk}/scores"
    payload = {"round": 1, "scorer_group": "women", "scores": [{"indicator": visits.pk, "value": 3}]}
    response = client.post(url, payload, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    first = response.json()["results"][0]["rounds"][0]
    assert (first["round"], first["community"], first["women"]) == (1, 3.0, 3.0)
    payload["scores"][0]["value"] = 7
    refused = client.post(url, payload, content_type="application/json", headers=headers)
    assert refused.status_code == 400 and refused.json()["field"] == "value"
    assert [c["id"] for c in client.get("/api/voice/scorecards", headers=headers).json()["items"]] == [
        card.pk
    ]
    theirs = _card(testing.group())
    assert client.get(f"/api/voice/scorecards/{theirs.pk}", headers=headers).status_code == 404
    assert Score.objects.get().value == 3


def test_the_api_creates_a_card_starts_a_round_records_provider_scores_and_plans_actions(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    _token, key = registry.issue_api_token(user=leader, name="test")
    headers = {"Authorization": f"Bearer {key}"}
    authority = _authority(group)
    interface = registry.plan_meeting(
        actor=None,
        organisation=group,
        kind=Meeting.Kind.INTERFACE,
        starts_at=timezone.make_aware(datetime.datetime(2025, 6, 2, 10)),
    )

    def post(path, body):
        return client.post(f"/api/voice/{path}", body, content_type="application/json", headers=headers)

    created = post(
        "scorecards",
        {
            "organisation": group.pk,
            "title": "Extension services",
            "service": "agricultural_extension",
            "authority": authority.pk,
            "indicators": [{"text_en": "SAAO visits the village"}, {"text_bn": "বীজ সময়মতো আসে"}],
        },
    )
    assert created.status_code == 201, created.content
    card = created.json()
    assert [i["text_en"] for i in card["results"]] == ["SAAO visits the village", ""]
    visits = card["results"][0]["id"]
    started = post(
        f"scorecards/{card['id']}/rounds", {"held_on": "2025-06-01", "interface_meeting": interface.pk}
    )
    assert started.status_code == 201, started.content
    assert (started.json()["number"], started.json()["interface_meeting"]) == (1, interface.pk)
    provider = {"round": 1, "provider": True, "scores": [{"indicator": visits, "value": 4}]}
    assert (
        post(f"scorecards/{card['id']}/scores", provider).json()["results"][0]["rounds"][0]["provider"] == 4
    )
    planned = post(
        f"scorecards/{card['id']}/actions",
        {
            "round": 1,
            "what": "Visit every fortnight",
            "owner": "SAAO",
            "due_on": "2025-07-01",
            "indicator": visits,
        },
    )
    assert planned.status_code == 201, planned.content
    assert (planned.json()["round"], planned.json()["indicator"], planned.json()["done_on"]) == (
        1,
        visits,
        None,
    )
    assert AuditEvent.objects.filter(channel="api", object_type__startswith="voice.").count() == 6


def test_the_api_refuses_bad_cards_rounds_and_actions_and_answers_404_out_of_scope(client):
    group = testing.group()
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    _token, key = registry.issue_api_token(user=leader, name="test")
    headers = {"Authorization": f"Bearer {key}"}

    def post(path, body):
        return client.post(f"/api/voice/{path}", body, content_type="application/json", headers=headers)

    card = _card(group)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = post(f"scorecards/{card.pk}/rounds", {"held_on": future})
    assert (refused.status_code, refused.json()["field"]) == (400, "held_on")
    refused = post(f"scorecards/{card.pk}/actions", {"round": 1, "what": "Visit", "owner": "SAAO"})
    assert (refused.status_code, refused.json()["field"]) == (400, "round")
    _round(card, datetime.date(2025, 6, 1))
    refused = post(
        f"scorecards/{card.pk}/actions",
        {"round": 1, "what": "Visit", "owner": "SAAO", "due_on": "2025-05-01"},
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "due_on")
    theirs = _card(testing.group())
    assert post(f"scorecards/{theirs.pk}/rounds", {"held_on": "2025-06-01"}).status_code == 404
    body = {
        "organisation": theirs.organisation_id,
        "title": "X",
        "service": "school",
        "authority": theirs.authority_id,
    }
    assert post("scorecards", body).status_code == 404
    assert (
        ScoreCard.objects.count() == 2
        and not theirs.rounds.exists()
        and not card.rounds.get().actions.exists()
    )
