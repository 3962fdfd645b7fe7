"""Assets owned together: bought from pooled funds, rented out (the rent rounded to the poisha),
their running costs and payback, all through the ledger; the asset pages and API, scoped."""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from samiti.core.models import AuditEvent
from samiti.finance.errors import FinanceError
from samiti.finance.models import Posting, Rental, SharedAsset, Transaction
from samiti.finance.models import TransactionKind as K
from samiti.finance.services import assets as services
from samiti.finance.services.ledger import Line, post_transaction
from samiti.finance.tests.test_dues import association, bearer, leader, logged_in
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
D = datetime.date
BOUGHT, JAN_1, FEB_1 = D(2026, 1, 10), D(2026, 1, 1), D(2026, 2, 1)


def fund(club, amount: int = 10_000_000, into: str = "cash", on=JAN_1):
    """A grant into the association's account, so it has pooled funds to spend."""
    return post_transaction(
        actor=None,
        organisation=club,
        on=on,
        kind=K.GRANT,
        lines=[Line(into, amount), Line("grants_received", -amount)],
    )


def tiller(club=None, price: int = 6_000_000, rate: int = 150_000, unit: str = "acre", **options):
    club = club or association()
    if not Posting.objects.filter(account__organisation=club).exists():
        fund(club)
    return services.buy_asset(
        actor=options.pop("actor", None),
        association=club,
        name=options.pop("name", "Power tiller"),
        kind=options.pop("kind", "power_tiller"),
        bought_on=options.pop("bought_on", BOUGHT),
        price=price,
        unit=unit,
        rate=rate,
        **options,
    )


def rent(asset, quantity="1", on=FEB_1, **options):
    if "member" not in options:
        options.setdefault("renter", "Karim Mia")
    return services.rent_asset(actor=None, asset=asset, on=on, quantity=quantity, **options)


def cost(asset, amount, on=FEB_1, memo="diesel", **options):
    return services.record_asset_cost(actor=None, asset=asset, on=on, amount=amount, memo=memo, **options)


def total_postings() -> int:
    return Posting.objects.aggregate(total=Sum("amount"))["total"] or 0


def lines_of(posted: Transaction) -> list[tuple]:
    return sorted(posted.postings.values_list("account__code", "amount", "member_id"))


def test_buying_an_asset_moves_its_price_from_cash_to_assets_owned_together():
    asset = tiller(price=6_000_000)
    bought = Transaction.objects.get(asset=asset, kind=K.ASSET_PURCHASE)
    assert bought.organisation == asset.organisation and asset.association_id == asset.organisation_id
    assert lines_of(bought) == [("cash", -6_000_000, None), ("fixed_assets", 6_000_000, None)]
    assert AuditEvent.objects.filter(object_type="finance.sharedasset", action="create").exists()


def test_a_retried_purchase_is_recorded_once():
    club = association()
    key = uuid.uuid4()
    first = tiller(club, client_id=key)
    assert tiller(club, client_id=key).pk == first.pk
    assert SharedAsset.objects.count() == 1 and Transaction.objects.filter(kind=K.ASSET_PURCHASE).count() == 1
    with pytest.raises(FinanceError) as elsewhere:
        tiller(association(), client_id=key)
    assert elsewhere.value.code == "id_reused"


def test_an_asset_is_bought_only_with_what_the_account_holds_on_the_day():
    club = association()
    fund(club, 1_000_000, into="bank")
    with pytest.raises(FinanceError) as short:
        tiller(club, price=2_000_000, paid_from="bank")
    assert (short.value.code, short.value.field) == ("insufficient_funds", "paid_from")
    with pytest.raises(FinanceError) as before:
        tiller(club, price=500_000, paid_from="bank", bought_on=D(2025, 12, 31))
    assert before.value.code == "insufficient_funds"
    assert not SharedAsset.objects.exists()
    tiller(club, price=1_000_000, paid_from="bank")


@pytest.mark.django_db(transaction=True)
def test_two_purchases_at_the_same_moment_cannot_spend_the_same_taka():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    club = association()
    fund(club, 1_000_000)
    start, outcomes = threading.Barrier(2), []

    def buy(name: str) -> None:
        try:
            start.wait()
            tiller(club, price=800_000, name=name)
            outcomes.append("bought")
        except FinanceError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(name,)) for name in ("Tiller A", "Tiller B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["bought", "insufficient_funds"]
    assert SharedAsset.objects.count() == 1


def test_bad_assets_are_refused_on_their_field():
    club = association()
    fund(club)
    for options, field in [
        ({"name": " "}, "name"),
        ({"kind": "tractor"}, "kind"),
        ({"unit": "week"}, "unit"),
        ({"price": 0}, "price"),
        ({"rate": -1}, "rate"),
        ({"paid_from": "mobile_money"}, "paid_from"),
        ({"bought_on": D.today() + datetime.timedelta(days=1)}, "bought_on"),
    ]:
        with pytest.raises(FinanceError) as error:
            tiller(club, **options)
        assert error.value.field == field, options
    with pytest.raises(FinanceError) as group:
        tiller(testing.group(club))
    assert group.value.field == "association"
    with pytest.raises(FinanceError) as outsider:
        tiller(club, actor=leader(association()))
    assert outsider.value.code == "forbidden"


def test_the_rent_is_quantity_times_rate_rounded_to_the_poisha():
    asset = tiller(rate=12_345)  # ৳123.45 an acre
    assert rent(asset, "0.5").amount == 6173  # 6,172.5 rounds half up
    assert rent(asset, "1.33").amount == 16419  # 16,418.85
    assert rent(asset, Decimal("2")).amount == 24690
    assert services.rent_amount(Decimal("0.01"), 49) == 0
    assert services.rent_amount(Decimal("0.01"), 50) == 1
    assert rent(asset, "3", amount=30000).amount == 30000  # agreed otherwise


def test_a_rental_to_a_member_names_the_member_in_the_books_and_sets_the_asset():
    asset = tiller(rate=100_000)
    member = testing.member(testing.group(asset.organisation))
    rental = rent(asset, "2.5", member=member, paid_to="mobile_money", reference="BK-1")
    assert rental.transaction.asset == asset and rental.transaction.reference == "BK-1"
    assert lines_of(rental.transaction) == [
        ("mobile_money", 250_000, None),
        ("rent_income", -250_000, member.pk),
    ]
    stranger = rent(asset, "1")
    assert [p.member_id for p in stranger.transaction.postings.all() if p.amount < 0] == [None]


def test_bad_rentals_are_refused_on_their_field():
    asset = tiller()
    outsider = testing.member(testing.group(association()))
    member = testing.member(testing.group(asset.organisation))
    for options, field in [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "1.005"}, "quantity"),
        ({"member": outsider}, "member"),
        ({"member": member, "renter": "Someone"}, "renter"),
        ({"renter": ""}, "renter"),
        ({"paid_to": "bank"}, "paid_to"),
        ({"amount": 0}, "amount"),
        ({"on": D(2026, 1, 9)}, "on"),
    ]:
        with pytest.raises(FinanceError) as error:
            rent(asset, **{"quantity": "1", **options})
        assert error.value.field == field, options
    assert not Rental.objects.exists()


def test_a_retried_rental_is_recorded_once():
    asset = tiller()
    key = uuid.uuid4()
    first = rent(asset, "1", client_id=key)
    assert rent(asset, "1", client_id=key).pk == first.pk
    assert Rental.objects.count() == 1
    with pytest.raises(FinanceError) as reused:
        rent(tiller(name="Pump", kind="pump"), "1", client_id=key)
    assert reused.value.code == "id_reused"


def test_running_costs_are_paid_from_pooled_funds_and_carry_the_asset():
    asset = tiller(price=6_000_000)  # the grant was ৳100,000; ৳40,000 left
    posted = cost(asset, 250_000, memo="new blades", paid_from="cash")
    assert posted.asset == asset and lines_of(posted) == [
        ("asset_costs", 250_000, None),
        ("cash", -250_000, None),
    ]
    with pytest.raises(FinanceError) as short:
        cost(asset, 5_000_000)
    assert short.value.code == "insufficient_funds"
    with pytest.raises(FinanceError) as blank:
        cost(asset, 100, memo=" ")
    assert blank.value.field == "memo"
    key = uuid.uuid4()
    assert cost(asset, 100, client_id=key).pk == cost(asset, 100, client_id=key).pk


def test_the_report_gives_income_costs_use_and_payback_in_months():
    asset = tiller(price=6_000_000, rate=150_000)  # ৳60,000, ৳1,500 an acre
    for month in (2, 3, 4):
        rent(asset, "4", on=D(2026, month, 5))  # ৳6,000 each
    cost(asset, 300_000, on=D(2026, 3, 1))
    report = services.asset_report(asset, D(2026, 7, 10))
    assert (report.income, report.costs, report.net) == (1_800_000, 300_000, 1_500_000)
    assert report.use == {"acre": Decimal("12")} and report.rentals == 3
    assert report.months_owned == 6  # 10 January to 10 July
    assert report.net_per_month == 250_000
    assert report.payback_months == Decimal("24.0")  # ৳60,000 ÷ ৳2,500 a month
    assert report.months_to_go == Decimal("18.0") and not report.paid_back
    early = services.asset_report(asset, D(2026, 2, 20))
    assert (early.income, early.costs, early.months_owned) == (600_000, 0, 1)


def test_an_asset_that_earns_nothing_net_never_pays_back_and_one_that_earned_its_price_has():
    losing = tiller(rate=1000)
    cost(losing, 100_000)
    assert services.asset_report(losing, D(2026, 3, 1)).payback_months is None
    earner = tiller(price=100_000, rate=100_000, name="Sprayer", kind="sprayer", unit="day")
    rent(earner, "1.5")
    report = services.asset_report(earner, D(2026, 3, 1))
    assert report.paid_back and report.months_to_go == 0


def test_months_owned_counts_whole_months_and_at_least_one():
    assert services.months_owned(D(2026, 1, 31), D(2026, 2, 27)) == 1
    assert services.months_owned(D(2026, 1, 31), D(2026, 3, 30)) == 1
    assert services.months_owned(D(2026, 1, 31), D(2026, 3, 31)) == 2
    assert services.months_owned(D(2025, 5, 1), D(2026, 5, 1)) == 12


def test_a_retired_asset_is_not_rented_and_its_sale_leaves_the_books_balanced():
    asset = tiller(price=1_000_000)
    with pytest.raises(FinanceError) as too_much:
        services.retire_asset(actor=None, asset=asset, on=D(2026, 5, 1), sold_for=2_000_000)
    assert too_much.value.field == "sold_for"
    services.retire_asset(actor=None, asset=asset, on=D(2026, 5, 1), sold_for=400_000, paid_to="bank")
    asset.refresh_from_db()
    assert asset.status == "retired"
    with pytest.raises(FinanceError) as retired:
        rent(asset, "1", on=D(2026, 5, 2))
    assert retired.value.code == "retired"
    assert total_postings() == 0


def test_the_trial_balance_stays_balanced_after_buying_renting_and_running_assets():
    asset = tiller()
    member = testing.member(testing.group(asset.organisation))
    rent(asset, "1.25", member=member, paid_to="mobile_money")
    rent(asset, "0.33")
    cost(asset, 12_345, paid_from="cash")
    assert total_postings() == 0
    by_transaction = Posting.objects.values("transaction_id").annotate(t=Sum("amount")).filter(t__gt=0)
    assert not by_transaction.exists()


# ----- pages -------------------------------------------------------------------------------------


def test_the_asset_list_shows_income_costs_and_payback_in_a_few_queries(django_assert_max_num_queries):
    club = association()
    fund(club)
    for n in range(4):
        asset = tiller(club, price=100_000, name=f"Pump {n}", kind="pump", unit="hour")
        rent(asset, "2")
        cost(asset, 1000)
    client = logged_in(leader(club))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("finance:assets", args=[club.pk]))
    assert response.status_code == 200 and len(response.context["reports"]) == 4
    assert "Pump 3" in response.content.decode()


def test_asset_pages_of_another_association_answer_404_and_viewers_get_404_on_writes():
    asset = tiller()
    club = asset.organisation
    outsider = logged_in(leader(association()))
    for name in ("finance:asset_detail", "finance:asset_rent", "finance:asset_cost", "finance:asset_retire"):
        assert outsider.get(reverse(name, args=[asset.pk])).status_code == 404
    assert outsider.get(reverse("finance:assets", args=[club.pk])).status_code == 404
    viewer = logged_in(leader(club, Role.VIEWER))
    assert viewer.get(reverse("finance:asset_detail", args=[asset.pk])).status_code == 200
    assert viewer.get(reverse("finance:asset_new", args=[club.pk])).status_code == 404
    assert (
        viewer.post(reverse("finance:asset_rent", args=[asset.pk]), {"rent-quantity": "1"}).status_code == 404
    )
    assert not Rental.objects.exists()


def test_buying_renting_and_costing_through_the_pages_keeps_input_on_error():
    club = association()
    fund(club, 500_000)
    client = logged_in(leader(club))
    url = reverse("finance:asset_new", args=[club.pk])
    data = {
        "name": "Thresher",
        "kind": "thresher",
        "bought_on": "2026-02-01",
        "price": "৫০০০০",  # ৳50,000: more than the cash in hand
        "paid_from": "cash",
        "unit": "hour",
        "rate": "200",
        "client_id": str(uuid.uuid4()),
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and "paid_from" in refused.context["form"].errors
    assert 'value="Thresher"' in refused.content.decode()
    made = client.post(url, {**data, "price": "4000"})
    assert client.post(url, {**data, "price": "4000"}).status_code == 302  # sent twice: bought once
    asset = SharedAsset.objects.get()
    assert made.status_code == 302 and asset.price == 400_000
    member = testing.member(testing.group(club), code="G3-0001")
    rent_url = reverse("finance:asset_rent", args=[asset.pk])
    bad = client.post(rent_url, {"rent-member": "G3-0001", "rent-on": "2026-02-02", "rent-quantity": "0"})
    assert bad.status_code == 400 and 'value="G3-0001"' in bad.content.decode()
    ok = {"rent-member": "G3-0001", "rent-on": "2026-02-02", "rent-quantity": "1.5", "rent-paid_to": "cash"}
    ok["rent-client_id"] = str(uuid.uuid4())
    assert client.post(rent_url, ok).status_code == 302
    assert client.post(rent_url, ok).status_code == 302
    assert Rental.objects.get().amount == 30000 and Rental.objects.get().member == member
    cost_url = reverse("finance:asset_cost", args=[asset.pk])
    missing = client.post(cost_url, {"cost-on": "2026-02-03", "cost-amount": "50", "cost-paid_from": "cash"})
    assert missing.status_code == 400 and "memo" in missing.context["steps"][1][2].errors
    done = client.post(
        cost_url,
        {"cost-on": "2026-02-03", "cost-amount": "50", "cost-memo": "oil", "cost-paid_from": "cash",
         "cost-client_id": str(uuid.uuid4())},
    )  # fmt: skip
    assert done.status_code == 302
    page = client.get(reverse("finance:asset_detail", args=[asset.pk]))
    assert "oil" in page.content.decode() and page.context["report"].net == 30000 - 5000


def test_retiring_through_the_page_leaves_only_the_cost_form():
    asset = tiller()
    client = logged_in(leader(asset.organisation))
    url = reverse("finance:asset_retire", args=[asset.pk])
    data = {"retire-on": "2026-06-01", "retire-sold_for": "", "retire-paid_to": "cash"}
    assert client.post(url, data).status_code == 302
    asset.refresh_from_db()
    assert asset.status == "retired"
    assert [
        name for name, _h, _f in client.get(reverse("finance:asset_detail", args=[asset.pk])).context["steps"]
    ] == ["cost"]
    assert client.post(url, data).status_code == 400  # already retired


def test_the_asset_pages_read_in_bengali_with_bengali_digits():
    asset = tiller(price=6_000_000, rate=150_000)
    rent(asset, "2.5")
    client = logged_in(leader(asset.organisation), "bn")
    detail = client.get(reverse("finance:asset_detail", args=[asset.pk]), HTTP_ACCEPT_LANGUAGE="bn")
    listed = client.get(reverse("finance:assets", args=[asset.organisation_id]), HTTP_ACCEPT_LANGUAGE="bn")
    assert detail.status_code == listed.status_code == 200
    assert "৳৬০,০০০" in detail.content.decode() and "২.৫" in detail.content.decode()
    assert "৳৩,৭৫০" in listed.content.decode()


# ----- API ---------------------------------------------------------------------------------------


def test_the_api_buys_rents_costs_and_reports_an_asset_scoped():
    club = association()
    fund(club)
    member = testing.member(testing.group(club))
    client, headers = Client(), bearer(leader(club))

    def post(url, body, who=headers):
        return client.post(url, body, content_type="application/json", headers=who)

    body = {
        "name": "Pump",
        "kind": "pump",
        "bought_on": "2026-01-10",
        "price": 200_000,
        "unit": "hour",
        "rate": 5050,
    }
    made = post(f"/api/finance/associations/{club.pk}/assets", body)
    assert made.status_code == 201, made.content
    asset_id = made.json()["id"]
    assert [
        a["name"] for a in client.get(f"/api/finance/associations/{club.pk}/assets", headers=headers).json()
    ] == ["Pump"]
    rental = post(
        f"/api/finance/assets/{asset_id}/rentals",
        {"quantity": "2.5", "member": member.pk, "on": "2026-02-01"},
    )
    assert rental.status_code == 201 and rental.json()["amount"] == 12625
    bad = post(f"/api/finance/assets/{asset_id}/rentals", {"quantity": "1", "on": "2026-02-01"})
    assert bad.status_code == 400 and bad.json()["field"] == "renter"
    spent = post(
        f"/api/finance/assets/{asset_id}/costs", {"amount": 2625, "memo": "diesel", "on": "2026-02-02"}
    )
    assert spent.status_code == 201
    report = client.get(f"/api/finance/assets/{asset_id}", {"on": "2026-03-10"}, headers=headers).json()
    assert (report["income"], report["costs"], report["net"], report["months_owned"]) == (
        12625,
        2625,
        10000,
        2,
    )
    assert Decimal(report["payback_months"]) == Decimal("40.0")
    other = bearer(leader(association()))
    assert client.get(f"/api/finance/assets/{asset_id}", headers=other).status_code == 404
    assert post(f"/api/finance/assets/{asset_id}/costs", {"amount": 1, "memo": "x"}, other).status_code == 404
    assert post(f"/api/finance/associations/{club.pk}/assets", body, other).status_code == 404
    viewer = bearer(leader(club, Role.VIEWER))
    assert (
        post(f"/api/finance/assets/{asset_id}/costs", {"amount": 1, "memo": "x"}, viewer).status_code == 403
    )
