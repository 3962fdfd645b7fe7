"""The targets page: programme admins change targets, audited; everyone else reads them."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from samiti.core.models import AuditEvent
from samiti.registry import testing
from samiti.registry.models import Role
from samiti.results.models import Target

pytestmark = pytest.mark.django_db

DEFAULTS = {"members": 20_000, "women": 50, "ethnic_minority": 10, "disability": 5}
URL = reverse("results:targets")


def _values() -> dict[str, Decimal]:
    return dict(Target.objects.values_list("indicator", "value"))


def test_a_fresh_install_has_the_four_default_targets():
    # Created by the data migration results/0002_default_targets.
    assert _values() == {k: Decimal(v) for k, v in DEFAULTS.items()}


def test_a_programme_admin_changes_targets_and_the_change_is_audited(client):
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    client.force_login(admin)
    response = client.post(
        URL, {"members": "25000", "women": "55", "ethnic_minority": "10", "disability": "7.5"}
    )
    assert response.status_code == 302
    assert _values() == {
        "members": Decimal(25_000),
        "women": Decimal(55),
        "ethnic_minority": Decimal(10),
        "disability": Decimal("7.5"),
    }
    events = AuditEvent.objects.filter(object_type="results.target").order_by("id")
    assert [(e.actor, e.action, e.changes) for e in events] == [
        (admin, "update", {"value": ["20000.00", "25000.00"]}),
        (admin, "update", {"value": ["50.00", "55.00"]}),
        (admin, "update", {"value": ["5.00", "7.50"]}),
    ]


def test_the_form_shows_targets_as_people_write_them(client):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    page = client.get(URL).content.decode()
    assert 'value="20000"' in page and 'value="50"' in page and 'value="5"' in page


def test_targets_may_be_typed_with_bengali_digits(client):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    client.post(URL, {"members": "২০,০০০", "women": "৬০", "ethnic_minority": "১০", "disability": "৫"})
    assert _values()["women"] == Decimal(60)
    assert _values()["members"] == Decimal(20_000)


def test_a_share_above_one_hundred_per_cent_is_refused(client):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    response = client.post(
        URL, {"members": "20000", "women": "150", "ethnic_minority": "10", "disability": "5"}
    )
    assert response.status_code == 400
    assert _values()["women"] == Decimal(50)
    assert not AuditEvent.objects.filter(object_type="results.target").exists()


def test_a_viewer_reads_the_targets_but_cannot_change_them(client):
    viewer = testing.staff(Role.VIEWER)
    client.force_login(viewer)
    page = client.get(URL)
    assert page.status_code == 200
    assert '<form method="post"' not in page.content.decode()
    assert "20,000" in page.content.decode() and "50%" in page.content.decode()
    response = client.post(URL, {"members": "1", "women": "1", "ethnic_minority": "1", "disability": "1"})
    assert response.status_code == 403
    assert _values()["members"] == Decimal(20_000)
    assert not AuditEvent.objects.filter(object_type="results.target").exists()


def test_an_association_leader_cannot_change_targets_either(client):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=testing.group().parent)
    client.force_login(leader)
    response = client.post(URL, {"members": "1", "women": "1", "ethnic_minority": "1", "disability": "1"})
    assert response.status_code == 403


def test_the_reach_page_follows_a_changed_target(client):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    client.post(URL, {"members": "30000", "women": "50", "ethnic_minority": "10", "disability": "5"})
    testing.member()
    page = client.get(reverse("results:reach")).content.decode()
    assert "30,000" in page
