"""Screening: findings per scheme with the version used and counts matching a hand count, members
receiving left out, screening again, scope, the member's schemes explained, and the API."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.access.errors import AccessError
from samiti.access.models import Application, DocumentKind, Finding, MemberDocument, Scheme, Screening
from samiti.access.rules.logic import evaluate
from samiti.access.rules.syntax import parse
from samiti.access.services import rules
from samiti.access.services import screening as service
from samiti.core.models import AuditEvent, Channel
from samiti.registry import testing
from samiti.registry.models import Household, Member, Role
from samiti.registry.services import issue_api_token

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 6, 1)
OLD_AGE = '(sex = "female" and age >= 62 or sex = "male" and age >= 65) and household_income < 10000'
WIDOW = 'sex = "female" and marital_status in ["widowed", "deserted"] and not receiving("oaa")'
_codes = itertools.count(1)


def make_scheme(code: str, rule: str, value_per_year: int = 720_000, **fields) -> Scheme:
    scheme = Scheme.objects.create(
        code=code,
        name_en=fields.pop("name_en", code.upper()),
        kind=fields.pop("kind", Scheme.Kind.SAFETY_NET),
        benefit=Scheme.Benefit.CASH,
        benefit_en="Tk 600 a month",
        value_per_year=value_per_year,
        **fields,
    )
    rules.save_rule(scheme, rule, datetime.date(2020, 1, 1), None)
    return scheme


def household(group, size: int | None = 4, income_taka: int | None = 8_000) -> Household:
    return Household.objects.create(
        code=f"HH{next(_codes)}",
        area=group.area,
        size=size,
        income_per_year=None if income_taka is None else income_taka * 100,
    )


def receiving(member: Member, scheme: Scheme) -> Application:
    return Application.objects.create(
        member=member,
        scheme=scheme,
        association_id=member.association_id,
        status=Application.Status.RECEIVING,
        identified_on=ON,
        updated_on=ON,
        receiving_since=ON,
    )


@pytest.fixture
def schemes():
    oaa = make_scheme("oaa", OLD_AGE, documents=[DocumentKind.NATIONAL_ID, DocumentKind.INCOME_CERTIFICATE])
    widow = make_scheme("widow", WIDOW, value_per_year=660_000)
    return oaa, widow


@pytest.fixture
def group():
    return testing.group()


def a_group_of_members(group) -> list[Member]:
    """Members at and around the edges of the two rules, some facts missing."""
    poor, rich = household(group, 4, 8_000), household(group, 3, 90_000)
    return [
        testing.member(group, sex="F", birth_date=datetime.date(1963, 6, 1), household=poor),  # 62 today
        testing.member(group, sex="F", birth_date=datetime.date(1963, 6, 2), household=poor),  # 61
        testing.member(
            group, sex="M", birth_date=datetime.date(1950, 1, 1), household=rich
        ),  # income too high
        testing.member(group, sex="M", birth_year=1955),  # no household: cannot tell
        testing.member(group, sex="F", marital_status="widowed", birth_year=1990, household=poor),
        testing.member(group, sex="F", marital_status="", birth_year=1980, household=rich),  # cannot tell
        testing.member(group, sex="M", birth_year=2000, household=rich),
    ]


def hand_count(members: list[Member], scheme: Scheme) -> dict[str, int]:
    """Each member evaluated in Python, one by one, as the explanation does."""
    node = parse(scheme.rules.get().text)
    counts = {"eligible": 0, "cannot_tell": 0, "receiving": 0, "not_eligible": 0}
    for row in service.member_rows(Member.objects.filter(pk__in=[m.pk for m in members])):
        if scheme.code in row["receiving"]:
            counts["receiving"] += 1
            continue
        answer = evaluate(node, row, ON)
        counts[{True: "eligible", False: "not_eligible", None: "cannot_tell"}[answer]] += 1
    return counts


def test_screening_a_group_records_findings_per_scheme_with_the_version_used_and_counts_matching_a_hand_count(
    schemes, group
):
    members = a_group_of_members(group)
    elsewhere = testing.member(testing.group(), sex="F", birth_year=1940)
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    screening = service.screen_in_scope(user=facilitator, on=ON, organisation=group)
    assert screening.members == len(members)
    for scheme in schemes:
        counts = screening.counts[scheme.code]
        assert {k: counts[k] for k in ("eligible", "cannot_tell", "receiving", "not_eligible")} == hand_count(
            members, scheme
        )
        version = scheme.rules.get()
        assert set(Finding.objects.filter(scheme=scheme).values_list("rule_version", "screening")) <= {
            (version.pk, screening.pk)
        }
    oaa = schemes[0]
    outcomes = dict(Finding.objects.filter(scheme=oaa).values_list("member_id", "outcome"))
    assert outcomes == {members[0].pk: "eligible", members[3].pk: "cannot_tell"}
    assert not Finding.objects.filter(member=elsewhere).exists()
    assert set(screening.versions.all()) == {s.rules.get() for s in schemes}
    event = AuditEvent.objects.get(object_type="access.screening", object_id=screening.pk)
    assert (event.actor, event.channel, event.association_id) == (facilitator, Channel.WEB, group.parent_id)


def test_members_already_receiving_a_scheme_are_not_listed_as_missing_it(schemes, group):
    oaa, widow = schemes
    members = a_group_of_members(group)
    receiving(members[0], oaa)
    screening = service.screen(Member.objects.filter(group=group), ON, None, "group")
    assert not Finding.objects.filter(member=members[0], scheme=oaa).exists()
    assert screening.counts["oaa"]["receiving"] == 1
    assert screening.counts["oaa"] == {
        **hand_count(members, oaa),
        "seconds": screening.counts["oaa"]["seconds"],
    }
    # The widow's rule excludes members receiving the old age allowance, in SQL as in Python.
    widowed = members[4]
    receiving(widowed, oaa)
    service.screen(Member.objects.filter(group=group), ON, None, "group")
    assert not Finding.objects.filter(member=widowed, scheme=widow).exists()


def test_screening_again_replaces_the_findings_and_carries_the_new_rule_version(schemes, group):
    oaa, _widow = schemes
    members = a_group_of_members(group)
    first = service.screen(Member.objects.filter(group=group), ON, None, "group")
    Household.objects.filter(pk=members[0].household_id).update(income_per_year=2_000_000)
    members[3].household = household(group, 2, 5_000)
    members[3].save()
    newer = rules.save_rule(oaa, OLD_AGE + " and land_owned < 50", datetime.date(2025, 1, 1), None)
    second = service.screen(Member.objects.filter(group=group), ON, None, "group")
    findings = Finding.objects.filter(scheme=oaa)
    assert not findings.filter(screening=first).exists()
    # The first member's household is now too rich; the fourth has a household but no land recorded.
    assert dict(findings.values_list("member_id", "outcome")) == {members[3].pk: "cannot_tell"}
    assert set(findings.values_list("rule_version", flat=True)) == {newer.pk}
    assert Finding.objects.filter(member__in=members).count() == sum(
        second.counts[code]["eligible"] + second.counts[code]["cannot_tell"] for code in second.counts
    )


def test_a_member_who_left_is_not_screened_and_loses_the_findings(schemes, group):
    members = a_group_of_members(group)
    service.screen(Member.objects.all(), ON, None, "everyone")
    assert Finding.objects.filter(member=members[0]).exists()
    Member.objects.filter(pk=members[0].pk).update(left_on=ON)
    screening = service.screen(Member.objects.all(), ON, None, "everyone")
    assert screening.members == len(members) - 1
    assert not Finding.objects.filter(member=members[0]).exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.one_of(st.none(), st.integers(0, 30)),
    income=st.one_of(st.none(), st.integers(0, 10**9)),
    value=st.integers(0, 10**8),
)
def test_the_priority_written_by_sql_is_the_one_python_defines(group, size, income, value):
    scheme = Scheme.objects.filter(code="everyone").first() or make_scheme("everyone", "age >= 0 or age < 0")
    Scheme.objects.filter(pk=scheme.pk).update(value_per_year=value)
    home = Household.objects.create(
        code=f"HH{next(_codes)}", area=group.area, size=size, income_per_year=income
    )
    member = testing.member(group, birth_year=1980, household=home)
    service.screen(Member.objects.filter(pk=member.pk), ON, None, "one")
    assert Finding.objects.get(member=member).priority == service.priority(value, size, income)


def test_the_priority_ranks_by_share_of_income_per_person_and_unknown_income_last():
    oaa = 720_000  # Tk 7,200 a year
    assert service.share_of_income(service.priority(oaa, 4, 4_000_000)) == 0.72  # Tk 10,000 a head
    ranked = sorted(
        [(oaa, 4, 4_000_000), (oaa, 1, 4_000_000), (oaa, 5, 0), (oaa, None, 100), (3_600_000, 4, None)],
        key=lambda h: service.priority(*h),
        reverse=True,
    )
    assert ranked == [
        (oaa, 5, 0),
        (oaa, 4, 4_000_000),
        (oaa, 1, 4_000_000),
        (3_600_000, 4, None),
        (oaa, None, 100),
    ]


# ----- scope -------------------------------------------------------------------------------------


def test_a_group_leader_screens_only_their_group_and_no_other(schemes, group):
    mine = a_group_of_members(group)
    sibling = testing.group(group.parent)
    testing.member(sibling, sex="F", birth_year=1940, household=household(sibling))
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    screening = service.screen_in_scope(user=leader, on=ON)
    assert screening.members == len(mine)
    assert screening.organisation == group
    assert not Finding.objects.exclude(member__group=group).exists()
    client = _client(leader)
    response = client.post(reverse("access:screen"), {"organisation": sibling.pk, "on": ON.isoformat()})
    assert response.status_code == 404
    page = client.get(reverse("access:screen"))
    assert list(page.context["form"].fields["organisation"].queryset) == [group]


def test_another_associations_member_and_screening_answer_404(schemes, group):
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    stranger = testing.member(testing.group(), birth_year=1950)
    theirs = service.screen(Member.objects.filter(pk=stranger.pk), ON, None, "them", member=stranger)
    client = _client(facilitator)
    assert client.get(reverse("access:member", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("access:member", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("access:screening", args=[theirs.pk])).status_code == 404
    with pytest.raises(Exception) as refused:
        service.screen_member(user=facilitator, member=stranger, on=ON)
    assert refused.typename == "Http404"


def test_a_viewer_may_read_screenings_but_not_screen(schemes, group):
    viewer = testing.staff(Role.VIEWER, organisation=group.parent)
    client = _client(viewer)
    page = client.get(reverse("access:screen"))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(reverse("access:screen"), {"on": ON.isoformat()}).status_code == 404
    with pytest.raises(AccessError):
        service.screen_in_scope(user=viewer, on=ON)
    assert not Screening.objects.exists()


# ----- pages -------------------------------------------------------------------------------------


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_screen_page_screens_a_group_and_shows_the_counts_versions_and_history(schemes, group):
    a_group_of_members(group)
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    client = _client(facilitator)
    response = client.post(reverse("access:screen"), {"organisation": group.pk, "on": ON.isoformat()})
    screening = Screening.objects.get()
    assert response.status_code == 302 and response.url == reverse("access:screening", args=[screening.pk])
    page = client.get(response.url)
    lines = {line.scheme.code: line for line in page.context["lines"]}
    assert (lines["oaa"].eligible, lines["oaa"].cannot_tell, lines["oaa"].version_from) == (
        1,
        1,
        datetime.date(2020, 1, 1),
    )
    assert "2020-01-01" in page.content.decode()
    history = client.get(reverse("access:screen"))
    assert list(history.context["history"]) == [screening]


def test_small_counts_are_hidden_from_a_role_that_does_not_see_sensitive_data(schemes, group):
    a_group_of_members(group)
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=group.parent)
    screening = service.screen_in_scope(user=leader, on=ON, organisation=group)
    page = _client(leader).get(reverse("access:screening", args=[screening.pk]))
    line = {line.scheme.code: line for line in page.context["lines"]}["oaa"]
    assert (line.eligible, line.cannot_tell, line.receiving, line.not_eligible) == (None, None, 0, 5)
    assert "fewer than 5" in page.content.decode()
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    page = _client(facilitator).get(reverse("access:screening", args=[screening.pk]))
    assert {line.scheme.code: line for line in page.context["lines"]}["oaa"].eligible == 1


def test_a_members_page_explains_each_scheme_condition_by_condition(schemes, group):
    members = a_group_of_members(group)
    MemberDocument.objects.create(member=members[0], kind=DocumentKind.INCOME_CERTIFICATE)
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    page = _client(facilitator).get(reverse("access:member", args=[members[0].pk]), {"on": ON.isoformat()})
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert "age 62 or more: <strong>yes</strong>, 62" in text
    assert "household income per year under Tk 10,000: <strong>yes</strong>, Tk 8,000" in text
    assert 'national ID card: <span class="error">lacking</span>' in text
    assert "income certificate from the Union Parishad: held" in text
    assert reverse("access:application_new", args=[members[0].pk]) + "?scheme=oaa" in text
    results = {result.scheme.code: result for result, _lines, _finding in page.context["results"]}
    assert results["oaa"].outcome == "eligible"
    assert results["widow"].outcome == "cannot_tell"  # marital status not recorded
    assert results["widow"].missing == ["marital status"]
    unknown = _client(facilitator).get(reverse("access:member", args=[members[3].pk]), {"on": ON.isoformat()})
    text = " ".join(unknown.content.decode().split())
    assert "household income per year under Tk 10,000: <strong>not recorded</strong>" in text
    assert "Facts to collect:</strong> household income per year" in text


def test_a_members_page_puts_the_schemes_to_act_on_first(schemes, group):
    widowed = a_group_of_members(group)[4]
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    page = _client(facilitator).get(reverse("access:member", args=[widowed.pk]), {"on": ON.isoformat()})
    shown = [(result.scheme.code, result.outcome) for result, _lines, _finding in page.context["results"]]
    assert shown == [("widow", "eligible"), ("oaa", "not_eligible")]
    assert "<details><summary>Why</summary>" in page.content.decode()


def test_sensitive_values_are_shown_only_to_roles_that_see_them(schemes, group):
    widowed = a_group_of_members(group)[4]
    url = reverse("access:member", args=[widowed.pk])
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    leader = testing.staff(Role.GROUP_LEADER, organisation=group)
    shown = " ".join(_client(facilitator).get(url, {"on": ON}).content.decode().split())
    hidden = " ".join(_client(leader).get(url, {"on": ON}).content.decode().split())
    condition = "marital status is widowed or deserted or abandoned: <strong>yes</strong>"
    assert f"{condition}, widowed" in shown
    assert condition in hidden and f"{condition}, widowed" not in hidden


def test_screen_again_on_the_members_page_records_the_findings_with_the_version_used(schemes, group):
    member = a_group_of_members(group)[0]
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    response = _client(facilitator).post(reverse("access:member", args=[member.pk]), {"on": ON.isoformat()})
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.member, screening.members, screening.on) == (member, 1, ON)
    finding = Finding.objects.get(member=member, scheme=schemes[0])
    assert (finding.rule_version, finding.outcome, finding.screening) == (
        schemes[0].rules.get(),
        "eligible",
        screening,
    )
    page = _client(facilitator).get(reverse("access:member", args=[member.pk]), {"on": ON.isoformat()})
    assert (
        "Last screening: likely eligible as of 2025-06-01, by the rule from 2020-01-01."
        in page.content.decode()
    )
    viewer = testing.staff(Role.VIEWER, organisation=group.parent)
    assert _client(viewer).post(reverse("access:member", args=[member.pk])).status_code == 404


def test_the_members_record_links_to_their_schemes(group):
    member = testing.member(group)
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    page = _client(facilitator).get(reverse("registry:member_detail", args=[member.pk]))
    assert reverse("access:member", args=[member.pk]) in page.content.decode()


# ----- API ---------------------------------------------------------------------------------------


def _headers(user) -> dict[str, str]:
    _token, key = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_screens_a_group_and_reads_the_screening(client, schemes, group):
    a_group_of_members(group)
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    headers = _headers(facilitator)
    response = client.post(
        "/api/access/screenings",
        {"organisation": group.pk, "on": ON.isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["members"] == 7 and body["organisation"] == group.pk
    oaa = next(line for line in body["schemes"] if line["scheme"] == "oaa")
    assert (oaa["eligible"], oaa["cannot_tell"], oaa["rule_from"]) == (1, 1, "2020-01-01")
    assert client.get(f"/api/access/screenings/{body['id']}", headers=headers).json() == body
    event = AuditEvent.objects.get(object_type="access.screening")
    assert event.channel == Channel.API
    stranger = testing.group()
    refused = client.post(
        "/api/access/screenings",
        {"organisation": stranger.pk},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 404
    viewer = testing.staff(Role.VIEWER, organisation=group.parent)
    forbidden = client.post(
        "/api/access/screenings", {}, content_type="application/json", headers=_headers(viewer)
    )
    assert forbidden.status_code == 403


def test_the_api_gives_a_members_schemes_with_the_reasons(client, schemes, group):
    members = a_group_of_members(group)
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    response = client.get(
        f"/api/access/members/{members[3].pk}/schemes", {"on": ON.isoformat()}, headers=_headers(facilitator)
    )
    assert response.status_code == 200
    oaa = next(s for s in response.json()["schemes"] if s["scheme"] == "oaa")
    assert oaa["outcome"] == "cannot_tell"
    assert oaa["facts_to_collect"] == ["household income per year"]
    assert oaa["documents_lacking"] == ["national ID card", "income certificate from the Union Parishad"]
    assert {"text": "household income per year under Tk 10,000", "answer": None, "value": ""}.items() <= next(
        r for r in oaa["reasons"] if r["fact"] == "household_income"
    ).items()
    stranger = testing.member(testing.group())
    assert (
        client.get(f"/api/access/members/{stranger.pk}/schemes", headers=_headers(facilitator)).status_code
        == 404
    )


def _page_cache_size() -> int | None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


def test_a_large_screening_gives_the_page_cache_back_and_refreshes_the_statistics(
    schemes, group, monkeypatch
):
    members = a_group_of_members(group)
    small = service.screen(Member.objects.filter(group=group), ON, None, "group")
    found = set(Finding.objects.values_list("member_id", "scheme_id", "outcome", "priority"))
    before = _page_cache_size()
    monkeypatch.setattr(service, "LARGE", 1)  # this group counts as large: bigger cache, ANALYZE
    large = service.screen(Member.objects.filter(group=group), ON, None, "group")
    assert _page_cache_size() == before
    assert set(Finding.objects.values_list("member_id", "scheme_id", "outcome", "priority")) == found
    assert large.members == small.members == len(members)


def test_a_bad_day_on_the_members_page_says_so_and_works_out_today(schemes, group):
    member = a_group_of_members(group)[0]
    facilitator = testing.staff(Role.FACILITATOR, organisation=group.parent)
    page = _client(facilitator).get(reverse("access:member", args=[member.pk]), {"on": "2025-13-40"})
    assert page.status_code == 200
    assert "Enter a valid date." in page.content.decode()
    assert page.context["on"] == timezone.localdate()


@pytest.fixture
def shipped():
    from samiti.access.services.catalogue import load_schemes

    load_schemes()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sex=st.sampled_from(["F", "M", "T"]),
    age=st.one_of(st.none(), st.integers(0, 95)),
    marital=st.sampled_from(["", "married", "widowed", "deserted"]),
    occupation=st.sampled_from(["", "farmer", "day_labourer", "homemaker"]),
    land=st.one_of(st.none(), st.integers(0, 120)),
    size=st.one_of(st.none(), st.integers(0, 8)),
    income=st.one_of(st.none(), st.integers(0, 40_000)),
    walking=st.one_of(st.none(), st.integers(1, 4)),
    national_id=st.booleans(),
)
def test_screening_in_the_database_agrees_with_each_explanation_for_the_shipped_schemes(
    shipped, group, sex, age, marital, occupation, land, size, income, walking, national_id
):
    home = None
    if size is not None or income is not None:
        home = Household.objects.create(
            code=f"HH{next(_codes)}",
            area=group.area,
            size=size,
            income_per_year=None if income is None else income * 100,
        )
    member = testing.member(
        group,
        sex=sex,
        birth_date=None if age is None else ON.replace(year=ON.year - age),
        marital_status=marital,
        occupation=occupation,
        land_owned=land,
        household=home,
        wg_walking=walking,
        national_id="1234567890" if national_id else "",
    )
    if home is not None:
        Household.objects.filter(pk=home.pk).update(representative=member)
    service.screen(Member.objects.filter(pk=member.pk), ON, None, "one")
    found = dict(Finding.objects.filter(member=member).values_list("scheme__code", "outcome"))
    explained = {
        result.scheme.code: result.outcome
        for result in service.explain_member(member, ON)
        if result.outcome in ("eligible", "cannot_tell")
    }
    assert found == explained


def test_a_screening_of_the_whole_programme_is_named_in_each_readers_language():
    from django.conf import settings as django_settings

    admin = testing.staff(Role.PROGRAMME_ADMIN)
    testing.member()
    screening = service.screen_in_scope(user=admin, on=ON)
    assert screening.scope == ""  # nothing stored in the language of whoever ran it
    client = _client(admin)
    url = reverse("access:screening", args=[screening.pk])
    assert "everyone in scope" in client.get(url).content.decode()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "bn"
    assert "আওতার সবাই" in client.get(url).content.decode()
