"""The catalogue: loading the shipped schemes, versioned rules, the rule check, the pages and the API."""

import datetime
import html
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from samiti.access.errors import AccessError
from samiti.access.models import Finding, GrievanceCategory, RuleVersion, Scheme, Window
from samiti.access.services.catalogue import (
    coming_windows,
    load_schemes,
    rule_error_at,
    shipped_catalogue,
    update_scheme,
)
from samiti.access.services.rules import save_rule
from samiti.access.services.screening import screen
from samiti.core.models import AuditEvent
from samiti.registry import services as registry
from samiti.registry import testing
from samiti.registry.models import Authority, Household, Member, Role

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 29)


def test_loading_creates_the_twelve_schemes_their_rules_windows_and_grievance_categories():
    created = load_schemes(on=TODAY)

    assert Scheme.objects.count() == 12
    assert RuleVersion.objects.count() == 12
    assert GrievanceCategory.objects.count() == 6
    assert created == 12 + 12 + Window.objects.count() + 6
    oaa = Scheme.objects.get(code="old_age_allowance")
    assert oaa.value_per_year == 600 * 12 * 100
    assert oaa.rules.get().valid_from == oaa.as_of
    assert GrievanceCategory.objects.get(code="payment_demanded").resolution_days == 7
    assert AuditEvent.objects.filter(object_type="access.scheme", channel="system").count() == 12


def test_loading_again_creates_nothing_and_keeps_an_admins_edits():
    load_schemes(on=TODAY)
    Scheme.objects.filter(code="old_age_allowance").update(benefit_en="Tk 650 a month", value_per_year=780000)
    version = RuleVersion.objects.get(scheme__code="vgf")
    RuleVersion.objects.create(scheme=version.scheme, text="land_owned < 10", valid_from=TODAY)
    GrievanceCategory.objects.filter(code="discrimination").update(resolution_days=20)

    assert load_schemes(on=TODAY) == 0
    call_command("load_schemes", stdout=open("/dev/null", "w"))  # noqa: SIM115

    oaa = Scheme.objects.get(code="old_age_allowance")
    assert (oaa.benefit_en, oaa.value_per_year) == ("Tk 650 a month", 780000)
    assert RuleVersion.objects.filter(scheme__code="vgf").count() == 2
    assert GrievanceCategory.objects.get(code="discrimination").resolution_days == 20


def test_update_adds_a_dated_version_only_when_the_shipped_rule_changed(tmp_path):
    load_schemes(on=TODAY)
    data = shipped_catalogue()
    for entry in data["schemes"]:
        if entry["code"] == "old_age_allowance":
            entry["rule"] = entry["rule"].replace("10000", "12000")
    changed = tmp_path / "schemes.json"
    changed.write_text(json.dumps(data), encoding="utf-8")

    assert load_schemes(changed, on=TODAY) == 0  # without --update, nothing changes
    assert load_schemes(changed, update=True, on=TODAY) == 1
    versions = list(RuleVersion.objects.filter(scheme__code="old_age_allowance").order_by("valid_from"))
    assert len(versions) == 2
    assert versions[-1].valid_from == TODAY and "12000" in versions[-1].text
    assert "10000" in versions[0].text
    assert load_schemes(changed, update=True, on=TODAY) == 0


def test_update_keeps_a_change_an_admin_dated_later():
    load_schemes(on=TODAY)
    scheme = Scheme.objects.get(code="vgf")
    later = save_rule(scheme, "land_owned < 10", datetime.date(2027, 7, 1), testing.staff(), note="budget")
    RuleVersion.objects.filter(scheme=scheme).exclude(pk=later.pk).update(text="land_owned < 1")

    assert load_schemes(update=True, on=TODAY) == 1
    dates = list(scheme.rules.order_by("valid_from").values_list("valid_from", flat=True))
    assert dates == [scheme.as_of, TODAY, later.valid_from]


def test_the_command_takes_update():
    call_command("load_schemes", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_schemes", "--update", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert RuleVersion.objects.count() == 12


def test_windows_for_the_coming_twelve_months_follow_the_published_pattern():
    monthly = coming_windows({"each_month": [1, 20]}, datetime.date(2026, 11, 29))
    assert [(w.opens_on, w.closes_on) for w in monthly][:2] == [
        (datetime.date(2026, 12, 1), datetime.date(2026, 12, 20)),
        (datetime.date(2027, 1, 1), datetime.date(2027, 1, 20)),
    ]
    assert len(coming_windows({"each_month": [1, 20]}, datetime.date(2026, 11, 10))) == 12
    months = coming_windows({"months": [3, 4, 9, 10, 11]}, datetime.date(2026, 11, 29))
    assert [w.opens_on.month for w in months] == [11, 3, 4, 9, 10]
    assert months[0].closes_on == datetime.date(2026, 11, 30)


def test_loading_adds_windows_again_once_the_last_one_has_closed():
    load_schemes(on=TODAY)
    mother = Scheme.objects.get(code="mother_child_benefit")
    assert mother.windows.count() == 11
    later = datetime.date(2028, 1, 5)
    assert load_schemes(on=later) == 12 + 5  # a year of monthly windows and of rice months
    assert mother.windows.filter(opens_on__gte=later.replace(day=1)).count() == 12


def _text(response) -> str:
    return html.unescape(response.content.decode())


# ----- versioned rules -----------------------------------------------------------------------------


def _woman(group, age: int, income_taka: int | None = 5_000, **facts) -> Member:
    member = testing.member(group, sex="F")
    household = Household.objects.create(
        code=f"H-{member.pk}",
        area=group.area,
        size=3,
        income_per_year=None if income_taka is None else income_taka * 100,
    )
    born = datetime.date(TODAY.year - age, 1, 1)
    Member.objects.filter(pk=member.pk).update(birth_date=born, land_owned=0, household=household, **facts)
    return member


def test_a_screening_uses_the_rule_version_valid_on_its_day_and_records_it():
    load_schemes(on=TODAY)
    scheme = Scheme.objects.get(code="old_age_allowance")
    shipped = scheme.rules.get()
    admin = testing.staff()
    change = datetime.date(2027, 7, 1)
    raised = save_rule(
        scheme,
        shipped.text.replace("10000", "12000"),
        change,
        admin,
        note="Budget FY2027-28 raised the ceiling",
    )
    member = _woman(testing.group(), 70, income_taka=11_000)

    before = screen(Member.objects.filter(pk=member.pk), change - datetime.timedelta(days=1), admin, "one")
    assert shipped in before.versions.all() and raised not in before.versions.all()
    assert not Finding.objects.filter(member=member, scheme=scheme).exists()  # Tk 11,000 is over Tk 10,000

    after = screen(Member.objects.filter(pk=member.pk), change, admin, "one")
    assert raised in after.versions.all()
    finding = Finding.objects.get(member=member, scheme=scheme)
    assert (finding.outcome, finding.rule_version) == ("eligible", raised)


def test_a_version_used_by_a_screening_cannot_be_rewritten():
    load_schemes(on=TODAY)
    scheme = Scheme.objects.get(code="vgf")
    admin = testing.staff()
    draft = save_rule(scheme, "land_owned < 5", TODAY, admin, note="draft")
    assert save_rule(scheme, "land_owned < 6", TODAY, admin, note="draft").pk == draft.pk  # not yet used
    screen(Member.objects.all(), TODAY, admin, "everyone")
    with pytest.raises(AccessError) as refused:
        save_rule(scheme, "land_owned < 7", TODAY, admin)
    assert refused.value.field == "valid_from"
    assert RuleVersion.objects.get(pk=draft.pk).text == "land_owned < 6"


# ----- the rule check ------------------------------------------------------------------------------


@pytest.fixture
def people():
    """Two groups: women of 70 (3 poor, 1 not, 1 income unknown), 2 better-off men of 70, one who left."""
    load_schemes(on=TODAY)
    first, second = testing.group(), testing.group()
    women = [_woman(first, 70) for _ in range(3)] + [_woman(second, 70, income_taka=50_000)]
    unknown = _woman(second, 70, income_taka=None)
    men = [_woman(first, 70, income_taka=50_000, sex="M") for _ in range(2)]
    gone = _woman(first, 70)
    Member.objects.filter(pk=gone.pk).update(left_on=TODAY)
    return {"first": first, "second": second, "women": women, "unknown": unknown, "men": men}


RULE = 'sex = "female" and age >= 62 and household_income < 10000'


def test_the_rule_check_counts_like_a_hand_count_of_the_members_in_scope(client, people):
    client.force_login(testing.staff())
    response = client.post(reverse("access:rule_check"), {"text": RULE, "on": TODAY.isoformat()})
    assert response.status_code == 200
    answer = response.json()
    # By hand: 3 poor women; the better-off woman and both men are not; one income is unknown;
    # the member who left is not counted.
    assert {k: answer[k] for k in ("eligible", "not_eligible", "cannot_tell", "total")} == {
        "eligible": 3,
        "not_eligible": 3,
        "cannot_tell": 1,
        "total": 7,
    }


def test_a_bad_rule_answers_its_position_and_reason(client, people):
    client.force_login(testing.staff())
    response = client.get(reverse("access:rule_check"), {"text": "age >= 62 and\nfoo = 1"})
    assert response.status_code == 400
    answer = response.json()
    assert answer["position"] == 15
    assert "foo" in answer["reason"]
    assert (answer["line"], answer["column"], answer["line_text"], answer["caret"]) == (2, 1, "foo = 1", "^")


def test_an_error_is_placed_by_line_and_column():
    assert rule_error_at("age >= 62", 8) == (1, 8, "age >= 62")
    assert rule_error_at("a\nbc d", 6) == (2, 4, "bc d")


@pytest.mark.parametrize(
    "role", [Role.FEDERATION_LEADER, Role.ASSOCIATION_LEADER, Role.FACILITATOR, Role.VIEWER]
)
def test_only_a_programme_admin_may_check_or_change_rules_and_schemes(client, people, role):
    client.force_login(testing.staff(role, organisation=people["first"].parent))
    window = Window.objects.filter(scheme__code="mother_child_benefit").first()
    for url in [
        reverse("access:rule_check") + "?text=age+%3E%3D+1",
        reverse("access:rule_edit", args=["old_age_allowance"]),
        reverse("access:scheme_edit", args=["old_age_allowance"]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("access:window_remove", args=["mother_child_benefit", window.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("access:rule_edit", args=["vgf"]), {"text": "age >= 1", "save": ""}).status_code
        == 404
    )
    assert Window.objects.filter(pk=window.pk).exists()
    assert RuleVersion.objects.filter(scheme__code="vgf").count() == 1
    with pytest.raises(AccessError):
        update_scheme(scheme=Scheme.objects.get(code="vgf"), user=testing.staff(role), value_per_year=1)


# ----- pages ---------------------------------------------------------------------------------------


def test_the_catalogue_lists_schemes_by_kind_with_windows_and_eligible_members_in_scope(
    client, people, django_assert_max_num_queries
):
    screen(Member.objects.all(), timezone.localdate(), None, "everyone")
    admin = testing.staff()
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("access:schemes"))
    text = _text(page)
    assert page.status_code == 200
    for scheme in Scheme.objects.all():
        assert scheme.name_en in text
    assert "Extension service" in text and "Safety net" in text
    lines = {line.scheme.code: line for line in page.context["kinds"][0][1]}
    assert lines["old_age_allowance"].eligible == 3
    assert "Tk 7,200" in text
    oaa = Scheme.objects.get(code="old_age_allowance")
    worklist = f"{reverse('access:worklist')}?scheme={oaa.pk}"
    assert worklist in text
    assert client.get(worklist).status_code == 200


def test_small_counts_are_hidden_from_roles_without_detail(client, people):
    screen(Member.objects.all(), timezone.localdate(), None, "everyone")
    leader = testing.staff(Role.GROUP_LEADER, organisation=people["first"])
    client.force_login(leader)
    page = client.get(reverse("access:schemes"))
    lines = {line.scheme.code: line for _label, lines in page.context["kinds"] for line in lines}
    assert lines["old_age_allowance"].eligible is None  # 3 in the group: fewer than 5
    assert "fewer than 5" in _text(page)
    facilitator = testing.staff(Role.FACILITATOR, organisation=people["first"].parent)
    client.force_login(facilitator)
    page = client.get(reverse("access:scheme", args=["old_age_allowance"]))
    assert page.context["line"].eligible == 3


def test_a_schemes_page_explains_who_it_is_for_how_to_apply_where_and_its_versions(client, people):
    union = people["first"].area
    up = registry.save_authority(
        actor=None,
        kind=Authority.Kind.UNION_PARISHAD,
        code="UP-1",
        name_en="Kamarjani Union Parishad",
        area=union,
    )
    registry.add_official(actor=None, authority=up, post="Chairman", name="Abdul Karim")
    elsewhere = testing.union()
    registry.save_authority(
        actor=None,
        kind=Authority.Kind.UNION_PARISHAD,
        code="UP-2",
        name_en="Far Union Parishad",
        area=elsewhere,
    )
    admin = testing.staff()
    save_rule(
        Scheme.objects.get(code="old_age_allowance"),
        RuleVersion.objects.get(scheme__code="old_age_allowance").text,
        TODAY + datetime.timedelta(days=400),
        admin,
        note="Next budget",
    )
    client.force_login(testing.staff(Role.ASSOCIATION_LEADER, organisation=people["first"].parent))
    page = client.get(reverse("access:scheme", args=["old_age_allowance"]))
    text = _text(page)
    assert page.status_code == 200
    assert "age 62 or more" in text and "household income per year under Tk 10,000" in text
    assert "Kamarjani Union Parishad" in text and "Abdul Karim, Chairman" in text
    assert "Far Union Parishad" not in text
    assert "national ID card" in text and "dss.kushtia.gov.bd" in text
    assert "Next budget" in text and "Shipped with Samiti" in text
    widow = _text(client.get(reverse("access:scheme", args=["widow_allowance"])))
    assert "not: already receives Old Age Allowance" in widow and "not this" not in widow
    assert "Edit the scheme" not in text


def test_pages_render_in_bengali(client, people):
    client.force_login(testing.staff())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    listing = _text(client.get(reverse("access:schemes")))
    assert "বয়স্ক ভাতা" in listing and "মাসে ৬০০ টাকা" in listing
    detail = _text(client.get(reverse("access:scheme", args=["mother_child_benefit"])))
    assert "মা ও শিশু সহায়তা কর্মসূচি" in detail and "১ থেকে ২০ তারিখের মধ্যে" in detail
    assert client.get(reverse("access:rule_edit", args=["vgf"])).status_code == 200
    assert client.get(reverse("access:scheme_edit", args=["vgf"])).status_code == 200


def test_an_admin_edits_a_scheme_and_the_change_is_audited(client, people):
    admin = testing.staff()
    client.force_login(admin)
    url = reverse("access:scheme_edit", args=["old_age_allowance"])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "is_active"}
    data |= {
        "value_per_year": "৭,৮০০",
        "benefit_en": "Tk 650 a month",
        "is_active": "on",
        "as_of": "2026-07-01",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    scheme = Scheme.objects.get(code="old_age_allowance")
    assert (scheme.value_per_year, scheme.benefit_en) == (780_000, "Tk 650 a month")
    event = AuditEvent.objects.get(object_type="access.scheme", object_id=scheme.pk, action="update")
    assert event.actor == admin and event.changes["value_per_year"] == [720_000, 780_000]


def test_a_bad_value_is_refused_on_its_field_and_nothing_typed_is_lost(client, people):
    client.force_login(testing.staff())
    url = reverse("access:scheme_edit", args=["vgf"])
    data = {"name_en": "VGF renamed", "kind": "safety_net", "benefit": "food", "benefit_en": "rice"}
    response = client.post(url, data | {"value_per_year": "a lot"})
    assert response.status_code == 400
    assert "value_per_year" in response.context["form"].errors
    assert "VGF renamed" in _text(response)
    assert Scheme.objects.get(code="vgf").name_en == "Vulnerable Group Feeding (VGF)"


def test_the_service_refuses_what_the_catalogue_cannot_hold():
    load_schemes(on=TODAY)
    scheme, admin = Scheme.objects.get(code="vgf"), testing.staff()
    for values, field in [
        ({"office": "palace"}, "office"),
        ({"documents": ["passport"]}, "documents"),
        ({"value_per_year": -1}, "value_per_year"),
        ({"name_en": "", "name_bn": ""}, "name_en"),
    ]:
        with pytest.raises(AccessError) as refused:
            update_scheme(scheme=scheme, user=admin, **values)
        assert refused.value.field == field
    with pytest.raises(AccessError):
        update_scheme(scheme=scheme, user=admin, code="other")
    assert Scheme.objects.get(code="vgf").office == "union_parishad"


def test_an_admin_adds_and_removes_a_window(client, people):
    client.force_login(testing.staff())
    url = reverse("access:scheme_edit", args=["vgf"])
    added = client.post(
        url, {"add_window": "", "opens_on": "2027-03-01", "closes_on": "2027-03-10", "note": "Eid"}
    )
    assert added.status_code == 302
    window = Window.objects.get(scheme__code="vgf")
    backwards = client.post(url, {"add_window": "", "opens_on": "2027-04-10", "closes_on": "2027-04-01"})
    assert backwards.status_code == 400 and "closes_on" in backwards.context["window_form"].errors
    client.post(reverse("access:window_remove", args=["vgf", window.pk]))
    assert not Window.objects.filter(scheme__code="vgf").exists()
    assert AuditEvent.objects.filter(object_type="access.window", action="delete").count() == 1


def test_the_rule_editor_saves_a_dated_version_and_refuses_a_bad_rule_keeping_the_text(client, people):
    admin = testing.staff()
    client.force_login(admin)
    url = reverse("access:rule_edit", args=["old_age_allowance"])
    page = client.get(url)
    assert page.context["form"]["valid_from"].value() == TODAY.__class__.today() + datetime.timedelta(days=1)
    assert "income_per_person" in _text(page) and '"widow_allowance"' in _text(page)

    bad = 'sex = "female" and age >= 62 and income < 10000'
    refused = client.post(url, {"text": bad, "valid_from": "2027-07-01", "note": "budget", "save": ""})
    assert refused.status_code == 400
    assert bad in _text(refused)
    assert refused.context["checked"]["position"] == 34
    assert "“income” is not a known fact" in _text(refused)
    assert RuleVersion.objects.filter(scheme__code="old_age_allowance").count() == 1

    checked = client.post(url, {"text": RULE, "check": ""})  # without JavaScript: counted on the server
    assert checked.status_code == 200 and checked.context["checked"]["eligible"] == 3

    saved = client.post(url, {"text": RULE, "valid_from": "2027-07-01", "note": "budget", "save": ""})
    assert saved.status_code == 302
    version = RuleVersion.objects.get(scheme__code="old_age_allowance", valid_from=datetime.date(2027, 7, 1))
    assert (version.text, version.note, version.created_by) == (RULE, "budget", admin)


# ----- API -----------------------------------------------------------------------------------------


def _bearer(user) -> dict[str, str]:
    _token, key = registry.issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_lists_schemes_and_gives_one_with_its_rule_versions_and_windows(client, people):
    headers = _bearer(testing.staff(Role.ASSOCIATION_LEADER, organisation=people["first"].parent))
    listing = client.get("/api/access/schemes", headers=headers)
    assert listing.status_code == 200
    assert {s["code"] for s in listing.json()} == set(Scheme.objects.values_list("code", flat=True))
    mother = client.get("/api/access/schemes/mother_child_benefit", headers=headers).json()
    assert mother["value_per_year"] == 960_000
    assert "pregnant" in mother["rule"]["text"] and len(mother["versions"]) == 1
    assert (
        mother["windows"]
        and mother["windows"][0]["opens_on"] >= timezone.localdate().replace(day=1).isoformat()
    )
    assert client.get("/api/access/schemes/nothing", headers=headers).status_code == 404
    assert client.get("/api/access/schemes").status_code == 401


def test_the_api_checks_a_rule_for_programme_admins_only(client, people):
    admin = _bearer(testing.staff())
    url = "/api/access/rules/check"
    answer = client.post(
        url, {"text": RULE, "on": TODAY.isoformat()}, content_type="application/json", headers=admin
    )
    assert answer.status_code == 200
    assert answer.json() == {"eligible": 3, "not_eligible": 3, "cannot_tell": 1, "total": 7}
    bad = client.post(url, {"text": "age >= "}, content_type="application/json", headers=admin)
    assert bad.status_code == 400
    assert bad.json()["position"] == 8 and bad.json()["reason"]
    leader = _bearer(testing.staff(Role.ASSOCIATION_LEADER, organisation=people["first"].parent))
    assert (
        client.post(url, {"text": RULE}, content_type="application/json", headers=leader).status_code == 403
    )


# ----- in Chromium ---------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_rule_editor_counts_as_the_admin_types_and_points_at_a_mistake(page, live_server):
    load_schemes(on=TODAY)
    group = testing.group()
    for _ in range(2):
        _woman(group, 70)
    _woman(group, 40)
    testing.staff(username="admin")
    testing.log_in(page, live_server, "admin")
    testing.visit(page, live_server.url + reverse("access:rule_edit", args=["old_age_allowance"]))
    page.wait_for_selector("#rule-counts:not([hidden])")

    page.fill("#id_text", 'sex = "female" and agee >= 62')
    page.wait_for_selector("#rule-error:not([hidden])")
    assert "column 20" in page.inner_text("#rule-error")
    assert "agee" in page.inner_text("#rule-error [data-error=reason]")
    assert page.inner_text("#rule-error [data-error=caret]") == " " * 19 + "^"
    assert page.locator("#rule-counts").is_hidden()

    page.fill("#id_text", 'sex = "female" and age >= 62')
    page.wait_for_selector("#rule-counts:not([hidden])")
    assert page.inner_text("#rule-counts [data-count=eligible]") == "2"
    assert page.inner_text("#rule-counts [data-count=total]") == "3"

    page.fill("#id_valid_from", "2027-07-01")
    page.fill("#id_note", "Budget FY2027-28")
    testing.follow(page, "button[name=save]")
    assert "Budget FY2027-28" in page.inner_text("main")
    assert RuleVersion.objects.filter(scheme__code="old_age_allowance").count() == 2
