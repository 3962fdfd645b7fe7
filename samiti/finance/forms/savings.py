"""Forms of the savings pages: they parse what the treasurer typed; the rules live in
services/savings.py."""

import dataclasses
import datetime
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samiti.core.bengali import to_latin_digits
from samiti.core.forms import ServiceErrors
from samiti.core.money import format_taka, taka_amount
from samiti.finance.errors import FinanceError
from samiti.finance.models import Cycle, Transaction
from samiti.finance.services.savings import CONSTITUTION, GroupBooks, MemberLine
from samiti.registry.forms import DateInput, TakaField
from samiti.registry.models import Member

# ----- a cycle's constitution ---------------------------------------------------------------------

MONEY = {
    "share_price": gettext_lazy("Share price (taka)"),
    "social_fund_per_meeting": gettext_lazy("Social fund per meeting (taka)"),
    "fine_absent": gettext_lazy("Fine for absence (taka)"),
    "fine_late": gettext_lazy("Fine for lateness (taka)"),
}


class CycleForm(ServiceErrors, forms.Form):
    """A cycle's constitution; the labels, limits and defaults are the model's."""

    def __init__(self, *args: Any, previous: Cycle | None = None, **kwargs: Any):
        today = timezone.localdate()
        initial: dict[str, Any] = {"max_shares_per_meeting": 5}
        if previous is not None:  # the group usually keeps its rules from one cycle to the next
            initial |= {name: getattr(previous, name) for name in CONSTITUTION}
            initial |= {name: taka_amount(getattr(previous, name)) for name in MONEY}
        initial |= {"starts_on": today, "planned_end_on": today + datetime.timedelta(days=364)}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        model = Cycle._meta
        for name in CONSTITUTION:
            label = model.get_field(name).verbose_name
            if name in MONEY:
                self.fields[name] = TakaField(label=MONEY[name], required=name == "share_price")
            elif name in ("starts_on", "planned_end_on"):
                self.fields[name] = forms.DateField(label=label, widget=DateInput)
            else:
                self.fields[name] = model.get_field(name).formfield()
        self.fields["max_shares_per_meeting"].help_text = _("1 to 5 by default.")

    def constitution(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in MONEY:
            if data.get(name) is None:
                data[name] = 0
        return data


# ----- a meeting: the whole group on one screen ---------------------------------------------------

AMOUNTS = ("social_fund", "repayment", "service_charge", "fine", "loan", "grant")
COUNTED = ("shares", "loan_months")
# Inputs that sit in a member's folded "loan or grant" box.
FOLDED = ("loan", "loan_months", "loan_purpose", "grant")
LABELS = {
    "shares": gettext_lazy("Shares"),
    "social_fund": gettext_lazy("Social fund"),
    "fine": gettext_lazy("Fine"),
    "repayment": gettext_lazy("Repayment"),
    "service_charge": gettext_lazy("Service charge"),
    "loan": gettext_lazy("New loan"),
    "loan_months": gettext_lazy("Months"),
    "loan_purpose": gettext_lazy("Purpose"),
    "grant": gettext_lazy("Social fund grant"),
}


@dataclasses.dataclass(frozen=True)
class Cell:
    """One input of a member's row, as the template draws it."""

    name: str
    label: str
    input_name: str
    value: str
    errors: list[str]
    kind: str  # "taka", "count" or "text"
    hint: str = ""


class MeetingForm(ServiceErrors, forms.Form):
    """The meeting's own fields; the members' rows are MeetingRows."""

    held_on = forms.DateField(label=gettext_lazy("Meeting date"), widget=DateInput)
    counted_loan_fund = TakaField(
        label=gettext_lazy("Counted in the loan fund bag (taka)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    counted_social_fund = TakaField(
        label=gettext_lazy("Counted in the social fund bag (taka)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    corrections = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Corrections: reverse these entries of the last meeting"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, reversible: Sequence[Transaction] = (), **kwargs: Any):
        kwargs.setdefault("initial", {"held_on": timezone.localdate(), "client_id": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.fields["corrections"].choices = [(t.pk, str(t)) for t in reversible]


@dataclasses.dataclass
class MeetingRow:
    """One member's row: what was typed (kept as typed), its errors, and the member's loan."""

    number: int
    member: Member
    values: dict[str, str]
    present: bool
    owed: int = 0
    charge_due: int = 0
    due_on: datetime.date | None = None
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    line: MemberLine | None = None

    def prefix(self) -> str:
        return f"m{self.member.pk}"

    @property
    def has_loan(self) -> bool:
        return self.owed > 0 or self.charge_due > 0

    @property
    def folded_open(self) -> bool:
        """Open the loan-or-grant box when something is typed or wrong in it."""
        return any(self.values.get(name) or name in self.errors for name in FOLDED)

    def cells(self, names: Sequence[str]) -> list[Cell]:
        hints = {
            "repayment": _("owes %(amount)s") % {"amount": format_taka(self.owed)} if self.owed else "",
            "service_charge": _("due %(amount)s") % {"amount": format_taka(self.charge_due)},
        }
        return [
            Cell(
                name,
                str(LABELS[name]),
                f"{self.prefix()}-{name}",
                self.values.get(name, ""),
                self.errors.get(name, []),
                "count" if name in COUNTED else "text" if name == "loan_purpose" else "taka",
                hints.get(name, ""),
            )
            for name in names
        ]

    @property
    def main_cells(self) -> list[Cell]:
        return self.cells(
            ["shares", "social_fund", "fine", *(["repayment", "service_charge"] if self.has_loan else [])]
        )

    @property
    def folded_cells(self) -> list[Cell]:
        return self.cells(FOLDED)

    @property
    def other_errors(self) -> list[str]:
        """Errors not tied to one of the row's inputs (the whole row's)."""
        shown = {cell.name for cell in [*self.main_cells, *self.folded_cells]}
        return [m for name, messages in self.errors.items() if name not in shown for m in messages]

    def add_error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    @property
    def all_errors(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]


class MeetingSheet:
    """A meeting as the treasurer types it: the meeting's form and a row per member.

    Every cell is parsed on its own (taka as TakaField reads it, Bengali digits included); a
    refused cell keeps its text and shows its reason on its row.
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        cycle: Cycle,
        members: Sequence[Member],
        books: GroupBooks,
        reversible: Sequence[Transaction] = (),
    ):
        self.cycle = cycle
        self.bound = data is not None
        self.form = MeetingForm(data, reversible=reversible)
        self.rows = []
        default_social = taka_amount(cycle.social_fund_per_meeting) if cycle.social_fund_per_meeting else ""
        for number, member in enumerate(members, start=1):
            row = MeetingRow(number, member, {}, present=True)
            state = books.loans.get(member.pk)
            row.owed = books.owed.get(member.pk, 0)
            if state is not None:
                row.charge_due, row.due_on = state.charge_due, state.loan.due_on
            if data is None:
                row.values = {"social_fund": str(default_social), "shares": ""}
            else:
                row.present = bool(data.get(f"{row.prefix()}-present"))
                row.values = {
                    name: str(data.get(f"{row.prefix()}-{name}", "")).strip()
                    for name in (*AMOUNTS, *COUNTED, "loan_purpose")
                }
            self.rows.append(row)

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        money = TakaField(required=False)
        for row in self.rows:
            parsed: dict[str, Any] = {}
            for name in AMOUNTS:
                try:
                    parsed[name] = money.clean(row.values[name]) or 0
                except ValidationError as error:
                    row.add_error(name, error.messages[0])
            for name in COUNTED:
                text = to_latin_digits(row.values[name]).strip()
                if not text:
                    parsed[name] = 0
                elif text.isdigit() and text.isascii():
                    parsed[name] = int(text)
                else:
                    row.add_error(name, _("a whole number, 0 or more."))
            if parsed.get("shares", 0) > self.cycle.max_shares_per_meeting:
                row.add_error(
                    "shares",
                    _("at most %(limit)s shares at a meeting.")
                    % {"limit": self.cycle.max_shares_per_meeting},
                )
            if row.errors:
                valid = False
                continue
            row.line = MemberLine(
                member=row.member.pk, present=row.present, loan_purpose=row.values["loan_purpose"], **parsed
            )
        return valid

    def lines(self) -> list[MemberLine]:
        return [row.line for row in self.rows if row.line is not None]

    @property
    def rows_with_errors(self) -> list[MeetingRow]:
        return [row for row in self.rows if row.errors]

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(row.errors for row in self.rows)

    def add_service_error(self, error: FinanceError) -> None:
        """Put the error above the form and on the row (or the meeting's field) it names."""
        row = self.row_named_by(str(error))
        if row is not None:
            row.add_error(error.field or "member", str(error))
            self.form.add_error(None, str(error))
        else:
            self.form.add_service_error(error)
            if error.field in self.form.fields:  # and above the form too, where it is seen first
                self.form.add_error(None, str(error))

    def row_named_by(self, message: str) -> MeetingRow | None:
        """The row whose member's number the message names ("Row 3, member G1-07: ...")."""
        for row in self.rows:
            if re.search(rf"(?<![\w-]){re.escape(row.member.code)}(?![\w-])", message):
                return row
        return None

    def totals(self) -> dict[str, int]:
        """Each column's sum over the parsed rows."""
        sums = dict.fromkeys((*AMOUNTS, "shares"), 0)
        for line in self.lines():
            for name in sums:
                sums[name] += getattr(line, name)
        return sums


# ----- a loan written off, a share-out, a member paid out -----------------------------------------


class WriteOffForm(ServiceErrors, forms.Form):
    on = forms.DateField(label=gettext_lazy("Written off on"), widget=DateInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Why the group gives up what is still owed (the member died, left the village…)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ShareOutForm(ServiceErrors, forms.Form):
    on = forms.DateField(label=gettext_lazy("Share-out date"), widget=DateInput)
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {"on": timezone.localdate(), "client_id": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class PayoutForm(ServiceErrors, forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("Member who leaves"), queryset=Member.objects.none())
    on = forms.DateField(label=gettext_lazy("Paid out on"), widget=DateInput)

    def __init__(self, *args: Any, members: Any, savings: Mapping[int, int], **kwargs: Any):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = members
        field.label_from_instance = lambda m: (
            _("%(member)s (savings %(savings)s)")
            % {
                "member": f"{m.code} {m}",
                "savings": format_taka(savings.get(m.pk, 0)),
            }
        )
