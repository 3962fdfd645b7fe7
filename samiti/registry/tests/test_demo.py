"""The demo command: a believable programme, built once, with demo accounts."""

import csv
import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from samiti.core.models import AuditEvent
from samiti.registry import services
from samiti.registry.management.commands import demo
from samiti.registry.models import (
    Area,
    CommitteeOffice,
    Household,
    Member,
    Organisation,
    Role,
    User,
)
from samiti.registry.queries import members_for
from samiti.results.models import Target

pytestmark = pytest.mark.django_db

MODELS = [Area, Organisation, Member, Household, CommitteeOffice, User, AuditEvent, Target]


def _demo(**options) -> str:
    out = io.StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _check_structure() -> None:
    federations = Organisation.objects.filter(kind="federation")
    assert sorted(f.area.code for f in federations) == ["DIS-21", "DIS-57", "DIS-60", "DIS-61", "DIS-62"]
    assert Member.objects.count() == 300
    for federation in federations:
        associations = federation.children.all()
        assert associations
        for association in associations:
            assert association.area.level == "union"
            assert association.area.path.startswith(federation.area.path)
    for group in Organisation.objects.filter(kind="group"):
        assert group.area.level == "village"
        assert group.area.parent_id == group.parent.area_id  # the village lies in the association's union
        assert 10 <= group.members.count() <= 40


def _check_committees() -> None:
    for organisation in Organisation.objects.exclude(kind="federation"):
        offices = set(organisation.offices.values_list("office", flat=True))
        assert {"president", "secretary", "cashier"} <= offices, organisation.code
    for seat in CommitteeOffice.objects.select_related("organisation", "member"):
        if seat.organisation.kind == "group":
            assert seat.member.group_id == seat.organisation.pk
        elif seat.organisation.kind == "association":
            assert seat.member.association_id == seat.organisation.pk


def _check_members() -> None:
    for member in Member.objects.select_related("group", "area", "household"):
        fields = {f: getattr(member, f) for f in services.MEMBER_FIELDS}
        assert services.check_member(fields) == {}, member.code
        if member.phone:
            assert services.normalise_phone(member.phone) == member.phone
        if member.national_id:
            assert services.normalise_national_id(member.national_id) == member.national_id
        assert member.name_en and member.name_bn
        assert member.household is not None and member.consent_on and member.consent_method


def _check_mix() -> None:
    members = Member.objects.all()
    total = members.count()
    assert 0.45 <= members.filter(sex="F").count() / total <= 0.65
    assert members.filter(is_ethnic_minority=True).exists()
    assert members.exclude(left_on=None).count() < total * 0.1
    assert members.filter(land_cultivated__lt=50).count() > total / 2  # landless and marginal
    assert members.exclude(national_id="").count() > total / 2
    # The facts safety nets ask about: mostly recorded, some widowed women, no pregnant man.
    assert members.exclude(marital_status="").count() > total * 0.8
    assert members.filter(sex="F", marital_status="widowed").exists()
    assert not members.filter(sex="M", pregnant=True).exists()
    households = Household.objects.all()
    assert households.exclude(income_per_year=None).count() > households.count() * 0.7
    assert not households.filter(children_under_5__gt=models.F("size")).exists()


def _check_accounts(output: str) -> None:
    assert "admin" in output and "samiti-demo" in output
    accounts = {u.username: u for u in User.objects.all()}
    assert accounts["admin"].role == Role.PROGRAMME_ADMIN and accounts["admin"].check_password("samiti-demo")
    assert accounts["federation"].organisation.kind == "federation"
    assert accounts["association"].organisation.kind == "association"
    assert accounts["group"].organisation.kind == "group"
    assert accounts["facilitator"].area.level in ("district", "upazila")
    assert accounts["viewer"].role == Role.VIEWER
    # Each account sees something, and a group leader sees only their group.
    for user in accounts.values():
        assert members_for(user).exists(), user.username
    assert set(members_for(accounts["group"]).values_list("group", flat=True)) == {
        accounts["group"].organisation_id
    }


@pytest.fixture
def five_districts(tmp_path, monkeypatch):
    """The shipped areas file cut down to the programme's five districts, to load quickly."""
    with open(demo.SHIPPED, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    keep = {d.code for d in demo.DISTRICTS}
    keep |= {r["parent_code"] for r in rows if r["code"] in keep}
    for level in ("upazila", "union"):
        keep |= {r["code"] for r in rows if r["level"] == level and r["parent_code"] in keep}
    path = tmp_path / "areas.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["code"] in keep)
    monkeypatch.setattr(demo, "SHIPPED", path)


def test_the_demo_builds_a_programme_prints_the_logins_and_a_second_run_changes_nothing(
    settings, five_districts
):
    settings.DEMO_MODE = True
    started = time.perf_counter()
    output = _demo(members=300)
    assert time.perf_counter() - started < 10
    _check_structure()
    _check_committees()
    _check_members()
    _check_mix()
    _check_accounts(output)
    assert "Areas: " in output  # it loaded the areas it needed

    before = _snapshot()
    again = _demo(members=300)
    assert "nothing to do" in again
    assert "admin" in again  # the logins again, for `make run` a second time
    assert _snapshot() == before


def test_the_demo_refuses_to_run_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        _demo(members=300)
    assert not Organisation.objects.exists()
