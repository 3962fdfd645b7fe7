"""Money is an integer count of poisha (100 to the taka); these write it as taka."""

from decimal import Decimal


def format_taka(poisha: int | None) -> str:
    """For people: ৳1,250 or ৳1,250.50 (Latin digits; pages pass it through `digits`)."""
    if poisha is None:
        return ""
    sign = "-" if poisha < 0 else ""
    taka, rest = divmod(abs(poisha), 100)
    return f"{sign}৳{taka:,}" + (f".{rest:02d}" if rest else "")


def taka_amount(poisha: int | None) -> int | Decimal | None:
    """For files and forms: whole taka as an integer, else a Decimal with its poisha."""
    if poisha is None:
        return None
    return poisha // 100 if poisha % 100 == 0 else Decimal(poisha).scaleb(-2)
