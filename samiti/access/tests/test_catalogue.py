"""The catalogue: loading the shipped schemes, versioned rules, the rule check, the pages and the API."""

import datetime
import json

import pytest
from django.core.management import call_command

from samiti.access.models import GrievanceCategory, RuleVersion, Scheme, Window
from samiti.access.services.catalogue import coming_windows, load_schemes, shipped_catalogue
from samiti.core.models import AuditEvent

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
