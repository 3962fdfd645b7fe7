"""SMS keyword commands: BAL, VOTE, YES/NO, SUPPORT, DEMAND, SCHEMES, MEETING, HELP, STOP/START, LANG.

`parse` turns a text into a command and its arguments (a pure function: any casing or spacing,
Bengali digits, a Bengali keyword or a keyword misspelt by an edit or two read the same).
`handle_sms` runs it for a received message through the domain apps' services, with channel
"sms", and returns the reply in the member's language: never silence, never a crash on a
refusal, and never more than two SMS segments.

A vote in a secret poll leaves no trace of the choice here either: the received message's text
is replaced by a mark that is the same for every choice, and the reply does not name it.
"""

import dataclasses
import datetime
import re
import unicodedata
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format

from samiti.access.queries import reads_sensitive_facts
from samiti.access.services.screening import explain_member
from samiti.channels import services
from samiti.channels.encoding import SMS_PART, sms_length, units
from samiti.channels.models import Message
from samiti.channels.texts import ANSWERS, BALLOT_MARK, DAY_PARTS_BN, text
from samiti.core.bengali import to_bengali_digits, to_latin_digits
from samiti.core.errors import SamitiError
from samiti.core.models import Channel
from samiti.core.money import format_taka
from samiti.finance.queries import open_cycle
from samiti.finance.services.savings import group_books
from samiti.registry.models import Meeting, Member, Organisation
from samiti.voice.models.demands import Demand, DemandCategory
from samiti.voice.models.polls import Poll
from samiti.voice.services import demands as demand_service
from samiti.voice.services import polls as poll_service

MAX_SEGMENTS = 2

# Every spelling a member may use for a command, by the command's name.
ALIASES: dict[str, tuple[str, ...]] = {
    "BAL": ("bal", "balance", "saving", "savings", "ব্যালেন্স", "ব্যালান্স", "ব্যালেন্স", "সঞ্চয়"),
    "VOTE": ("vote", "ভোট"),
    "YES": ("yes", "y", "হ্যাঁ", "হ্যা", "হাঁ", "হা", "জি"),
    "NO": ("no", "n", "না"),
    "SUPPORT": ("support", "endorse", "সমর্থন"),
    "DEMAND": ("demand", "দাবি", "দাবী"),
    "SCHEMES": ("schemes", "scheme", "প্রকল্প"),
    "MEETING": ("meeting", "meet", "সভা", "মিটিং"),
    "HELP": ("help", "?", "সাহায্য", "হেল্প"),
    "STOP": ("stop", "বন্ধ"),
    "START": ("start", "চালু"),
    "LANG": ("lang", "language", "ভাষা"),
}
# Commands followed by words of their own (the others are a keyword alone).
TAKE_WORDS = {"VOTE", "YES", "NO", "SUPPORT", "DEMAND", "LANG"}
LANGUAGES: dict[str, tuple[str, ...]] = {
    "bn": ("bn", "bangla", "bengali", "বাংলা", "বাং", "bangla"),
    "en": ("en", "eng", "english", "ইংরেজি", "ইংরেজী", "ইংলিশ"),
}
# Zero-width joiners and non-joiners that Bengali keyboards slip between letters.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))
_PUNCTUATION = ".,;:!?#*'\"()[]-_/।"


def _clean(word: str) -> str:
    return unicodedata.normalize("NFC", word).translate(_INVISIBLE).casefold().strip(_PUNCTUATION)


def _table(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_clean(spelling): name for name, spellings in aliases.items() for spelling in spellings}


_KEYWORDS = _table(ALIASES)
_LANGUAGES = _table(LANGUAGES)


def edits(a: str, b: str) -> int:
    """The number of letters inserted, deleted, changed or swapped with a neighbour to make `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]


def closest(word: str, table: dict[str, str]) -> str:
    """The name `word` stands for in `table`: exactly, misspelt (one edit in a short word, two in a
    longer one), or as the start of one spelling (four letters or more); "" when none or unsure."""
    word = _clean(word)
    if word in table:
        return table[word]
    if len(word) < 3:
        return ""
    found: dict[str, int] = {}
    for spelling, name in table.items():
        if len(spelling) < 3:
            continue
        distance = edits(word, spelling)
        if distance > (1 if min(len(spelling), len(word)) <= 4 else 2):
            distance = 1 if len(word) >= 4 and spelling.startswith(word) else 99
        if distance < 99:
            found[name] = min(distance, found.get(name, 99))
    if not found:
        return ""
    best = min(found.values())
    names = [name for name, distance in found.items() if distance == best]
    return names[0] if len(names) == 1 else ""


@dataclasses.dataclass(frozen=True)
class Command:
    """What a text asks: the command's name ("" when not understood) and what follows it."""

    name: str
    args: tuple[str, ...] = ()  # the words after the keyword: Latin digits, case-folded
    rest: str = ""  # the words after the keyword as typed, spaces collapsed

    def number(self, at: int = 0) -> int | None:
        """The argument at `at` as a whole number, if it is one."""
        if len(self.args) > at and self.args[at].isascii() and self.args[at].isdigit():
            return int(self.args[at])
        return None


def parse(text: str) -> Command:
    """Read a text as a command; never raises."""
    words = unicodedata.normalize("NFC", text).translate(_INVISIBLE).split()
    if not words:
        return Command("")
    first, rest = words[0], words[1:]
    # "VOTE12 1": a keyword run into its number.
    split = re.fullmatch(r"(\D+?)([0-9০-৯]+)", first)
    if split and closest(split.group(1), _KEYWORDS):
        first, rest = split.group(1), [split.group(2), *rest]
    name = closest(first, _KEYWORDS)
    if name and rest and name not in TAKE_WORDS and _clean(first) not in _KEYWORDS:
        # A misspelt command that takes no words, followed by words, is more likely a sentence
        # ("চাল কবে আসবে": when does the rice come, not START).
        name = ""
    if not name:
        rest = words
    args = tuple(_clean(to_latin_digits(w)) or w.casefold() for w in rest)
    return Command(name, args, " ".join(rest))


# ----- replies -------------------------------------------------------------------------------------

MAX_UNITS = {encoding: part * MAX_SEGMENTS for encoding, part in SMS_PART.items()}


def fits(reply: str) -> bool:
    return sms_length(reply).segments <= MAX_SEGMENTS


def _clip(value: str, length: int) -> str:
    return value if len(value) <= length else value[: max(length - 3, 0)].rstrip() + "..."


def _cut_to_fit(reply: str) -> str:
    """The reply shortened, if it must be, to two segments (a last resort: texts are written short)."""
    while not fits(reply):
        encoding, count = units(reply)
        reply = _clip(reply, len(reply) - max(count - MAX_UNITS[encoding], 1))
    return reply


@dataclasses.dataclass
class Reply:
    """Builds a reply in the member's language."""

    language: str

    def digits(self, value: object) -> str:
        return to_bengali_digits(value) if self.language == "bn" else str(value)

    def render(self, key: str, **values: object) -> str:
        """Reply `key` with `values`, its digits in the member's script, however long."""
        return self.digits(text(key, self.language) % values)

    def say(self, key: str, long: str = "", **values: object) -> str:
        """Reply `key` with `values` within two SMS; `long` names the value to shorten if need be."""
        reply = self.render(key, **values)
        if long and not fits(reply):
            encoding, count = units(reply)
            value = str(values[long])
            values[long] = _clip(value, len(value) - (count - MAX_UNITS[encoding]) - 1)
            reply = self.render(key, **values)
        return _cut_to_fit(reply)

    def taka(self, poisha: int) -> str:
        """Taka as people write them: ৳ in Bengali; "Tk" in English, which keeps the SMS in GSM-7."""
        shown = format_taka(poisha)
        return shown if self.language == "bn" else shown.replace("৳", "Tk ")

    def day(self, day: datetime.date) -> str:
        return date_format(day, "j F Y" if self.language == "bn" else "j M Y")

    def time(self, moment: datetime.datetime) -> str:
        local = timezone.localtime(moment)
        if self.language != "bn":
            return date_format(local, "g:i A")
        part = [name for hour, name in DAY_PARTS_BN if hour <= local.hour] or [DAY_PARTS_BN[-1][1]]
        return f"{part[-1]} {local.hour % 12 or 12}:{local.minute:02d}"

    def error(self, error: SamitiError) -> str:
        return self.say("refused", "reason", reason=str(error.message))


# ----- the commands --------------------------------------------------------------------------------

Outcome = tuple[str, str]  # the reply, and the message's status
HANDLED, NEEDS_ACTION = Message.Status.HANDLED, Message.Status.NEEDS_ACTION


def _organisation_ids(member: Member) -> list[int]:
    """The member's group, association and federation: whose polls and demands are theirs."""
    federation = Organisation.objects.filter(pk=member.association_id).values_list("parent_id", flat=True)
    return [pk for pk in (member.group_id, member.association_id, federation.first()) if pk]


def balance(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    cycle = open_cycle(member.group)
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
        answer = reply.say("poll_options", "question", poll=number, question=poll.question,
                           options=_options_text(poll))  # fmt: skip
        return answer, HANDLED
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
        if poll is None or poll.status == Poll.Status.DRAFT or poll.kind != Poll.Kind.YES_NO:
            return reply.say("no_poll", poll=number), HANDLED
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
    sensitive: dict[int, bool] = {}
    items = []
    for result in explain_member(member, timezone.localdate()):
        if result.outcome != "eligible" or result.version is None:
            continue
        version = result.version
        if sensitive.setdefault(version.pk, reads_sensitive_facts(version.text)):
            continue
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
    services.opt_out(member=member)
    return reply.say("stopped"), HANDLED


def start(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    services.opt_in(member=member)
    return reply.say("started"), HANDLED


def language(member: Member, command: Command, reply: Reply, message: Message) -> Outcome:
    chosen = closest(command.args[0], _LANGUAGES) if command.args else ""
    if not chosen:
        return reply.say("lang_usage"), HANDLED
    services.set_language(member=member, language=chosen)
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


@transaction.atomic
def handle_sms(message: Message) -> str:
    """Do what a received SMS asks and return the reply; mark the message handled, or as waiting
    for a leader (a demand to review, a text not understood)."""
    member = message.member
    if member is None:
        message.status = Message.Status.HANDLED
        message.save(update_fields=["status"])
        return f"{text('unknown_number', 'en')} {text('unknown_number', 'bn')}"
    if message.association_id is None:
        message.association_id = member.association_id
    reply = Reply(services.contact_for(member).language)
    command = parse(message.text)
    with translation.override(reply.language):
        if command.name in HANDLERS:
            try:
                answer, status = HANDLERS[command.name](member, command, reply, message)
            except SamitiError as error:
                answer, status = reply.error(error), Message.Status.HANDLED
        else:
            answer = text("not_understood", reply.language) + reply.say("help")
            status = Message.Status.NEEDS_ACTION
    message.status = status
    message.save(update_fields=["status", "association_id", "text", "encoding", "segments"])
    return _cut_to_fit(answer)
