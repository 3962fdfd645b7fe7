"""The standard chart of accounts every organisation starts with."""

import dataclasses

from django.db import IntegrityError, connection, transaction
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samiti.finance.models import Account, AccountKind
from samiti.registry.models import Organisation


@dataclasses.dataclass(frozen=True)
class Standard:
    kind: str
    name: Promise
    per_member: bool = False
    is_cash: bool = False


A, L, E, IN, X = (
    AccountKind.ASSET,
    AccountKind.LIABILITY,
    AccountKind.EQUITY,
    AccountKind.INCOME,
    AccountKind.EXPENSE,
)

# code -> what it is. A savings group's box holds two bags of cash: the loan fund and the social fund.
CHART: dict[str, Standard] = {
    "cash": Standard(A, _("cash in hand"), is_cash=True),
    "bank": Standard(A, _("bank account"), is_cash=True),
    "mobile_money": Standard(A, _("mobile money account"), is_cash=True),
    "loan_fund": Standard(A, _("loan fund (cash in the box)"), is_cash=True),
    "social_fund": Standard(A, _("social fund (cash in the box)"), is_cash=True),
    "loans_receivable": Standard(A, _("loans to members"), per_member=True),
    "fixed_assets": Standard(A, _("assets owned together")),
    "member_savings": Standard(L, _("members' savings (shares)"), per_member=True),
    "social_fund_reserve": Standard(E, _("social fund")),
    "surplus_shared_out": Standard(E, _("surplus shared out")),
    "opening_balances": Standard(E, _("opening balances")),
    "dues_income": Standard(IN, _("membership dues")),
    "service_charge_income": Standard(IN, _("service charges on loans")),
    "fines_income": Standard(IN, _("fines")),
    "rent_income": Standard(IN, _("rent of assets")),
    "service_fee_income": Standard(IN, _("service fees")),
    "commission_income": Standard(IN, _("commissions")),
    "grants_received": Standard(IN, _("grants received")),
    "other_income": Standard(IN, _("other income")),
    "running_costs": Standard(X, _("running costs")),
    "asset_costs": Standard(X, _("running costs of assets")),
    "loan_write_offs": Standard(X, _("loans written off")),
}

# Income an association earns itself, as against grants (for financial sustainability).
OWN_INCOME = (
    "dues_income",
    "service_charge_income",
    "fines_income",
    "rent_income",
    "service_fee_income",
    "commission_income",
)
RUNNING_COSTS = ("running_costs", "asset_costs")
# Where money can be paid in or out: the accounts a payment form offers.
PAYMENT_ACCOUNTS = ("cash", "bank", "mobile_money")


def account_name(account: Account) -> str:
    """The account's name in the active language."""
    standard = CHART.get(account.code)
    if standard is not None and not (account.name_en or account.name_bn):
        return str(standard.name)
    if get_language() == "bn" and account.name_bn:
        return account.name_bn
    return account.name_en or account.name_bn or account.code


def accounts_of(organisation: Organisation) -> dict[str, int]:
    """{code: account id} of the organisation's chart, making the standard accounts on first use."""
    ids = _account_ids(organisation.pk)
    missing = [code for code in CHART if code not in ids]
    if missing:
        try:
            with transaction.atomic():
                Account.objects.bulk_create(
                    [
                        Account(
                            organisation=organisation,
                            code=code,
                            kind=CHART[code].kind,
                            per_member=CHART[code].per_member,
                            is_cash=CHART[code].is_cash,
                        )
                        for code in missing
                    ]
                )
        except IntegrityError:  # another request made them first
            pass
        ids = _account_ids(organisation.pk)
    return ids


def _account_ids(organisation_id: int) -> dict[str, int]:
    # Through the cursor: read at every posting, where the ORM's query building costs more than the query.
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM finance_account WHERE organisation_id = %s", [organisation_id])
        return dict(cursor.fetchall())
