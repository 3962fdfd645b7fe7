"""The services home page: what a facilitator needs first, each number a link, within scope."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from samiti.access import queries, reports
from samiti.access.models import (
    Application,
    Finding,
    Grievance,
    GrievanceCategory,
    MemberDocument,
    Referral,
    Scheme,
)
from samiti.access.tests import test_results as builders
from samiti.access.tests.test_results import find, scheme
from samiti.registry import testing
from samiti.registry.models import Member, Role

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 7, 1)
LAST_STEP = D(2026, 6, 20)
S = Application.Status


def apply(member, to: Scheme, status: str = S.IDENTIFIED, updated: D = LAST_STEP) -> Application:
    since = D(2026, 3, 1) if status == S.RECEIVING else None
    return builders.apply(member, to, D(2026, 1, 1), status=status, updated_on=updated, receiving_since=since)


@pytest.fixture
def world():
    """In the north association: 3 members likely eligible (one for two schemes), 1 it cannot tell
    about, 1 stale finding of a member now receiving; applications at each step, 2 stalled; 3
    documents to collect; 1 overdue grievance of 2 open; 1 referral pending. In the south: one
    member likely eligible with an open grievance and a pending referral."""
    oaa = scheme("oaa")
    vwb = scheme("vwb", documents=["photo"])
    scheme("old", is_active=False)
    north, south = testing.group(), testing.group()
    eligible = [testing.member(north) for _ in range(3)]
    for member in eligible:
        find(member, oaa)
    find(eligible[0], vwb)
    find(testing.member(north), oaa, Finding.Outcome.CANNOT_TELL)
    receiving = testing.member(north)
    find(receiving, oaa)
    apply(receiving, oaa, S.RECEIVING)
    # Documents: nothing held (national ID and photo), the number but no photo (asked by two
    # applications: one photo), and both held as documents.
    bare = testing.member(north)
    numbered = testing.member(north, national_id="1234567890")
    ready = testing.member(north)
    MemberDocument.objects.create(member=ready, kind="national_id")
    MemberDocument.objects.create(member=ready, kind="photo")
    apply(bare, oaa, updated=D(2026, 4, 1))  # stalled: no step for more than 60 days
    apply(numbered, oaa)
    apply(numbered, vwb, S.DOCUMENTS_READY)
    apply(ready, oaa)
    rejected = apply(testing.member(north), oaa, S.SUBMITTED, updated=D(2026, 3, 1))  # stalled
    rejected.status = S.REJECTED
    rejected.save()
    submitted = apply(testing.member(north), vwb, S.SUBMITTED, updated=D(2026, 3, 1))  # stalled
    delay = GrievanceCategory.objects.create(code="delay", name_en="Delay", resolution_days=30)
    for application, due, status in [
        (rejected, D(2026, 6, 30), Grievance.Status.OPEN),
        (submitted, D(2026, 7, 30), Grievance.Status.ESCALATED),
        (submitted, D(2026, 5, 30), Grievance.Status.RESOLVED),
    ]:
        Grievance.objects.create(
            application=application, association_id=application.association_id, category=delay,
            description="Waiting", opened_on=D(2026, 5, 1), due_on=due, status=status,
        )  # fmt: skip
    for member, status in [(bare, Referral.Status.REFERRED), (numbered, Referral.Status.RECEIVED)]:
        Referral.objects.create(
            member=member,
            service=vwb,
            association_id=member.association_id,
            referred_on=D(2026, 6, 1),
            status=status,
        )
    other = testing.member(south)
    find(other, oaa)
    elsewhere = apply(other, oaa, S.REJECTED)
    Grievance.objects.create(
        application=elsewhere, association_id=elsewhere.association_id, category=delay,
        description="Waiting", opened_on=D(2026, 5, 1), due_on=D(2026, 5, 2),
    )  # fmt: skip
    Referral.objects.create(
        member=other, service=vwb, association_id=other.association_id, referred_on=D(2026, 6, 1)
    )
    return {"north": north.parent, "south": south.parent}


def test_the_home_page_counts_what_a_facilitator_needs_first(world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["north"])
    found = reports.overview(leader, today=TODAY)
    # The work list's lines: three members for OAA and one of them for VWB too.
    assert (found.schemes, found.likely_eligible, found.cannot_tell) == (2, 4, 1)
    assert {s: n for s, _label, n in found.statuses if n} == {
        "identified": 3, "documents_ready": 1, "submitted": 1, "rejected": 1, "receiving": 1,
    }  # fmt: skip
    assert found.applications["stalled"] == 2  # the rejected one no longer waits
    assert (found.open_grievances, found.overdue_grievances, found.referrals_pending) == (2, 1, 1)
    assert found.documents_to_collect == 3


def test_the_whole_programme_sees_both_associations_and_the_other_leader_only_theirs(world):
    everyone = reports.overview(testing.staff(Role.PROGRAMME_ADMIN), today=TODAY)
    assert (everyone.likely_eligible, everyone.open_grievances, everyone.overdue_grievances) == (5, 3, 2)
    assert everyone.referrals_pending == 2
    south = reports.overview(testing.staff(Role.VIEWER, organisation=world["south"]), today=TODAY)
    assert (south.likely_eligible, south.cannot_tell, south.documents_to_collect) == (1, 0, 0)
    assert (south.open_grievances, south.overdue_grievances, south.referrals_pending) == (1, 1, 1)
    assert south.applications["rejected"] == 1 and south.applications["identified"] == 0


def test_the_likely_eligible_are_the_work_list_s_lines(world):
    leader = testing.staff(Role.ASSOCIATION_LEADER, organisation=world["north"])
    listed = queries.worklist(leader)
    assert reports.overview(leader, today=TODAY).likely_eligible == listed.count() == 4
    Member.objects.filter(pk=listed.first().member_id).update(left_on=D(2026, 6, 1))
    left = reports.overview(leader, today=TODAY).likely_eligible
    assert left == queries.worklist(leader).count() < 4


def test_each_number_links_to_the_page_that_lists_it_in_english_and_bengali(client, world):
    client.force_login(testing.staff(Role.FACILITATOR, organisation=world["north"]))
    response = client.get(reverse("access:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for url in [
        f"{reverse('access:worklist')}?result=eligible",
        f"{reverse('access:worklist')}?result=cannot_tell",
        f"{reverse('access:applications')}?status=stalled",
        f"{reverse('access:applications')}?status=identified",
        f"{reverse('access:grievances')}?overdue=on",
        f"{reverse('access:referrals')}?status=referred",
        reverse("access:tasks"),
        reverse("access:results"),
    ]:
        assert f'href="{url}"' in html, url
    assert "applications are stalled" in html  # counted on the real day: see the test above
    assert f'href="{reverse("access:home")}"' in html  # the main menu's "Services"
    client.post("/i18n/setlang/", {"language": "bn", "next": "/"})
    translation.activate("bn")
    html = client.get(reverse("access:home")).content.decode()
    assert 'lang="bn"' in html and ">৩</a>" in html


def test_the_home_page_reads_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(testing.staff(Role.PROGRAMME_ADMIN))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("access:home")).status_code == 200


def test_the_home_page_needs_an_account(client):
    assert client.get(reverse("access:home")).status_code == 302
