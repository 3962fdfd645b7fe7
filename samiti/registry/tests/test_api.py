"""The JSON API: bearer tokens, scope, sensitive fields, writes through services, errors."""

import datetime
import io

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.core.models import AuditEvent
from samiti.registry import queries, services, testing
from samiti.registry.models import ApiToken, Member, Role, farmer_category, has_disability

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _token, key = services.issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def patch(client, url, data, headers):
    return client.patch(url, data, content_type="application/json", headers=headers)


@pytest.fixture
def world():
    """One association with two groups, a member in each, and another federation's member."""
    association = testing.organisation("association", testing.organisation("federation"))
    group_a = testing.organisation("group", association)
    group_b = testing.organisation("group", association)
    return {
        "association": association,
        "group_a": group_a,
        "group_b": group_b,
        "member_a": testing.member(
            group_a,
            national_id="1990123456789",
            ethnicity="garo",
            wg_walking=3,
            phone="01712345678",
            marital_status="widowed",
            pregnant=False,
            occupation="agri_labourer",
        ),
        "member_b": testing.member(group_b, national_id="1234567890"),
        "elsewhere": testing.member(),
    }


def leader_of(group) -> object:
    return testing.staff(Role.GROUP_LEADER, organisation=group)


# ----- authentication ----------------------------------------------------------------------------


def test_a_request_without_a_token_is_refused_with_401(client):
    response = client.get("/api/members")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_token_is_refused_with_401(client):
    assert client.get("/api/members", headers={"Authorization": "Bearer smt_nonsense"}).status_code == 401
    assert client.get("/api/members", headers={"Authorization": "Token smt_nonsense"}).status_code == 401


def test_a_revoked_token_is_refused_with_401(client):
    user = testing.staff()
    token, key = services.issue_api_token(user=user)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/members", headers=headers).status_code == 200
    services.revoke_api_token(user=user, token=token)
    assert client.get("/api/members", headers=headers).status_code == 401


def test_a_token_of_a_deactivated_account_is_refused_with_401(client):
    user = testing.staff()
    headers = bearer(user)
    user.is_active = False
    user.save()
    assert client.get("/api/members", headers=headers).status_code == 401


def test_a_good_token_is_accepted_and_its_last_use_recorded(client):
    user = testing.staff()
    token, key = services.issue_api_token(user=user)
    assert token.last_used_at is None
    response = client.get("/api/members", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < datetime.timedelta(minutes=1)


def test_a_logged_in_session_does_not_open_the_api(client):
    client.force_login(testing.staff())
    assert client.get("/api/members").status_code == 401


def test_a_bearer_token_needs_no_csrf_token_to_write(world):
    client = Client(enforce_csrf_checks=True)
    headers = bearer(leader_of(world["group_a"]))
    response = post(
        client, "/api/members", {"name_en": "Rahima", "sex": "F", "group": world["group_a"].pk}, headers
    )
    assert response.status_code == 201, response.content


def test_the_create_api_token_command_prints_a_token_that_works(client):
    user = testing.staff(username="mna")
    out = io.StringIO()
    call_command("create_api_token", "mna", "--name", "KoboToolbox sync", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    assert key.startswith("smt_")
    assert ApiToken.objects.get(user=user).name == "KoboToolbox sync"
    assert client.get("/api/members", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_the_create_api_token_command_refuses_an_unknown_account():
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO())


# ----- scope -------------------------------------------------------------------------------------


def test_a_group_leader_gets_404_for_another_groups_member_on_read_and_patch(client, world):
    headers = bearer(leader_of(world["group_a"]))
    other = world["member_b"]
    assert client.get(f"/api/members/{world['member_a'].pk}", headers=headers).status_code == 200
    response = client.get(f"/api/members/{other.pk}", headers=headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert patch(client, f"/api/members/{other.pk}", {"name_en": "Changed"}, headers).status_code == 404
    other.refresh_from_db()
    assert other.name_en != "Changed"


def test_the_member_list_of_a_group_leader_shows_only_its_group(client, world):
    testing.member(world["group_a"])
    response = client.get("/api/members", headers=bearer(leader_of(world["group_a"])))
    body = response.json()
    assert body["count"] == 2
    assert {m["group"] for m in body["items"]} == {world["group_a"].pk}


def test_a_group_leader_cannot_move_a_member_into_another_group(client, world):
    headers = bearer(leader_of(world["group_a"]))
    member = world["member_a"]
    response = patch(client, f"/api/members/{member.pk}", {"group": world["group_b"].pk}, headers)
    assert response.status_code == 422
    assert response.json()["field"] == "group"
    member.refresh_from_db()
    assert member.group == world["group_a"]


def test_organisations_outside_the_scope_are_neither_listed_nor_readable(client, world):
    headers = bearer(leader_of(world["group_a"]))
    listed = client.get("/api/organisations", headers=headers).json()
    assert [o["id"] for o in listed["items"]] == [world["group_a"].pk]
    assert client.get(f"/api/organisations/{world['group_b'].pk}", headers=headers).status_code == 404
    response = patch(client, f"/api/organisations/{world['group_b'].pk}", {"name_en": "Mine"}, headers)
    assert response.status_code == 404


def test_a_filter_naming_an_organisation_outside_the_scope_is_refused(client, world):
    headers = bearer(leader_of(world["group_a"]))
    response = client.get(f"/api/members?organisation={world['group_b'].pk}", headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "organisation"


# ----- sensitive fields --------------------------------------------------------------------------

SENSITIVE = {
    "ethnicity",
    "is_ethnic_minority",
    "has_disability",
    "marital_status",
    "pregnant",
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.GROUP_LEADER])
def test_sensitive_fields_are_hidden_and_the_national_id_masked_for_roles_that_need_neither(
    client, world, role
):
    headers = bearer(testing.staff(role, organisation=world["group_a"]))
    member = world["member_a"]
    one = client.get(f"/api/members/{member.pk}", headers=headers).json()
    listed = client.get("/api/members", headers=headers).json()["items"][0]
    for body in (one, listed):
        assert not SENSITIVE & set(body)
        assert body["national_id"] == "••••••••••789"
        assert body["phone"] == "+8801712345678"
        assert body["occupation"] == "agri_labourer"  # not sensitive


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PROGRAMME_ADMIN])
def test_sensitive_fields_are_shown_to_facilitators_and_programme_admins(client, world, role):
    headers = bearer(testing.staff(role, organisation=world["association"]))
    member = world["member_a"]
    one = client.get(f"/api/members/{member.pk}", headers=headers).json()
    listed = client.get(f"/api/members?organisation={world['group_a'].pk}", headers=headers).json()
    for body in (one, listed["items"][0]):
        assert body["national_id"] == "1990123456789"
        assert body["ethnicity"] == "garo"
        assert body["is_ethnic_minority"] is True
        assert body["has_disability"] is True
        assert body["wg_walking"] == 3
        assert (body["marital_status"], body["pregnant"], body["occupation"]) == (
            "widowed",
            False,
            "agri_labourer",
        )


def test_a_role_without_sensitive_data_cannot_filter_or_write_by_it(client, world):
    headers = bearer(leader_of(world["group_a"]))
    response = client.get("/api/members?disability=yes", headers=headers)
    assert response.status_code == 403
    assert response.json()["field"] == "disability"
    url = f"/api/members/{world['member_a'].pk}"
    response = patch(client, url, {"national_id": "1234567890"}, headers)
    assert (response.status_code, response.json()["field"]) == (403, "national_id")
    for field, value in (("marital_status", "deserted"), ("pregnant", True)):
        response = patch(client, url, {field: value}, headers)
        assert (response.status_code, response.json()["field"]) == (403, field)


# ----- writes ------------------------------------------------------------------------------------


def test_creating_a_member_through_the_api_writes_an_audit_event_with_channel_api(client, world):
    leader = leader_of(world["group_a"])
    data = {"name_bn": "রহিমা খাতুন", "sex": "F", "group": world["group_a"].pk, "main_crops": ["rice"]}
    response = post(client, "/api/members", data, bearer(leader))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["association"] == world["association"].pk
    assert body["code"].startswith(world["group_a"].code)
    event = AuditEvent.objects.get(object_type="registry.member", object_id=body["id"])
    assert (event.action, event.channel, event.actor) == ("create", "api", leader)


def test_updating_a_member_through_the_api_changes_only_the_fields_sent_and_audits_them(client, world):
    leader = leader_of(world["group_a"])
    member = world["member_a"]
    response = patch(client, f"/api/members/{member.pk}", {"land_cultivated": 120}, bearer(leader))
    assert response.status_code == 200, response.content
    assert response.json()["farmer_category"] == "small"
    member.refresh_from_db()
    assert (member.land_cultivated, member.national_id, member.ethnicity) == (120, "1990123456789", "garo")
    event = AuditEvent.objects.filter(object_id=member.pk, action="update").get()
    assert event.channel == "api"
    assert event.changes == {"land_cultivated": [None, 120]}


def test_a_bad_phone_is_refused_naming_the_phone_field(client, world):
    headers = bearer(leader_of(world["group_a"]))
    data = {"name_en": "Rahima", "sex": "F", "group": world["group_a"].pk, "phone": "12345"}
    response = post(client, "/api/members", data, headers)
    assert response.status_code == 400
    assert response.json()["code"] == "registry"
    assert response.json()["field"] == "phone"
    assert response.json()["message"]
    response = patch(client, f"/api/members/{world['member_a'].pk}", {"phone": "not a phone"}, headers)
    assert (response.status_code, response.json()["field"]) == (400, "phone")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sex": "X"}, "sex"),
        ({"main_crops": ["rice", "opium"]}, "main_crops"),
        ({"name_en": "x" * 151}, "name_en"),
        ({"land_owned": -1}, "land_owned"),
        ({"birth_date": "yesterday"}, "birth_date"),
        ({"group": 999_999}, "group"),
        ({"area": "NO-SUCH-AREA"}, "area"),
    ],
)
def test_an_invalid_payload_answers_422_naming_the_field(client, world, change, field):
    data = {"name_en": "Rahima", "sex": "F", "group": world["group_a"].pk} | change
    response = post(client, "/api/members", data, bearer(leader_of(world["group_a"])))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    ("change", "field"),
    [({"name_en": "x" * 151}, "name_en"), ({"sex": "X"}, "sex"), ({"group": None}, "group")],
)
def test_a_patch_keeps_the_payload_rules_of_a_create(client, world, change, field):
    url = f"/api/members/{world['member_a'].pk}"
    response = patch(client, url, change, bearer(leader_of(world["group_a"])))
    assert (response.status_code, response.json()["field"]) == (422, field)


def test_a_service_rule_broken_through_the_api_answers_400_naming_the_field(client, world):
    data = {"name_en": "Rahima", "sex": "F", "group": world["group_a"].pk, "left_on": "2024-01-01"}
    response = post(client, "/api/members", data, bearer(leader_of(world["group_a"])))
    assert (response.status_code, response.json()["field"]) == (400, "leaving_reason")


def test_a_viewer_may_read_but_not_write(client, world):
    headers = bearer(testing.staff(Role.VIEWER, organisation=world["group_a"]))
    member = world["member_a"]
    assert client.get(f"/api/members/{member.pk}", headers=headers).status_code == 200
    data = {"name_en": "Rahima", "sex": "F", "group": world["group_a"].pk}
    response = post(client, "/api/members", data, headers)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert patch(client, f"/api/members/{member.pk}", {"name_en": "X"}, headers).status_code == 403
    url = f"/api/organisations/{world['group_a'].pk}"
    assert patch(client, url, {"name_en": "X"}, headers).status_code == 403
    assert not AuditEvent.objects.filter(channel="api").exists()


def test_an_association_leader_founds_and_renames_a_group_through_the_api(client, world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["association"])
    headers = bearer(leader)
    data = {
        "kind": "group",
        "code": "GRP-NEW",
        "name_en": "Padma women's group",
        "parent": world["association"].pk,
        "area": world["association"].area.code,
    }
    response = post(client, "/api/organisations", data, headers)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["kind"], created["parent"], created["status"]) == (
        "group",
        world["association"].pk,
        "active",
    )
    response = patch(client, f"/api/organisations/{created['id']}", {"name_bn": "পদ্মা মহিলা দল"}, headers)
    assert response.json()["name_bn"] == "পদ্মা মহিলা দল"
    channels = AuditEvent.objects.filter(object_type="registry.organisation", object_id=created["id"])
    assert list(channels.values_list("action", "channel")) == [("update", "api"), ("create", "api")]


def test_an_organisation_cannot_be_founded_under_a_parent_outside_the_scope(client, world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["association"])
    elsewhere = world["elsewhere"].association
    data = {
        "kind": "group",
        "code": "GRP-X",
        "name_en": "X",
        "parent": elsewhere.pk,
        "area": elsewhere.area.code,
    }
    response = post(client, "/api/organisations", data, bearer(leader))
    assert (response.status_code, response.json()["field"]) == (422, "parent")


def test_a_group_without_an_association_is_refused_by_the_service_rule(client, world):
    data = {"kind": "group", "code": "GRP-Y", "name_en": "Y", "area": world["association"].area.code}
    response = post(client, "/api/organisations", data, bearer(testing.staff()))
    assert (response.status_code, response.json()["field"]) == (400, "parent")


# ----- areas -------------------------------------------------------------------------------------


def test_areas_are_listed_by_level_and_parent_and_read_by_code(client):
    district = testing.area("district", testing.area("division"))
    upazila = testing.area("upazila", district)
    union = testing.area("union", upazila, name_bn="বাদিয়াখালী")
    headers = bearer(testing.staff(Role.VIEWER))
    unions = client.get("/api/areas?level=union", headers=headers).json()
    assert [a["code"] for a in unions["items"]] == [union.code]
    children = client.get(f"/api/areas?parent={district.code}", headers=headers).json()
    assert [a["code"] for a in children["items"]] == [upazila.code]
    one = client.get(f"/api/areas/{union.code}", headers=headers).json()
    assert (one["level"], one["parent"], one["name_bn"]) == ("union", upazila.code, "বাদিয়াখালী")
    assert client.get("/api/areas/NOWHERE", headers=headers).status_code == 404


# ----- documentation and performance -------------------------------------------------------------


def test_the_openapi_document_lists_the_paths(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Samiti API"
    for url in (
        "/api/members",
        "/api/members/{member_id}",
        "/api/organisations",
        "/api/organisations/{organisation_id}",
        "/api/areas",
        "/api/areas/{code}",
    ):
        assert url in document["paths"]
    assert set(document["paths"]["/api/members/{member_id}"]) == {"get", "patch"}
    assert "bearer" in str(document["components"]["securitySchemes"]).lower()


def test_the_docs_page_is_served_without_a_cdn_or_not_at_all(client):
    # Swagger from a CDN would break under our Content-Security-Policy; ninja serves its own
    # copy only when it is an installed app, and the docs page exists only then.
    response = client.get("/api/docs")
    if "ninja" in django_settings.INSTALLED_APPS:
        assert response.status_code == 200
        assert "cdn" not in response.content.decode()
    else:
        assert response.status_code == 404


def test_the_member_list_needs_the_same_queries_for_few_or_many_members(
    client, world, django_assert_max_num_queries
):
    headers = bearer(testing.staff())
    client.get("/api/members", headers=headers)  # first use records the token's last use
    with CaptureQueriesContext(connection) as few:
        client.get("/api/members", headers=headers)
    for _ in range(15):
        testing.member(world["group_a"])
    # token lookup, count, page
    with django_assert_max_num_queries(3):
        body = client.get("/api/members?page_size=100", headers=headers).json()
    assert body["count"] == 18
    assert len(few.captured_queries) == 3


def test_the_member_list_is_paginated(client, world):
    for _ in range(4):
        testing.member(world["group_a"])
    headers = bearer(testing.staff())
    first = client.get("/api/members?page_size=2", headers=headers).json()
    third = client.get("/api/members?page_size=2&page=4", headers=headers).json()
    assert (first["count"], len(first["items"]), len(third["items"])) == (7, 2, 1)


# ----- filters: the API returns exactly the members the filters describe -------------------------

TODAY = timezone.localdate()
WG_ALL_SOME = dict.fromkeys(["wg_seeing", "wg_hearing", "wg_walking"], 2) | dict.fromkeys(
    ["wg_cognition", "wg_selfcare", "wg_communication"], 1
)


@pytest.fixture
def crowd(world):
    """Members varied in every filtered fact; the WG questions are asked all together or not at all."""
    group = world["group_a"]
    people = [
        dict(sex="F", birth_year=TODAY.year - 16, ethnicity="garo", land_cultivated=3),
        dict(sex="M", birth_year=TODAY.year - 30, ethnicity="bengali", land_cultivated=40, **WG_ALL_SOME),
        dict(sex="F", birth_year=TODAY.year - 45, ethnicity="santal", land_cultivated=200)
        | WG_ALL_SOME
        | {"wg_seeing": 4},
        dict(sex="T", birth_year=TODAY.year - 70, land_cultivated=900),
        dict(sex="F", birth_year=TODAY.year - 36, ethnicity="bengali", land_cultivated=300),
        dict(
            sex="M",
            left_on=datetime.date(2024, 5, 1),
            leaving_reason="moved",
            joined_on=datetime.date(2020, 1, 1),
        ),
        dict(sex="F", name_en="Shefali Rani", ethnicity="hajong", **WG_ALL_SOME),
    ]
    members = [testing.member(group, **fields) for fields in people]
    others = [testing.member(world["group_b"], sex="F", land_cultivated=10)]
    return {
        "members": [*members, *others, world["member_a"], world["member_b"], world["elsewhere"]],
        "headers": bearer(testing.staff(Role.PROGRAMME_ADMIN)),
    }


def expected(member: Member, filters: dict, world: dict) -> bool:
    """The meaning of each filter, written independently of the database query."""
    status = filters.get("status", "active")
    if status == "active" and member.left_on is not None:
        return False
    if status == "left" and member.left_on is None:
        return False
    if "sex" in filters and member.sex != filters["sex"]:
        return False
    if "age_band" in filters:
        youngest, oldest = queries.AGE_BANDS[filters["age_band"]]
        age = TODAY.year - member.birth_year if member.birth_year else None
        if age is None or not youngest <= age <= oldest:
            return False
    if "ethnicity" in filters:
        if filters["ethnicity"] == "minority":
            if member.ethnicity in ("", "bengali"):
                return False
        elif member.ethnicity != filters["ethnicity"]:
            return False
    if "disability" in filters:
        answers = {f: getattr(member, f) for f in WG_ALL_SOME}
        state = "not_asked" if not member.wg_answered else "yes" if has_disability(answers) else "no"
        if state != filters["disability"]:
            return False
    if "farmer_category" in filters and farmer_category(member.land_cultivated) != filters["farmer_category"]:
        return False
    if filters.get("organisation") == "group_a" and member.group_id != world["group_a"].pk:
        return False
    return "q" not in filters or filters["q"].lower() in member.name_en.lower()


filter_sets = st.fixed_dictionaries(
    {},
    optional={
        "sex": st.sampled_from(["F", "M", "T"]),
        "age_band": st.sampled_from(list(queries.AGE_BANDS)),
        "ethnicity": st.sampled_from(["minority", "garo", "bengali", "hajong"]),
        "disability": st.sampled_from(["yes", "no", "not_asked"]),
        "farmer_category": st.sampled_from(["landless", "marginal", "small", "medium", "large"]),
        "status": st.sampled_from(["active", "left", "all"]),
        "organisation": st.just("group_a"),
        "q": st.sampled_from(["shefali", "Rani", "member"]),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=filter_sets)
def test_the_member_filters_return_exactly_the_members_they_describe(client, world, crowd, filters):
    headers = crowd["headers"]
    params = dict(filters)
    if "organisation" in params:
        params["organisation"] = world["group_a"].pk
    response = client.get("/api/members", {**params, "page_size": 500}, headers=headers)
    assert response.status_code == 200, response.content
    found = {m["id"] for m in response.json()["items"]}
    assert found == {m.pk for m in crowd["members"] if expected(m, filters, world)}


def test_blank_filters_copied_from_a_page_url_are_ignored(client, world):
    headers = bearer(testing.staff())
    response = client.get("/api/members?q=&sex=&organisation=&area=&status=", headers=headers)
    assert response.json()["count"] == 3


def test_the_area_filter_takes_an_area_code(client, world):
    headers = bearer(testing.staff())
    district = world["member_a"].district
    response = client.get(f"/api/members?area={district.code}", headers=headers)
    assert {m["id"] for m in response.json()["items"]} == {world["member_a"].pk, world["member_b"].pk}
    assert client.get("/api/members?area=NOWHERE", headers=headers).json()["field"] == "area"


def test_the_new_member_facts_are_written_and_pregnancy_of_a_male_member_refused(client, world):
    headers = bearer(testing.staff(Role.FACILITATOR, organisation=world["association"]))
    data = {"name_en": "Amena", "sex": "F", "group": world["group_a"].pk, "marital_status": "deserted",
            "occupation": "day_labourer", "pregnant": True}  # fmt: skip
    response = post(client, "/api/members", data, headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["marital_status"], body["occupation"], body["pregnant"]) == (
        "deserted",
        "day_labourer",
        True,
    )
    url = f"/api/members/{body['id']}"
    response = patch(client, url, {"sex": "M"}, headers)
    assert (response.status_code, response.json()["field"]) == (400, "pregnant")
    response = patch(client, url, {"marital_status": "engaged"}, headers)
    assert (response.status_code, response.text.count("marital_status") > 0) == (422, True)
    response = patch(client, url, {"pregnant": None, "occupation": None}, headers)
    assert (response.json()["pregnant"], response.json()["occupation"]) == (None, "")


def test_a_members_household_facts_are_read_with_the_income_in_poisha(client, world):
    member = world["member_a"]
    services.place_in_household(
        actor=None, member=member, code="HH-API", size=4, income_per_year=8_500_050, children_under_5=1
    )
    headers = bearer(leader_of(world["group_a"]))
    body = client.get(f"/api/members/{member.pk}", headers=headers).json()
    assert (body["household"], body["household_size"]) == ("HH-API", 4)
    assert (body["household_income_per_year"], body["household_children_under_5"]) == (8_500_050, 1)
    other = client.get(
        f"/api/members/{world['member_b'].pk}", headers=bearer(leader_of(world["group_b"]))
    ).json()
    assert (other["household"], other["household_income_per_year"], other["household_children_under_5"]) == (
        None, None, None,
    )  # fmt: skip
