"""The results of access to services, each figure against a hand count on a small programme."""

import csv
import datetime
import io
import statistics

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.access import reports
from samiti.access.errors import AccessError
from samiti.access.models import (
    Application,
    Finding,
    Grievance,
    GrievanceCategory,
    Referral,
    RuleVersion,
    Scheme,
    Screening,
)
from samiti.core import cells as cells_module
from samiti.registry import services as registry
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 7, 1)
YEAR = reports.period(kind="year", year=2026, today=TODAY)
S = Application.Status


def scheme(code: str, kind: str = Scheme.Kind.SAFETY_NET, **fields) -> Scheme:
    fields.setdefault("documents", ["national_id", "photo"])
    return Scheme.objects.create(
        code=code, kind=kind, name_en=code.upper(), name_bn=f"{code} বাংলা", benefit="cash",
        benefit_en="Tk 600 a month", **fields,
    )  # fmt: skip


def apply(member, to: Scheme, identified: D, **fields) -> Application:
    """An application as the pipeline leaves it (rows written directly: the pipeline has its own tests)."""
    fields.setdefault("status", S.RECEIVING if fields.get("receiving_since") else S.IDENTIFIED)
    return Application.objects.create(
        member=member, scheme=to, association_id=member.association_id, identified_on=identified,
        updated_on=fields.pop("updated_on", identified), **fields,
    )  # fmt: skip


def find(member, of: Scheme, outcome: str = Finding.Outcome.ELIGIBLE) -> Finding:
    version = RuleVersion.objects.get_or_create(
        scheme=of, valid_from=D(2026, 1, 1), defaults={"text": "age >= 62"}
    )[0]
    screening = Screening.objects.create(on=D(2026, 6, 1), scope="test")
    return Finding.objects.create(
        member=member, scheme=of, association_id=member.association_id, outcome=outcome,
        rule_version=version, screening=screening, screened_on=screening.on,
    )  # fmt: skip


@pytest.fixture
def world():
    """Two associations of one federation, in two districts, and the Old Age Allowance's year:

    member  district  sex  ethnicity  disability  identified  receiving since  days
    m1      north     F    Bengali    with        2025-12-01  2026-01-01         31
    m2      north     F    Bengali    with        2026-01-10  2026-02-19         40
    m3      north     F    Garo       without     2026-02-01  2026-03-23         50
    m4      north     F    Garo       not asked   2026-03-01  2026-05-10         70
    m5      north     M    Bengali    without     2026-03-01  2026-06-09        100 (stopped since)
    m6      north     M    —          not asked   2026-01-01  2026-12-31        364
    m7      south     F    Bengali    not asked   2026-04-01  2026-04-21         20
    m8      south     M    Santal     with        2026-05-01  2026-05-31         30
    m9      north     F    Bengali    without     2025-11-01  2025-12-31  (the year before)
    """
    division = testing.area("division")
    north = testing.area("district", division, name_en="North")
    south_d = testing.area("district", division, name_en="South")
    federation = testing.organisation("federation", place=testing.union(north))
    a1 = testing.organisation("association", federation, place=testing.union(north), name_en="North Assn")
    a2 = testing.organisation("association", federation, place=testing.union(south_d), name_en="South Assn")
    g1, g2 = testing.organisation("group", a1), testing.organisation("group", a2)
    oaa, vwb = scheme("oaa"), scheme("vwb")
    saao = scheme("saao", kind=Scheme.Kind.EXTENSION, documents=[])
    scheme("old", is_active=False)
    answered = {"wg_seeing": 1, "wg_walking": 1}
    disabled = {"wg_seeing": 1, "wg_walking": 3}
    people = [
        (g1, "F", "bengali", disabled, D(2025, 12, 1), D(2026, 1, 1)),
        (g1, "F", "bengali", disabled, D(2026, 1, 10), D(2026, 2, 19)),
        (g1, "F", "garo", answered, D(2026, 2, 1), D(2026, 3, 23)),
        (g1, "F", "garo", {}, D(2026, 3, 1), D(2026, 5, 10)),
        (g1, "M", "bengali", answered, D(2026, 3, 1), D(2026, 6, 9)),
        (g1, "M", "", {}, D(2026, 1, 1), D(2026, 12, 31)),
        (g2, "F", "bengali", {}, D(2026, 4, 1), D(2026, 4, 21)),
        (g2, "M", "santal", disabled, D(2026, 5, 1), D(2026, 5, 31)),
        (g1, "F", "bengali", answered, D(2025, 11, 1), D(2025, 12, 31)),
    ]
    m = [None]  # m[1] is m1, as in the table
    for group, sex, ethnicity, wg, identified, since in people:
        member = testing.member(group, sex=sex, ethnicity=ethnicity, **wg)
        apply(member, oaa, identified, receiving_since=since)
        m.append(member)
    Application.objects.filter(member=m[5]).update(status=S.STOPPED, stopped_on=D(2026, 6, 20))
    # Two women of the north start receiving the women's benefit: too few to show.
    apply(m[1], vwb, D(2026, 1, 5), receiving_since=D(2026, 3, 1))
    apply(m[3], vwb, D(2026, 1, 5), receiving_since=D(2026, 3, 1))
    # Five more members of the north likely eligible for OAA, one it cannot tell about, and a
    # stale finding for m1, who receives it now.
    waiting = [testing.member(g1, sex="F") for _ in range(6)]
    for member in waiting[:5]:
        find(member, oaa)
    find(waiting[5], oaa, Finding.Outcome.CANNOT_TELL)
    find(m[1], oaa)
    find(waiting[0], vwb)
    # Rejections decided in 2026: three for proof of age and one for a full quota (north), and
    # five for documents (south); one in 2025 does not count.
    rejected = []
    for member, reason, day in [
        (waiting[0], "age_proof", D(2026, 2, 1)), (waiting[1], "age_proof", D(2026, 3, 1)),
        (waiting[2], "age_proof", D(2026, 4, 1)), (waiting[3], "quota_full", D(2026, 5, 1)),
        (waiting[4], "age_proof", D(2025, 12, 1)),
    ]:  # fmt: skip
        rejected.append(
            apply(member, oaa, D(2025, 10, 1), status=S.REJECTED, decided_on=day, rejection_reason=reason)
        )
    south = [testing.member(g2, sex="F") for _ in range(5)]
    for member in south:
        apply(
            member,
            vwb,
            D(2026, 1, 1),
            status=S.REJECTED,
            decided_on=D(2026, 6, 1),
            rejection_reason="documents",
        )
    # Grievances: on 1 July one is overdue (due 31 May), one escalated is due 20 July, one is due
    # that very day, one was resolved.
    delay = GrievanceCategory.objects.create(code="delay", name_en="Delay", resolution_days=30)
    for application, opened, due, status in [
        (rejected[0], D(2026, 5, 1), D(2026, 5, 31), Grievance.Status.OPEN),
        (rejected[1], D(2026, 6, 20), D(2026, 7, 20), Grievance.Status.ESCALATED),
        (Application.objects.filter(member=south[0]).get(), D(2026, 6, 1), TODAY, Grievance.Status.OPEN),
        (
            Application.objects.filter(member=south[1]).get(),
            D(2026, 2, 1),
            D(2026, 3, 3),
            Grievance.Status.RESOLVED,
        ),
    ]:
        Grievance.objects.create(
            application=application, association_id=application.association_id, category=delay,
            description="Waiting", opened_on=opened, due_on=due, status=status,
            resolved_on=D(2026, 3, 1) if status == Grievance.Status.RESOLVED else None,
        )  # fmt: skip
    # Referrals to the extension officer: received, not received, pending; one made in 2025.
    for member, status, day in [
        (m[1], Referral.Status.RECEIVED, D(2026, 2, 1)), (m[2], Referral.Status.NOT_RECEIVED, D(2026, 3, 1)),
        (m[7], Referral.Status.REFERRED, D(2026, 6, 1)), (m[3], Referral.Status.RECEIVED, D(2025, 6, 1)),
    ]:  # fmt: skip
        Referral.objects.create(
            member=member, service=saao, association_id=member.association_id, referred_on=day, status=status
        )
    return {
        "m": m, "waiting": waiting, "south": south, "oaa": oaa, "vwb": vwb, "saao": saao, "north": north,
        "south_district": south_d, "federation": federation, "a1": a1, "a2": a2, "g1": g1, "g2": g2,
    }  # fmt: skip


def table(found: reports.Results, key: str) -> reports.Table:
    return next(t for t in found.newly if t.key == key)


def cells(tab: reports.Table, code: str) -> dict:
    row = next(r for r in tab.rows if r.scheme.code == code)
    return {"total": row.total, **{c.key: n for c, n in zip(tab.columns, row.cells, strict=True)}}


def admin():
    return testing.staff(Role.PROGRAMME_ADMIN)


# ----- every figure against the hand count -------------------------------------------------------


def test_members_newly_receiving_are_split_by_sex_ethnicity_disability_and_district(world):
    found = reports.results(admin(), YEAR, today=TODAY)
    assert not found.suppressed
    assert cells(table(found, "sex"), "oaa") == {"total": 8, "F": 5, "M": 3, "T": 0}
    assert cells(table(found, "ethnicity"), "oaa") == {
        "total": 8, "majority": 4, "minority": 3, "not_recorded": 1,
    }  # fmt: skip
    assert cells(table(found, "community"), "oaa") == {
        "total": 8, "bengali": 4, "garo": 2, "santal": 1, "not_recorded": 1,
    }  # fmt: skip
    assert cells(table(found, "disability"), "oaa") == {"total": 8, "with": 3, "without": 2, "not_asked": 3}
    north, south = str(world["north"].pk), str(world["south_district"].pk)
    assert cells(table(found, "district"), "oaa") == {"total": 8, north: 6, south: 2}
    assert [c.label for c in table(found, "district").columns] == ["North", "South"]
    assert cells(table(found, "sex"), "vwb") == {"total": 2, "F": 2, "M": 0, "T": 0}
    assert [r.scheme.code for r in found.newly_receiving] == ["oaa", "vwb"]


def test_the_period_boundary_counts_its_first_and_last_day_and_nothing_beyond(world):
    q1 = reports.period(kind="quarter", year=2026, quarter=1, today=TODAY)
    assert (q1.start, q1.end) == (D(2026, 1, 1), D(2026, 3, 31))
    found = reports.results(admin(), q1, today=TODAY)
    assert cells(table(found, "sex"), "oaa")["total"] == 3  # m1 on 1 January, m2, m3
    december = reports.period(kind="month", year=2025, month=12, today=TODAY)
    assert cells(table(reports.results(admin(), december, today=TODAY), "sex"), "oaa")["total"] == 1  # m9
    days = reports.period(kind="range", start=D(2026, 5, 31), end=D(2026, 12, 31), today=TODAY)
    assert cells(table(reports.results(admin(), days, today=TODAY), "sex"), "oaa")["total"] == 3  # m5, m6, m8


def test_take_up_is_receiving_over_receiving_and_likely_eligible_not_receiving(world):
    found = {row.scheme.code: row for row in reports.results(admin(), YEAR, today=TODAY).take_up}
    oaa = found["oaa"]
    # Receiving now: m1-m4, m6-m9 (m5 stopped) = 8; likely eligible: 5 (m1's stale finding is not).
    assert (oaa.receiving, oaa.eligible, oaa.cannot_tell) == (8, 5, 1)
    assert oaa.rate == pytest.approx(8 / 13)
    assert (found["vwb"].receiving, found["vwb"].eligible) == (2, 1)
    assert found["vwb"].rate == pytest.approx(2 / 3)


def test_days_from_identified_to_receiving_give_the_median_and_75th_percentile(world):
    found = {row.scheme.code: row for row in reports.results(admin(), YEAR, today=TODAY).waiting}
    # 20, 30, 31, 40, 50, 70, 100, 364: the median between 40 and 50, the 75th percentile a
    # quarter of the way from 70 to 100.
    assert (found["oaa"].members, found["oaa"].median, found["oaa"].p75) == (8, 45.0, 77.5)
    assert (found["vwb"].members, found["vwb"].median, found["vwb"].p75) == (2, 55.0, 55.0)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=15))
def test_the_database_s_percentiles_agree_with_python_s(days):
    with transaction.atomic():
        group = testing.group()
        oaa = scheme(f"s{len(days)}x{sum(days)}")
        for n in days:
            member = testing.member(group)
            apply(member, oaa, D(2024, 1, 1), receiving_since=D(2024, 1, 1) + datetime.timedelta(days=n))
        ((members, median, p75),) = reports._percentiles(Application.objects.filter(scheme=oaa)).values()
        transaction.set_rollback(True)
    assert members == len(days)
    assert median == pytest.approx(statistics.median(days))
    expected = days[0] if len(days) == 1 else statistics.quantiles(days, n=4, method="inclusive")[2]
    assert p75 == pytest.approx(expected)


def test_rejections_are_counted_by_reason_in_the_period(world):
    found = reports.results(admin(), YEAR, today=TODAY).rejections
    assert [c.key for c in found.columns] == ["documents", "quota_full", "age_proof"]
    assert cells(found, "oaa") == {"total": 4, "documents": 0, "quota_full": 1, "age_proof": 3}
    assert cells(found, "vwb") == {"total": 5, "documents": 5, "quota_full": 0, "age_proof": 0}


def test_grievances_are_overdue_after_the_day_they_should_be_resolved_by(world):
    found = reports.results(admin(), YEAR, today=TODAY).grievances
    assert (found.open, found.overdue, found.opened, found.resolved) == (3, 1, 4, 1)
    later = reports.results(admin(), YEAR, today=D(2026, 7, 21)).grievances
    assert later.overdue == 3


def test_referrals_made_in_the_period_are_counted_by_outcome(world):
    (saao, total) = reports.results(admin(), YEAR, today=TODAY).referrals
    assert saao.service.code == "saao" and total.service is None
    assert (saao.referred, saao.received, saao.not_received, saao.pending) == (3, 1, 1, 1)


# ----- small cells -------------------------------------------------------------------------------


def test_small_cells_are_hidden_from_a_role_without_detail_with_a_sibling_so_totals_cannot_tell(world):
    viewer = testing.staff(Role.VIEWER, organisation=world["federation"])
    found = reports.results(viewer, YEAR, today=TODAY)
    assert found.suppressed
    assert cells(table(found, "sex"), "oaa") == {"total": 8, "F": 5, "M": None, "T": None}
    # Only the south's 2 is small: the north's 6 is hidden too, or 8 - 6 would give it away.
    north, south = str(world["north"].pk), str(world["south_district"].pk)
    assert cells(table(found, "district"), "oaa") == {"total": 8, north: None, south: None}
    assert cells(table(found, "sex"), "vwb") == {"total": None, "F": None, "M": None, "T": None}
    assert "community" not in {t.key for t in found.newly}
    waits = {row.scheme.code: row for row in found.waiting}
    assert (waits["oaa"].median, waits["vwb"].median) == (45.0, None)
    take_up = {row.scheme.code: row for row in found.take_up}
    assert (take_up["oaa"].receiving, take_up["oaa"].eligible, take_up["oaa"].cannot_tell) == (8, 5, None)
    assert take_up["vwb"].rate is None
    assert cells(found.rejections, "vwb") == {
        "total": 5,
        "documents": 5,
        "quota_full": None,
        "age_proof": None,
    }


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_no_hidden_cell_can_be_worked_out_from_the_total(values):
    hidden = cells_module.hidden_siblings(values)
    assert {i for i, n in enumerate(values) if n < cells_module.SMALL_CELL} <= hidden
    # One hidden cell among shown ones would be the total less the others.
    assert len(hidden) != 1 or len(values) == 1


def test_a_role_with_detail_sees_every_cell(world):
    facilitator = testing.staff(Role.FACILITATOR, organisation=world["federation"])
    found = reports.results(facilitator, YEAR, today=TODAY)
    assert not found.suppressed
    assert cells(table(found, "sex"), "vwb") == {"total": 2, "F": 2, "M": 0, "T": 0}


# ----- scope -------------------------------------------------------------------------------------


def test_an_association_leader_sees_only_their_association_s_numbers(world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["a1"])
    found = reports.results(leader, YEAR, today=TODAY)
    assert cells(table(found, "sex"), "oaa") == {"total": 6, "F": None, "M": None, "T": None}
    assert [c.label for c in table(found, "district").columns] == ["North"]
    assert {r.scheme.code for r in found.rejections.rows} == {"oaa"}
    assert (found.grievances.open, found.grievances.overdue) == (2, 1)
    assert [r.referred for r in found.referrals] == [2, 2]
    facilitator = testing.staff(Role.FACILITATOR, organisation=world["a2"])
    south = reports.results(facilitator, YEAR, today=TODAY)
    assert cells(table(south, "sex"), "oaa") == {"total": 2, "F": 1, "M": 1, "T": 0}
    assert {row.scheme.code: row.receiving for row in south.take_up} == {"oaa": 2}


def test_a_facilitator_of_a_district_sees_only_that_district_s_numbers(world):
    facilitator = testing.staff(Role.FACILITATOR, area=world["south_district"])
    found = reports.results(facilitator, YEAR, today=TODAY)
    assert cells(table(found, "sex"), "oaa") == {"total": 2, "F": 1, "M": 1, "T": 0}
    assert cells(found.rejections, "vwb")["total"] == 5 and len(found.rejections.rows) == 1
    assert (found.grievances.open, found.grievances.overdue) == (1, 0)
    assert [r.referred for r in found.referrals] == [1, 1]
    assert {row.scheme.code: (row.receiving, row.eligible) for row in found.take_up} == {"oaa": (2, 0)}
    home = reports.overview(facilitator, today=TODAY)
    assert (home.likely_eligible, home.open_grievances, home.referrals_pending) == (0, 1, 1)


def test_a_bad_period_is_refused_on_its_field():
    for arguments, field in [
        ({"kind": "quarter", "quarter": 5}, "quarter"),
        ({"kind": "month", "month": 13}, "month"),
        ({"kind": "range", "start": D(2026, 2, 1)}, "end"),
        ({"kind": "range", "start": D(2026, 2, 1), "end": D(2026, 1, 1)}, "end"),
        ({"kind": "week"}, "period"),
        ({"year": 20026}, "year"),
    ]:
        with pytest.raises(AccessError) as refused:
            reports.period(today=TODAY, **arguments)
        assert refused.value.field == field


# ----- the page, the download and the API --------------------------------------------------------


def test_the_page_shows_the_figures_for_the_chosen_period_in_english_and_bengali(client, world):
    client.force_login(admin())
    page = client.get(reverse("access:results"), {"period": "year", "year": "2026"})
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["results"].period == YEAR
    assert "OAA" in html and "61.5%" in html and "77.5" in html and "<svg" in html
    assert "receiving ÷ (receiving + likely eligible and not receiving)" in html
    client.post("/i18n/setlang/", {"language": "bn", "next": "/"})
    translation.activate("bn")
    html = client.get(reverse("access:results"), {"period": "year", "year": "2026"}).content.decode()
    assert 'lang="bn"' in html and "৬১.৫%" in html and "৭৭.৫" in html and "oaa বাংলা" in html


def test_the_page_defaults_to_this_year_and_keeps_a_bad_period_on_its_field(client, world):
    client.force_login(admin())
    page = client.get(reverse("access:results"))
    assert page.status_code == 200 and page.context["results"].period.kind == "year"
    bad = client.get(
        reverse("access:results"), {"period": "range", "start": "2026-03-01", "end": "2026-01-01"}
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors["end"] == ["The last day comes before the first."]
    assert 'value="2026-03-01"' in bad.content.decode()


def test_the_page_reads_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(testing.staff(Role.FACILITATOR, area=world["north"]))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("access:results"), {"year": "2026"}).status_code == 200


def test_the_page_says_so_when_there_is_nothing_to_count(client):
    client.force_login(admin())
    html = client.get(reverse("access:results")).content.decode()
    assert "Nobody in your scope started receiving a scheme in this period." in html
    assert "No application in your scope was rejected in this period." in html


def test_the_page_shows_hidden_cells_as_fewer_than_five(client, world):
    client.force_login(testing.staff(Role.ASSOCIATION_LEADER, organisation=world["a1"]))
    html = client.get(reverse("access:results"), {"year": "2026"}).content.decode()
    assert "&lt;5" in html and "South Assn" not in html


def test_the_downloads_hold_the_page_s_tables(client, world):
    client.force_login(admin())
    response = client.get(reverse("access:results_export", args=["csv"]), {"year": "2026"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Newly receiving: By sex", "OAA", "female", "5"] in rows
    assert ["Take-up", "OAA", "take-up", "0.6154"] in rows
    response = client.get(reverse("access:results_export", args=["xlsx"]), {"year": "2026"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert ["Newly receiving: By district", "OAA", "South", 2] in lines
    assert ["Days from identified to receiving", "OAA", "75th percentile days", 77.5] in lines


def test_a_download_hides_small_cells_as_the_page_does(client, world):
    client.force_login(testing.staff(Role.VIEWER, organisation=world["federation"]))
    response = client.get(reverse("access:results_export", args=["csv"]), {"year": "2026"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Newly receiving: By sex", "OAA", "male", "<5"] in rows
    assert ["Newly receiving: By sex", "OAA", "female", "5"] in rows


def bearer(user) -> dict[str, str]:
    _token, key = registry.issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_gives_the_page_s_numbers(client, world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["a1"])
    client.force_login(leader)
    page = client.get(reverse("access:results"), {"period": "quarter", "year": "2026", "quarter": "1"})
    response = client.get(
        "/api/access/results", {"period": "quarter", "year": 2026, "quarter": 1}, headers=bearer(leader)
    )
    assert response.status_code == 200
    body = response.json()
    assert body == page.context["results"].as_dict()
    assert body["period"] == {"kind": "quarter", "start": "2026-01-01", "end": "2026-03-31"}
    assert body["suppressed"] is True
    assert body["take_up"][0] == {
        "scheme": "oaa", "receiving": 6, "likely_eligible": 5, "cannot_tell": None, "rate": 0.5455,
    }  # fmt: skip


def test_the_api_refuses_a_bad_period_on_its_field(client, world):
    response = client.get("/api/access/results", {"period": "month", "month": 14}, headers=bearer(admin()))
    assert response.status_code == 400
    assert response.json()["field"] == "month"


def test_the_page_and_the_api_need_an_account(client):
    assert client.get(reverse("access:results")).status_code == 302
    assert client.get("/api/access/results").status_code == 401


# ----- in a browser, at a phone's width ----------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_reads_the_results_on_a_phone(world, phone_page, live_server):
    testing.staff(Role.ASSOCIATION_LEADER, organisation=world["a1"], username="rina")
    testing.log_in(phone_page, live_server, "rina")
    testing.visit(phone_page, f"{live_server.url}{reverse('access:home')}")
    testing.follow(phone_page, f"a.button[href='{reverse('access:results')}']")
    phone_page.select_option("#id_period", "quarter")
    phone_page.fill("#id_year", "2026")
    phone_page.fill("#id_quarter", "1")
    testing.follow(phone_page, "#results-period [type=submit]")
    assert "quarter 1 of 2026" in phone_page.locator("main").inner_text()
    # Wide tables scroll inside their frame; the page itself never scrolls sideways.
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone_page.locator("#results-take-up svg").count() == 1
    assert "54.5%" in phone_page.locator("#results-take-up").inner_text()
