"""The USSD menus: savings and loans, polls, demands, schemes, the next meeting, language.

Each function returns the screen for one place in the menus; the screen's choices are functions
that return the next. They read through the domain apps' queries and write through their
services (channel "ussd"), as the web does. Reads are a query or two per screen: the engine
builds every screen of the path again on each keypress.
"""

import datetime
from functools import partial

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samiti.access.queries import schemes_to_tell
from samiti.channels import services
from samiti.channels.models import Contact
from samiti.channels.ussd.screens import End, Invalid, Menu, Prompt, View, bengali, day, taka
from samiti.core.errors import SamitiError
from samiti.core.models import Channel
from samiti.finance.queries import open_cycle
from samiti.finance.services.savings import group_books
from samiti.registry.models import Meeting, Member
from samiti.voice.models.demands import Demand, DemandCategory, Endorsement
from samiti.voice.models.polls import Poll, Voter
from samiti.voice.services import demands as demand_service
from samiti.voice.services import polls as poll_service

LANGUAGES = [(Contact.Language.BENGALI, "বাংলা"), (Contact.Language.ENGLISH, "English")]
# Polls closed this long ago still show, for their results.
RESULTS_SHOWN_FOR = datetime.timedelta(days=30)
LIST_LENGTH = 30
DEMAND_CHARACTERS = (5, 160)


def main(member: Member, contact: Contact) -> Menu:
    # No heading: in Bengali the six choices alone fill a screen.
    return Menu(
        [],
        [
            (_("My savings and loans"), partial(savings, member)),
            (_("Polls"), partial(polls, member)),
            (_("Demands"), partial(demands, member)),
            (_("Schemes for me"), partial(schemes, member)),
            (_("Next meeting"), partial(next_meeting, member)),
            (_("Language"), partial(language, member, contact)),
        ],
        back=False,
        home=True,
    )


# Language ---------------------------------------------------------------------------------------


def _choose_language(member: Member, contact: Contact, code: str) -> Menu:
    if code != contact.language or not contact.language_chosen:
        services.set_language(member=member, language=code, channel=Channel.USSD)
        contact.language, contact.language_chosen = code, True
    translation.activate(code)  # the engine's override puts the session's language back after
    return main(member, contact)


def language_first(member: Member, contact: Contact) -> Menu:
    """The first screen of a member who has not chosen a language: asked in both."""
    return Menu(
        ["ভাষা / Language"],
        [(label, partial(_choose_language, member, contact, code)) for code, label in LANGUAGES],
        back=False,
    )


def language(member: Member, contact: Contact) -> Menu:
    return Menu(
        [_("Language")],
        [(label, partial(_choose_language, member, contact, code)) for code, label in LANGUAGES],
    )


# 1 Savings and loans ------------------------------------------------------------------------------


def savings(member: Member) -> Menu:
    cycle = open_cycle(member.group_id)
    if cycle is None:
        return Menu([_("Your group has no savings cycle open.")])
    books = group_books(cycle, timezone.localdate())
    saved = books.savings.get(member.pk, 0)
    lines = [
        _("Savings: %(amount)s") % {"amount": taka(saved)},
        _("Shares this cycle: %(shares)s") % {"shares": saved // cycle.share_price},
    ]
    state = books.loans.get(member.pk)
    if state is None:
        lines.append(_("No loan."))
    else:
        lines.append(_("Loan owed: %(amount)s") % {"amount": taka(state.owed)})
        if state.charge_due:
            lines.append(_("Service charge due: %(amount)s") % {"amount": taka(state.charge_due)})
        lines.append(_("Repay by %(day)s") % {"day": day(state.loan.due_on)})
    return Menu(lines)


# 2 Polls ----------------------------------------------------------------------------------------------


def polls(member: Member) -> Menu:
    """Open polls the member may vote in, then those closed lately (for their results)."""
    since = timezone.now() - RESULTS_SHOWN_FOR
    register = (
        Voter.objects.filter(member=member)
        .filter(
            Q(poll__status=Poll.Status.OPEN) | Q(poll__status=Poll.Status.CLOSED, poll__closed_at__gte=since)
        )
        .select_related("poll")
        .order_by("-poll__status", "-poll__opened_at", "-poll_id")[:LIST_LENGTH]
    )
    items = [(row.poll.question, partial(poll, member, row.poll, row.voted)) for row in register]
    if not items:
        return Menu([_("No open polls.")])
    return Menu([_("Polls:")], items)


HOW_TO_CHOOSE = {
    Poll.Kind.YES_NO: lambda: _("Reply 1 or 2."),
    Poll.Kind.SINGLE: lambda: _("Reply with one number."),
    Poll.Kind.APPROVAL: lambda: _("Reply with the numbers you approve, such as 1 3."),
    Poll.Kind.RANKING: lambda: _("Reply with numbers, most wanted first, such as 3 1 2."),
}


def poll(member: Member, chosen: Poll, voted: bool) -> View:
    lines = [chosen.question]
    if chosen.secret:
        lines.append(_("Secret ballot."))
    if chosen.voting_ended:
        return Menu(lines + _results(chosen))
    if voted:
        return Menu([*lines, _("You have voted. Results when the poll closes.")])
    options = list(chosen.options.all())
    lines += [f"{o.position} {o.display_label}" for o in options]
    lines.append(HOW_TO_CHOOSE[chosen.kind]())
    return Prompt(lines, partial(_check_vote, member, chosen), secret=chosen.secret)


def _results(chosen: Poll) -> list[str]:
    result = poll_service.results(chosen)
    options = {o.pk: o for o in chosen.options.all()}
    lines = [f"{options[pk].display_label}: {n}" for pk, n in result.counts.items() if pk in options]
    if result.decided:
        winners = ", ".join(options[pk].display_label for pk in result.winner_ids)
        lines.append(_("Decided: %(options)s") % {"options": winners})
    else:
        lines.append(_("Not decided."))
    return lines


def _check_vote(member: Member, chosen: Poll, typed: str) -> Menu:
    try:
        options = poll_service.options_from_text(chosen, typed)
    except SamitiError as error:
        raise Invalid(str(error)) from None
    labels = ", ".join(o.display_label for o in options)
    return Menu(
        [_("Your vote: %(choice)s") % {"choice": labels}],
        [(_("Confirm"), partial(_vote, member, chosen, options))],
        secret=chosen.secret,
    )


def _vote(member: Member, chosen: Poll, options: list) -> View:
    try:
        poll_service.cast_vote(poll=chosen, member=member, choice=options, channel=Channel.USSD)
    except SamitiError as error:
        return Menu([str(error)])
    return End(_("Thank you. Your vote is recorded."))


# 3 Demands -------------------------------------------------------------------------------------------


def demands(member: Member) -> Menu:
    """The open demands held by the member's group or association, newest first."""
    mine = Endorsement.objects.filter(demand=OuterRef("pk"), member=member)
    found = (
        Demand.objects.filter(
            organisation_id__in=[member.group_id, member.association_id], status__in=Demand.OPEN_STATUSES
        )
        .annotate(endorsements_count=Count("endorsements"), endorsed=Exists(mine))
        .order_by("-created_at", "-pk")[:LIST_LENGTH]
    )
    items = [(_("Raise a new demand"), partial(raise_prompt, member))]
    items += [(d.title, partial(demand, member, d)) for d in found]
    return Menu([_("Demands:")], items)


def demand(member: Member, chosen: Demand) -> Menu:
    lines = [chosen.title, _("Endorsements: %(count)s") % {"count": chosen.endorsements_count}]
    if chosen.endorsed:
        return Menu([*lines, _("You have endorsed it.")])
    return Menu(lines, [(_("Endorse"), partial(_endorse, member, chosen))])


def _endorse(member: Member, chosen: Demand) -> View:
    try:
        demand_service.endorse_demand(actor=None, demand=chosen, member=member, channel=Channel.USSD)
    except SamitiError as error:
        return Menu([str(error)])
    return End(_("Thank you. Your endorsement is recorded."))


def raise_prompt(member: Member) -> Prompt:
    return Prompt([_("Type your demand in a few words:")], partial(_check_demand, member))


def _check_demand(member: Member, typed: str) -> Menu:
    text = " ".join(typed.split())
    shortest, longest = DEMAND_CHARACTERS
    if len(text) < shortest:
        raise Invalid(_("Too short. Type a few words."))
    if len(text) > longest:
        raise Invalid(_("Too long. Type it shorter."))
    return Menu(
        [_("Send to your group leader for review?"), f'"{text}"'],
        [(_("Send"), partial(_raise, member, text))],
    )


def _raise(member: Member, text: str) -> View:
    try:
        demand_service.raise_demand(
            actor=None,
            organisation=member.group,
            title=text,
            category=DemandCategory.OTHER,
            raised_by=member,
            channel=Channel.USSD,
        )
    except SamitiError as error:
        return Menu([str(error)])
    return End(_("Sent to your group leader for review. Thank you."))


# 4 Schemes ---------------------------------------------------------------------------------------------


def schemes(member: Member) -> Menu:
    """Schemes the member is likely eligible for today (as by SMS); never one whose rule
    reads disability or ethnicity, whose mere mention on a shared phone would tell them."""
    shown = [result.scheme for result in schemes_to_tell(member, timezone.localdate())][:LIST_LENGTH]
    if not shown:
        return Menu([_("No schemes found for you yet. Ask your group leader.")])
    return Menu([_("You may qualify for:")], [(s.name, partial(scheme, s)) for s in shown])


def scheme(chosen) -> Menu:
    benefit = (chosen.benefit_bn if bengali() else "") or chosen.benefit_en
    lines = [chosen.name, benefit]
    documents = chosen.document_labels()
    if documents:
        lines.append(_("Bring: %(documents)s") % {"documents": ", ".join(documents)})
    if chosen.office:
        lines.append(_("Apply at: %(office)s") % {"office": chosen.get_office_display()})
    return Menu(lines)


# 5 Meetings --------------------------------------------------------------------------------------------


def next_meeting(member: Member) -> Menu:
    meeting = (
        Meeting.objects.filter(
            organisation_id=member.group_id, status=Meeting.Status.PLANNED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return Menu([_("No meeting of your group is planned.")])
    title = meeting.title or meeting.get_kind_display()
    lines = [_("Next meeting: %(meeting)s") % {"meeting": title}, day(meeting.starts_at)]
    if meeting.place:
        lines.append(meeting.place)
    return Menu(lines)
