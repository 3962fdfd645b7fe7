"""What each command does, through the domain apps' services, with channel "sms".

A vote in a secret poll leaves no trace of the choice here either: the received message's text
is replaced by a mark that is the same for every choice, and the reply does not name it.
"""

from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from samiti.access.queries import schemes_to_tell
from samiti.channels import services
from samiti.channels.commands.parsing import LANGUAGE_NAMES, Command, closest
from samiti.channels.commands.replies import Reply, fits
from samiti.channels.encoding import sms_length
from samiti.channels.models import Message
from samiti.channels.texts import ANSWERS, BALLOT_MARK, text
from samiti.core.errors import SamitiError
from samiti.core.models import Channel
from samiti.finance.queries import open_cycle
from samiti.finance.services.savings import group_books
from samiti.registry.models import Meeting, Member, Organisation
from samiti.voice.models.demands import Demand, DemandCategory
from samiti.voice.models.polls import Poll
from samiti.voice.services import demands as demand_service
from samiti.voice.services import polls as poll_service

Outcome = tuple[str, str]  # the reply, and the message's status
HANDLED, NEEDS_ACTION = Message.Status.HANDLED, Message.Status.NEEDS_ACTION


def _organisation_ids(member: Member) -> list[int]:
    """The member's group, association and federation: whose polls and demands are theirs."""
    federation = Organisation.objects.filter(pk=member.association_id).values_list("parent_id", flat=True)
    return [pk for pk in (member.group_id, member.association_id, federation.first()) if pk]


def balance(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    cycle = open_cycle(member.group_id)
    if cycle is None:
        return reply.say("no_cycle"), HANDLED
    books = group_books(cycle, timezone.localdate())
    savings = books.savings.get(member.pk, 0)
    answer = reply.say("balance", savings=reply.taka(savings), shares=savings // cycle.share_price)
    loan = books.loans.get(member.pk)
    if loan is None:
        return answer + reply.say("no_loan"), HANDLED
    due = {"owed": reply.taka(loan.owed), "due": reply.day(loan.loan.due_on)}
    if loan.charge_due:
        return answer + reply.say("loan_charge", charge=reply.taka(loan.charge_due), **due), HANDLED
    return answer + reply.say("loan", **due), HANDLED


def _options_text(poll: Poll) -> str:
    return ", ".join(f"{o.position} {o.display_label}" for o in poll.options.order_by("position"))


def _how_to_vote(poll: Poll, reply: Reply) -> str:
    return reply.say("poll_options", "question", poll=poll.pk, question=poll.question,
                     options=_options_text(poll))  # fmt: skip


def _cast(poll: Poll, member: Member, choice: str, reply: Reply, message: Message, answered: bool) -> str:
    """Vote `choice` (as typed) in `poll` through voice's service; the reply says how it went."""
    number = poll.pk
    if poll.secret:
        # Whatever happens, the text of a secret ballot is not kept with the member's name.
        message.text = f"VOTE {number} {BALLOT_MARK}"
        length = sms_length(message.text)
        message.encoding, message.segments = length.encoding, length.segments
    try:
        options = poll_service.options_from_text(poll, choice)
        poll_service.cast_vote(poll=poll, member=member, choice=options, channel=Channel.SMS)
    except SamitiError as error:
        refusals = {"already_voted": "already_voted", "closed": "poll_closed", "not_eligible": "not_eligible"}
        if error.code in refusals:
            return reply.say(refusals[error.code], poll=number)
        if error.code == "invalid" and error.field == "choice":
            return reply.say("bad_choice", "options", poll=number, options=_options_text(poll))
        return reply.error(error)
    question = poll.question
    if poll.secret:
        if answered:
            return reply.say("answered_secret", "question", poll=number, question=question)
        return reply.say("voted_secret", poll=number)
    if answered:
        english, bengali = ANSWERS[options[0].position]
        label = bengali if reply.language == "bn" else english
        return reply.say("answered", "question", poll=number, question=question, choice=label)
    chosen = ", ".join(o.display_label for o in options)
    return reply.say("voted", "choice", poll=number, choice=chosen)


def vote(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    number = command.number()
    if number is None:
        return reply.say("vote_usage"), HANDLED
    poll = Poll.objects.filter(pk=number, organisation_id__in=_organisation_ids(member)).first()
    if poll is None or poll.status == Poll.Status.DRAFT:
        return reply.say("no_poll", poll=number), HANDLED
    choice = " ".join(command.args[1:])
    if not choice:
        return _how_to_vote(poll, reply), HANDLED
    return _cast(poll, member, choice, reply, message, answered=False), HANDLED


def answer(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    """YES or NO: to the poll named, else to the latest open yes/no poll the member has not voted in."""
    now = timezone.now()
    polls = Poll.objects.filter(
        kind=Poll.Kind.YES_NO,
        status=Poll.Status.OPEN,
        register__member=member,
        register__voted=False,
    ).filter(
        Q(opens_at__isnull=True) | Q(opens_at__lte=now), Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )
    number = command.number()
    if number is not None:
        poll = Poll.objects.filter(pk=number, organisation_id__in=_organisation_ids(member)).first()
        if poll is None or poll.status == Poll.Status.DRAFT:
            return reply.say("no_poll", poll=number), HANDLED
        if poll.kind != Poll.Kind.YES_NO:
            return _how_to_vote(poll, reply), HANDLED
    else:
        poll = polls.order_by("-opened_at", "-pk").first()
        if poll is None:
            return reply.say("no_question"), HANDLED
    choice = "yes" if command.name == "YES" else "no"
    return _cast(poll, member, choice, reply, message, answered=True), HANDLED


def support(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    number = command.number()
    if number is None:
        return reply.say("support_usage"), HANDLED
    demand = Demand.objects.filter(pk=number, organisation_id__in=_organisation_ids(member)).first()
    if demand is None:
        return reply.say("no_demand", demand=number), HANDLED
    try:
        demand_service.endorse_demand(actor=None, demand=demand, member=member, channel=Channel.SMS)
    except SamitiError as error:
        if error.code == "duplicate":
            return reply.say("already_supported", demand=number), HANDLED
        return reply.error(error), HANDLED
    return reply.say("supported", "title", demand=number, title=demand.title), HANDLED


TITLE_LENGTH = 200


def raise_demand(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    said = command.rest.strip()
    if not said:
        return reply.say("demand_usage"), HANDLED
    title = said if len(said) <= TITLE_LENGTH else said[: TITLE_LENGTH - 3].rsplit(" ", 1)[0] + "..."
    demand = demand_service.raise_demand(
        actor=None,
        organisation=member.group,
        title=title,
        description=said if title != said else "",
        category=DemandCategory.OTHER,
        raised_by=member,
        channel=Channel.SMS,
    )
    # The leader reviews it (its category, its wording) from the inbox.
    return reply.say("demand_raised", demand=demand.pk), NEEDS_ACTION


def schemes(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    """Schemes the member is likely eligible for and does not receive, with what to bring; none
    whose answer alone would tell a sensitive fact (as for a role without sensitive access)."""
    items = []
    for result in schemes_to_tell(member, timezone.localdate()):
        documents = ", ".join(label for label, _held in result.documents)
        name = str(result.scheme.name)
        items.append(reply.render("scheme", name=name, documents=documents) if documents else name)
    if not items:
        return reply.say("no_schemes"), HANDLED
    for shown in range(len(items), 0, -1):
        left = len(items) - shown
        answer = reply.render("schemes", schemes="; ".join(items[:shown]))
        if left:
            answer += reply.render("more_schemes", count=left)
        if fits(answer):
            return answer, HANDLED
    return reply.say("schemes", "schemes", schemes=items[0]), HANDLED


def meeting(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    upcoming = (
        Meeting.objects.filter(
            organisation_id=member.group_id, status=Meeting.Status.PLANNED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at", "pk")
        .first()
    )
    if upcoming is None:
        return reply.say("no_meeting"), HANDLED
    place = upcoming.place or text("no_place", reply.language)
    day = reply.day(timezone.localtime(upcoming.starts_at).date())
    return reply.say("meeting", "place", date=day, time=reply.time(upcoming.starts_at), place=place), HANDLED


def help_text(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    return reply.say("help"), HANDLED


def stop(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    services.opt_out(member=member, channel=Channel.SMS)
    return reply.say("stopped"), HANDLED


def start(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    services.opt_in(member=member, channel=Channel.SMS)
    return reply.say("started"), HANDLED


def language(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    chosen = closest(command.args[0], LANGUAGE_NAMES) if command.args else ""
    if not chosen:
        return reply.say("lang_usage"), HANDLED
    services.set_language(member=member, language=chosen, channel=Channel.SMS)
    return Reply(chosen).say("lang_set"), HANDLED


HANDLERS: dict[str, Callable[[Member, Command, Reply, Message], Outcome]] = {
    "BAL": balance,
    "VOTE": vote,
    "YES": answer,
    "NO": answer,
    "SUPPORT": support,
    "DEMAND": raise_demand,
    "SCHEMES": schemes,
    "MEETING": meeting,
    "HELP": help_text,
    "STOP": stop,
    "START": start,
    "LANG": language,
}
