"""Member import: reading, matching, preview, all-or-nothing or good rows only (pages: test_import_pages)."""

import csv
import datetime
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samiti.core.bengali import name_key, to_bengali_digits
from samiti.core.models import AuditEvent
from samiti.registry import importing, services, testing
from samiti.registry.importing import pipeline
from samiti.registry.importing.values import Bad, parsers
from samiti.registry.models import Area, DuplicateFlag, Household, Member, Role

pytestmark = pytest.mark.django_db
HEADER = ["group_code", "code", "name_en", "name_bn", "sex", "birth_date", "phone", "national_id", "village"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def place():
    """A union with one village, an association and two groups in it."""
    union = testing.union()
    association = testing.organisation(
        "association", testing.organisation("federation", place=union), place=union
    )
    village = testing.area("village", union, name_en="Char Para", name_bn="চর পাড়া")
    return {
        "union": union,
        "village": village,
        "group": testing.organisation("group", association, place=union, code="G1"),
        "other_group": testing.organisation("group", association, place=union, code="G2"),
    }


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def preview(path: Path, user=None, mapping=None, **options) -> importing.Summary:
    with importing.open_table(path) as table:
        mapping = mapping or importing.guess_mapping(table.headers)
    return importing.run_import(path=path, mapping=mapping, user=user, **options)


def import_(path: Path, user=None, good_rows_only=False, **options) -> importing.Summary:
    return preview(path, user, apply=True, good_rows_only=good_rows_only, **options)


def counts(summary: importing.Summary) -> tuple[int, int, int, int]:
    return summary.new, summary.updated, summary.unchanged, summary.bad


def three_rows(place) -> list[list]:
    return [
        HEADER,
        ["G1", "", "Rahima Begum", "", "F", "1985-03-01", "01712345678", "", "Char Para"],
        ["G1", "", "Karim Mia", "", "M", "12/07/1979", "01812345678", "", ""],
        ["G2", "", "", "সালমা খাতুন", "মহিলা", "", "", "", ""],
    ]


# Reading and parsing --------------------------------------------------------------------------


def test_headers_are_recognised_in_english_and_bengali():
    headers = ["Name (English)", "নাম (ইংরেজি)", "mobile", "মোবাইল", "NID", "জাতীয় পরিচয়পত্র নম্বর", "Gender",
               "লিঙ্গ", "group", "member/phone", "নাম", "বয়স", "whatever"]  # fmt: skip
    assert importing.guess_mapping(headers) == [
        "name_en", "", "phone", "", "national_id", "", "sex", "", "group_code", "", "name", "age", "",
    ]  # fmt: skip
    assert importing.guess_mapping(["নাম (ইংরেজি)", "মোবাইল", "জাতীয় পরিচয়পত্র নম্বর", "লিঙ্গ"]) == [
        "name_en", "phone", "national_id", "sex",
    ]  # fmt: skip


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    form=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m-%dT10:20:00"]),
    bengali=st.booleans(),
)
def test_a_date_is_read_in_every_accepted_form_and_digit_script(day, form, bengali):
    text = day.strftime(form)
    assert importing.parse_date(to_bengali_digits(text) if bengali else text) == day
    assert importing.parse_date(datetime.datetime.combine(day, datetime.time(9))) == day


@given(day=st.dates(min_value=datetime.date(1927, 5, 19), max_value=datetime.date(2099, 12, 31)))
def test_an_excel_serial_number_is_read_as_its_date(day):
    serial = (day - datetime.date(1899, 12, 30)).days
    assert importing.parse_date(serial) == day
    assert importing.parse_date(float(serial)) == day
    assert importing.parse_date(str(serial)) == day


@pytest.mark.parametrize("text", ["31/02/2020", "2020-13-01", "yesterday", "2020", "05/06/20", "1850-01-01"])
def test_a_date_that_is_not_one_is_refused(text):
    with pytest.raises(Bad):
        importing.parse_date(text)


@given(
    word=st.sampled_from(
        [
            ("female", "F"),
            ("F", "F"),
            ("f", "F"),
            ("Woman", "F"),
            ("মহিলা", "F"),
            ("নারী", "F"),
            ("male", "M"),
            ("M", "M"),
            ("পুরুষ", "M"),
            ("Male", "M"),
            ("third gender", "T"),
            ("Hijra", "T"),
            ("হিজড়া", "T"),
            ("third_gender", "T"),
        ]
    ),
    pad=st.sampled_from(["", " ", "  "]),
    upper=st.booleans(),
)
def test_sex_is_read_from_the_words_people_write(word, pad, upper):
    text, sex = word
    parse = parsers()["sex"]
    assert parse(pad + (text.upper() if upper else text) + pad) == sex


@given(st.integers(min_value=0, max_value=100_000), st.booleans())
def test_numbers_are_read_in_latin_or_bengali_digits(number, bengali):
    text = to_bengali_digits(number) if bengali else str(number)
    assert parsers()["land_owned"](text) == number
    if 1 <= number <= 50:
        assert parsers()["household_size"](text) == number


@settings(max_examples=300)
@given(
    operator=st.sampled_from("13456789"),
    rest=st.integers(min_value=0, max_value=10**8 - 1),
    prefix=st.sampled_from(["0", "+880", "880", "", "+880 ", "+88 0"]),
    separator=st.sampled_from(["", " ", "-"]),
    bengali=st.booleans(),
)
def test_the_fast_phone_path_agrees_with_normalise_phone(operator, rest, prefix, separator, bengali):
    digits = f"1{operator}{rest:08d}"
    text = prefix + digits[:4] + separator + digits[4:]
    text = to_bengali_digits(text) if bengali else text
    try:
        expected = services.normalise_phone(text)
    except services.RegistryError:
        with pytest.raises(Bad):
            importing.parse_phone(text)
    else:
        assert importing.parse_phone(text) == expected


def test_crops_ethnicity_and_consent_are_read_from_codes_and_labels():
    read = parsers()
    assert read["main_crops"]("rice; Jute, ধান") == ["rice", "jute"]
    assert read["main_crops"]("rice potato") == ["rice", "potato"]  # KoboToolbox select_multiple
    assert read["ethnicity"]("Garo (Mandi)") == read["ethnicity"]("মান্দি") == "garo"
    assert read["consent_method"]("টিপসই") == "thumbprint"
    assert read["wg_walking"]("৩") == 3
    assert read["wg_walking"]("cannot do at all") == 4


def test_a_csv_in_windows_encoding_or_utf16_is_read(tmp_path, place):
    rows = [["group_code", "name_en", "sex"], ["G1", "José Noël", "F"]]
    for encoding in ("cp1252", "utf-16", "utf-8-sig"):
        summary = preview(write_csv(tmp_path / f"{encoding}.csv", rows, encoding=encoding))
        assert counts(summary) == (1, 0, 0, 0), encoding


def test_a_semicolon_separated_file_is_read(tmp_path, place):
    (tmp_path / "semi.csv").write_text("group_code;name_en;sex\nG1;Rahima;F\n", encoding="utf-8")
    assert counts(preview(tmp_path / "semi.csv")) == (1, 0, 0, 0)


def test_an_old_excel_file_or_unreadable_bytes_get_a_clear_error(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(importing.ImportFileError, match=r"\.xls"):
        preview(tmp_path / "old.xls", mapping=["group_code"])
    (tmp_path / "broken.csv").write_bytes(b"group_code,name\n\x81\x8d\x8f\x90\x9d\xff,x\n")
    with pytest.raises(importing.ImportFileError, match="UTF-8"):
        preview(tmp_path / "broken.csv", mapping=["group_code", "name"])


def test_a_file_without_a_group_column_is_refused_as_a_whole(tmp_path, place):
    path = write_csv(tmp_path / "m.csv", [["name_en", "sex"], ["Rahima", "F"]])
    with pytest.raises(importing.ImportFileError, match="group code"):
        preview(path)


# Preview, bad rows, all-or-nothing, good rows only ---------------------------------------------


def test_a_preview_counts_new_changed_unchanged_and_bad_rows_and_writes_nothing(tmp_path, place):
    testing.member(
        place["group"], name_en="Rahima Begum", phone="01712345678", birth_date=datetime.date(1985, 3, 1)
    )
    testing.member(place["group"], name_en="Karim Mia", sex="M", phone="01812345678", birth_year=1970)
    rows = three_rows(place)
    rows[1][-1] = ""  # Rahima: nothing new
    rows.append(["G1", "", "Nobody", "", "X", "", "", "", ""])
    before = (Member.objects.count(), AuditEvent.objects.count())
    summary = preview(write_csv(tmp_path / "m.csv", rows))
    assert counts(summary) == (1, 1, 1, 1)
    assert summary.rows == 4
    assert (Member.objects.count(), AuditEvent.objects.count()) == before


def test_every_bad_row_is_reported_with_its_line_column_and_reason(tmp_path, place):
    rows = [
        HEADER,
        ["G1", "", "Good Person", "", "F", "", "", "", ""],
        ["G1", "", "", "", "F", "", "", "", ""],
        ["G1", "", "Bad Phone", "", "F", "31/02/1990", "12345", "", ""],
        ["NOWHERE", "", "Lost", "", "M", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "m.csv", rows)
    summary = preview(path, bad_rows_path=tmp_path / "bad.csv")
    assert summary.bad == 3
    found = {(b["line"], b["column"]) for b in summary.bad_rows}
    assert found == {(3, "name_en"), (4, "birth_date"), (4, "phone"), (5, "group_code")}
    reasons = {(b["line"], b["column"]): b["reason"] for b in summary.bad_rows}
    assert "Unknown group" in reasons[(5, "group_code")]
    assert "not a real date" in reasons[(4, "birth_date")]
    with open(tmp_path / "bad.csv", encoding="utf-8-sig") as handle:
        written = list(csv.DictReader(handle))
    assert [(int(r["line"]), r["column"]) for r in written] == sorted(found)


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(tmp_path, place):
    rows = three_rows(place) + [["G1", "", "Nobody", "", "", "", "", "", ""]]
    before = (Member.objects.count(), AuditEvent.objects.count(), Area.objects.count())
    summary = import_(write_csv(tmp_path / "m.csv", rows))
    assert not summary.applied
    assert summary.bad == 1
    assert (Member.objects.count(), AuditEvent.objects.count(), Area.objects.count()) == before


def test_good_rows_only_writes_exactly_the_good_rows(tmp_path, place):
    rows = three_rows(place) + [["G1", "", "Nobody", "", "", "", "", "", ""], ["NOPE", "", "X", "", "F"]]
    summary = import_(write_csv(tmp_path / "m.csv", rows), good_rows_only=True)
    assert summary.applied
    assert counts(summary) == (3, 0, 0, 2)
    assert sorted(Member.objects.values_list("name_en", "name_bn")) == [
        ("", "সালমা খাতুন"), ("Karim Mia", ""), ("Rahima Begum", ""),
    ]  # fmt: skip
    rahima = Member.objects.get(name_en="Rahima Begum")
    assert (rahima.phone, rahima.birth_date, rahima.area, rahima.code) == (
        "+8801712345678", datetime.date(1985, 3, 1), place["village"], "G1-001",
    )  # fmt: skip
    events = AuditEvent.objects.filter(object_type="registry.member", action="create")
    assert set(events.values_list("channel", flat=True)) == {"import"}
    assert events.count() == 3


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path, place):
    rows = three_rows(place) + [
        ["G1", "", "Rahim Uddin", "রহিম উদ্দিন", "M", "", "01912345678", "1234567890", "Notun Gram"],
        ["G1", "", "Rahim Uddin", "রহিম উদ্দিন", "M", "", "01912345678", "", "Notun Gram"],  # the same again
        ["G2", "", "Kulsum", "", "F", "", "", "", ""],
        ["G2", "", "Kulsum", "", "F", "", "", "", ""],  # two people nothing tells apart
    ]
    path = write_csv(tmp_path / "m.csv", rows)
    first = import_(path)
    assert counts(first) == (7, 0, 0, 0)
    members, events = Member.objects.count(), AuditEvent.objects.count()
    flags, areas = DuplicateFlag.objects.count(), Area.objects.count()
    second = import_(path)
    assert counts(second) == (0, 0, 7, 0)
    assert second.duplicates == 0
    assert (Member.objects.count(), AuditEvent.objects.count()) == (members, events)
    assert (DuplicateFlag.objects.count(), Area.objects.count()) == (flags, areas)


def test_a_changed_row_updates_the_member_through_the_audited_service(tmp_path, place):
    member = testing.member(place["group"], name_en="Rahima Begum", phone="01712345678")
    rows = [
        ["group_code", "code", "phone", "land_owned", "main_crops"],
        ["G1", member.code, "01912345678", "33", "rice"],
    ]
    summary = import_(write_csv(tmp_path / "m.csv", rows))
    assert counts(summary) == (0, 1, 0, 0)
    member.refresh_from_db()
    assert (member.phone, member.land_owned, member.main_crops) == ("+8801912345678", 33, ["rice"])
    event = AuditEvent.objects.filter(object_id=member.pk, action="update").get()
    assert event.channel == "import"
    assert event.changes["phone"] == ["+8801712345678", "+8801912345678"]


def test_a_blank_cell_never_erases_what_the_register_holds(tmp_path, place):
    member = testing.member(place["group"], name_en="Rahima Begum", phone="01712345678")
    rows = [["group_code", "code", "name_en", "phone", "sex"], ["G1", member.code, "Rahima Begum", "", ""]]
    assert counts(import_(write_csv(tmp_path / "m.csv", rows))) == (0, 0, 1, 0)
    member.refresh_from_db()
    assert member.phone == "+8801712345678"


def test_rows_match_members_by_number_then_national_id_then_phone_and_name_then_name_sex_and_year(
    tmp_path, place
):
    group = place["group"]
    by_code = testing.member(group, name_en="Amina")
    by_nid = testing.member(group, name_en="Fatema", national_id="1111111111")
    by_phone = testing.member(group, name_en="Rahima Begum", phone="01712345678")
    by_year = testing.member(group, name_en="Salma", sex="F", birth_year=1980)
    rows = [
        ["group_code", "code", "name_en", "sex", "birth_year", "phone", "national_id", "land_owned"],
        ["G1", by_code.code, "Amina", "", "", "", "", "10"],
        ["G1", "", "Fatema Khatun", "", "", "", "1111111111", "11"],
        ["G1", "", "Mst. Rahima Begum", "", "", "01712345678", "", "12"],
        ["G1", "", "Salma", "F", "1980", "", "", "13"],
        ["G1", "", "Salma", "F", "1981", "", "", "14"],  # another Salma: a new member
    ]
    summary = import_(write_csv(tmp_path / "m.csv", rows))
    assert counts(summary) == (1, 4, 0, 0)
    for member, land in ((by_code, 10), (by_nid, 11), (by_phone, 12), (by_year, 13)):
        member.refresh_from_db()
        assert member.land_owned == land
    assert Member.objects.get(birth_year=1981).code == "G1-005"


def test_a_row_that_matches_two_members_asks_for_the_member_number(tmp_path, place):
    testing.member(place["group"], name_en="Shalma", sex="F")
    testing.member(place["group"], name_en="Salmah", sex="F")
    rows = [["group_code", "name_en", "sex"], ["G1", "Salma Khatun", "F"], ["G1", "Salma", "F"]]
    summary = preview(write_csv(tmp_path / "m.csv", rows))
    assert summary.new == 1
    assert summary.bad_rows[0]["line"] == 3
    assert "give the member number" in summary.bad_rows[0]["reason"]


def test_new_members_are_numbered_after_the_group_count_skipping_numbers_in_use(tmp_path, place):
    group = place["group"]
    testing.member(group)  # G1-001
    testing.member(group, code="G1-003")
    rows = [["group_code", "name_en", "sex"], ["G1", "A", "F"], ["G1", "B", "F"], ["G2", "C", "M"]]
    import_(write_csv(tmp_path / "m.csv", rows))
    assert Member.objects.get(name_en="A").code == "G1-004"  # the count is 2: 003 is taken
    assert Member.objects.get(name_en="B").code == "G1-005"
    assert Member.objects.get(name_en="C").code == "G2-001"


def test_the_same_member_number_twice_in_a_file_is_a_bad_row(tmp_path, place):
    member = testing.member(place["group"], name_en="Amina")
    rows = [
        ["group_code", "code", "name_en", "sex"],
        ["G1", member.code, "Amina", "F"],
        ["G1", member.code, "Amina", "F"],
    ]
    summary = preview(write_csv(tmp_path / "m.csv", rows))
    assert (summary.bad, summary.bad_rows[0]["line"]) == (1, 3)
    assert "Line 2" in summary.bad_rows[0]["reason"]


def test_a_new_village_is_planned_in_the_preview_and_added_under_the_group_union(tmp_path, place):
    rows = [["group_code", "name_en", "sex", "village"], ["G1", "A", "F", "Notun Gram"],
            ["G1", "B", "F", "notun  gram"], ["G1", "C", "F", "চর পাড়া"]]  # fmt: skip
    path = write_csv(tmp_path / "m.csv", rows)
    assert preview(path).new_villages == [f"Notun Gram ({place['union']})"]
    import_(path)
    village = Area.objects.get(name_en="Notun Gram")
    assert (village.level, village.parent) == ("village", place["union"])
    assert set(Member.objects.values_list("area__name_en", flat=True)) == {"Notun Gram", "Char Para"}


def test_households_are_created_once_and_shared(tmp_path, place):
    rows = [["group_code", "name_en", "sex", "household_code", "household_size"],
            ["G1", "Amina", "F", "HH-1", "5"], ["G1", "Babul", "M", "HH-1", "5"],
            ["G2", "Chandan", "M", "HH-2", ""]]  # fmt: skip
    path = write_csv(tmp_path / "m.csv", rows)
    assert counts(import_(path)) == (3, 0, 0, 0)
    assert dict(Household.objects.values_list("code", "size")) == {"HH-1": 5, "HH-2": None}
    assert Member.objects.filter(household__code="HH-1").count() == 2
    assert counts(import_(path)) == (0, 0, 3, 0)


def test_bengali_headers_values_and_digits_are_understood(tmp_path, place):
    rows = [
        ["দলের কোড", "নাম (ইংরেজি)", "নাম", "লিঙ্গ", "জন্ম তারিখ", "মোবাইল", "জাতীয় পরিচয়পত্র নম্বর", "গ্রাম", "বয়স"],
        ["G১", "Rahima", "রহিমা বেগম", "মহিলা", "০১/০৩/১৯৮৫", "০১৭১২৩৪৫৬৭৮", "১২৩৪৫৬৭৮৯০", "চর পাড়া", ""],
        ["G১", "", "করিম", "পুরুষ", "", "", "", "", "৪০"],
    ]
    summary = import_(write_csv(tmp_path / "m.csv", rows))
    assert counts(summary) == (2, 0, 0, 0)
    rahima = Member.objects.get(name_en="Rahima")
    assert (rahima.name_bn, rahima.sex, rahima.birth_date, rahima.phone, rahima.national_id, rahima.area) == (
        "রহিমা বেগম", "F", datetime.date(1985, 3, 1), "+8801712345678", "1234567890", place["village"],
    )  # fmt: skip
    karim = Member.objects.get(name_bn="করিম")
    assert karim.birth_year == datetime.date.today().year - 40


def test_a_column_can_be_mapped_by_hand(tmp_path, place):
    rows = [["Samiti", "Full name", "Gender", "Cell no."], ["G1", "Rahima", "F", "01712345678"]]
    path = write_csv(tmp_path / "m.csv", rows)
    assert importing.guess_mapping(rows[0]) == ["", "name", "sex", ""]
    summary = preview(path, mapping=["group_code", "name_en", "sex", "phone"])
    assert counts(summary) == (1, 0, 0, 0)


# Duplicates --------------------------------------------------------------------------------------


def test_possible_duplicates_are_flagged_in_the_preview_and_after_import_never_merged(tmp_path, place):
    group, village = place["group"], place["village"]
    same_phone = testing.member(group, name_en="Amina", phone="01712345678")
    same_name = testing.member(group, name_en="Rahima Begum", area=village, birth_year=1980)
    rows = [
        ["group_code", "name_en", "name_bn", "sex", "birth_year", "phone", "national_id", "village"],
        ["G2", "Shefali", "", "F", "", "01712345678", "", ""],  # the phone of a member
        ["G1", "", "রহিমা বেগম", "F", "1990", "", "", "Char Para"],  # her name in Bengali, her village
        ["G1", "Kulsum", "", "F", "", "01999999999", "2222222222", ""],
        ["G2", "Kulsum Akter", "", "F", "", "01999999999", "", ""],  # the phone of line 4
        ["G2", "Jorina", "", "F", "", "", "2222222222", ""],  # the national ID of line 4
    ]
    path = write_csv(tmp_path / "m.csv", rows)
    summary = preview(path)
    assert (summary.new, summary.duplicates) == (5, 4)
    shown = {(d["line"], d["reason"], d["other"]) for d in summary.duplicate_rows}
    assert shown == {
        (2, "same phone", f"{same_phone.code} Amina"),
        (3, "similar name in the same village", f"{same_name.code} Rahima Begum"),
        (5, "same phone", "line 4 of this file"),
        (6, "same national ID", "line 4 of this file"),
    }
    import_(path)
    assert Member.objects.count() == 7
    assert not Member.objects.filter(merged_into__isnull=False).exists()
    flags = {
        (f.member.name_en or f.member.name_bn, f.other.name_en or f.other.name_bn, f.reason)
        for f in DuplicateFlag.objects.select_related("member", "other")
    }
    assert flags == {
        ("Amina", "Shefali", "phone"),
        ("Rahima Begum", "রহিমা বেগম", "name"),
        ("Kulsum", "Kulsum Akter", "phone"),
        ("Kulsum", "Jorina", "national_id"),
    }
    assert all(f.member_id < f.other_id and f.status == "open" for f in DuplicateFlag.objects.all())


def test_a_duplicate_outside_the_importer_scope_is_flagged_but_not_shown(tmp_path, place):
    theirs = testing.member(place["other_group"], name_en="Fatema", national_id="1111111111")
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["group"])
    path = write_csv(
        tmp_path / "m.csv", [["group_code", "name_en", "sex", "nid"], ["G1", "Jorina", "F", "1111111111"]]
    )
    summary = preview(path, user=facilitator)
    assert (summary.new, summary.duplicates, summary.duplicate_rows) == (1, 1, [])
    import_(path, user=facilitator)
    new = Member.objects.get(name_en="Jorina")
    assert DuplicateFlag.objects.filter(member=theirs, other=new, reason="national_id").exists()
    theirs.refresh_from_db()
    assert theirs.name_en == "Fatema"


# Scope and sensitive columns ---------------------------------------------------------------------


def test_a_group_leader_importing_into_another_group_gets_unknown_group(tmp_path, place):
    leader = testing.staff(Role.GROUP_LEADER, organisation=place["group"])
    elsewhere = testing.group()
    rows = [["group_code", "name_en", "sex"], ["G1", "Mine", "F"], ["G2", "Theirs", "F"],
            [elsewhere.code, "Far", "F"], ["NO-SUCH", "None", "F"]]  # fmt: skip
    summary = import_(write_csv(tmp_path / "m.csv", rows), user=leader, good_rows_only=True)
    assert (summary.new, summary.bad) == (1, 3)
    reasons = {b["reason"] for b in summary.bad_rows}
    assert len(reasons) == 1 and "Unknown group" in reasons.pop()  # existing or not: the same answer
    assert list(Member.objects.values_list("name_en", flat=True)) == ["Mine"]


def test_a_group_leader_cannot_update_a_member_of_another_group_by_its_number(tmp_path, place):
    leader = testing.staff(Role.GROUP_LEADER, organisation=place["group"])
    theirs = testing.member(place["other_group"], name_en="Theirs")
    rows = [["group_code", "code", "name_en", "sex"], ["G1", theirs.code, "Mine now", "F"]]
    summary = preview(write_csv(tmp_path / "m.csv", rows), user=leader)
    assert summary.bad == 1
    assert "taken" in summary.bad_rows[0]["reason"]


def test_sensitive_columns_are_refused_for_roles_that_may_not_see_them(tmp_path, place):
    leader = testing.staff(Role.GROUP_LEADER, organisation=place["group"])
    facilitator = testing.staff(Role.FACILITATOR, organisation=place["group"])
    rows = [["group_code", "name_en", "sex", "national_id", "ethnicity", "wg_seeing"],
            ["G1", "A", "F", "1234567890", "garo", "3"], ["G1", "B", "F", "", "", ""],
            ["G1", "C", "F", "•••••••890", "", ""]]  # fmt: skip
    path = write_csv(tmp_path / "m.csv", rows)
    summary = preview(path, user=leader)
    assert (summary.new, summary.bad) == (2, 1)
    assert {b["column"] for b in summary.bad_rows} == {"national_id", "ethnicity", "wg_seeing"}
    assert all("sensitive" in b["reason"] for b in summary.bad_rows)
    assert counts(preview(path, user=facilitator)) == (3, 0, 0, 0)


# XLSX --------------------------------------------------------------------------------------------


def test_an_xlsx_file_with_excel_dates_and_numbers_is_read(tmp_path, place):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["group_code", "name_en", "sex", "birth_date", "phone", "national_id", "land_owned", "joined_on"]
    )
    sheet.append(["G1", "Rahima", "F", datetime.datetime(1985, 3, 1), 1712345678, 1234567890123, 33.0, 45292])
    sheet.append(["G1", "Karim", "M", None, None, 19901234567890123.0, None, None])
    sheet.append([None, None, None])
    book.save(tmp_path / "m.xlsx")
    summary = import_(tmp_path / "m.xlsx", good_rows_only=True)
    assert counts(summary) == (1, 0, 0, 1)
    assert summary.bad_rows[0]["line"] == 3
    assert "as text" in summary.bad_rows[0]["reason"]
    rahima = Member.objects.get()
    assert (rahima.birth_date, rahima.phone, rahima.national_id, rahima.land_owned, rahima.joined_on) == (
        datetime.date(1985, 3, 1), "+8801712345678", "1234567890123", 33, datetime.date(2024, 1, 1),
    )  # fmt: skip


def test_rows_in_different_batches_are_checked_against_each_other(tmp_path, place, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    rows = [
        ["group_code", "name_en", "sex", "birth_year", "phone", "national_id", "village", "household_code"],
        ["G1", "Kulsum", "F", "1980", "", "", "Notun Gram", "HH-1"],
        ["G1", "Kulsum", "F", "1980", "", "", "Notun Gram", "HH-1"],  # nothing tells the two apart
        ["G1", "Amina", "F", "", "01712345678", "2222222222", "", ""],
        ["G2", "Jorina", "F", "", "01712345678", "", "", "HH-1"],  # the phone of line 4
        ["G2", "Rupa", "F", "", "", "2222222222", "", ""],  # the national ID of line 4
        ["G1", "Kulsum", "F", "1980", "", "", "notun gram", ""],  # a third Kulsum
    ]
    path = write_csv(tmp_path / "m.csv", rows)
    summary = preview(path)
    assert (summary.new, summary.duplicates, summary.new_villages) == (
        6,
        4,
        [f"Notun Gram ({place['union']})"],
    )
    assert {(d["line"], d["other"]) for d in summary.duplicate_rows} >= {
        (3, "line 2 of this file"), (5, "line 4 of this file"), (6, "line 4 of this file"),
        (7, "line 2 of this file"), (7, "line 3 of this file"),
    }  # fmt: skip
    first = import_(path)
    assert (first.new, first.duplicates) == (6, 4)
    assert DuplicateFlag.objects.count() == 5  # lines 2~3, 4~5 (phone), 4~6 (national ID), 2~7, 3~7
    assert Area.objects.filter(name_en="Notun Gram").count() == 1
    assert Household.objects.get(code="HH-1").members.count() == 3
    events = AuditEvent.objects.count()
    assert counts(import_(path)) == (0, 0, 6, 0)
    assert AuditEvent.objects.count() == events


def test_an_update_keeps_the_derived_fields_right(tmp_path, place):
    member = testing.member(place["group"], name_en="Rahima", phone="01712345678", birth_year=1980)
    elsewhere = testing.group()
    rows = [["group_code", "code", "name_en", "birth_date", "wg_walking"],
            [elsewhere.code, member.code, "Rokeya", "1981-05-02", "4"]]  # fmt: skip
    summary = import_(write_csv(tmp_path / "m.csv", rows))
    assert counts(summary) == (0, 1, 0, 0)
    member.refresh_from_db()
    assert (member.group, member.association, member.area) == (elsewhere, elsewhere.parent, place["union"])
    assert (member.name_key_en, member.birth_year, member.has_disability) == (name_key("Rokeya"), 1981, True)
    event = AuditEvent.objects.get(object_id=member.pk, action="update")
    assert set(event.changes) == {"group", "name_en", "birth_date", "birth_year", "wg_walking"}
    assert (event.channel, event.association_id) == ("import", elsewhere.parent_id)


def test_a_zip_that_is_not_a_spreadsheet_gets_a_clear_error(tmp_path):
    with zipfile.ZipFile(tmp_path / "photos.xlsx", "w") as archive:
        archive.writestr("photo.txt", "not a spreadsheet")
    with pytest.raises(importing.ImportFileError, match="could not be opened"):
        preview(tmp_path / "photos.xlsx", mapping=["group_code"])


def test_a_household_of_another_association_is_refused_as_the_household_page_refuses_it(tmp_path, place):
    elsewhere = testing.member(testing.group(), name_en="Far Away")
    services.place_in_household(actor=None, member=elsewhere, code="HH-9")
    rows = [["group_code", "name_en", "sex", "household_code", "household_size"],
            ["G1", "Amina", "F", "HH-9", ""], ["G1", "Babul", "M", "HH-1", "60"]]  # fmt: skip
    summary = preview(write_csv(tmp_path / "m.csv", rows))
    assert [(b["line"], b["column"]) for b in summary.bad_rows] == [
        (2, "household_code"),
        (3, "household_size"),
    ]
    assert "another association" in summary.bad_rows[0]["reason"]


# Marital status, occupation, pregnancy and the household's income and children under 5 -------------


@pytest.mark.parametrize(
    ("column", "words", "expected"),
    [
        ("marital_status", ["widow", "বিধবা", "Widowed", "বিপত্নীক"], "widowed"),
        ("marital_status", ["স্বামী পরিত্যক্তা", "abandoned", "deserted or abandoned"], "deserted"),
        ("marital_status", ["divorced", "তালাকপ্রাপ্তা"], "divorced"),
        ("marital_status", ["unmarried", "অবিবাহিত", "never married"], "never_married"),
        ("occupation", ["sharecropper", "বর্গাচাষি", "tenant or sharecropper"], "tenant"),
        ("occupation", ["দিনমজুর", "day labourer (non-farm)"], "day_labourer"),
        ("occupation", ["housewife", "গৃহিণী"], "homemaker"),
        ("pregnant", ["yes", "Y", "হ্যাঁ", "1", "TRUE"], True),
        ("pregnant", ["no", "না", "0", "false"], False),
    ],
)
def test_marital_status_occupation_and_pregnancy_are_read_from_the_words_people_write(
    column, words, expected
):
    parse = parsers()[column]
    for word in words:
        assert parse(word) == expected, word


@given(taka=st.integers(min_value=0, max_value=10**9), poisha=st.integers(0, 99), bengali=st.booleans())
def test_an_income_in_taka_is_read_as_integer_poisha_with_commas_and_either_digits(taka, poisha, bengali):
    text = f"{taka:,}" + (f".{poisha:02d}" if poisha else "")
    text = to_bengali_digits(text) if bengali else text
    parse = parsers()["income_per_year"]
    assert parse(text) == taka * 100 + poisha
    assert parse(f"Tk. {text}/-") == parse(f"{text} টাকা") == parse(f"৳{text}") == taka * 100 + poisha


@pytest.mark.parametrize("text", ["-500", "about 5000", "12.345", "৫,০০০ মণ"])
def test_an_income_that_is_not_an_amount_of_taka_is_refused(text):
    with pytest.raises(Bad):
        parsers()["income_per_year"](text)


FACTS = ["group_code", "name_en", "sex", "marital_status", "occupation", "pregnant", "household_code",
         "household_size", "income_per_year", "children_under_5"]  # fmt: skip


def test_the_new_facts_are_imported_and_a_second_import_changes_nothing(tmp_path, place):
    rows = [
        ["group_code", "নাম", "লিঙ্গ", "বৈবাহিক অবস্থা", "পেশা", "গর্ভবতী", "খানা কোড", "পরিবারের সদস্য সংখ্যা",
         "বার্ষিক আয়", "৫ বছরের কম বয়সী শিশু"],
        ["G1", "Rahima Begum", "মহিলা", "বিধবা", "কৃষি শ্রমিক", "হ্যাঁ", "HH-20", "৫", "৮৫,০০০", "২"],
        ["G1", "Karim Mia", "M", "married", "fisher", "", "HH-21", "3", "Tk 1,20,000.50", "0"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "m.csv", rows)
    assert counts(import_(path)) == (2, 0, 0, 0)
    rahima = Member.objects.get(name_en="Rahima Begum")
    assert (rahima.marital_status, rahima.occupation, rahima.pregnant) == ("widowed", "agri_labourer", True)
    assert (rahima.household.size, rahima.household.income_per_year, rahima.household.children_under_5) == (
        5, 8_500_000, 2,
    )  # fmt: skip
    karim = Member.objects.get(name_en="Karim Mia")
    assert (karim.pregnant, karim.household.income_per_year) == (None, 12_000_050)
    assert counts(import_(path)) == (0, 0, 2, 0)
    # A changed income updates the household, audited.
    rows[1][8] = "90000"
    summary = import_(write_csv(tmp_path / "m2.csv", rows))
    assert counts(summary) == (0, 1, 1, 0)
    household = Household.objects.get(code="HH-20")
    assert household.income_per_year == 9_000_000
    assert AuditEvent.objects.filter(
        object_type="registry.household", object_id=household.pk, changes__has_key="income_per_year"
    ).exists()


def test_bad_facts_are_reported_by_line_and_column(tmp_path, place):
    rows = [
        FACTS,
        ["G1", "Good", "F", "widow", "farmer", "no", "HH-30", "4", "50000", "1"],
        ["G1", "Pregnant Man", "M", "", "", "yes", "", "", "", ""],
        ["G1", "Odd Words", "F", "engaged", "astronaut", "maybe", "", "", "", ""],
        ["G1", "Negative Income", "F", "", "", "", "HH-31", "3", "-10", ""],
        ["G1", "Too Many Children", "F", "", "", "", "HH-32", "3", "", "4"],
    ]
    summary = preview(write_csv(tmp_path / "m.csv", rows))
    assert counts(summary) == (1, 0, 0, 4)
    found = {(b["line"], b["column"]): b["reason"] for b in summary.bad_rows}
    assert set(found) == {
        (3, "pregnant"), (4, "marital_status"), (4, "occupation"), (4, "pregnant"),
        (5, "income_per_year"), (6, "children_under_5"),
    }  # fmt: skip
    assert "male" in found[(3, "pregnant")]
    assert "engaged" in found[(4, "marital_status")]
    assert "negative" in found[(5, "income_per_year")]
    assert "3 people" in found[(6, "children_under_5")]


def test_more_children_than_an_existing_household_holds_is_a_bad_row(tmp_path, place):
    member = testing.member(place["group"], name_en="Rahima", sex="F")
    services.place_in_household(actor=None, member=member, code="HH-40", size=2)
    rows = [FACTS, ["G1", "Amena", "F", "", "", "", "HH-40", "", "", "3"]]
    summary = preview(write_csv(tmp_path / "m.csv", rows))
    assert [(b["line"], b["column"]) for b in summary.bad_rows] == [(2, "children_under_5")]


def test_marital_status_and_pregnancy_are_sensitive_columns(tmp_path, place):
    leader = testing.staff(Role.GROUP_LEADER, organisation=place["group"])
    rows = [FACTS, ["G1", "A", "F", "widow", "farmer", "yes", "", "", "", ""]]
    summary = preview(write_csv(tmp_path / "m.csv", rows), user=leader)
    assert {b["column"] for b in summary.bad_rows} == {"marital_status", "pregnant"}
    assert {"marital_status", "pregnant"} <= importing.SENSITIVE_COLUMNS
