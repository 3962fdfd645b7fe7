"""Poisha written as taka, for people and for files, loses not one poisha."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from samiti.core.money import format_taka, taka_amount


def test_taka_for_people():
    assert format_taka(125_000) == "৳1,250"
    assert format_taka(125_050) == "৳1,250.50"
    assert format_taka(-5) == "-৳0.05"
    assert format_taka(None) == ""


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_every_amount_reads_back_to_the_same_poisha(poisha):
    shown = format_taka(poisha).replace("৳", "").replace(",", "")
    assert Decimal(shown) * 100 == poisha
    amount = taka_amount(poisha)
    assert Decimal(amount) * 100 == poisha
    assert isinstance(amount, int) == (poisha % 100 == 0)
