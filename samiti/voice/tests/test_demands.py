"""Demands: raising, one endorsement per member, moving up counted once, merging, evidence, scope."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.core.models import AuditEvent, Channel
from samiti.registry import services as registry
from samiti.registry import testing
from samiti.registry.models import Meeting, Role
from samiti.voice.errors import VoiceError
from samiti.voice.models import Demand, Endorsement, Evidence
from samiti.voice.services import demands as service

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    """A federation with two associations; the first has two groups of five members each."""
    federation = testing.organisation("federation")
    north = testing.organisation("association", federation)
    south = testing.organisation("association", federation)
    group_a = testing.organisation("group", north)
    group_b = testing.organisation("group", north)
    group_s = testing.organisation("group", south)
    return {
        "federation": federation,
        "north": north,
        "south": south,
        "group_a": group_a,
        "group_b": group_b,
        "group_s": group_s,
        "a": [testing.member(group_a, sex=s) for s in "FFFMT"],
        "b": [testing.member(group_b, sex=s) for s in "FMMMF"],
        "s": [testing.member(group_s, sex="F") for _ in range(3)],
    }


def _raise(organisation, actor=None, **fields):
    fields.setdefault("title", "Repair the Tista canal sluice gate")
    fields.setdefault("category", "irrigation")
    return service.raise_demand(actor=actor, organisation=organisation, **fields)


def _high_threshold(association):
    """By-laws that keep demands in their group (so tests of endorsing are not moved up)."""
    registry.save_by_laws(actor=None, organisation=association, demand_endorsements=1000, demand_percent=100)


def _held_meeting(group):
    meeting = registry.plan_meeting(
        actor=None,
        organisation=group,
        kind=Meeting.Kind.GROUP,
        starts_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 10)),
    )
    return registry.record_attendance(actor=None, meeting=meeting, members=[])


def leader_of(organisation, role=Role.GROUP_LEADER):
    return testing.staff(role, organisation=organisation)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ----- raising -----------------------------------------------------------------------------------


def test_a_raised_demand_is_held_by_its_group_audited_and_on_its_timeline(world):
    leader = leader_of(world["group_a"])
    demand = _raise(world["group_a"], leader, households_affected=40, raised_by=world["a"][0])
    assert (demand.organisation, demand.raised_by_organisation, demand.association) == (
        world["group_a"],
        world["group_a"],
        world["north"],
    )
    assert demand.status == Demand.Status.RAISED and demand.area == world["group_a"].area
    assert AuditEvent.objects.filter(object_type="voice.demand", object_id=demand.pk, actor=leader).exists()
    assert list(demand.events.values_list("kind", flat=True)) == ["raised"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"category": "weather"}, "category"),
        ({"households_affected": 0}, "households_affected"),
    ],
)
def test_a_demand_with_bad_input_is_refused_naming_the_field(world, fields, field):
    with pytest.raises(VoiceError) as error:
        _raise(world["group_a"], **fields)
    assert error.value.field == field
    assert not Demand.objects.exists()


def test_a_demand_raised_by_a_member_of_another_group_is_refused(world):
    with pytest.raises(VoiceError) as error:
        _raise(world["group_a"], raised_by=world["b"][0])
    assert error.value.field == "raised_by"


def test_a_group_leader_cannot_raise_a_demand_for_another_group(world):
    with pytest.raises(VoiceError) as error:
        _raise(world["group_b"], leader_of(world["group_a"]))
    assert error.value.code == "forbidden"


# ----- endorsing ---------------------------------------------------------------------------------


def test_a_member_endorses_a_demand_once_and_a_second_time_is_refused_clearly(world):
    _high_threshold(world["north"])
    demand = _raise(world["group_a"])
    member = world["a"][0]
    service.endorse_demand(actor=None, demand=demand, member=member, channel=Channel.SMS)
    with pytest.raises(VoiceError) as error:
        service.endorse_demand(actor=None, demand=demand, member=member, channel=Channel.SMS)
    assert error.value.code == "duplicate" and error.value.field == "member"
    assert str(member) in str(error.value)
    assert Endorsement.objects.get(demand=demand).channel == Channel.SMS


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheets=st.lists(st.lists(st.integers(0, 4), max_size=8), min_size=1, max_size=4))
def test_endorsing_from_repeated_lists_counts_each_member_once(world, sheets):
    _high_threshold(world["north"])
    demand = _raise(world["group_a"])
    new = 0
    for sheet in sheets:
        members = [world["a"][i] for i in sheet]
        if not members:
            with pytest.raises(VoiceError):
                service.endorse_many(actor=None, demand=demand, members=members, channel=Channel.WEB)
            continue
        new += service.endorse_many(actor=None, demand=demand, members=members, channel=Channel.WEB)
    distinct = {i for sheet in sheets for i in sheet}
    assert new == len(distinct) == demand.endorsements.count()
    assert service.endorsement_breakdown([demand])["total"] == len(distinct)
    assert AuditEvent.objects.filter(
        object_type="voice.endorsement", changes__demand=[None, demand.pk]
    ).count() == (len(distinct))


def test_only_members_of_the_holding_organisation_may_endorse_and_nothing_is_half_written(world):
    _high_threshold(world["north"])
    demand = _raise(world["group_a"])
    outsider = world["b"][0]
    with pytest.raises(VoiceError) as error:
        service.endorse_many(
            actor=None, demand=demand, members=[world["a"][0], outsider], channel=Channel.WEB
        )
    assert error.value.field == "members" and outsider.code in str(error.value)
    assert not demand.endorsements.exists()


def test_the_breakdown_counts_women_men_third_gender_minority_and_disability(world):
    _high_threshold(world["north"])
    group = world["group_a"]
    garo = testing.member(group, sex="F", ethnicity="garo", wg_walking=3)
    demand = _raise(group)
    service.endorse_many(actor=None, demand=demand, members=[*world["a"], garo], channel=Channel.WEB)
    assert service.endorsement_breakdown(Demand.objects.filter(pk=demand.pk)) == {
        "total": 6,
        "women": 4,
        "men": 1,
        "third_gender": 1,
        "ethnic_minority": 1,
        "disability": 1,
    }


def test_a_group_leader_records_endorsements_only_of_members_they_see(world):
    _high_threshold(world["north"])
    demand = _raise(world["north"])
    leader = leader_of(world["group_a"])
    assert service.endorse_many(actor=leader, demand=demand, members=world["a"][:2], channel=Channel.WEB) == 2
    with pytest.raises(VoiceError) as error:
        service.endorse_many(actor=leader, demand=demand, members=world["b"][:1], channel=Channel.WEB)
    assert error.value.code == "forbidden"


# ----- moving up ---------------------------------------------------------------------------------


def test_a_group_adopts_a_demand_only_at_its_own_held_meeting(world):
    demand = _raise(world["group_a"])
    planned = registry.plan_meeting(
        actor=None, organisation=world["group_a"], kind=Meeting.Kind.GROUP, starts_at=timezone.now()
    )
    with pytest.raises(VoiceError) as error:
        service.adopt_demand(actor=None, demand=demand, meeting=planned)
    assert error.value.field == "meeting"
    with pytest.raises(VoiceError):
        service.adopt_demand(actor=None, demand=demand, meeting=_held_meeting(world["group_b"]))
    meeting = _held_meeting(world["group_a"])
    service.adopt_demand(actor=None, demand=demand, meeting=meeting)
    demand.refresh_from_db()
    assert demand.status == Demand.Status.ADOPTED
    assert demand.events.get(kind="adopted").meeting == meeting


def test_the_association_takes_a_demand_up_when_endorsements_reach_its_count(world):
    registry.save_by_laws(actor=None, organisation=world["north"], demand_endorsements=3, demand_percent=100)
    demand = _raise(world["group_a"])
    service.endorse_many(actor=None, demand=demand, members=world["a"][:2], channel=Channel.WEB)
    demand.refresh_from_db()
    assert demand.organisation == world["group_a"]
    service.endorse_demand(actor=None, demand=demand, member=world["a"][2], channel=Channel.SMS)
    demand.refresh_from_db()
    assert (demand.organisation, demand.status) == (world["north"], Demand.Status.TAKEN_UP)
    assert demand.events.filter(kind="taken_up", organisation=world["north"]).count() == 1
    # Now the association holds it, members of its other groups may endorse it too.
    service.endorse_demand(actor=None, demand=demand, member=world["b"][0], channel=Channel.SMS)
    assert Demand.objects.count() == 1


def test_the_association_takes_a_demand_up_when_endorsements_reach_its_share_of_members(world):
    # North has 10 active members; 30% is 3 endorsements, reached before the count of 50.
    registry.save_by_laws(actor=None, organisation=world["north"], demand_endorsements=50, demand_percent=30)
    assert service.association_threshold(world["north"]) == 3
    demand = _raise(world["group_a"])
    service.endorse_many(actor=None, demand=demand, members=world["a"][:2], channel=Channel.WEB)
    demand.refresh_from_db()
    assert demand.organisation == world["group_a"]
    service.endorse_many(actor=None, demand=demand, members=world["a"][2:4], channel=Channel.WEB)
    demand.refresh_from_db()
    assert demand.organisation == world["north"]


def test_a_leader_takes_a_demand_up_only_once_the_threshold_is_reached(world):
    _high_threshold(world["north"])
    demand = _raise(world["group_a"])
    service.endorse_many(actor=None, demand=demand, members=world["a"][:2], channel=Channel.WEB)
    leader = leader_of(world["north"], Role.ASSOCIATION_LEADER)
    with pytest.raises(VoiceError) as error:
        service.take_up_demand(actor=leader, demand=demand)
    assert error.value.code == "threshold"
    # The by-laws change (a lower threshold): the leader may now take it up.
    registry.save_by_laws(actor=None, organisation=world["north"], demand_endorsements=2, demand_percent=100)
    with pytest.raises(VoiceError) as error:
        service.take_up_demand(actor=leader_of(world["group_a"]), demand=demand)
    assert error.value.code == "forbidden"
    assert service.take_up_demand(actor=leader, demand=demand).organisation == world["north"]


def test_group_to_association_to_federation_is_counted_once(world):
    registry.save_by_laws(actor=None, organisation=world["north"], demand_endorsements=2, demand_percent=100)
    registry.save_by_laws(actor=None, organisation=world["south"], demand_endorsements=2, demand_percent=100)
    north = _raise(world["group_a"])
    south = _raise(world["group_s"])
    service.endorse_many(actor=None, demand=north, members=world["a"][:3], channel=Channel.WEB)
    service.endorse_many(actor=None, demand=south, members=world["s"], channel=Channel.WEB)
    north.refresh_from_db()
    assert north.organisation == world["north"]
    service.endorse_many(actor=None, demand=north, members=world["b"][:2], channel=Channel.WEB)
    kept = service.take_up_at_federation(actor=None, federation=world["federation"], demands=[north, south])
    assert kept.organisation == world["federation"]
    assert Demand.objects.count() == 2
    assert Demand.objects.exclude(status="merged").count() == 1
    endorsers = set(Endorsement.objects.values_list("member", flat=True))
    assert len(endorsers) == 8
    assert service.endorsement_breakdown(Demand.objects.all())["total"] == len(endorsers)
    assert service.endorsement_breakdown([kept])["total"] == len(endorsers)
    assert [e.kind for e in service.demand_events(kept)].count("taken_up") == 3


def test_a_federation_takes_up_only_demands_of_at_least_two_of_its_associations(world):
    first, second = _raise(world["group_a"]), _raise(world["group_b"])
    with pytest.raises(VoiceError) as error:
        service.take_up_at_federation(actor=None, federation=world["federation"], demands=[first, second])
    assert error.value.field == "demands"
    stranger = _raise(testing.group())
    with pytest.raises(VoiceError):
        service.take_up_at_federation(actor=None, federation=world["federation"], demands=[first, stranger])
    assert set(Demand.objects.values_list("status", flat=True)) == {"raised"}


# ----- merging -----------------------------------------------------------------------------------


def test_merging_moves_endorsements_and_never_double_counts(world):
    _high_threshold(world["north"])
    keep, other, third = _raise(world["north"]), _raise(world["group_a"]), _raise(world["group_b"])
    service.endorse_many(actor=None, demand=keep, members=world["a"][:3], channel=Channel.WEB)
    service.endorse_many(actor=None, demand=other, members=world["a"][1:5], channel=Channel.WEB)
    service.endorse_many(actor=None, demand=third, members=world["b"][:2], channel=Channel.WEB)
    before = service.endorsement_breakdown(Demand.objects.all())
    service.merge_demands(actor=None, keep=keep, others=[other, third])
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (Demand.Status.MERGED, keep)
    assert keep.endorsements.count() == 7  # a[0..4] once each, b[0..1]
    merge = AuditEvent.objects.get(object_type="voice.demand", object_id=keep.pk, action="merge")
    assert merge.changes["endorsements"] == [3, 7]
    assert service.endorsement_breakdown([keep]) == before
    assert service.endorsement_breakdown(Demand.objects.all()) == before
    with pytest.raises(VoiceError):
        service.endorse_demand(actor=None, demand=other, member=world["a"][0], channel=Channel.WEB)


def test_demands_held_outside_the_keeper_are_not_merged(world):
    first, second = _raise(world["group_a"]), _raise(world["group_b"])
    with pytest.raises(VoiceError) as error:
        service.merge_demands(actor=None, keep=first, others=[second])
    assert error.value.field == "others"
    second.refresh_from_db()
    assert second.status == Demand.Status.RAISED


# ----- withdrawing and other steps ---------------------------------------------------------------


def test_a_withdrawn_demand_takes_no_endorsements_and_stays_on_record(world):
    demand = _raise(world["group_a"])
    service.withdraw_demand(actor=leader_of(world["group_a"]), demand=demand, reason="The UP repaired it")
    with pytest.raises(VoiceError) as error:
        service.endorse_demand(actor=None, demand=demand, member=world["a"][0], channel=Channel.WEB)
    assert error.value.code == "closed"
    assert demand.events.get(kind="withdrawn").note == "The UP repaired it"


def test_charter_steps_move_the_status_and_workflow_steps_need_their_service(world):
    demand = _raise(world["group_a"])
    service.record_demand_event(actor=None, demand=demand, kind="in_charter", note="Charter 2026")
    demand.refresh_from_db()
    assert demand.status == Demand.Status.IN_CHARTER
    with pytest.raises(VoiceError) as error:
        service.record_demand_event(actor=None, demand=demand, kind="taken_up")
    assert error.value.field == "kind"


# ----- evidence ----------------------------------------------------------------------------------


def test_evidence_is_a_photo_or_a_pdf_recognised_by_its_content(world):
    demand = _raise(world["group_a"])
    photo = service.add_evidence(
        actor=None, demand=demand, file=SimpleUploadedFile("x.txt", PNG), caption="Broken sluice"
    )
    assert (photo.kind, photo.caption, photo.is_image) == ("png", "Broken sluice", True)
    assert photo.file.name.startswith("voice/evidence/") and photo.file.name.endswith(".png")
    document = service.add_evidence(actor=None, demand=demand, file=SimpleUploadedFile("letter.pdf", PDF))
    assert document.kind == Evidence.Kind.PDF


def test_evidence_of_another_type_or_over_5_mb_is_refused_with_a_clear_error(world):
    demand = _raise(world["group_a"])
    with pytest.raises(VoiceError, match="JPEG or PNG") as error:
        service.add_evidence(
            actor=None, demand=demand, file=SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a photo")
        )
    assert error.value.field == "file"
    big = SimpleUploadedFile("big.pdf", PDF + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(VoiceError, match="at most 5 MB") as error:
        service.add_evidence(actor=None, demand=demand, file=big)
    assert error.value.field == "file"
    assert not Evidence.objects.exists()


# ----- scope -------------------------------------------------------------------------------------


def test_a_group_leader_sees_their_groups_demands_and_those_their_association_holds(world):
    mine, theirs, association = _raise(world["group_a"]), _raise(world["group_b"]), _raise(world["north"])
    elsewhere = _raise(world["group_s"])
    leader = leader_of(world["group_a"])
    assert set(service.demands_for(leader)) == {mine, association}
    assert set(service.demands_for(leader_of(world["north"], Role.ASSOCIATION_LEADER))) == {
        mine,
        theirs,
        association,
    }
    assert elsewhere in service.demands_for(leader_of(world["federation"], Role.FEDERATION_LEADER))


# ----- pages -------------------------------------------------------------------------------------


def test_a_leader_raises_a_demand_through_the_form_and_lands_on_its_page(world):
    client = logged_in(leader_of(world["group_a"]))
    response = client.post(
        "/voice/demands/raise/",
        {
            "organisation": world["group_a"].pk,
            "title": "সেচের পাম্প মেরামত",
            "category": "irrigation",
            "households_affected": "৩৫",
            "raised_by": world["a"][0].code,
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/voice/demands/{demand.pk}/"
    assert (demand.title, demand.households_affected, demand.raised_by) == (
        "সেচের পাম্প মেরামত",
        35,
        world["a"][0],
    )


def test_the_raise_form_names_the_field_at_fault_and_saves_nothing(world):
    client = logged_in(leader_of(world["group_a"]))
    response = client.post(
        "/voice/demands/raise/", {"organisation": world["group_a"].pk, "title": "Road", "raised_by": "NOPE-1"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"category", "raised_by"}
    assert not Demand.objects.exists()


def test_endorsements_from_ticks_and_pasted_codes_report_unknown_codes_by_line(world):
    _high_threshold(world["north"])
    demand = _raise(world["group_a"])
    client = logged_in(leader_of(world["group_a"]))
    url = f"/voice/demands/{demand.pk}/endorse/"
    bad = client.post(url, {"members": [world["a"][0].pk], "codes": f"{world['a'][1].code}\n\nXX-99"})
    assert bad.status_code == 200
    assert "line 3: no member XX-99" in bad.content.decode()
    assert not demand.endorsements.exists()
    good = client.post(
        url, {"members": [world["a"][0].pk], "codes": f"{world['a'][1].code}\n{world['a'][0].code}"}
    )
    assert good.status_code == 302
    assert set(demand.endorsements.values_list("member", flat=True)) == {world["a"][0].pk, world["a"][1].pk}
    page = client.get(f"/voice/demands/{demand.pk}/").content.decode()
    assert "2 new endorsements recorded." in page


def test_an_endorser_outside_the_holding_group_is_refused_on_the_page(world):
    _high_threshold(world["north"])
    demand = _raise(world["group_a"])
    client = logged_in(leader_of(world["north"], Role.ASSOCIATION_LEADER))
    response = client.post(f"/voice/demands/{demand.pk}/endorse/", {"codes": world["b"][0].code})
    assert response.status_code == 200 and world["b"][0].code in response.content.decode()
    assert not demand.endorsements.exists()


def test_the_buttons_adopt_take_up_merge_and_withdraw_move_the_demand(world):
    _high_threshold(world["north"])
    demand, other = _raise(world["group_a"]), _raise(world["group_a"], title="Sluice gate, again")
    service.endorse_many(actor=None, demand=demand, members=world["a"][:2], channel=Channel.WEB)
    meeting = _held_meeting(world["group_a"])
    client = logged_in(leader_of(world["group_a"]))
    page = client.get(f"/voice/demands/{demand.pk}/").content.decode()
    assert "/adopt/" in page and "/merge/" in page and "/withdraw/" in page and "/take-up/" not in page
    assert client.post(f"/voice/demands/{demand.pk}/adopt/", {"meeting": meeting.pk}).status_code == 302
    assert client.post(f"/voice/demands/{demand.pk}/merge/", {"others": [other.pk]}).status_code == 302
    other.refresh_from_db()
    assert other.merged_into == demand
    # The association lowers its threshold; its leader now sees and uses the take-up button.
    registry.save_by_laws(actor=None, organisation=world["north"], demand_endorsements=2, demand_percent=100)
    association_leader = logged_in(leader_of(world["north"], Role.ASSOCIATION_LEADER))
    assert "/take-up/" in association_leader.get(f"/voice/demands/{demand.pk}/").content.decode()
    assert association_leader.post(f"/voice/demands/{demand.pk}/take-up/").status_code == 302
    demand.refresh_from_db()
    assert demand.organisation == world["north"]
    assert (
        association_leader.post(f"/voice/demands/{demand.pk}/withdraw/", {"reason": "Done"}).status_code
        == 302
    )
    demand.refresh_from_db()
    assert demand.status == Demand.Status.WITHDRAWN


def test_the_federation_button_merges_the_associations_demands(world):
    north, south = _raise(world["north"]), _raise(world["south"])
    client = logged_in(leader_of(world["federation"], Role.FEDERATION_LEADER))
    assert "/federation/" in client.get(f"/voice/demands/{north.pk}/").content.decode()
    assert client.post(f"/voice/demands/{north.pk}/federation/", {"demands": [south.pk]}).status_code == 302
    north.refresh_from_db()
    assert north.organisation == world["federation"]


def test_evidence_is_uploaded_on_the_page_and_served_only_within_scope(world):
    demand = _raise(world["group_a"])
    client = logged_in(leader_of(world["group_a"]))
    url = f"/voice/demands/{demand.pk}/evidence/"
    refused = client.post(url, {"file": SimpleUploadedFile("a.png", b"GIF89a...."), "caption": "x"})
    assert refused.status_code == 200 and "JPEG or PNG" in refused.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF), "caption": "UP letter"})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    served = client.get(f"/voice/demands/evidence/{evidence.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == PDF
    stranger = logged_in(leader_of(world["group_b"]))
    assert stranger.get(f"/voice/demands/evidence/{evidence.pk}/").status_code == 404


def test_another_groups_leader_gets_404_for_the_page_and_every_action(world):
    demand = _raise(world["group_a"])
    client = logged_in(leader_of(world["group_b"]))
    assert client.get(f"/voice/demands/{demand.pk}/").status_code == 404
    for action in ("endorse", "evidence", "adopt", "take-up", "federation", "merge", "withdraw"):
        assert client.post(f"/voice/demands/{demand.pk}/{action}/").status_code == 404
    assert demand.title not in client.get("/voice/demands/").content.decode()


def test_a_viewer_reads_demands_but_sees_no_forms(world):
    demand = _raise(world["group_a"])
    client = logged_in(testing.staff(Role.VIEWER, organisation=world["group_a"]))
    page = client.get(f"/voice/demands/{demand.pk}/").content.decode()
    assert demand.title in page and "/endorse/" not in page
    assert client.post(f"/voice/demands/{demand.pk}/withdraw/").status_code == 404


def test_the_list_filters_by_status_category_and_organisation_and_counts(world):
    _high_threshold(world["north"])
    road = _raise(world["group_a"], title="Road to the market", category="roads")
    canal = _raise(world["group_b"], title="Canal", category="irrigation")
    service.endorse_many(actor=None, demand=road, members=world["a"][:3], channel=Channel.WEB)
    client = logged_in(testing.staff())
    page = client.get("/voice/demands/", {"category": "roads"})
    assert list(page.context["page"].object_list) == [road]
    assert page.context["page"].object_list[0].endorsement_count == 3
    assert list(client.get("/voice/demands/", {"organisation": world["group_b"].pk}).context["page"]) == [
        canal
    ]
    everything = client.get("/voice/demands/")
    assert everything.context["endorsers"]["total"] == 3
    assert client.get("/voice/demands/", {"status": "withdrawn"}).context["page"].paginator.count == 0


def test_the_list_reads_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = logged_in(testing.staff())
    _high_threshold(world["north"])
    for n in range(12):
        demand = _raise(world["group_a"] if n % 2 else world["group_b"], title=f"Demand {n}")
        service.endorse_many(
            actor=None, demand=demand, members=world["a" if n % 2 else "b"][:2], channel=Channel.WEB
        )
    # session, user, filter choices, status counts, endorsers, page count, page rows
    with django_assert_max_num_queries(8):
        response = client.get("/voice/demands/")
    assert response.context["page"].paginator.count == 12


@pytest.mark.parametrize("language", ["en", "bn"])
def test_the_pages_render_in_english_and_bengali(world, language):
    _high_threshold(world["north"])
    demand = _raise(world["group_a"], households_affected=12)
    service.endorse_many(actor=None, demand=demand, members=world["a"], channel=Channel.WEB)
    client = logged_in(testing.staff(Role.FACILITATOR, area=world["group_a"].area))
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    translation.activate(language)
    for url in ("/voice/demands/", "/voice/demands/raise/", f"/voice/demands/{demand.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()
    detail = client.get(f"/voice/demands/{demand.pk}/").content.decode()
    assert ("১২" if language == "bn" else ">12<") in detail


def test_small_counts_of_sensitive_facts_are_hidden_from_leaders(world):
    _high_threshold(world["north"])
    demand = _raise(world["group_a"])
    disabled = testing.member(world["group_a"], wg_walking=3)
    service.endorse_many(actor=None, demand=demand, members=[disabled], channel=Channel.WEB)
    leader = logged_in(leader_of(world["group_a"]))
    assert leader.get(f"/voice/demands/{demand.pk}/").context["breakdown"]["disability"] == "fewer than 5"
    facilitator = logged_in(testing.staff(Role.FACILITATOR, area=world["group_a"].area))
    assert facilitator.get(f"/voice/demands/{demand.pk}/").context["breakdown"]["disability"] == 1


# ----- API ---------------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    _token, key = registry.issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_raises_a_demand_and_records_endorsements_by_member_id(world, client):
    _high_threshold(world["north"])
    headers = bearer(leader_of(world["group_a"]))
    created = client.post(
        "/api/voice/demands",
        {
            "organisation": world["group_a"].pk,
            "title": "Seed subsidy",
            "category": "inputs",
            "raised_by": world["a"][0].pk,
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["organisation"], body["status"], body["timeline"][0]["kind"]) == (
        world["group_a"].pk,
        "raised",
        "raised",
    )
    url = f"/api/voice/demands/{body['id']}/endorsements"
    ids = [m.pk for m in world["a"][:3]]
    first = client.post(url, {"members": [*ids, ids[0]]}, content_type="application/json", headers=headers)
    assert first.json() == {"new": 3, "endorsements": 3}
    again = client.post(url, {"members": ids[:2]}, content_type="application/json", headers=headers)
    assert again.json() == {"new": 0, "endorsements": 3}
    detail = client.get(f"/api/voice/demands/{body['id']}", headers=headers).json()
    assert detail["breakdown"]["total"] == 3 and detail["endorsements"] == 3
    assert AuditEvent.objects.filter(object_type="voice.endorsement", channel="api").count() == 3


def test_the_api_names_the_field_at_fault(world, client):
    headers = bearer(leader_of(world["group_a"]))
    bad = client.post(
        "/api/voice/demands",
        {"organisation": world["group_b"].pk, "title": "Road", "category": "roads"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "organisation"
    demand = _raise(world["group_a"])
    outsider = client.post(
        f"/api/voice/demands/{demand.pk}/endorsements",
        {"members": [world["b"][0].pk]},
        content_type="application/json",
        headers=headers,
    )
    assert outsider.status_code == 422 and outsider.json()["field"] == "members"
    other_group = client.post(
        f"/api/voice/demands/{demand.pk}/endorsements",
        {"members": [world["a"][0].pk]},
        content_type="application/json",
        headers=bearer(leader_of(world["north"], Role.ASSOCIATION_LEADER)),
    )
    # The association's leader sees the group's members, so may record them.
    assert other_group.status_code == 200 and other_group.json()["new"] == 1


def test_the_api_answers_404_for_another_groups_demand(world, client):
    demand = _raise(world["group_a"])
    headers = bearer(leader_of(world["group_b"]))
    assert client.get(f"/api/voice/demands/{demand.pk}", headers=headers).status_code == 404
    assert (
        client.post(
            f"/api/voice/demands/{demand.pk}/endorsements",
            {"members": [world["b"][0].pk]},
            content_type="application/json",
            headers=headers,
        ).status_code
        == 404
    )
    assert client.get("/api/voice/demands", headers=headers).json()["count"] == 0


def test_the_api_lists_demands_filtered_and_paginated_in_few_queries(
    world, client, django_assert_max_num_queries
):
    _high_threshold(world["north"])
    for n in range(6):
        demand = _raise(world["group_a"], title=f"Demand {n}", category="roads" if n % 2 else "land")
        service.endorse_many(actor=None, demand=demand, members=world["a"][: n + 1], channel=Channel.WEB)
    headers = bearer(testing.staff())
    client.get("/api/voice/demands", headers=headers)
    # token, count, page
    with django_assert_max_num_queries(4):
        body = client.get("/api/voice/demands?category=roads&page_size=2", headers=headers).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert [d["endorsements"] for d in body["items"]] == [5, 4]
