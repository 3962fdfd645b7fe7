"""What a USSD screen is, and how one is laid out to fit a basic phone.

A screen is a `Menu` (numbered choices), a `Prompt` (free text typed on the phone) or an `End`.
Laying out is the engine's job, not each menu's: the lines of a screen are packed into pages
that each fit one USSD screen (182 GSM-7 characters, or 80 UTF-16 code units once anything on it
is Bengali, Bengali digits included), with "0 more" and "00 back" where a list or a long text
does not fit. Choices keep their numbers on every page, so a key means the same whichever page
the member is looking at.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samiti.channels.encoding import clip, fits_ussd_screen
from samiti.core.bengali import to_bengali_digits
from samiti.core.money import format_taka

MORE, BACK = "0", "00"
# A choice in a list shows at most this many characters of its label (a demand's title, a poll's
# question): the list is for finding one, its own screen shows all of it.
LABEL_CHARS = 38


class Invalid(Exception):
    """The input does not fit the screen: it is shown again with this message first."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


@dataclasses.dataclass
class End:
    """The last screen of a session."""

    text: str


@dataclasses.dataclass
class Menu:
    """Text, then numbered choices; choosing one shows what its function returns."""

    lines: list[str]
    items: list[tuple[str, Callable[[], "View"]]] = dataclasses.field(default_factory=list)
    back: bool = True  # 00 goes back to the screen before
    home: bool = False  # reached from anywhere, it starts the path again (no way back)
    secret: bool = False  # part of a secret ballot: the session's row keeps no input of it


@dataclasses.dataclass
class Prompt:
    """Text, then whatever the member types, read by `answer` (which raises Invalid)."""

    lines: list[str]
    answer: Callable[[str], "View"]
    back: bool = True
    secret: bool = False


View = Menu | Prompt | End


# Words and numbers in the member's language -------------------------------------------------------


def bengali() -> bool:
    return (get_language() or "").startswith("bn")


def localise(text: str) -> str:
    """Bengali digits on a Bengali screen (the keys included: the phone shows what it accepts)."""
    return to_bengali_digits(text) if bengali() else text


def taka(poisha: int) -> str:
    """৳1,250 on a Bengali screen; "Tk 1,250" on an English one, where ৳ alone would make the
    whole screen UCS-2 and cut its room by half."""
    text = format_taka(poisha)
    return text if bengali() else text.replace("৳", "Tk ")


def day(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
        return formats.date_format(value, "j M Y, g:i A")
    return formats.date_format(value, "j M Y")


def short(text: str, limit: int = LABEL_CHARS) -> str:
    return clip(" ".join(text.split()), limit)


# Laying out ------------------------------------------------------------------------------------------


def _fits(lines: list[str]) -> bool:
    return fits_ussd_screen(localise("\n".join(lines)))


def _nav(more: bool, back: bool) -> list[str]:
    nav = []
    if more:
        nav.append(f"{MORE} {_('more')}")
    if back:
        nav.append(f"{BACK} {_('back')}")
    return nav


def _split(line: str, head: list[str]) -> list[str]:
    """A line too long for a page with the heading and both keys, cut at spaces into pieces that fit."""
    room = _nav(True, True)
    if _fits([*head, line, *room]):
        return [line]
    pieces, piece = [], ""
    for word in line.split(" "):
        candidate = f"{piece} {word}".strip()
        if _fits([*head, candidate, *room]):
            piece = candidate
            continue
        if piece:
            pieces.append(piece)
        piece = word
        while not _fits([*head, piece, *room]):  # one word longer than a page
            cut = len(piece) - 1
            while cut > 1 and not _fits([*head, piece[:cut], *room]):
                cut -= 1
            pieces.append(piece[:cut])
            piece = piece[cut:]
    if piece:
        pieces.append(piece)
    return pieces


def lines_of(view: Menu | Prompt) -> list[tuple[str, bool]]:
    """The view's lines, each with whether it is text (which may run on to the next page) rather
    than a choice (which stays whole on one page)."""
    lines = [(line, True) for line in view.lines if line]
    if isinstance(view, Menu):
        lines += [(f"{n} {short(label)}", False) for n, (label, _go) in enumerate(view.items, start=1)]
    return lines


def _fill(head: list[str], body: list[str], line: str, nav: list[str]) -> tuple[str, str]:
    """As many of the line's first words as fit on the page, and the rest (at least three words
    each: a word or two alone at the foot of a page reads as a line of its own)."""
    words = line.split(" ")
    for n in range(len(words) - 3, 2, -1):
        if _fits([*head, *body, " ".join(words[:n]), *nav]):
            return " ".join(words[:n]), " ".join(words[n:])
    return "", line


def pages(view: Menu | Prompt, error: str = "", back: bool = False) -> list[str]:
    """The view's text as pages that each fit one screen, in the member's language."""
    head = [short(error, 60)] if error else []
    lines = [(piece, text) for line, text in lines_of(view) for piece in _split(line, head)]
    found: list[str] = []
    i = 0
    while True:
        body: list[str] = []
        while i < len(lines):
            line, text = lines[i]
            last = i == len(lines) - 1
            if _fits([*head, *body, line, *_nav(not last, back or bool(found))]):
                body.append(line)
                i += 1
                continue
            if text:  # a text runs on: fill this page with its first words
                start, rest = _fill(head, body, line, _nav(True, back or bool(found)))
                if start:
                    body.append(start)
                    lines[i] = (rest, text)
            break
        if not body and i < len(lines):  # cannot happen once lines are split; never loop forever
            body.append(lines[i][0])
            i += 1
        more = i < len(lines)
        found.append(localise("\n".join([*head, *body, *_nav(more, back or bool(found))])))
        if not more:
            return found


def end_text(text: str) -> str:
    """An end screen's text, cut to one screen if it must be."""
    text = localise(text)
    while not fits_ussd_screen(text):
        text = text[:-4].rstrip() + "..."
    return text
