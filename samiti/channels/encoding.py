"""How long a text is on a basic phone: SMS segments and USSD screens, counted as a gateway does.

An SMS carries 140 octets. GSM-7 packs 160 characters into them (153 per part when a long text
is split, 7 octets going to the concatenation header); a character of GSM-7's extension table
(€ [ ] { } \\ ^ ~ | and form feed) takes two. One character outside GSM-7 (any Bengali letter)
makes the whole text UCS-2: 70 characters, 67 per part, counted in UTF-16 code units (a Bengali
vowel sign or hasanta is one; an emoji outside the basic plane is two). A USSD screen carries
160 octets: 182 GSM-7 characters, or 80 UCS-2 code units.
"""

import dataclasses

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SMS_SINGLE = {"GSM-7": 160, "UCS-2": 70}
SMS_PART = {"GSM-7": 153, "UCS-2": 67}
USSD_SCREEN = {"GSM-7": 182, "UCS-2": 80}


@dataclasses.dataclass(frozen=True)
class Length:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # SMS parts (1 for an empty text)


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def units(text: str) -> tuple[str, int]:
    """The encoding a gateway would choose and the text's length in its units."""
    if is_gsm7(text):
        return "GSM-7", sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return "UCS-2", len(text.encode("utf-16-le")) // 2


def sms_length(text: str) -> Length:
    """The encoding, length and number of SMS segments of `text`.

    A gateway never splits a character that takes two units (a GSM-7 extension character, an
    emoji) across two parts, so the parts are filled one character at a time.
    """
    encoding, count = units(text)
    if count <= SMS_SINGLE[encoding]:
        return Length(encoding, count, 1)
    part, segments, filled = SMS_PART[encoding], 1, 0
    for c in text:
        width = _width(c, encoding)
        if filled + width > part:
            segments, filled = segments + 1, 0
        filled += width
    return Length(encoding, count, segments)


def _width(c: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return 2 if c in GSM7_EXTENSION else 1
    return 2 if ord(c) > 0xFFFF else 1


def clip(text: str, length: int) -> str:
    """`text` cut to at most `length` characters, "..." marking the cut."""
    return text if len(text) <= length else text[: max(length - 3, 0)].rstrip() + "..."


def fits_ussd_screen(text: str) -> bool:
    """Whether `text` fits one USSD screen (182 GSM-7 characters, or 80 UCS-2 code units)."""
    encoding, count = units(text)
    return count <= USSD_SCREEN[encoding]
