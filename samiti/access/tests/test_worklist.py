"""The work list: who is listed, in what order, its filters, pages, exports (audited, sensitive
columns by role), scope, and the API."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from samiti.access import queries
from samiti.access.models import Application, Finding
from samiti.access.services import screening as service
from samiti.access.tests.test_screening import household, make_scheme, receiving
from samiti.access.views import worklist as views
from samiti.core.models import AuditEvent
from samiti.registry import testing
from samiti.registry.models import Member, Role
from samiti.registry.services import issue_api_token

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 6, 1)
ELDERLY = "age >= 60 and household_income < 100000"


@pytest.fixture
def place():
    """An association with two groups in two unions; pensioners with different incomes."""
    north, south = testing.union(), testing.union()
    association = testing.organisation(
        "association", testing.organisation("federation", place=north), place=north
    )
    first, second = testing.group(association, place=north), testing.group(association, place=south)
    oaa = make_scheme("oaa", ELDERLY, value_per_year=720_000)
    vgf = make_scheme("vgf", "age >= 60 and land_owned < 50", value_per_year=100_000)

    def pensioner(group, name, size, income_taka, **facts):
        home = household(group, size, income_taka)
        return testing.member(group, name_en=name, birth_year=1950, household=home, **facts)

    members = {
        "poorest": pensioner(first, "Poorest", 5, 10_000, land_owned=0),  # Tk 2,000 a head
        "poor": pensioner(first, "Poor", 2, 10_000, land_owned=10),  # Tk 5,000 a head
        "unknown": pensioner(second, "Unknown income", None, None, land_owned=0),
        "richer": pensioner(second, "Richer", 1, 90_000),  # land not recorded
        "young": testing.member(first, name_en="Young", birth_year=2000, household=household(first)),
    }
    service.screen(Member.objects.all(), ON, None, "everyone")
    return {"association": association, "first": first, "second": second, "oaa": oaa, "vgf": vgf, **members}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _listed(response) -> list[tuple[str, str]]:
    return [(item.member.name_en, item.scheme.code) for item in response.context["items"]]


def test_the_work_list_is_ordered_by_the_benefit_as_a_share_of_income_per_person_unknown_last(place):
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    response = _client(facilitator).get(reverse("access:worklist"))
    assert _listed(response) == [
        ("Poorest", "oaa"),  # 7,200 / 2,000 = 360 %
        ("Poor", "oaa"),  # 7,200 / 5,000 = 144 %
        ("Poorest", "vgf"),  # 1,000 / 2,000 = 50 %
        ("Poor", "vgf"),  # 20 %
        ("Richer", "oaa"),  # 7,200 / 90,000 = 8 %
        ("Unknown income", "vgf"),  # income not recorded: after all known, by value
    ]
    shares = [item.share for item in response.context["items"]]
    assert shares[:2] == [3.6, 1.44] and shares[-1] is None
    text = response.content.decode()
    assert "income not recorded" in text and "360%" in text
    assert "share of the household's income per person" in text
    start = reverse("access:application_new", args=[place["poorest"].pk]) + "?scheme=oaa"
    assert start in text and reverse("access:member", args=[place["poorest"].pk]) in text


def test_members_receiving_are_left_out_even_after_the_screening(place):
    receiving(place["poorest"], place["oaa"])  # started receiving after the screening
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    listed = _listed(_client(facilitator).get(reverse("access:worklist")))
    assert ("Poorest", "oaa") not in listed and ("Poorest", "vgf") in listed


def test_an_application_under_way_is_linked_instead_of_starting_another(place):
    application = Application.objects.create(
        member=place["poor"],
        scheme=place["oaa"],
        association=place["association"],
        status=Application.Status.SUBMITTED,
        identified_on=ON,
        updated_on=ON,
    )
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    response = _client(facilitator).get(reverse("access:worklist"))
    item = next(i for i in response.context["items"] if (i.member, i.scheme) == (place["poor"], place["oaa"]))
    assert item.application == application
    assert reverse("access:application", args=[application.pk]) in response.content.decode()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"scheme": "vgf"}, [("Poorest", "vgf"), ("Poor", "vgf"), ("Unknown income", "vgf")]),
        ({"group": "second"}, [("Richer", "oaa"), ("Unknown income", "vgf")]),
        ({"union": "south"}, [("Richer", "oaa"), ("Unknown income", "vgf")]),
        ({"result": "cannot_tell"}, [("Richer", "vgf"), ("Unknown income", "oaa")]),
        ({"result": "cannot_tell", "scheme": "oaa", "group": "second"}, [("Unknown income", "oaa")]),
    ],
)
def test_the_work_list_filters_by_scheme_group_union_and_result(place, filters, expected):
    values = {
        "scheme": lambda code: place[code].pk,
        "group": lambda name: place[name].pk,
        "union": lambda name: place["first" if name == "north" else "second"].area_id,
        "result": lambda value: value,
    }
    query = {key: values[key](value) for key, value in filters.items()}
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    assert _listed(_client(facilitator).get(reverse("access:worklist"), query)) == expected


def test_cannot_tell_lists_the_facts_to_collect(place):
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    response = _client(facilitator).get(reverse("access:worklist"), {"result": "cannot_tell"})
    to_collect = {(i.member.name_en, i.scheme.code): i.to_collect for i in response.context["items"]}
    assert to_collect == {
        ("Richer", "vgf"): ["land owned"],
        ("Unknown income", "oaa"): ["household income per year"],
    }
    assert "Facts to collect" in response.content.decode()


def test_the_work_list_pages_and_counts_up_to_a_cap(place, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    client = _client(facilitator)
    first = client.get(reverse("access:worklist"))
    second = client.get(reverse("access:worklist"), {"page": 2})
    assert (first.context["has_next"], first.context["pages"], first.context["total"]) == (True, 2, 6)
    assert _listed(first)[-1] == ("Poor", "vgf") and _listed(second) == [
        ("Richer", "oaa"),
        ("Unknown income", "vgf"),
    ]
    assert not second.context["has_next"]
    monkeypatch.setattr(queries, "COUNT_CAP", 5)
    capped = client.get(reverse("access:worklist"))
    assert capped.context["capped"] and capped.context["pages"] is None
    assert "5 or more" in capped.content.decode()


def test_the_work_list_page_takes_the_same_queries_whatever_its_length(place, django_assert_max_num_queries):
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    client = _client(facilitator)
    client.get(reverse("access:worklist"))  # sessions and caches warm
    with django_assert_max_num_queries(12):
        client.get(reverse("access:worklist"), {"result": "cannot_tell"})


# ----- scope -------------------------------------------------------------------------------------


def test_a_group_leader_sees_only_their_group_and_another_group_answers_404(place):
    leader = testing.staff(Role.GROUP_LEADER, organisation=place["first"])
    client = _client(leader)
    listed = _listed(client.get(reverse("access:worklist")))
    assert {name for name, _code in listed} == {"Poorest", "Poor"}
    assert client.get(reverse("access:worklist"), {"group": place["second"].pk}).status_code == 404
    outsider = testing.staff(Role.FACILITATOR, organisation=testing.group().parent)
    assert _listed(_client(outsider).get(reverse("access:worklist"))) == []
    assert _client(outsider).get(reverse("access:worklist"), {"group": place["first"].pk}).status_code == 404


# ----- exports -----------------------------------------------------------------------------------


def test_the_csv_export_follows_the_list_and_is_audited(place):
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    response = _client(facilitator).get(
        reverse("access:worklist_export", args=["csv"]), {"scheme": place["oaa"].pk}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["name"], r["scheme_code"], r["share_of_income_percent"]) for r in rows] == [
        ("Poorest", "oaa", "360.0"),
        ("Poor", "oaa", "144.0"),
        ("Richer", "oaa", "8.0"),
    ]
    assert rows[0]["national_id"] == "" and "has_disability" in rows[0]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.object_type) == (facilitator, "access.finding")
    assert "csv, 3 rows" in event.note and f"scheme={place['oaa'].pk}" in event.note


def test_sensitive_columns_are_left_out_for_a_role_that_does_not_see_them(place):
    Member.objects.filter(pk=place["poorest"].pk).update(national_id="1234567890", ethnicity="garo")
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=place["association"])
    response = _client(leader).get(reverse("access:worklist_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert not {"national_id", "ethnicity", "has_disability"} & set(header)
    assert sheet.max_row == 7  # the header and the six lines
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=leader).count() == 1
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    response = _client(facilitator).get(reverse("access:worklist_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["name"], first["national_id"], first["ethnicity"]) == ("Poorest", "1234567890", "garo")


# ----- API ---------------------------------------------------------------------------------------


def test_the_api_gives_the_work_list_in_order_filtered_and_paged(client, place):
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])
    _token, key = issue_api_token(user=facilitator, name="test")
    headers = {"Authorization": f"Bearer {key}"}
    body = client.get("/api/access/worklist", {"page_size": 4}, headers=headers).json()
    assert body["count"] == 6
    assert [(i["name"], i["scheme"]) for i in body["items"]] == [
        ("Poorest", "oaa"),
        ("Poor", "oaa"),
        ("Poorest", "vgf"),
        ("Poor", "vgf"),
    ]
    assert body["items"][0]["share_of_income"] == 3.6 and body["items"][0]["income_per_person"] == 2000
    unknown = client.get(
        "/api/access/worklist", {"result": "cannot_tell", "scheme": "oaa"}, headers=headers
    ).json()["items"]
    assert [(i["name"], i["facts_to_collect"]) for i in unknown] == [
        ("Unknown income", ["household income per year"])
    ]
    union = place["second"].area.code
    south = client.get("/api/access/worklist", {"union": union}, headers=headers).json()["items"]
    assert {i["name"] for i in south} == {"Richer", "Unknown income"}
    stranger = testing.group()
    assert client.get("/api/access/worklist", {"group": stranger.pk}, headers=headers).status_code == 404
    assert client.get("/api/access/worklist", {"scheme": "nope"}, headers=headers).status_code == 404
    assert Finding.objects.count() == 8  # the API read; it wrote nothing


def test_a_scheme_whose_answer_tells_a_disability_is_shown_only_to_roles_that_see_it(place):
    """A group leader does not see sensitive data: "likely eligible for the disability allowance"
    would tell them a member's disability, so that scheme is left off their work list, the
    member's page and the API; a facilitator sees it."""
    disability = make_scheme("disability", "has_disability and income_per_person < 36000", value_per_year=1)
    group = place["first"]
    home = household(group, 2, 20_000)
    member = testing.member(group, name_en="Needs a ramp", household=home, wg_walking=3)
    service.screen(Member.objects.filter(pk=member.pk), ON, None, "one")
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["association"])

    def seen(user) -> tuple[bool, bool, bool]:
        client = _client(user)
        listed = queries.worklist(user, scheme=disability).filter(member=member).exists()
        page = client.get(reverse("access:member", args=[member.pk]), {"on": ON.isoformat()}).content.decode()
        token = issue_api_token(user=user, name="t")[1]
        api = client.get(
            f"/api/access/members/{member.pk}/schemes",
            {"on": ON.isoformat()},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        return listed, 'id="scheme-disability"' in page, "disability" in [s["scheme"] for s in api["schemes"]]

    assert seen(facilitator) == (True, True, True)
    assert seen(leader) == (False, False, False)
    leader_page = _client(leader).get(reverse("access:member", args=[member.pk]), {"on": ON.isoformat()})
    assert "1 scheme is not shown" in leader_page.content.decode()
