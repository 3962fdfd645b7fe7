"""Replies in the member's language, never longer than two SMS segments."""

import dataclasses
import datetime

from django.utils import timezone
from django.utils.formats import date_format

from samiti.channels.encoding import SMS_PART, clip, sms_length, units
from samiti.channels.texts import DAY_PARTS_BN, text
from samiti.core.bengali import to_bengali_digits
from samiti.core.errors import SamitiError
from samiti.core.money import format_taka

MAX_SEGMENTS = 2

MAX_UNITS = {encoding: part * MAX_SEGMENTS for encoding, part in SMS_PART.items()}


def fits(reply: str) -> bool:
    return sms_length(reply).segments <= MAX_SEGMENTS


def cut_to_fit(reply: str) -> str:
    """The reply shortened, if it must be, to two segments (a last resort: texts are written short)."""
    while not fits(reply):
        encoding, count = units(reply)
        reply = clip(reply, len(reply) - max(count - MAX_UNITS[encoding], 1))
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
            values[long] = clip(value, len(value) - (count - MAX_UNITS[encoding]) - 1)
            reply = self.render(key, **values)
        return cut_to_fit(reply)

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
