"""Financial sustainability: own income against running costs, months of reserves and the dues
collection rate of each association, each green, amber or red against thresholds only programme
admins edit; read in a fixed number of queries however many associations there are."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from samiti.core.models import AuditEvent
from samiti.finance import sustainability as services
from samiti.finance.errors import FinanceError
from samiti.finance.models import SustainabilityThresholds
from samiti.finance.models import TransactionKind as K
from samiti.finance.services.dues import record_dues_payment, set_membership_fee
from samiti.finance.services.ledger import Line, post_transaction
from samiti.finance.tests.test_dues import association, leader, logged_in
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
D = datetime.date
ON = D(2026, 10, 31)  # the window: 1 November 2025 to 31 October 2026


def post(club, kind, debit, credit, amount, on):
    return post_transaction(
        actor=None, organisation=club, on=on, kind=kind, lines=[Line(debit, amount), Line(credit, -amount)]
    )


def steady_club():
    """Own income ৳600 against ৳1,200 of running costs, ৳9,400 in hand, 6 of 10 months' dues paid."""
    club = association()
    post(club, K.GRANT, "cash", "grants_received", 1_000_000, D(2025, 10, 1))
    post(club, K.EXPENSE, "running_costs", "cash", 50_000, D(2025, 10, 15))  # before the window
    post(club, K.EXPENSE, "running_costs", "cash", 70_000, D(2026, 2, 1))
    post(club, K.EXPENSE, "asset_costs", "bank", 50_000, D(2026, 3, 1))
    post(club, K.TRANSFER, "bank", "cash", 100_000, D(2026, 2, 2))
    set_membership_fee(
        actor=None, association=club, amount=10_000, frequency="monthly", starts_on=D(2026, 1, 1)
    )
    member = testing.member(testing.group(club), joined_on=D(2026, 1, 1))
    record_dues_payment(
        actor=None, member=member, amount=60_000, on=D(2026, 6, 1), method="mobile_money", reference="B1"
    )
    return club


def test_the_three_numbers_of_an_association_over_the_last_twelve_months():
    club = steady_club()
    [row] = services.sustainability([club], ON)
    assert (row.own_income, row.running_costs) == (60_000, 120_000)
    assert row.reserves == 1_000_000 - 50_000 - 70_000 - 50_000 + 60_000
    assert row.self_reliance.value == Decimal("0.5") and row.self_reliance.colour == "amber"
    assert row.reserve_months.value == Decimal("89.0") and row.reserve_months.colour == "green"
    assert row.dues_rate.value == pytest.approx(0.6) and row.dues_rate.colour == "amber"


def test_grants_are_not_own_income_and_numbers_without_costs_or_dues_have_no_colour():
    club = association()
    post(club, K.GRANT, "cash", "grants_received", 500_000, D(2026, 1, 1))
    [quiet] = services.sustainability([club], ON)
    assert quiet.own_income == 0 and quiet.self_reliance.value is None
    assert [quiet.self_reliance.colour, quiet.reserve_months.colour, quiet.dues_rate.colour] == ["none"] * 3
    post(club, K.EXPENSE, "running_costs", "cash", 480_000, D(2026, 5, 1))
    [spent] = services.sustainability([club], ON)
    assert spent.self_reliance.value == 0 and spent.self_reliance.colour == "red"
    assert spent.reserve_months.value == Decimal("0.5") and spent.reserve_months.colour == "red"


def test_a_groups_books_do_not_count_as_its_associations():
    club = association()
    post(testing.group(club), K.INCOME, "cash", "service_fee_income", 90_000, D(2026, 3, 1))
    post(club, K.EXPENSE, "running_costs", "cash", 10_000, D(2026, 3, 1))
    [row] = services.sustainability([club], ON)
    assert row.own_income == 0


def test_colours_turn_at_the_thresholds():
    assert services.colour(100, 100, 50) == "green"
    assert services.colour(Decimal("99.9"), 100, 50) == "amber"
    assert services.colour(50, 100, 50) == "amber"
    assert services.colour(49, 100, 50) == "red"
    assert services.colour(None, 100, 50) == "none"


def test_the_thresholds_are_made_with_their_defaults_once():
    first = services.thresholds()
    assert (first.self_reliance_green, first.self_reliance_amber, first.dues_green) == (100, 50, 80)
    assert services.thresholds().pk == first.pk and SustainabilityThresholds.objects.count() == 1


def test_all_associations_are_read_in_a_fixed_number_of_queries(django_assert_num_queries):
    clubs = [steady_club() for _ in range(4)]
    limits = services.thresholds()
    with django_assert_num_queries(6):
        rows = services.sustainability(clubs, ON, limits)
    assert [row.self_reliance.colour for row in rows] == ["amber"] * 4


def test_only_programme_admins_set_thresholds_and_amber_stays_below_green():
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    with pytest.raises(FinanceError) as not_admin:
        services.set_thresholds(actor=leader(association()), dues_green=90)
    assert not_admin.value.code == "forbidden"
    with pytest.raises(FinanceError) as crossed:
        services.set_thresholds(actor=admin, dues_green=60, dues_amber=70)
    assert crossed.value.field == "dues_amber"
    with pytest.raises(FinanceError) as equal:
        services.set_thresholds(actor=admin, reserve_months_amber=Decimal(6))
    assert equal.value.field == "reserve_months_amber"
    saved = services.set_thresholds(actor=admin, dues_green=90, dues_amber=60)
    assert (saved.dues_green, saved.dues_amber, saved.updated_by) == (90, 60, admin)
    event = AuditEvent.objects.get(object_type="finance.sustainabilitythresholds")
    assert event.changes == {"dues_green": [80, 90], "dues_amber": [50, 60]}


# ----- pages -------------------------------------------------------------------------------------


def test_the_page_lists_the_associations_in_scope_with_colours_in_words(django_assert_max_num_queries):
    mine, other = steady_club(), steady_club()
    client = logged_in(leader(mine))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("finance:sustainability"), {"on": "2026-10-31"})
    assert [row.association for row in response.context["rows"]] == [mine]
    text = response.content.decode()
    assert "amber" in text and "green" in text and "Edit the thresholds" not in text
    admin = logged_in(testing.staff(Role.PROGRAMME_ADMIN))
    for _ in range(3):
        steady_club()
    with django_assert_max_num_queries(14):
        everyone = admin.get(reverse("finance:sustainability"), {"on": "2026-10-31"})
    assert len(everyone.context["rows"]) == 5 and other in [r.association for r in everyone.context["rows"]]
    assert "Edit the thresholds" in everyone.content.decode()


def test_the_thresholds_page_is_for_programme_admins_only_and_keeps_input_on_error():
    url = reverse("finance:thresholds")
    club = association()
    for role in (Role.ASSOCIATION_LEADER, Role.FACILITATOR, Role.VIEWER):
        assert logged_in(leader(club, role)).get(url).status_code == 404
    assert logged_in(leader(club)).post(url, {"dues_green": "10"}).status_code == 404
    admin = logged_in(testing.staff(Role.PROGRAMME_ADMIN))
    assert admin.get(url).status_code == 200
    data = {
        "self_reliance_green": "100",
        "self_reliance_amber": "120",
        "reserve_months_green": "6",
        "reserve_months_amber": "3",
        "dues_green": "80",
        "dues_amber": "50",
    }
    refused = admin.post(url, data)
    assert refused.status_code == 400 and "self_reliance_amber" in refused.context["form"].errors
    assert 'value="120"' in refused.content.decode()
    assert services.thresholds().self_reliance_amber == 50
    assert admin.post(url, {**data, "self_reliance_amber": "70"}).status_code == 302
    assert services.thresholds().self_reliance_amber == 70


def test_the_sustainability_page_reads_in_bengali():
    club = steady_club()
    client = logged_in(leader(club), "bn")
    page = client.get(reverse("finance:sustainability"), {"on": "2026-10-31"}, HTTP_ACCEPT_LANGUAGE="bn")
    assert page.status_code == 200 and "৫০%" in page.content.decode()
