"""The ledger: each organisation's chart of accounts, its transactions and their postings.

A posting's amount is signed: a debit is positive and a credit negative, so a transaction is
balanced when its postings sum to zero and a debit-normal account's balance is the plain sum.
Transactions and postings are never changed or deleted (the database refuses it, see the
migration `0002_ledger_guards`); a mistake is corrected by a reversing transaction.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samiti.core.models import Channel
from samiti.registry.models import Meeting, Member, Organisation

__all__ = ["Account", "AccountKind", "PeriodClose", "Posting", "Transaction", "TransactionKind"]


class AccountKind(models.TextChoices):
    ASSET = "asset", _("asset")
    LIABILITY = "liability", _("liability")
    EQUITY = "equity", _("equity")
    INCOME = "income", _("income")
    EXPENSE = "expense", _("expense")


class Account(models.Model):
    """One account of an organisation's chart; the standard ones are made on first use."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("organisation")
    )
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    # Custom accounts carry their own names; the standard chart's names are in services.chart.
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=100, blank=True)
    # Member savings and loans receivable have a sub-account per member: each posting names one.
    per_member = models.BooleanField(default=False)
    # Cash, bank, mobile money and the two funds of a savings group's box: the cash book's accounts.
    is_cash = models.BooleanField(default=False)

    class Meta:
        ordering = ["organisation", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="account_code_once")]

    def __str__(self) -> str:
        from samiti.finance.services.chart import account_name

        return account_name(self)


class TransactionKind(models.TextChoices):
    SHARES = "shares", _("shares bought")
    SOCIAL_FUND = "social_fund", _("social fund contributions")
    REPAYMENT = "repayment", _("loan repayments")
    SERVICE_CHARGE = "service_charge", _("service charges")
    FINE = "fine", _("fines")
    LOAN = "loan", _("loans given")
    SOCIAL_GRANT = "social_grant", _("social fund grants")
    WRITE_OFF = "write_off", _("loan written off")
    SHARE_OUT = "share_out", _("share-out")
    PAYOUT = "payout", _("member paid out")
    DUES = "dues", _("membership dues")
    ASSET_PURCHASE = "asset_purchase", _("asset bought")
    RENTAL = "rental", _("asset rented out")
    ASSET_COST = "asset_cost", _("asset running cost")
    GRANT = "grant", _("grant received")
    EXPENSE = "expense", _("expense")
    INCOME = "income", _("income")
    TRANSFER = "transfer", _("transfer")
    OPENING = "opening", _("opening balances")
    REVERSAL = "reversal", pgettext_lazy("ledger", "reversal")


class Transaction(models.Model):
    """One movement of money: two or more postings that sum to zero."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="transactions", verbose_name=_("organisation")
    )
    association_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Made by the client (a phone offline keeps it and retries with it), so a retry is recorded once.
    client_id = models.UUIDField(_("transaction id"), unique=True, default=uuid.uuid4)
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=TransactionKind.choices)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    cycle = models.ForeignKey(
        "finance.Cycle", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    asset = models.ForeignKey(
        "finance.SharedAsset", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)

    class Meta:
        ordering = ["on", "id"]
        indexes = [
            models.Index(fields=["organisation", "on"], name="transaction_org_on"),
            # A mobile-money reference is looked up before it is recorded again.
            models.Index(fields=["organisation", "reference"], name="transaction_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()}" + (f": {self.memo}" if self.memo else "")


class Posting(models.Model):
    """One line of a transaction: an amount in poisha on one account (debit +, credit −)."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    # Indexed by posting_balance, which leads with it.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", db_index=False)
    # The member the line is about: the sub-account of a per-member account, or whose fine,
    # service charge or dues it is (so a passbook is the member's postings). Indexed by posting_member.
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    amount = models.BigIntegerField(_("amount (poisha)"))
    # For distributing the table by association. Not indexed: postings are read through their
    # account (an account belongs to one organisation), and an index would cost every insert.
    association_id = models.BigIntegerField(null=True, blank=True)
    # The transaction's date, copied so that balances on a date read one table.
    on = models.DateField()

    class Meta:
        indexes = [
            # With the amount, so balances (every meeting reads them) come from the index alone.
            models.Index(fields=["account", "member", "on", "amount"], name="posting_balance"),
            models.Index(fields=["member", "on"], name="posting_member"),
        ]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="posting_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"


class PeriodClose(models.Model):
    """The books of an organisation are closed up to and including `through`."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="period_closes", verbose_name=_("organisation")
    )
    through = models.DateField(_("closed through"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-through"]
        constraints = [models.UniqueConstraint(fields=["organisation", "through"], name="close_once")]

    def __str__(self) -> str:
        return f"{self.organisation} ≤ {self.through:%Y-%m-%d}"
