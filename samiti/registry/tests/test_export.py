"""Member list export: the list's filters and scope, sensitive columns, audit, and a round trip."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from samiti.core.models import AuditEvent
from samiti.registry import importing, services, testing
from samiti.registry.models import Household, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    union = testing.union()
    association = testing.organisation(
        "association", testing.organisation("federation", place=union), place=union
    )
    return {
        "union": union,
        "village": testing.area("village", union, name_en="Char Para", name_bn="চর পাড়া"),
        "group": testing.organisation("group", association, place=union, code="G1"),
        "other_group": testing.organisation("group", association, place=union, code="G2"),
    }


@pytest.fixture
def members(place):
    household = Household.objects.create(
        code="HH-1", area=place["village"], size=5, income_per_year=8_500_050, children_under_5=2
    )
    full = testing.member(
        place["group"],
        name_en="Rahima Begum",
        name_bn="রহিমা বেগম",
        sex="F",
        birth_date=datetime.date(1985, 3, 1),
        phone="01712345678",
        national_id="1234567890123",
        ethnicity="garo",
        marital_status="deserted",
        occupation="agri_labourer",
        pregnant=False,
        wg_seeing=1,
        wg_walking=3,
        land_owned=20,
        land_cultivated=45,
        main_crops=["rice", "jute"],
        area=place["village"],
        household=household,
        joined_on=datetime.date(2024, 7, 1),
        consent_on=datetime.date(2024, 7, 1),
        consent_method="thumbprint",
    )
    sparse = testing.member(place["group"], name_bn="করিম", sex="M", birth_year=1970)
    left = testing.member(
        place["other_group"], name_en="Salma", left_on=datetime.date(2025, 1, 1), leaving_reason="moved"
    )
    return {"full": full, "sparse": sparse, "left": left}


def export(client, fmt: str, **filters) -> bytes:
    response = client.get(reverse("registry:member_export", args=[fmt]), filters)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def reimport(tmp_path, content: bytes, name: str, user) -> importing.Summary:
    path = tmp_path / name
    path.write_bytes(content)
    with importing.open_table(path) as table:
        mapping = importing.guess_mapping(table.headers)
    return importing.run_import(path=path, mapping=mapping, user=user, apply=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reimports_as_unchanged(client, tmp_path, members, fmt):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    client.force_login(admin)
    content = export(client, fmt, status="all")
    events = AuditEvent.objects.exclude(action="export").count()
    summary = reimport(tmp_path, content, f"members.{fmt}", admin)
    assert (summary.new, summary.updated, summary.unchanged, summary.bad) == (0, 0, 3, 0)
    assert AuditEvent.objects.exclude(action="export").count() == events


def test_the_csv_export_uses_the_template_columns_and_plain_values(client, members):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    rows = csv_rows(export(client, "csv"))
    assert list(rows[0]) == importing.TEMPLATE_COLUMNS
    rahima = next(r for r in rows if r["name_en"] == "Rahima Begum")
    assert rahima["national_id"] == "1234567890123"
    assert (rahima["group_code"], rahima["sex"], rahima["birth_date"], rahima["phone"]) == (
        "G1", "F", "1985-03-01", "'+8801712345678",  # the apostrophe: text, not a number, in a spreadsheet
    )  # fmt: skip
    assert (rahima["main_crops"], rahima["village"], rahima["household_code"], rahima["household_size"]) == (
        "rice; jute", "Char Para", "HH-1", "5",
    )  # fmt: skip
    assert (rahima["marital_status"], rahima["occupation"], rahima["pregnant"]) == (
        "deserted",
        "agri_labourer",
        "no",
    )
    assert (rahima["income_per_year"], rahima["children_under_5"]) == ("85000.50", "2")  # taka, not poisha
    assert len(rows) == 2  # the list shows current members unless asked otherwise


def test_an_xlsx_export_writes_dates_and_text_cells(client, members):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    sheet = openpyxl.load_workbook(io.BytesIO(export(client, "xlsx"))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    rahima = dict(
        zip(header, next(r for r in rows if r[header.index("name_en")] == "Rahima Begum"), strict=True)
    )
    assert rahima["birth_date"] == datetime.datetime(1985, 3, 1)
    assert rahima["national_id"] == "1234567890123"  # text, so no digit is lost


def test_an_export_follows_the_member_list_filters(client, members):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    assert [r["name_bn"] for r in csv_rows(export(client, "csv", sex="M"))] == ["করিম"]
    assert [r["name_en"] for r in csv_rows(export(client, "csv", status="left"))] == ["Salma"]
    assert [r["name_en"] for r in csv_rows(export(client, "csv", q="Rahima"))] == ["Rahima Begum"]


def test_a_group_leader_exports_only_their_group_and_gets_404_for_another(client, members, place):
    client.force_login(testing.staff(Role.GROUP_LEADER, organisation=place["group"]))
    rows = csv_rows(export(client, "csv", status="all"))
    assert {r["group_code"] for r in rows} == {"G1"}
    assert not csv_rows(export(client, "csv", status="all", q=members["left"].code))
    other = reverse("registry:member_export", args=["csv"])
    assert client.get(other, {"organisation": place["other_group"].pk}).status_code == 404


def test_a_viewer_gets_national_ids_masked_and_no_other_sensitive_columns(client, members, place):
    client.force_login(testing.staff(Role.VIEWER, organisation=place["group"].parent))
    rows = csv_rows(export(client, "csv"))
    assert "ethnicity" not in rows[0] and "wg_walking" not in rows[0]
    rahima = next(r for r in rows if r["name_en"] == "Rahima Begum")
    assert rahima["national_id"] == "••••••••••123"
    sheet = openpyxl.load_workbook(io.BytesIO(export(client, "xlsx"))).active
    header = next(sheet.iter_rows(values_only=True))
    assert "ethnicity" not in header and "1234567890123" not in str(list(sheet.iter_rows(values_only=True)))


def test_a_group_leader_export_with_masked_ids_reimports_as_unchanged(client, tmp_path, members, place):
    leader = testing.staff(Role.GROUP_LEADER, organisation=place["group"])
    client.force_login(leader)
    summary = reimport(tmp_path, export(client, "csv"), "mine.csv", leader)
    assert (summary.new, summary.updated, summary.unchanged, summary.bad) == (0, 0, 2, 0)
    members["full"].refresh_from_db()
    assert members["full"].national_id == "1234567890123"


def test_each_export_writes_one_audit_row_with_its_filter_and_count(client, members):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    client.force_login(admin)
    export(client, "csv", sex="F", status="all")
    export(client, "xlsx")
    events = list(AuditEvent.objects.filter(action="export").order_by("id"))
    assert len(events) == 2
    assert (events[0].actor, events[0].object_type) == (admin, "registry.member")
    assert "sex=F" in events[0].note and "2 rows" in events[0].note
    assert events[1].note.startswith("xlsx, 2 rows")


def test_an_export_needs_a_login(client, members):
    response = client.get(reverse("registry:member_export", args=["csv"]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_export_of_many_members_streams_them_all(client, place):
    group = place["group"]
    built = [
        {"code": f"G1-{n:04d}", "name_en": f"Member {n}", "sex": "F", "group_id": group.pk}
        for n in range(2500)
    ]
    services.bulk_register_members(actor=None, channel="system", members=built)
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    response = client.get(reverse("registry:member_export", args=["csv"]))
    assert response.streaming
    assert len(csv_rows(b"".join(response.streaming_content))) == 2500


def test_text_a_spreadsheet_would_run_as_a_formula_is_exported_inert_and_reimports_unchanged(
    client, tmp_path, place
):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    testing.member(place["group"], name_en='=HYPERLINK("http://x")', sex="F")
    client.force_login(admin)
    content = export(client, "csv")
    assert csv_rows(content)[0]["name_en"].startswith("'=")
    sheet = openpyxl.load_workbook(io.BytesIO(export(client, "xlsx"))).active
    assert "f" not in {c.data_type for row in sheet.iter_rows() for c in row}  # no formula
    for fmt, data in (("csv", content), ("xlsx", export(client, "xlsx"))):
        summary = reimport(tmp_path, data, f"m.{fmt}", admin)
        assert (summary.unchanged, summary.bad) == (1, 0), fmt
