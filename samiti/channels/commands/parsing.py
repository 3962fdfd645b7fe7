"""Reading an SMS as a command: a pure function of the text, tolerant of how people type.

Any casing or spacing, Bengali digits, a Bengali keyword, a keyword run into its number
("VOTE12 1") or misspelt by an edit or two ("BALANS", "BLA") read the same.
"""

import dataclasses
import re
import unicodedata

from samiti.core.bengali import to_latin_digits

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


# No spelling is longer; a longer word is not compared with them.
LONGEST = 20


def clean(word: str) -> str:
    return unicodedata.normalize("NFC", word).translate(_INVISIBLE).casefold().strip(_PUNCTUATION)


def _table(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {clean(spelling): name for name, spellings in aliases.items() for spelling in spellings}


KEYWORDS = _table(ALIASES)
LANGUAGE_NAMES = _table(LANGUAGES)


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
    word = clean(word)
    if word in table:
        return table[word]
    if not 3 <= len(word) <= LONGEST:
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
        word = self.args[at] if len(self.args) > at else ""
        # No more than 12 digits: a database id fits, and no lookup overflows a column.
        if word.isascii() and word.isdigit() and len(word) <= 12:
            return int(word)
        return None


def parse(text: str) -> Command:
    """Read a text as a command; never raises."""
    words = unicodedata.normalize("NFC", text).translate(_INVISIBLE).split()
    if not words:
        return Command("")
    first, rest = words[0], words[1:]
    # "VOTE12 1": a keyword run into its number.
    split = re.fullmatch(r"(\D+?)([0-9০-৯]+)", first)
    if split and closest(split.group(1), KEYWORDS):
        first, rest = split.group(1), [split.group(2), *rest]
    name = closest(first, KEYWORDS)
    if name and rest and name not in TAKE_WORDS and clean(first) not in KEYWORDS:
        # A misspelt command that takes no words, followed by words, is more likely a sentence
        # ("চাল কবে আসবে": when does the rice come, not START).
        name = ""
    if not name:
        rest = words
    args = tuple(clean(to_latin_digits(w)) or w.casefold() for w in rest)
    return Command(name, args, " ".join(rest))
