"""Charters of demands, their submission, the authority's responses and the follow-up of commitments."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from samiti.core.models import AuditEvent, Channel
from samiti.registry import services as registry_services
from samiti.registry import testing
from samiti.registry.models import Authority, Meeting, Role
from samiti.voice.errors import VoiceError
from samiti.voice.models import Charter, Commitment, Demand, DemandEvent, FollowUp, Response
from samiti.voice.pdf import render_charter
from samiti.voice.services import charters as services
from samiti.voice.services.demands import endorse_many, raise_demand

pytestmark = pytest.mark.django_db

MARCH_1 = datetime.date(2026, 3, 1)


@pytest.fixture
def world():
    """An association with a group, six members (three women, one Garo, one with a disability), two
    demands endorsed by them, a Union Parishad with its chairman and another authority."""
    group = testing.group()
    association = group.parent
    association.name_bn = "চরপাড়া কৃষক সমিতি"
    association.save()
    women = [testing.member(group, sex="F") for _ in range(3)]
    garo = testing.member(group, sex="M", ethnicity="garo")
    disabled = testing.member(group, sex="M", wg_walking=3)
    man = testing.member(group, sex="M")
    parishad = registry_services.save_authority(
        actor=None,
        kind=Authority.Kind.UNION_PARISHAD,
        code="UP-1",
        name_en="Char Union Parishad",
        name_bn="চর ইউনিয়ন পরিষদ",
        area=association.area,
    )
    chairman = registry_services.add_official(
        actor=None, authority=parishad, post="Chairman", name="Abdul Karim"
    )
    office = registry_services.save_authority(
        actor=None,
        kind=Authority.Kind.AGRICULTURE_OFFICE,
        code="UAO-1",
        name_en="Upazila Agriculture Office",
        area=association.area.parent,
    )
    canal = raise_demand(
        actor=None,
        organisation=association,
        title="খাল পুনঃখনন",
        category="irrigation",
        households_affected=120,
    )
    road = raise_demand(
        actor=None,
        organisation=association,
        title="গ্রামের রাস্তা পাকা করা",
        category="roads",
        households_affected=45,
    )
    endorse_many(actor=None, demand=canal, members=[*women, garo, disabled, man], channel=Channel.WEB)
    endorse_many(actor=None, demand=road, members=[women[0], garo], channel=Channel.WEB)
    return {
        "group": group,
        "association": association,
        "women": women,
        "parishad": parishad,
        "chairman": chairman,
        "office": office,
        "canal": canal,
        "road": road,
    }


def _charter(world, actor=None, **fields):
    fields.setdefault("subject", "কৃষকদের দাবিনামা")
    fields.setdefault("demands", [world["road"], world["canal"]])
    return services.create_charter(
        actor=actor,
        organisation=world["association"],
        authority=world["parishad"],
        official=world["chairman"],
        **fields,
    )


def _submitted(world, **fields):
    charter = _charter(world, **fields)
    return services.submit_charter(
        actor=None,
        charter=charter,
        submitted_on=MARCH_1,
        method=Charter.Method.OPEN_BUDGET,
        official=world["chairman"],
        today=MARCH_1,
    )


def _commit(world, charter, due_on=datetime.date(2026, 6, 30), demand="canal", **fields):
    item = charter.items.get(demand=world[demand])
    return services.record_response(
        actor=None,
        item=item,
        kind=Response.Kind.COMMITTED,
        responded_on=datetime.date(2026, 3, 10),
        official=world["chairman"],
        what="Re-dig 2 km of the canal before the boro season",
        due_on=due_on,
        budget_poisha=150_000_00,
        responsible="UP ward member, ward 3",
        today=datetime.date(2026, 3, 10),
    ).commitment


def _steps(demand: Demand) -> list[str]:
    return list(DemandEvent.objects.filter(demand=demand).order_by("at", "pk").values_list("kind", flat=True))


# ----- the charter ---------------------------------------------------------------------------------


def test_a_charter_lists_its_demands_in_priority_order_and_puts_them_in_the_charter(world):
    charter = _charter(world)
    assert [(i.priority, i.demand_id) for i in charter.items.all()] == [
        (1, world["road"].pk),
        (2, world["canal"].pk),
    ]
    world["canal"].refresh_from_db()
    assert world["canal"].status == Demand.Status.IN_CHARTER
    assert _steps(world["canal"])[-1] == DemandEvent.Kind.IN_CHARTER
    assert "Priority 2" in DemandEvent.objects.filter(demand=world["canal"]).last().note
    assert AuditEvent.objects.filter(object_type="voice.charter", action="create").count() == 1


def test_a_demand_already_in_a_charter_cannot_go_into_another(world):
    _charter(world, demands=[world["canal"]])
    with pytest.raises(VoiceError) as error:
        _charter(world, demands=[world["canal"], world["road"]])
    assert error.value.field == "demands"
    assert Charter.objects.count() == 1


def test_a_charter_refuses_another_associations_demand_and_an_empty_list(world):
    stranger = raise_demand(actor=None, organisation=testing.group().parent, title="Other", category="roads")
    with pytest.raises(VoiceError, match="not a demand of"):
        _charter(world, demands=[stranger])
    with pytest.raises(VoiceError) as error:
        _charter(world, demands=[])
    assert error.value.field == "demands"


def test_priorities_of_a_draft_can_be_reordered_but_not_the_set(world):
    charter = _charter(world)
    services.reorder_charter(actor=None, charter=charter, demands=[world["canal"], world["road"]])
    assert list(charter.items.values_list("demand_id", flat=True)) == [world["canal"].pk, world["road"].pk]
    with pytest.raises(VoiceError):
        services.reorder_charter(actor=None, charter=charter, demands=[world["canal"]])


def test_endorsements_count_each_member_once_across_the_charter(world):
    charter = _charter(world)
    lines = services.charter_lines(charter)
    assert [line.endorsements["total"] for line in lines] == [2, 6]
    totals = services.charter_totals(charter)
    assert (totals["total"], totals["women"], totals["ethnic_minority"], totals["disability"]) == (6, 3, 1, 1)
    assert totals["households"] == 165


# ----- the letter ----------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> tuple[str, set[str]]:
    """The PDF's text, read back, and the fonts it embeds (each must carry its font file)."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not merely named
    return text, fonts


def _squashed(text: str) -> str:
    """Text without spaces and control characters: shaped Bengali reads back with pre-base vowel
    signs and marks split off, which says nothing about how it prints."""
    return "".join(ch for ch in text if ch.isprintable() and not ch.isspace())


def test_a_bengali_charter_prints_as_a_letter_with_the_right_counts_in_bengali_digits(world):
    registry_services.assign_office(
        actor=None,
        organisation=world["association"],
        member=world["women"][0],
        office="president",
        started_on=datetime.date(2025, 1, 1),
    )
    charter = _submitted(world)
    data = render_charter(charter)
    assert data.startswith(b"%PDF-")
    text, fonts = _pdf_text(data)
    assert any("NotoSansBengali" in name for name in fonts)
    flat = _squashed(text)
    assert "খালপুনঃখনন" in flat and "রাস্তাপাকা" in flat
    assert "চরপাড়া" in flat and "Abdul Karim" in text and str(world["women"][0]) in text
    # Each row: priority, endorsements (total, women, ethnic minority, disability), households.
    assert "১ গ্রামে" in text.replace("\n", " ") or "১গ্রামে" in flat
    assert "২ ১ ১ ০ ৪৫" in text  # the road: 2 endorsements, 1 woman, 1 Garo, nobody with a disability
    assert "৬ ৩ ১ ১ ১২০" in text  # the canal
    assert "৬ ৩ ১ ১ ১৬৫" in text  # all demands, each member once; 165 households
    assert "২০২৬" in text and "2026" not in text and "165" not in text


def test_an_english_charter_prints_latin_digits(world):
    charter = _charter(world, language=Charter.Language.ENGLISH, subject="Demands of the farmers")
    text, fonts = _pdf_text(render_charter(charter, day=MARCH_1))
    assert "Subject: Demands of the farmers" in text
    assert "6 3 1 1 165" in text and "1 March 2026" in text
    # The Bengali titles still print, through the embedded Bengali font.
    assert "খালপুনঃখনন" in _squashed(text)
    assert any("NotoSansBengali" in name for name in fonts)


# ----- submission ----------------------------------------------------------------------------------


def test_submitting_a_charter_marks_its_demands_submitted_with_when_how_and_to_whom(world):
    meeting = registry_services.plan_meeting(
        actor=None,
        organisation=world["association"],
        kind=Meeting.Kind.OPEN_BUDGET,
        starts_at=datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC),
    )
    charter = _charter(world)
    services.submit_charter(
        actor=None,
        charter=charter,
        submitted_on=MARCH_1,
        method=Charter.Method.OPEN_BUDGET,
        to_name="Rahima Begum, UP member (reserved seat)",
        meeting=meeting,
        today=MARCH_1,
    )
    charter.refresh_from_db()
    assert (charter.status, charter.submitted_on, charter.meeting) == ("submitted", MARCH_1, meeting)
    assert charter.received_by == "Rahima Begum, UP member (reserved seat)"
    for demand in (world["canal"], world["road"]):
        demand.refresh_from_db()
        assert demand.status == Demand.Status.SUBMITTED
        step = DemandEvent.objects.filter(demand=demand).last()
        assert step.kind == DemandEvent.Kind.SUBMITTED
        assert "Rahima Begum" in step.note and "1 March 2026" in step.note and "open budget" in step.note
    assert AuditEvent.objects.filter(object_type="voice.charter", action="update").exists()


def test_a_submission_needs_a_receiver_a_past_date_and_happens_once(world):
    charter = _charter(world)
    submit = {"actor": None, "charter": charter, "method": Charter.Method.LETTER, "today": MARCH_1}
    with pytest.raises(VoiceError) as error:
        services.submit_charter(**submit, submitted_on=MARCH_1)
    assert error.value.field == "official"
    with pytest.raises(VoiceError) as error:
        services.submit_charter(**submit, submitted_on=MARCH_1 + datetime.timedelta(days=1), to_name="Clerk")
    assert error.value.field == "submitted_on"
    stranger = registry_services.add_official(actor=None, authority=world["office"], post="UAO", name="Other")
    with pytest.raises(VoiceError) as error:
        services.submit_charter(**submit, submitted_on=MARCH_1, official=stranger)
    assert error.value.field == "official"
    services.submit_charter(**submit, submitted_on=MARCH_1, to_name="Clerk")
    with pytest.raises(VoiceError, match="already submitted"):
        services.submit_charter(**submit, submitted_on=MARCH_1, to_name="Clerk")


# ----- responses and commitments -------------------------------------------------------------------


def test_a_response_waits_for_the_submission(world):
    charter = _charter(world)
    with pytest.raises(VoiceError, match="submitted"):
        _commit(world, charter)


def test_a_commitment_records_what_by_when_and_budget_and_marks_the_demand_committed(world):
    charter = _submitted(world)
    commitment = _commit(world, charter)
    assert (commitment.due_on, commitment.budget_poisha, commitment.status) == (
        datetime.date(2026, 6, 30),
        15_000_000,
        Commitment.Status.OPEN,
    )
    assert commitment.budget_taka == "৳150,000"
    world["canal"].refresh_from_db()
    assert world["canal"].status == Demand.Status.COMMITTED
    step = DemandEvent.objects.filter(demand=world["canal"]).last()
    assert step.kind == DemandEvent.Kind.COMMITTED and "30 June 2026" in step.note and "৳150,000" in step.note
    with pytest.raises(VoiceError, match="already recorded"):
        _commit(world, charter)


def test_a_rejection_needs_reasons_and_a_referral_another_authority(world):
    charter = _submitted(world)
    item = charter.items.get(demand=world["road"])
    answer = {"actor": None, "item": item, "responded_on": MARCH_1, "today": MARCH_1}
    with pytest.raises(VoiceError) as error:
        services.record_response(**answer, kind=Response.Kind.REJECTED)
    assert error.value.field == "reasons"
    with pytest.raises(VoiceError) as error:
        services.record_response(**answer, kind=Response.Kind.REFERRED, referred_to=world["parishad"])
    assert error.value.field == "referred_to"
    services.record_response(**answer, kind=Response.Kind.REFERRED, referred_to=world["office"])
    world["road"].refresh_from_db()
    assert world["road"].status == Demand.Status.REFERRED
    assert "Upazila Agriculture Office" in DemandEvent.objects.filter(demand=world["road"]).last().note
    assert not Commitment.objects.exists()


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    due=st.dates(datetime.date(2026, 3, 10), datetime.date(2027, 12, 31)),
    today=st.dates(datetime.date(2026, 3, 10), datetime.date(2028, 12, 31)),
    outcome=st.sampled_from(["", "fulfilled", "partly_fulfilled", "broken"]),
)
def test_a_commitment_is_overdue_exactly_when_its_date_has_passed_and_it_is_not_closed(
    world_once, due, today, outcome
):
    commitment = world_once["commitment"]
    Commitment.objects.filter(pk=commitment.pk).update(due_on=due, status=outcome or "open")
    commitment.refresh_from_db()
    expected = due < today and outcome not in ("fulfilled", "broken")
    assert commitment.is_overdue(today) is expected
    overdue = services.overdue_commitments(world_once["admin"], today=today)
    assert overdue.filter(pk=commitment.pk).exists() is expected


@pytest.fixture
def world_once(world):
    charter = _submitted(world)
    return {"commitment": _commit(world, charter), "admin": testing.staff()}


def test_follow_ups_close_a_commitment_as_fulfilled_partly_or_broken(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    charter = _submitted(world)
    commitment = _commit(world, charter)
    follow = {"actor": None, "commitment": commitment, "today": datetime.date(2026, 8, 1)}
    services.follow_up_commitment(**follow, on=datetime.date(2026, 5, 1), note="Digging began on 400 m.")
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN
    assert commitment.is_overdue(datetime.date(2026, 7, 1))
    photo = SimpleUploadedFile("canal.jpg", b"\xff\xd8\xff\xe0 a photo", content_type="image/jpeg")
    services.follow_up_commitment(
        **follow,
        on=datetime.date(2026, 7, 5),
        note="1.2 km dug of 2 km.",
        outcome="partly_fulfilled",
        evidence=photo,
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.closed_on) == ("partly_fulfilled", datetime.date(2026, 7, 5))
    assert commitment.is_overdue(datetime.date(2026, 7, 6))  # partly fulfilled is not done
    world["canal"].refresh_from_db()
    assert world["canal"].status == Demand.Status.PARTLY_FULFILLED
    services.follow_up_commitment(
        **follow, on=datetime.date(2026, 7, 30), note="All 2 km dug.", outcome="fulfilled"
    )
    commitment.refresh_from_db()
    assert not commitment.is_overdue(datetime.date(2027, 1, 1))
    assert _steps(world["canal"])[-4:] == ["submitted", "committed", "partly_fulfilled", "fulfilled"]
    assert FollowUp.objects.filter(commitment=commitment).exclude(evidence="").count() == 1
    with pytest.raises(VoiceError, match="closed"):
        services.follow_up_commitment(**follow, on=datetime.date(2026, 7, 31), note="Again.")


def test_a_follow_up_needs_a_note_and_a_date_not_in_the_future_nor_before_the_commitment(world):
    commitment = _commit(world, _submitted(world))
    follow = {"actor": None, "commitment": commitment, "today": datetime.date(2026, 4, 1)}
    for on, note, field in [
        (datetime.date(2026, 4, 2), "x", "on"),
        (datetime.date(2026, 3, 9), "x", "on"),
        (datetime.date(2026, 3, 20), " ", "note"),
    ]:
        with pytest.raises(VoiceError) as error:
            services.follow_up_commitment(**follow, on=on, note=note)
        assert error.value.field == field
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(VoiceError) as error:
        services.follow_up_commitment(**follow, on=datetime.date(2026, 3, 20), note="x", evidence=bad)
    assert error.value.field == "evidence"
    assert not FollowUp.objects.exists()


# ----- scope ---------------------------------------------------------------------------------------


def test_a_leader_of_another_association_cannot_read_or_change_a_charter(world):
    charter = _submitted(world)
    outsider = testing.staff(Role.ASSOCIATION_LEADER, organisation=testing.group().parent)
    assert not services.charters_for(outsider).exists()
    assert not services.commitments_for(outsider).exists()
    with pytest.raises(VoiceError) as error:
        services.record_response(
            actor=outsider,
            item=charter.items.first(),
            kind=Response.Kind.REJECTED,
            reasons="No budget",
            responded_on=MARCH_1,
            today=MARCH_1,
        )
    assert error.value.code == "forbidden"
    viewer = testing.staff(Role.VIEWER, organisation=world["association"])
    assert services.charters_for(viewer).count() == 1
    with pytest.raises(VoiceError):
        _charter(world, actor=viewer, demands=[world["canal"]])


# ----- pages ---------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_leader_prepares_submits_and_records_a_commitment_through_the_pages(world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["association"])
    client = _client(leader)
    new = reverse("voice:charter_add") + f"?organisation={world['association'].pk}"
    page = client.get(new)
    assert page.status_code == 200 and "খাল পুনঃখনন" in page.text
    response = client.post(
        new,
        {
            "authority": world["parishad"].pk,
            "official": world["chairman"].pk,
            "subject": "Farmers' demands 2026",
            "language": "bn",
            f"priority_{world['canal'].pk}": "1",
            f"priority_{world['road'].pk}": "2",
        },
    )
    charter = Charter.objects.get()
    assert response.status_code == 302 and response.url == reverse("voice:charter_detail", args=[charter.pk])
    assert [i.demand for i in charter.items.all()] == [world["canal"], world["road"]]
    detail = reverse("voice:charter_detail", args=[charter.pk])
    response = client.post(
        detail,
        {"submit": "1", "submitted_on": "2026-03-01", "method": "letter", "official": world["chairman"].pk},
    )
    assert response.status_code == 302
    charter.refresh_from_db()
    assert charter.status == Charter.Status.SUBMITTED and charter.submitted_to == world["chairman"]
    item = charter.items.get(priority=1)
    response = client.post(
        reverse("voice:charter_respond", args=[charter.pk, item.pk]),
        {
            "kind": "committed",
            "responded_on": "2026-03-10",
            "official": world["chairman"].pk,
            "what": "Re-dig the canal",
            "due_on": "2026-06-30",
            "budget": "১,৫০,০০০.৫০",
            "responsible": "Ward member",
        },
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert commitment.budget_poisha == 15_000_050
    page = client.get(detail)
    assert "Re-dig the canal" in page.text and "৳150,000.50" in page.text
    letter = client.get(reverse("voice:charter_letter", args=[charter.pk]))
    assert letter["Content-Type"] == "application/pdf" and letter.content.startswith(b"%PDF-")
    response = client.post(
        reverse("voice:commitment_detail", args=[commitment.pk]),
        {"on": "2026-04-01", "note": "Work started", "outcome": ""},
    )
    assert response.status_code == 302 and commitment.follow_ups.count() == 1
    page = client.get(reverse("voice:commitment_detail", args=[commitment.pk]))
    assert "Work started" in page.text and "Re-dig the canal" in page.text


def test_a_bad_submission_on_the_page_names_the_field_and_saves_nothing(world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["association"])
    charter = _charter(world)
    page = _client(leader).post(
        reverse("voice:charter_detail", args=[charter.pk]),
        {"submit": "1", "submitted_on": "2026-03-01", "method": "letter"},
    )
    assert page.status_code == 200 and "Say who received the charter" in page.text
    charter.refresh_from_db()
    assert charter.status == Charter.Status.DRAFT


def test_the_commitments_list_flags_overdue_ones(world):
    charter = _submitted(world)
    _commit(world, charter, due_on=datetime.date(2026, 4, 30))
    page = _client(testing.staff()).get(reverse("voice:commitment_list") + "?overdue=1")
    # The machine's today is past 30 April 2026 only if the clock says so; the list follows it.
    today = datetime.date.today()
    assert page.status_code == 200
    assert ("overdue</span>" in page.text) is (today > datetime.date(2026, 4, 30))


def test_charter_pages_of_another_association_answer_404(world):
    charter = _submitted(world)
    commitment = _commit(world, charter)
    outsider = _client(testing.staff(Role.ASSOCIATION_LEADER, organisation=testing.group().parent))
    for url in (
        reverse("voice:charter_detail", args=[charter.pk]),
        reverse("voice:charter_letter", args=[charter.pk]),
        reverse("voice:charter_respond", args=[charter.pk, charter.items.first().pk]),
        reverse("voice:commitment_detail", args=[commitment.pk]),
    ):
        assert outsider.get(url).status_code == 404, url
    assert charter.subject not in outsider.get(reverse("voice:charter_list")).text


def test_list_pages_read_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for n in range(3):
        raise_demand(actor=None, organisation=world["association"], title=f"Demand {n}", category="roads")
    charter = _submitted(world)
    _commit(world, charter)
    client = _client(testing.staff())
    for name in ("voice:charter_list", "voice:commitment_list", "voice:authority_list"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200


def test_authorities_are_added_with_their_officials_through_the_pages(world):
    client = _client(testing.staff(Role.FACILITATOR, area=world["association"].area))
    response = client.post(
        reverse("voice:authority_add"),
        {
            "kind": "agriculture_block",
            "name_bn": "কৃষি ব্লক ৩",
            "code": "BLK-3",
            "area": world["association"].area.pk,
        },
    )
    block = Authority.objects.get(code="BLK-3")
    assert response.status_code == 302
    response = client.post(
        reverse("voice:authority_edit", args=[block.pk]),
        {"add_official": "1", "post": "SAAO", "name": "Nasrin"},
    )
    assert response.status_code == 302 and block.officials.get().name == "Nasrin"
    page = client.get(reverse("voice:authority_list"))
    assert "কৃষি ব্লক ৩" in page.text and "Nasrin, SAAO" in page.text


# ----- API -----------------------------------------------------------------------------------------


def _bearer(user) -> dict[str, str]:
    _token, key = registry_services.issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_reads_charters_and_records_a_response_audited_as_api(world):
    charter = _submitted(world)
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["association"])
    headers = _bearer(leader)
    client = Client()
    listed = client.get("/api/voice/charters", headers=headers).json()
    assert [c["id"] for c in listed["items"]] == [charter.pk]
    detail = client.get(f"/api/voice/charters/{charter.pk}", headers=headers).json()
    assert [i["priority"] for i in detail["items"]] == [1, 2]
    assert detail["items"][1]["endorsements"]["total"] == 6 and detail["received_by"] == str(
        world["chairman"]
    )
    item = charter.items.get(demand=world["road"])
    url = f"/api/voice/charters/{charter.pk}/items/{item.pk}/response"
    bad = client.post(
        url,
        {"kind": "rejected", "responded_on": "2026-03-05"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["field"] == "reasons"
    made = client.post(
        url,
        {"kind": "committed", "responded_on": "2026-03-05", "what": "Pave 500 m", "due_on": "2026-05-01",
         "budget_poisha": 5_000_000},
        content_type="application/json",
        headers=headers,
    )  # fmt: skip
    assert made.status_code == 201 and made.json()["kind"] == "committed"
    assert AuditEvent.objects.filter(object_type="voice.commitment", channel="api").count() == 1
    commitments = client.get("/api/voice/commitments?overdue=true", headers=headers).json()["items"]
    assert [c["what"] for c in commitments] == ["Pave 500 m"] and commitments[0]["overdue"] is True


def test_the_api_answers_404_for_another_associations_charter(world):
    charter = _submitted(world)
    headers = _bearer(testing.staff(Role.ASSOCIATION_LEADER, organisation=testing.group().parent))
    client = Client()
    assert client.get(f"/api/voice/charters/{charter.pk}", headers=headers).status_code == 404
    assert client.get("/api/voice/charters", headers=headers).json()["count"] == 0
    item = charter.items.first()
    response = client.post(
        f"/api/voice/charters/{charter.pk}/items/{item.pk}/response",
        {"kind": "rejected", "responded_on": "2026-03-05", "reasons": "No"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404 and not Response.objects.exists()


# ----- changing a draft's demands ------------------------------------------------------------------


def _well(world) -> Demand:
    return raise_demand(actor=None, organisation=world["association"], title="নলকূপ", category="roads")


def test_a_demand_added_to_a_draft_takes_its_priority_and_those_after_move_down(world):
    charter = _charter(world)
    well = _well(world)
    services.add_to_charter(actor=None, charter=charter, demand=well, priority=1)
    assert [(i.priority, i.demand_id) for i in charter.items.order_by("priority")] == [
        (1, well.pk),
        (2, world["road"].pk),
        (3, world["canal"].pk),
    ]
    well.refresh_from_db()
    assert well.status == Demand.Status.IN_CHARTER
    assert _steps(well) == ["raised", "in_charter"]
    audit = AuditEvent.objects.filter(object_type="voice.charter", object_id=charter.pk).latest("pk")
    assert audit.changes == {
        "demands": [[world["road"].pk, world["canal"].pk], [well.pk, world["road"].pk, world["canal"].pk]]
    }


def test_a_demand_added_without_a_priority_comes_last_and_a_priority_past_the_end_is_refused(world):
    charter = _charter(world, demands=[world["canal"]])
    with pytest.raises(VoiceError) as error:
        services.add_to_charter(actor=None, charter=charter, demand=world["road"], priority=3)
    assert error.value.field == "priority"
    services.add_to_charter(actor=None, charter=charter, demand=world["road"])
    assert [i.demand for i in charter.items.order_by("priority")] == [world["canal"], world["road"]]
    with pytest.raises(VoiceError) as error:
        services.add_to_charter(actor=None, charter=charter, demand=world["road"])
    assert error.value.field == "demand"


def test_a_demand_taken_out_of_a_draft_is_open_again_and_the_priorities_close_the_gap(world):
    well = _well(world)
    charter = _charter(world, demands=[world["road"], well, world["canal"]])
    services.remove_from_charter(actor=None, charter=charter, demand=well)
    assert [(i.priority, i.demand_id) for i in charter.items.order_by("priority")] == [
        (1, world["road"].pk),
        (2, world["canal"].pk),
    ]
    well.refresh_from_db()
    assert well.status == Demand.Status.RAISED
    last = DemandEvent.objects.filter(demand=well).latest("pk")
    assert last.kind == "out_of_charter" and last.note.startswith("Taken out of the charter")
    assert AuditEvent.objects.filter(object_type="voice.demand", object_id=well.pk).latest("pk").changes == {
        "status": ["in_charter", "raised"]
    }
    # Taken out, it may go into a charter again.
    services.add_to_charter(actor=None, charter=charter, demand=well)
    assert charter.items.count() == 3


def test_a_submitted_charter_keeps_its_demands_and_a_draft_keeps_at_least_one(world):
    draft = _charter(world, demands=[world["canal"]])
    with pytest.raises(VoiceError):
        services.remove_from_charter(actor=None, charter=draft, demand=world["canal"])
    draft.delete()
    world["canal"].status = Demand.Status.RAISED
    world["canal"].save()
    charter = _submitted(world)
    well = _well(world)
    for change in (
        lambda: services.add_to_charter(actor=None, charter=charter, demand=well),
        lambda: services.remove_from_charter(actor=None, charter=charter, demand=world["road"]),
    ):
        with pytest.raises(VoiceError) as error:
            change()
        assert error.value.field == "demand"
    assert charter.items.count() == 2


def test_a_leader_adds_and_takes_out_demands_on_the_charter_page(world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["association"])
    client = _client(leader)
    charter = _charter(world, actor=leader, demands=[world["canal"]])
    detail = reverse("voice:charter_detail", args=[charter.pk])
    page = client.get(detail)
    assert "Add a demand" in page.text and "গ্রামের রাস্তা পাকা করা" in page.text
    response = client.post(detail, {"add": "1", "demand": world["road"].pk, "priority": "1"})
    assert response.status_code == 302
    assert [i.demand for i in charter.items.order_by("priority")] == [world["road"], world["canal"]]
    response = client.post(detail, {"remove": "1", "demand": world["canal"].pk}, follow=True)
    assert "taken out of the charter" in response.text
    assert [i.demand for i in charter.items.all()] == [world["road"]]
    refused = client.post(detail, {"remove": "1", "demand": world["road"].pk}, follow=True)
    assert "A charter keeps at least one demand." in refused.text and charter.items.count() == 1
    outsider = _client(testing.staff(Role.ASSOCIATION_LEADER, organisation=testing.group().parent))
    assert outsider.post(detail, {"add": "1", "demand": world["canal"].pk}).status_code == 404


# ----- correcting a response -----------------------------------------------------------------------


def test_a_commitment_recorded_by_mistake_is_corrected_to_a_rejection_audited_before_and_after(world):
    charter = _submitted(world)
    commitment = _commit(world, charter)
    response = commitment.response
    services.correct_response(
        actor=None,
        response=response,
        kind=Response.Kind.REJECTED,
        responded_on=datetime.date(2026, 3, 10),
        official=world["chairman"],
        reasons="No budget this year",
        why="The chairman refused; it was typed as a commitment",
        today=datetime.date(2026, 3, 12),
    )
    response.refresh_from_db()
    assert response.kind == Response.Kind.REJECTED and response.reasons == "No budget this year"
    assert not Commitment.objects.exists()
    canal = Demand.objects.get(pk=world["canal"].pk)
    assert canal.status == Demand.Status.REJECTED
    assert _steps(canal)[-2:] == ["committed", "rejected"]
    assert DemandEvent.objects.filter(demand=canal).latest("pk").note.startswith("Corrected (")
    audit = AuditEvent.objects.filter(object_type="voice.response", action="update").get()
    assert audit.changes["kind"] == ["committed", "rejected"]
    assert audit.changes["commitment.what"] == ["Re-dig 2 km of the canal before the boro season", None]
    assert audit.note == "The chairman refused; it was typed as a commitment"


def test_a_rejection_corrected_to_a_commitment_makes_the_commitment(world):
    charter = _submitted(world)
    item = charter.items.get(demand=world["road"])
    response = services.record_response(
        actor=None, item=item, kind="rejected", reasons="No", responded_on=MARCH_1, today=MARCH_1
    )
    services.correct_response(
        actor=None,
        response=response,
        kind=Response.Kind.COMMITTED,
        responded_on=MARCH_1,
        what="Pave 500 m",
        due_on=datetime.date(2026, 5, 1),
        budget_poisha=5_000_000,
        why="Wrong line of the minutes",
        today=MARCH_1,
    )
    commitment = Commitment.objects.get()
    assert (commitment.demand, commitment.what, commitment.budget_poisha) == (
        world["road"],
        "Pave 500 m",
        5_000_000,
    )
    assert Demand.objects.get(pk=world["road"].pk).status == Demand.Status.COMMITTED


def test_a_response_cannot_be_corrected_once_its_commitment_is_followed_up_nor_without_a_reason(world):
    charter = _submitted(world)
    commitment = _commit(world, charter)
    arguments = {
        "actor": None,
        "response": commitment.response,
        "kind": Response.Kind.REJECTED,
        "responded_on": datetime.date(2026, 3, 10),
        "reasons": "No budget",
        "today": datetime.date(2026, 4, 2),
    }
    with pytest.raises(VoiceError) as error:
        services.correct_response(**arguments, why=" ")
    assert error.value.field == "why"
    services.follow_up_commitment(
        actor=None,
        commitment=commitment,
        on=datetime.date(2026, 4, 1),
        note="Work started",
        today=datetime.date(2026, 4, 1),
    )
    with pytest.raises(VoiceError) as error:
        services.correct_response(**arguments, why="Typed wrongly")
    assert error.value.field == "kind"
    assert Response.objects.get().kind == Response.Kind.COMMITTED


def test_a_leader_corrects_a_response_on_its_page_and_an_outsider_gets_404(world):
    charter = _submitted(world)
    commitment = _commit(world, charter)
    item = commitment.response.item
    url = reverse("voice:charter_correct_response", args=[charter.pk, item.pk])
    leader = _client(testing.staff(Role.ASSOCIATION_LEADER, organisation=world["association"]))
    page = leader.get(url)
    assert page.status_code == 200 and "Re-dig 2 km of the canal" in page.text and "150000.00" in page.text
    response = leader.post(
        url,
        {
            "why": "Due date misread",
            "kind": "committed",
            "responded_on": "2026-03-10",
            "official": world["chairman"].pk,
            "what": "Re-dig 2 km of the canal before the boro season",
            "due_on": "2026-07-31",
            "budget": "150000",
        },
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.due_on == datetime.date(2026, 7, 31) and commitment.responsible == ""
    outsider = _client(testing.staff(Role.ASSOCIATION_LEADER, organisation=testing.group().parent))
    assert outsider.get(url).status_code == 404


def test_the_demand_page_shows_its_commitments_with_their_date_status_and_overdue_flag(world):
    charter = _submitted(world)
    commitment = _commit(world, charter, due_on=datetime.date(2026, 3, 20))
    page = _client(testing.staff()).get(reverse("voice:demand_detail", args=[world["canal"].pk]))
    assert page.status_code == 200
    assert "Re-dig 2 km of the canal before the boro season" in page.text
    assert reverse("voice:commitment_detail", args=[commitment.pk]) in page.text
    assert "2026-03-20" in page.text and "in progress" in page.text
    assert ('<span class="badge warn">overdue</span>' in page.text) is commitment.is_overdue()
    other = _client(testing.staff()).get(reverse("voice:demand_detail", args=[world["road"].pk]))
    assert 'id="commitments"' not in other.text


def test_the_api_records_a_follow_up_that_closes_a_commitment_audited_as_api(world):
    charter = _submitted(world)
    commitment = _commit(world, charter)
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["association"])
    headers = _bearer(leader)
    client = Client()
    url = f"/api/voice/commitments/{commitment.pk}/follow-ups"
    bad = client.post(
        url, {"date": "2026-04-01", "note": " "}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 400 and bad.json()["field"] == "note"
    made = client.post(
        url,
        {"date": "2026-04-01", "note": "Canal re-dug", "outcome": "fulfilled"},
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201
    assert made.json() == {
        "id": FollowUp.objects.get().pk,
        "commitment": commitment.pk,
        "date": "2026-04-01",
        "note": "Canal re-dug",
        "outcome": "fulfilled",
        "commitment_status": "fulfilled",
    }
    assert Demand.objects.get(pk=world["canal"].pk).status == Demand.Status.FULFILLED
    assert AuditEvent.objects.filter(object_type="voice.followup", channel="api").count() == 1
    closed = client.post(
        url, {"date": "2026-04-02", "note": "Again"}, content_type="application/json", headers=headers
    )
    assert closed.status_code == 400 and closed.json()["field"] == "outcome"
    outsider = _bearer(testing.staff(Role.ASSOCIATION_LEADER, organisation=testing.group().parent))
    response = client.post(
        url, {"date": "2026-04-02", "note": "X"}, content_type="application/json", headers=outsider
    )
    assert response.status_code == 404 and FollowUp.objects.count() == 1
