"""Membership dues: the fee and its history, payments through the ledger (mobile money with its
reference, retries recorded once), what each member owes across fee changes, arrears and the
collection rate by group; the dues pages and API, scoped."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from samiti.core.models import AuditEvent
from samiti.finance.errors import FinanceError
from samiti.finance.models import Frequency, MembershipFee, Posting, Transaction
from samiti.finance.services import dues as services
from samiti.finance.services.dues import FeeTerm, expected_dues
from samiti.registry import testing
from samiti.registry.models import Organisation, Role
from samiti.registry.services import issue_api_token

pytestmark = pytest.mark.django_db
D = datetime.date
JAN_1, MAR_1 = D(2026, 1, 1), D(2026, 3, 1)


def association() -> Organisation:
    return testing.organisation("association", testing.organisation("federation"))


def leader(of: Organisation, role: str = Role.ASSOCIATION_LEADER):
    return testing.staff(role=role, organisation=of)


def fee(of: Organisation, amount: int = 5000, frequency: str = Frequency.MONTHLY, starts_on=JAN_1):
    return services.set_membership_fee(
        actor=None, association=of, amount=amount, frequency=frequency, starts_on=starts_on
    )


def pay(member, amount: int, on=MAR_1, method="cash", **options):
    return services.record_dues_payment(
        actor=None, member=member, amount=amount, on=on, method=method, **options
    )


def total_postings() -> int:
    return Posting.objects.aggregate(total=Sum("amount"))["total"] or 0


def bearer(user) -> dict[str, str]:
    _token, key = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


# ----- the fee -----------------------------------------------------------------------------------


def test_a_new_fee_keeps_the_earlier_ones_as_history_and_is_audited():
    club = association()
    fee(club, 5000, starts_on=D(2026, 1, 1))
    fee(club, 8000, Frequency.QUARTERLY, starts_on=D(2026, 7, 1))
    assert list(MembershipFee.objects.filter(association=club).values_list("amount", "frequency")) == [
        (8000, "quarterly"),
        (5000, "monthly"),
    ]
    assert AuditEvent.objects.filter(object_type="finance.membershipfee", action="create").count() == 2


def test_a_fee_is_refused_on_a_day_taken_for_a_group_at_zero_and_outside_scope():
    club = association()
    fee(club, starts_on=D(2026, 1, 1))
    with pytest.raises(FinanceError) as taken:
        fee(club, 6000, starts_on=D(2026, 1, 1))
    assert taken.value.field == "starts_on"
    with pytest.raises(FinanceError) as group:
        fee(testing.group(club))
    assert group.value.field == "association"
    with pytest.raises(FinanceError) as zero:
        fee(club, 0, starts_on=D(2026, 2, 1))
    assert zero.value.field == "amount"
    with pytest.raises(FinanceError) as outsider:
        services.set_membership_fee(
            actor=leader(association()),
            association=club,
            amount=100,
            frequency="monthly",
            starts_on=D(2026, 3, 1),
        )
    assert outsider.value.code == "forbidden"


# ----- payments ----------------------------------------------------------------------------------


def test_a_payment_is_posted_into_the_members_association_books_naming_the_member():
    club = association()
    member = testing.member(testing.group(club))
    posted = pay(member, 5000, method="bank", reference="slip 12")
    assert posted.organisation == club and posted.kind == "dues" and posted.reference == "slip 12"
    lines = sorted(posted.postings.values_list("account__code", "amount", "member_id"))
    assert lines == [("bank", 5000, None), ("dues_income", -5000, member.pk)]


def test_mobile_money_needs_its_reference_and_the_same_reference_is_not_recorded_twice():
    member = testing.member(testing.group(association()))
    with pytest.raises(FinanceError) as missing:
        pay(member, 5000, method="mobile_money", reference="  ")
    assert missing.value.field == "reference"
    pay(member, 5000, method="mobile_money", reference="BKX91A7")
    with pytest.raises(FinanceError) as twice:
        pay(member, 5000, method="mobile_money", reference="bkx91a7", on=D(2026, 3, 2))
    assert (twice.value.field, twice.value.code) == ("reference", "duplicate")


def test_a_retried_payment_is_recorded_once_and_a_reused_id_for_another_payment_is_refused():
    member = testing.member(testing.group(association()))
    key = uuid.uuid4()
    first = pay(member, 5000, method="mobile_money", reference="NG-1", client_id=key)
    again = pay(member, 5000, method="mobile_money", reference="NG-1", client_id=key)
    assert first.pk == again.pk
    assert Transaction.objects.filter(kind="dues").count() == 1
    with pytest.raises(FinanceError) as reused:
        pay(member, 9000, client_id=key)
    assert reused.value.code == "id_reused"


def test_bad_payments_are_refused_on_their_field():
    member = testing.member(testing.group(association()))
    for options, field in [
        ({"amount": 0}, "amount"),
        ({"amount": 100, "method": "cheque"}, "method"),
        ({"amount": 100, "on": D.today() + datetime.timedelta(days=2)}, "on"),
        ({"amount": 100, "reference": "x" * 61}, "reference"),
    ]:
        with pytest.raises(FinanceError) as error:
            pay(member, **options)
        assert error.value.field == field
    with pytest.raises(FinanceError) as outsider:
        services.record_dues_payment(
            actor=leader(association()), member=member, amount=100, on=D(2026, 3, 1), method="cash"
        )
    assert outsider.value.code == "forbidden"


# ----- what is owed ------------------------------------------------------------------------------


def test_arrears_across_a_fee_change_use_the_fee_in_force_on_each_due_day():
    club = association()
    fee(club, 10000, starts_on=D(2026, 1, 1))
    fee(club, 15000, starts_on=D(2026, 4, 1))
    member = testing.member(testing.group(club), joined_on=D(2025, 6, 1))
    pay(member, 40000, on=D(2026, 5, 2))
    row = services.dues_status(club, D(2026, 6, 15)).members[0]
    # 1 Jan, 1 Feb, 1 Mar at ৳100; 1 Apr, 1 May, 1 Jun at ৳150
    assert (row.periods, row.expected, row.paid, row.arrears) == (6, 75000, 40000, 35000)


def test_a_member_who_joined_mid_year_owes_from_the_day_they_joined():
    club = association()
    fee(club, 10000, starts_on=D(2026, 1, 1))
    fee(club, 120000, Frequency.YEARLY, starts_on=D(2025, 1, 1))  # the earlier yearly fee
    group = testing.group(club)
    early = testing.member(group, code="E-1", joined_on=D(2024, 3, 1))
    late = testing.member(group, code="L-1", joined_on=D(2026, 8, 20))
    rows = {row.member_id: row for row in services.dues_status(club, D(2026, 10, 31)).members}
    # the early member: ৳1,200 on 1 Jan 2025, then monthly from 1 Jan 2026 (10 months)
    assert (rows[early.pk].periods, rows[early.pk].expected) == (11, 120000 + 10 * 10000)
    # the late member: 20 Aug, 20 Sep, 20 Oct
    assert (rows[late.pk].periods, rows[late.pk].expected) == (3, 30000)
    assert late.pk not in {r.member_id for r in services.dues_status(club, D(2026, 8, 19)).members}


def test_a_member_counts_until_the_day_they_left():
    club = association()
    fee(club, 10000, starts_on=JAN_1)
    gone = testing.member(
        testing.group(club), joined_on=JAN_1, left_on=D(2026, 4, 15), leaving_reason="moved"
    )
    assert [r.member_id for r in services.dues_status(club, D(2026, 4, 14)).members] == [gone.pk]
    assert services.dues_status(club, D(2026, 4, 15)).members == []


def test_quarterly_and_monthly_due_days_run_from_the_first_and_keep_the_day_of_the_month():
    quarterly = [FeeTerm(D(2026, 1, 31), 3000, Frequency.QUARTERLY)]
    assert [day for day, _a in services.due_days(quarterly, D(2020, 1, 1), D(2026, 12, 31))] == [
        D(2026, 1, 31),
        D(2026, 4, 30),
        D(2026, 7, 31),
        D(2026, 10, 31),
    ]
    monthly = [FeeTerm(D(2026, 1, 31), 100, Frequency.MONTHLY)]
    assert [d.day for d, _a in services.due_days(monthly, D(2026, 1, 1), D(2026, 4, 30))] == [31, 28, 31, 30]
    assert expected_dues([FeeTerm(D(2026, 1, 1), 100, Frequency.WEEKLY)], D(2026, 1, 1), D(2026, 1, 15)) == (
        3,
        300,
    )
    assert expected_dues([], D(2026, 1, 1), D(2026, 12, 31)) == (0, 0)


def test_the_collection_rate_counts_nobody_above_what_they_owed_per_group_and_overall():
    club = association()
    fee(club, 10000, starts_on=D(2026, 1, 1))
    north, south = testing.group(club), testing.group(club)
    ahead = testing.member(north, joined_on=D(2026, 1, 1))
    behind = testing.member(north, joined_on=D(2026, 1, 1))
    clear = testing.member(south, joined_on=D(2026, 1, 1))
    pay(ahead, 60000)  # six months ahead: 3 due by 15 March
    pay(behind, 10000)
    pay(clear, 30000)
    status = services.dues_status(club, D(2026, 3, 15))
    groups = {g.group_id: g for g in status.groups}
    assert (groups[north.pk].members, groups[north.pk].in_arrears) == (2, 1)
    assert groups[north.pk].rate == pytest.approx(40000 / 60000)  # 30,000 (capped) + 10,000
    assert groups[south.pk].rate == 1
    assert status.total.rate == pytest.approx(70000 / 90000)
    assert [row.member_id for row in status.in_arrears] == [behind.pk]
    assert {row.member_id: row.ahead for row in status.members}[ahead.pk] == 30000


def test_no_fee_means_nothing_is_expected_and_no_rate():
    club = association()
    testing.member(testing.group(club))
    status = services.dues_status(club, D(2026, 3, 1))
    assert status.fee is None and status.total.expected == 0 and status.total.rate is None


def test_the_status_of_many_associations_takes_four_queries(django_assert_num_queries):
    clubs = [association() for _ in range(3)]
    for club in clubs:
        fee(club)
        for _ in range(3):
            pay(testing.member(testing.group(club), joined_on=D(2026, 1, 1)), 5000)
    with django_assert_num_queries(4):
        statuses = services.dues_statuses([c.pk for c in clubs], D(2026, 3, 31))
    assert [statuses[c.pk].total.members for c in clubs] == [3, 3, 3]


def test_the_trial_balance_stays_balanced_after_dues_are_paid_and_a_payment_reversed():
    from samiti.finance.services.ledger import reverse_transaction

    member = testing.member(testing.group(association()), joined_on=D(2026, 1, 1))
    posted = pay(member, 5000, method="mobile_money", reference="B-1")
    pay(member, 2550, method="cash")
    reverse_transaction(actor=None, original=posted, on=D(2026, 3, 5))
    assert total_postings() == 0
    club = member.association
    assert services.dues_status(club, D(2026, 3, 31)).members[0].paid == 2550


fees = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=800),
        st.integers(min_value=1, max_value=100_000),
        st.sampled_from(Frequency.values),
    ),
    min_size=0,
    max_size=4,
    unique_by=lambda t: t[0],
)


@given(
    fees=fees,
    joined=st.integers(min_value=-400, max_value=900),
    span=st.integers(min_value=0, max_value=1200),
    paid=st.integers(min_value=0, max_value=10_000_000),
)
def test_expected_dues_are_never_negative_and_paid_plus_arrears_is_expected_when_not_overpaid(
    fees, joined, span, paid
):
    base = D(2025, 1, 1)
    terms = [FeeTerm(base + datetime.timedelta(days=d), amount, f) for d, amount, f in sorted(fees)]
    start = base + datetime.timedelta(days=joined)
    on = base + datetime.timedelta(days=span)
    periods, expected = expected_dues(terms, start, on)
    assert periods >= 0 and expected >= 0
    assert (periods == 0) == (expected == 0)
    if terms:
        assert expected <= periods * max(t.amount for t in terms)
        assert expected >= periods * min(t.amount for t in terms)
    row = services.MemberDues(1, "M", "M", "", 1, start, periods, expected, paid)
    if paid <= expected:
        assert row.paid + row.arrears == row.expected
    else:
        assert row.arrears == 0 and row.paid - row.ahead == row.expected
    # a later day never owes less
    assert expected_dues(terms, start, on + datetime.timedelta(days=40))[1] >= expected


# ----- pages -------------------------------------------------------------------------------------


def logged_in(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_dues_page_shows_the_fee_rate_by_group_and_arrears_filtered_by_group(
    django_assert_max_num_queries,
):
    club = association()
    fee(club, 10000, starts_on=D(2026, 1, 1))
    north, south = testing.group(club), testing.group(club)
    for group in (north, south):
        for _ in range(4):
            testing.member(group, joined_on=D(2026, 1, 1))
    paid = testing.member(north, joined_on=D(2026, 1, 1))
    pay(paid, 100000)
    client = logged_in(leader(club))
    url = reverse("finance:dues", args=[club.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url, {"on": "2026-03-15"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 8
    assert "৳100" in response.content.decode() and "Collection rate" in response.content.decode()
    only_north = client.get(url, {"on": "2026-03-15", "group": north.pk})
    assert only_north.context["page"].paginator.count == 4
    assert client.get(url, {"group": testing.group().pk}).status_code == 404


def test_the_dues_pages_read_in_bengali_with_bengali_digits():
    club = association()
    fee(club, 12500, starts_on=JAN_1)
    testing.member(testing.group(club), joined_on=JAN_1)
    client = logged_in(leader(club), "bn")
    for name in ("finance:dues", "finance:dues_fee", "finance:dues_payment"):
        page = client.get(reverse(name, args=[club.pk]), {"on": "2026-02-01"}, HTTP_ACCEPT_LANGUAGE="bn")
        assert page.status_code == 200
    assert (
        "৳১২৫"
        in client.get(reverse("finance:dues", args=[club.pk]), HTTP_ACCEPT_LANGUAGE="bn").content.decode()
    )


def test_the_arrears_list_downloads_as_csv_and_xlsx_and_the_export_is_logged():
    club = association()
    fee(club, 10000, starts_on=D(2026, 1, 1))
    member = testing.member(testing.group(club), code="C-1", joined_on=D(2026, 1, 1))
    pay(member, 5000, on=D(2026, 1, 15))
    client = logged_in(leader(club))
    csv_text = b"".join(
        client.get(
            reverse("finance:dues_arrears", args=[club.pk, "csv"]), {"on": "2026-02-01"}
        ).streaming_content
    ).decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("member_code,name,group_code")
    assert lines[1].startswith("C-1,") and lines[1].endswith(",2,200,50,150")
    response = client.get(reverse("finance:dues_arrears", args=[club.pk, "xlsx"]), {"on": "2026-02-01"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert list(sheet.iter_rows(values_only=True))[1][-1] == 150
    assert AuditEvent.objects.filter(action="export", association_id=club.pk).count() == 2


def test_dues_pages_of_another_association_or_of_a_group_answer_404():
    club, other = association(), association()
    client = logged_in(leader(club), "bn")
    for name in ("finance:dues", "finance:dues_fee", "finance:dues_payment"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
        assert client.get(reverse(name, args=[testing.group(club).pk])).status_code == 404
    group_leader = logged_in(leader(testing.group(club), Role.GROUP_LEADER))
    assert group_leader.get(reverse("finance:dues", args=[club.pk])).status_code == 404


def test_a_viewer_reads_the_dues_page_but_gets_404_on_the_writing_pages():
    club = association()
    client = logged_in(leader(club, Role.VIEWER))
    assert client.get(reverse("finance:dues", args=[club.pk])).status_code == 200
    assert client.get(reverse("finance:dues_fee", args=[club.pk])).status_code == 404
    assert client.post(reverse("finance:dues_payment", args=[club.pk]), {"amount": "10"}).status_code == 404
    assert not Transaction.objects.exists()


def test_the_fee_form_sets_the_fee_and_keeps_what_was_typed_on_error():
    club = association()
    client = logged_in(leader(club))
    url = reverse("finance:dues_fee", args=[club.pk])
    done = client.post(url, {"amount": "৫০", "frequency": "monthly", "starts_on": "2026-01-01"})
    assert done.status_code == 302
    assert MembershipFee.objects.get(association=club).amount == 5000
    again = client.post(url, {"amount": "75.50", "frequency": "yearly", "starts_on": "2026-01-01"})
    assert again.status_code == 400
    assert "starts_on" in again.context["form"].errors
    assert 'value="75.50"' in again.content.decode()


def test_the_payment_form_finds_the_member_by_number_and_keeps_input_on_error():
    club = association()
    testing.member(testing.group(club), code="G7-0012", joined_on=D(2026, 1, 1))
    stranger = testing.member(testing.group(association()), code="G9-0001")
    client = logged_in(leader(club))
    url = reverse("finance:dues_payment", args=[club.pk])
    form = client.get(url, {"member": "G7-0012"})
    assert 'value="G7-0012"' in form.content.decode()
    key = form.context["form"]["client_id"].value()
    data = {
        "member": "g7-0012",
        "amount": "120",
        "method": "mobile_money",
        "reference": "",
        "on": "2026-03-01",
    }
    missing = client.post(url, {**data, "client_id": key})
    assert missing.status_code == 400 and "reference" in missing.context["form"].errors
    assert 'value="120"' in missing.content.decode()
    assert client.post(url, {**data, "reference": "BK-77", "client_id": key}).status_code == 302
    assert client.post(url, {**data, "reference": "BK-77", "client_id": key}).status_code == 302  # twice
    assert Transaction.objects.filter(kind="dues").count() == 1
    assert services.dues_status(club, D(2026, 3, 1)).members[0].paid == 12000
    outsider = client.post(
        url, {**data, "member": stranger.code, "reference": "BK-78", "client_id": uuid.uuid4()}
    )
    assert outsider.status_code == 400 and "member" in outsider.context["form"].errors


# ----- API ---------------------------------------------------------------------------------------


def test_the_api_sets_the_fee_records_payments_and_reads_the_status_scoped():
    club = association()
    member = testing.member(testing.group(club), joined_on=D(2026, 1, 1))
    client, headers = Client(), bearer(leader(club))
    base = f"/api/finance/associations/{club.pk}/dues"
    made = client.post(
        f"{base}/fees",
        {"amount": 10000, "frequency": "monthly", "starts_on": "2026-01-01"},
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201, made.content
    assert client.get(f"{base}/fees", headers=headers).json()[0]["amount"] == 10000
    body = {"member": member.pk, "amount": 15000, "on": "2026-02-10", "method": "mobile_money"}
    refused = client.post(f"{base}/payments", body, content_type="application/json", headers=headers)
    assert refused.status_code == 400
    assert refused.json() == {"code": "finance", "field": "reference", "message": refused.json()["message"]}
    key = str(uuid.uuid4())
    body |= {"reference": "NGD-5", "client_id": key}
    first = client.post(f"{base}/payments", body, content_type="application/json", headers=headers)
    second = client.post(f"{base}/payments", body, content_type="application/json", headers=headers)
    assert first.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert [p["reference"] for p in client.get(f"{base}/payments", headers=headers).json()["items"]] == [
        "NGD-5"
    ]
    status = client.get(base, {"on": "2026-03-15"}, headers=headers).json()
    assert status["total"]["expected"] == 30000 and status["total"]["paid"] == 15000
    assert status["members"][0]["arrears"] == 15000
    other = bearer(leader(association()))
    assert client.get(base, headers=other).status_code == 404
    assert (
        client.post(f"{base}/payments", body, content_type="application/json", headers=other).status_code
        == 404
    )
    viewer = bearer(leader(club, Role.VIEWER))
    fee_body = {"amount": 100, "frequency": "yearly", "starts_on": "2026-05-01"}
    assert (
        client.post(f"{base}/fees", fee_body, content_type="application/json", headers=viewer).status_code
        == 403
    )


# ----- in a browser, at a phone's width ----------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_treasurer_records_a_mobile_money_payment_from_the_arrears_list_on_a_phone(phone_page, live_server):
    club = association()
    fee(club, 10000, starts_on=JAN_1)
    testing.member(testing.group(club), code="G5-0001", name_en="Rina Begum", joined_on=D.today())
    testing.staff(role=Role.ASSOCIATION_LEADER, organisation=club, username="treasurer")
    page = phone_page
    testing.log_in(page, live_server, "treasurer")
    testing.visit(page, f"{live_server.url}{reverse('finance:dues', args=[club.pk])}")
    assert "Rina Begum" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    testing.follow(page, "main table a[href*='member=G5-0001']")
    assert page.input_value("#id_member") == "G5-0001"
    page.fill("#id_amount", "১০০")
    page.select_option("#id_method", "mobile_money")
    page.click("main form [type=submit]")
    page.wait_for_selector(".errorlist")
    assert "transaction id" in page.locator(".errorlist").inner_text()
    assert page.input_value("#id_amount") == "১০০"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.fill("#id_reference", "BKX-55")
    testing.follow(page, "main form [type=submit]")
    assert "recorded" in page.locator(".messages").inner_text()
    testing.visit(page, f"{live_server.url}{reverse('finance:dues', args=[club.pk])}")
    assert "Nobody is in arrears." in page.locator("main").inner_text()
