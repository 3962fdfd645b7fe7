"""Laying out USSD screens: whatever the text and however many choices, every page fits one
screen, every choice shows on some page with its own number, and no text is lost but long labels."""

import re

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from samiti.channels.encoding import fits_ussd_screen
from samiti.channels.ussd.screens import Menu, end_text, pages, short
from samiti.core.bengali import to_latin_digits

WORD = st.one_of(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14),
    st.text("অআইকখগঘচছজটঠডতথদনপফবমযরলশসহািীুূেৈোৌ্ং", min_size=1, max_size=14),
    st.text("abc", min_size=40, max_size=200),  # a "word" longer than a screen
)
LINE = st.lists(WORD, min_size=1, max_size=40).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(LINE, max_size=4),
    labels=st.lists(LINE, max_size=25),
    language=st.sampled_from(["en", "bn"]),
    back=st.booleans(),
    error=st.sampled_from(["", "Invalid choice"]),
)
def test_every_page_fits_and_every_choice_keeps_its_number(lines, labels, language, back, error):
    with translation.override(language):
        shown = pages(Menu(lines, [(label, lambda: None) for label in labels]), error, back=back)
    assert shown
    for page in shown:
        assert fits_ussd_screen(page), page
    keys = [
        int(to_latin_digits(m.group(1)))
        for page in shown
        for m in re.finditer(r"^([0-9০-৯]+) ", page, re.MULTILINE)
        if m.group(1) not in ("0", "00", "০", "০০")
    ]
    assert sorted(set(keys) & set(range(1, len(labels) + 1))) == list(range(1, len(labels) + 1))
    text = " ".join(shown)
    for label in labels:
        assert short(label)[:5] in text
    for line in lines:  # the text before the choices is cut at spaces into pages, never shortened
        assert all(word in text for word in line.split(" ") if len(word) < 20)


@settings(max_examples=50, deadline=None)
@given(text=LINE, language=st.sampled_from(["en", "bn"]))
def test_an_end_screen_is_cut_to_one_screen(text, language):
    with translation.override(language):
        assert fits_ussd_screen(end_text(text))
