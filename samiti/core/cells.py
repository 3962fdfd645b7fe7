"""Small-cell suppression of aggregate counts (DESIGN rule 7), shared by every report."""

from collections.abc import Sequence
from typing import Any

# Aggregate cells smaller than this are hidden from roles without detail.
SMALL_CELL = 5


def sees_detail(user: Any) -> bool:
    """Whether `user`'s role allows small cells to be shown."""
    return bool(user.is_superuser or user.sees_sensitive)


def hidden_siblings(values: Sequence[int]) -> set[int]:
    """The positions of sibling cells to hide: those under SMALL_CELL, and the smallest other one
    when only one would be hidden, so the total the siblings share cannot give it away."""
    hidden = {i for i, value in enumerate(values) if value < SMALL_CELL}
    if len(hidden) == 1 and len(values) > 1:
        others = [i for i in range(len(values)) if i not in hidden]
        hidden.add(min(others, key=lambda i: values[i]))
    return hidden


def svg_number(value: float, most: float = 100.0) -> str:
    """A length for an SVG attribute: a plain dot-decimal number within 0 and `most`,
    whatever the page's language."""
    return f"{max(0.0, min(most, value)):.1f}"
