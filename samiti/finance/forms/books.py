"""Forms of the books: the period or day of a report, the filters of the transaction list, a
manual transaction, opening balances, a reversal and a period close. They parse input into the
lines `post_transaction` takes; the rules are the ledger service's."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from samiti.core.forms import ServiceErrors
from samiti.core.money import format_taka
from samiti.finance import reports
from samiti.finance.models import Account, AccountKind, TransactionKind
from samiti.finance.services.chart import PAYMENT_ACCOUNTS, account_name
from samiti.finance.services.ledger import Line
from samiti.registry.forms import DateInput, TakaField
from samiti.registry.models import Organisation

BOX = ("loan_fund", "social_fund")
# The transactions the simple form writes, and what each takes besides the cash account.
SIMPLE_KINDS = [
    (TransactionKind.EXPENSE, TransactionKind.EXPENSE.label),
    (TransactionKind.GRANT, TransactionKind.GRANT.label),
    (TransactionKind.INCOME, pgettext_lazy("transaction", "other income")),
    (TransactionKind.TRANSFER, gettext_lazy("transfer between cash, bank and mobile money")),
]


class PeriodForm(forms.Form):
    """From a day to a day; this year unless given."""

    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    end = forms.DateField(label=pgettext_lazy("end of a period", "To"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day comes before the first."))
        return data

    def period(self):
        data = getattr(self, "cleaned_data", {})
        return reports.period(data.get("start"), data.get("end"))


class OnForm(forms.Form):
    """The day a balance is taken at, at its end; today unless given."""

    on = forms.DateField(label=gettext_lazy("At the end of"), required=False, widget=DateInput)

    def day(self):
        return getattr(self, "cleaned_data", {}).get("on") or timezone.localdate()


class CashBookForm(PeriodForm):
    accounts = forms.MultipleChoiceField(
        label=gettext_lazy("Accounts"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("All cash, bank and mobile money accounts and the box unless you choose."),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = [
            (account.code, account_name(account)) for account in reports.cash_accounts(organisation)
        ]

    def chosen(self) -> list[str] | None:
        """The codes of the accounts chosen, or None for all of them."""
        return getattr(self, "cleaned_data", {}).get("accounts") or None


class TransactionFilterForm(PeriodForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", "—"), *TransactionKind.choices]
    )

    def period(self):
        data = getattr(self, "cleaned_data", {})
        return data.get("start"), data.get("end")


def _accounts(organisation: Organisation, kind: str) -> list[tuple[str, str]]:
    return [
        (account.code, account_name(account))
        for account in Account.objects.filter(organisation=organisation, kind=kind).order_by("id")
    ]


class Posting(ServiceErrors):
    """A form that posts: dated today unless changed, and carrying a new client id, so that the
    same form sent twice (a double tap, a resend) is recorded once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())
            self.initial.setdefault("client_id", uuid.uuid4())


class ManualTransactionForm(Posting, forms.Form):
    """An expense, a grant received, other income, or a transfer between cash accounts."""

    kind = forms.ChoiceField(label=gettext_lazy("What is it"), choices=SIMPLE_KINDS)
    on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    amount = TakaField(label=gettext_lazy("Amount (taka)"))
    account = forms.ChoiceField(
        label=gettext_lazy("Paid from or received into"),
        help_text=gettext_lazy("For a transfer: where the money comes from."),
    )
    other = forms.ChoiceField(
        label=gettext_lazy("Expense, income, or where a transfer goes"),
        required=False,
        help_text=gettext_lazy("A grant goes to grants received unless you choose."),
    )
    memo = forms.CharField(label=gettext_lazy("Memo"), max_length=200, required=False)
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("A receipt or voucher number, or the mobile money transaction id."),
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # A savings group pays from and into its box too: the loan fund and the social fund.
        self.payment_accounts = [
            *PAYMENT_ACCOUNTS,
            *(BOX if organisation.kind == Organisation.Kind.GROUP else ()),
        ]
        payment = [(code, account_name(Account(code=code))) for code in self.payment_accounts]
        self.fields["account"].choices = payment
        self.fields["other"].choices = [
            ("", "—"),
            (_("Expenses"), _accounts(organisation, AccountKind.EXPENSE)),
            (_("Income"), _accounts(organisation, AccountKind.INCOME)),
            (_("Cash, bank and mobile money"), payment),
        ]

    def clean(self):
        data = super().clean()
        kind, account, other = data.get("kind"), data.get("account"), data.get("other")
        if kind is None or account is None:
            return data
        kinds = dict(Account.objects.filter(organisation=self.organisation).values_list("code", "kind"))
        if kind == TransactionKind.GRANT and not other:
            other = data["other"] = "grants_received"
        wanted = {
            TransactionKind.EXPENSE: (kinds.get(other) == AccountKind.EXPENSE, _("Choose an expense.")),
            TransactionKind.INCOME: (kinds.get(other) == AccountKind.INCOME, _("Choose an income.")),
            TransactionKind.GRANT: (kinds.get(other) == AccountKind.INCOME, _("Choose an income.")),
            TransactionKind.TRANSFER: (
                other in self.payment_accounts and other != account,
                _("Choose another cash, bank or mobile money account to transfer to."),
            ),
        }
        fits, message = wanted[kind]
        if not fits:
            self.add_error("other", message)
        return data

    def lines(self) -> list[Line]:
        data = self.cleaned_data
        amount, account, other = data["amount"], data["account"], data["other"]
        if data["kind"] in (TransactionKind.EXPENSE, TransactionKind.TRANSFER):
            return [Line(other, amount), Line(account, -amount)]  # money goes out of `account`
        return [Line(account, amount), Line(other, -amount)]


class OpeningForm(Posting, forms.Form):
    """The header of the opening balances: the day and a memo."""

    on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    memo = forms.CharField(label=gettext_lazy("Memo"), max_length=200, required=False)
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=60, required=False)
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)


class OpeningLineForm(forms.Form):
    """One line of the opening balances: an account, whose it is, a debit or a credit."""

    account = forms.ChoiceField(label=gettext_lazy("Account"), required=False)
    member = forms.CharField(label=gettext_lazy("Member number"), max_length=30, required=False)
    debit = TakaField(label=gettext_lazy("Debit"), required=False)
    credit = TakaField(label=gettext_lazy("Credit"), required=False)

    def __init__(self, *args, organisation: Organisation, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation, self.members = organisation, members
        accounts = Account.objects.filter(organisation=organisation).order_by("id")
        self.per_member = {account.code for account in accounts if account.per_member}
        self.fields["account"].choices = [("", "—")] + [
            (account.code, account_name(account)) for account in accounts
        ]

    def clean(self):
        data = super().clean()
        account, debit, credit, code = (data.get(k) for k in ("account", "debit", "credit", "member"))
        data["line"] = None
        if not (account or debit or credit or code):
            return data
        if not account:
            self.add_error("account", _("Choose the account."))
        if bool(debit) == bool(credit):
            self.add_error("debit", _("Give a debit or a credit, not both."))
        member_id = None
        if code:
            member_id = self.members.filter(code__iexact=code.strip()).values_list("pk", flat=True).first()
            if member_id is None:
                self.add_error(
                    "member", _("No member of this organisation has the number %(code)s.") % {"code": code}
                )
        elif account in self.per_member:
            self.add_error("member", _("Say whose account this is."))
        if not self.errors:
            data["line"] = Line(account, debit or -credit, member_id)
        return data


class BaseOpeningLines(forms.BaseFormSet):
    def __init__(self, *args, organisation: Organisation, members, **kwargs):
        self.organisation, self.members = organisation, members
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"organisation": self.organisation, "members": self.members}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            organisation=self.organisation,
            members=self.members,
        )
        self.add_fields(form, None)
        return form

    def lines(self) -> list[Line]:
        return [form.cleaned_data["line"] for form in self.forms if form.cleaned_data.get("line")]

    def difference(self) -> int:
        """Debits less credits of the lines as typed (those that could be read)."""
        total = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            total += (data.get("debit") or 0) - (data.get("credit") or 0)
        return total

    def clean(self):
        if any(self.errors):
            return
        lines = self.lines()
        if len(lines) < 2:
            raise forms.ValidationError(_("Give at least two lines."))
        difference = sum(line.amount for line in lines)
        if difference:
            raise forms.ValidationError(
                _("The debits and the credits differ by %(amount)s; the lines must balance.")
                % {"amount": format_taka(abs(difference))}
            )


OpeningLines = forms.formset_factory(OpeningLineForm, formset=BaseOpeningLines, extra=6, max_num=200)


class ReverseForm(Posting, forms.Form):
    on = forms.DateField(label=gettext_lazy("Date of the reversal"), widget=DateInput)
    memo = forms.CharField(
        label=gettext_lazy("Why it is reversed"),
        max_length=200,
        help_text=gettext_lazy("Say what was wrong, so whoever reads the books later knows."),
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)


class CloseForm(ServiceErrors, forms.Form):
    through = forms.DateField(
        label=gettext_lazy("Close the books through"),
        widget=DateInput,
        help_text=gettext_lazy("Nothing can be posted on or before this day afterwards."),
    )
