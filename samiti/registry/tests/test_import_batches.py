"""Member import: what it writes in bulk, batch by batch (villages, households, their audit rows),
and what it remembers across batches."""

import gc

import pytest

from samiti.core.models import AuditEvent
from samiti.registry import importing, testing
from samiti.registry.importing import pipeline
from samiti.registry.models import Area, Household, Member
from samiti.registry.tests import test_import
from samiti.registry.tests.test_import import HEADER, counts, import_, preview, three_rows, write_csv

pytestmark = pytest.mark.django_db
# test_import's fixtures: a media folder for each test, and a union with groups G1 and G2.
media, place = test_import.media, test_import.place


@pytest.mark.parametrize("batch", [1, 1000])
def test_new_villages_are_numbered_after_the_union_areas_skipping_codes_in_use(
    tmp_path, place, monkeypatch, batch
):
    monkeypatch.setattr(pipeline, "BATCH_SIZE", batch)
    union = place["union"]
    testing.area("village", testing.union(), code=f"{union.code}-V02")  # the next number, taken elsewhere
    rows = [["group_code", "name_en", "sex", "village"], ["G1", "A", "F", "Notun Gram"],
            ["G1", "B", "F", "নতুন পাড়া"], ["G1", "C", "F", "notun gram"]]  # fmt: skip
    import_(write_csv(tmp_path / "m.csv", rows))
    added = Area.objects.filter(parent=union).exclude(pk=place["village"].pk).order_by("code")
    assert [(a.code, a.name_en, a.name_bn, a.path) for a in added] == [
        (f"{union.code}-V03", "Notun Gram", "", f"{union.path}{union.code}-V03/"),
        (f"{union.code}-V04", "", "নতুন পাড়া", f"{union.path}{union.code}-V04/"),
    ]
    # Audited as services.add_area audits a village added by hand.
    events = AuditEvent.objects.filter(object_type="registry.area", object_id__in=[a.pk for a in added])
    assert sorted((e.action, e.channel, e.changes, e.association_id) for e in events) == [
        ("create", "web", {}, None),
        ("create", "web", {}, None),
    ]


def test_new_villages_skip_a_long_run_of_codes_in_use(tmp_path, place):
    union, elsewhere = place["union"], testing.union()
    for n in range(2, 10):
        testing.area("village", elsewhere, code=f"{union.code}-V{n:02d}")
    rows = [
        ["group_code", "name_en", "sex", "village"],
        ["G1", "A", "F", "Notun Gram"],
        ["G1", "B", "F", "Char"],
    ]
    import_(write_csv(tmp_path / "m.csv", rows))
    added = Area.objects.filter(parent=union).exclude(pk=place["village"].pk)
    assert dict(added.values_list("name_en", "code")) == {
        "Notun Gram": f"{union.code}-V10",
        "Char": f"{union.code}-V11",
    }


def test_a_new_household_is_audited_with_its_facts(tmp_path, place):
    rows = [["group_code", "name_en", "sex", "household_code", "household_size", "income_per_year"],
            ["G1", "Amina", "F", "HH-1", "5", "12,000"], ["G1", "Babul", "M", "HH-2", "", ""]]  # fmt: skip
    import_(write_csv(tmp_path / "m.csv", rows))
    households = {h.code: h for h in Household.objects.all()}
    events = {e.object_repr: e for e in AuditEvent.objects.filter(object_type="registry.household")}
    assert events["HH-1"].changes == {
        "code": [None, "HH-1"],
        "area": [None, place["union"].pk],
        "size": [None, 5],
        "income_per_year": [None, 1_200_000],
    }
    assert events["HH-2"].changes == {"code": [None, "HH-2"], "area": [None, place["union"].pk]}
    assert {e.object_id for e in events.values()} == {h.pk for h in households.values()}
    assert {(e.action, e.channel, e.association_id) for e in events.values()} == {
        ("create", "import", place["group"].parent_id)
    }


def test_a_household_of_another_association_in_an_earlier_batch_is_refused(tmp_path, place, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 1)
    elsewhere = testing.group()
    rows = [["group_code", "name_en", "sex", "household_code"], ["G1", "Amina", "F", "HH-5"],
            [elsewhere.code, "Babul", "M", "HH-5"], ["G2", "Chandan", "M", "HH-5"]]  # fmt: skip
    path = write_csv(tmp_path / "m.csv", rows)
    for summary in (preview(path), import_(path, good_rows_only=True)):
        assert [(b["line"], b["column"]) for b in summary.bad_rows] == [(3, "household_code")]
        assert counts(summary) == (2, 0, 0, 1)
    assert Household.objects.get(code="HH-5").members.count() == 2


def test_the_same_cell_in_many_rows_is_read_for_each(tmp_path, place):
    rows = [["group_code", "name_en", "sex", "birth_date", "main_crops"],
            ["G1", "Amina", "F", "31/02/1990", "rice; jute"], ["G1", "Babul", "M", "31/02/1990", "rice;jute"],
            ["G1", "Chandan", "M", "", "rice; jute"], ["G1", "Dipali", "F", "", "rice; jute"]]  # fmt: skip
    summary = import_(write_csv(tmp_path / "m.csv", rows), good_rows_only=True)
    assert [(b["line"], b["column"], b["value"]) for b in summary.bad_rows] == [
        (2, "birth_date", "31/02/1990"),
        (3, "birth_date", "31/02/1990"),
    ]
    assert list(Member.objects.order_by("name_en").values_list("name_en", "main_crops")) == [
        ("Chandan", ["rice", "jute"]),
        ("Dipali", ["rice", "jute"]),
    ]


def test_an_import_leaves_the_garbage_collector_as_it_found_it(tmp_path, place):
    path = write_csv(tmp_path / "m.csv", three_rows(place))
    import_(path)
    assert gc.isenabled()
    gc.disable()
    try:
        preview(path)
        assert not gc.isenabled()
    finally:
        gc.enable()
    unreadable = write_csv(
        tmp_path / "huge.csv", [HEADER, ["G1", "", "x" * 200_000, "", "F", "", "", "", ""]]
    )
    with pytest.raises(importing.ImportFileError):  # a cell past the CSV reader's limit, read mid-import
        preview(unreadable)
    assert gc.isenabled()


def test_a_household_first_named_by_a_bad_row_is_added_by_a_good_row_of_a_later_batch(
    tmp_path, place, monkeypatch
):
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 1)
    rows = [["group_code", "name_en", "sex", "household_code", "household_size"],
            ["G1", "", "F", "HH-7", "4"], ["G1", "Babul", "M", "HH-7", "4"]]  # fmt: skip
    summary = import_(write_csv(tmp_path / "m.csv", rows), good_rows_only=True)
    assert counts(summary) == (1, 0, 0, 1)
    assert Member.objects.get(name_en="Babul").household == Household.objects.get(code="HH-7", size=4)
