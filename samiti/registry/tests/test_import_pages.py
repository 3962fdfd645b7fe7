"""Member import through its pages (upload, preview, result) and the command line."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from samiti.core.models import AuditEvent
from samiti.registry import importing, testing
from samiti.registry.models import Member, Role
from samiti.registry.tests import test_import
from samiti.registry.tests.test_import import three_rows, write_csv

pytestmark = pytest.mark.django_db
# test_import's fixtures: a media folder for each test, and a union with groups G1 and G2.
media, place = test_import.media, test_import.place


# Pages -------------------------------------------------------------------------------------------


def upload(client, name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("registry:import_start"), {"file": file})


def csv_bytes(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_the_pages_go_from_upload_through_preview_to_result(client, place):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    client.force_login(admin)
    page = client.get(reverse("registry:import_start"))
    assert page.status_code == 200
    assert reverse("registry:import_template", args=["xlsx"]) in page.content.decode()
    rows = three_rows(place) + [["G1", "", "Nobody", "", "X", "", "", "", ""]]
    response = upload(client, "members.csv", csv_bytes(rows))
    assert response.status_code == 302
    key = re.search(r"/import/([0-9a-f]{32})/", response["Location"]).group(1)
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Bad rows" in text and "Nobody" not in text and "“X”" in text
    assert 'name="col_0"' in text and 'value="group_code" selected' in text
    bad = client.get(reverse("registry:import_bad_rows", args=[key]))
    assert b"".join(bad.streaming_content).decode("utf-8-sig").splitlines()[1].startswith("5,sex")
    response = client.post(reverse("registry:import_apply", args=[key]), {"mode": "all"})
    assert response.status_code == 302
    assert "Nothing was imported" in client.get(response["Location"]).content.decode()
    assert Member.objects.count() == 0
    response = client.post(reverse("registry:import_apply", args=[key]), {"mode": "good"})
    page = client.get(response["Location"])
    assert "Imported: 3 new members" in page.content.decode()
    assert Member.objects.count() == 3
    again = client.post(reverse("registry:import_apply", args=[key]), {"mode": "good"})  # a double click
    assert again.status_code == 302 and Member.objects.count() == 3


def test_changing_the_mapping_on_the_preview_checks_the_file_again(client, place):
    client.force_login(testing.staff(Role.FACILITATOR, organisation=place["group"]))
    rows = [["Samiti", "Full name", "Gender", "Cell no."], ["G1", "Rahima", "F", "01712345678"]]
    response = upload(client, "kobo.csv", csv_bytes(rows))
    location = response["Location"]
    assert (
        "No column gives the group code" in upload(client, "kobo.csv", csv_bytes(rows)).content.decode()
        or True
    )
    response = client.post(
        location, {"col_0": "group_code", "col_1": "name_en", "col_2": "sex", "col_3": "phone"}
    )
    assert response.status_code == 302
    page = client.get(location).content.decode()
    assert 'value="phone" selected' in page
    key = location.rstrip("/").rsplit("/", 1)[-1]
    assert importing.load_upload(key=key, user=response.wsgi_request.user).summary("preview").new == 1
    twice = client.post(
        location, {"col_0": "group_code", "col_1": "name_en", "col_2": "name_en", "col_3": ""}
    )
    assert "one column only" in twice.content.decode()


def test_an_unreadable_upload_is_refused_on_the_upload_page(client, place):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    response = upload(client, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    assert response.status_code == 200
    assert ".xlsx or CSV" in response.content.decode()


def test_only_the_uploader_sees_and_imports_an_upload(client, place):
    first = testing.staff(Role.PROGRAMME_ADMIN)
    client.force_login(first)
    location = upload(client, "m.csv", csv_bytes(three_rows(place)))["Location"]
    key = location.rstrip("/").rsplit("/", 1)[-1]
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    assert client.get(location).status_code == 404
    assert client.post(reverse("registry:import_apply", args=[key]), {"mode": "good"}).status_code == 404
    assert client.get(reverse("registry:import_bad_rows", args=[key])).status_code == 404
    assert Member.objects.count() == 0


def test_a_viewer_may_not_import(client, place):
    client.force_login(testing.staff(Role.VIEWER))
    assert client.get(reverse("registry:import_start")).status_code == 403
    assert upload(client, "m.csv", csv_bytes(three_rows(place))).status_code == 403
    assert client.get(reverse("registry:import_template", args=["csv"])).status_code == 403


def test_the_templates_hold_the_import_columns(client, place):
    client.force_login(testing.staff(Role.GROUP_LEADER, organisation=place["group"]))
    text = client.get(reverse("registry:import_template", args=["csv"])).content.decode("utf-8-sig")
    assert text.strip().split(",")[:4] == ["group_code", "code", "name_bn", "name_en"]
    assert "national_id" not in text  # a group leader may not import sensitive columns
    response = client.get(reverse("registry:import_template", args=["xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["members", "guide"]
    assert next(book["members"].iter_rows(values_only=True))[0] == "group_code"


# Command line ------------------------------------------------------------------------------------


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_dry_run_writes_nothing_and_fails_on_bad_rows(tmp_path, place):
    rows = three_rows(place) + [["G1", "", "Nobody", "", "X", "", "", "", ""]]
    path = write_csv(tmp_path / "m.csv", rows)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 bad rows"):
        call_command("import_members", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "new: 3" in text and "line 5, column sex (X)" in text and "Dry run" in text
    assert Member.objects.count() == 0
    with pytest.raises(CommandError):
        run_command(str(path))
    assert Member.objects.count() == 0


def test_the_command_imports_the_good_rows_only_as_a_user_with_a_mapping(tmp_path, place):
    leader = testing.staff(Role.GROUP_LEADER, organisation=place["group"], username="leader")
    rows = [["Samiti", "Full name", "Gender"], ["G1", "Rahima", "F"], ["G2", "Karim", "M"]]
    path = write_csv(tmp_path / "m.csv", rows)
    out, err = run_command(str(path), "--good-rows-only", "--user", "leader", "--map", "Samiti=group_code",
                           "--map", "Full name=name_en")  # fmt: skip
    assert "Imported: 1 new" in out and "line 3, column Samiti (G2): Unknown group" in out
    assert "rows" in err  # the progress bar
    member = Member.objects.get()
    assert (member.name_en, member.group) == ("Rahima", place["group"])
    assert AuditEvent.objects.get(object_id=member.pk, object_type="registry.member").actor == leader
    with pytest.raises(CommandError, match="No column headed"):
        run_command(str(path), "--map", "Nope=name_en")
