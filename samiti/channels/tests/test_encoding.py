"""SMS segments and USSD screens, against messages counted by hand and the 140-octet rule."""

import math

from hypothesis import given
from hypothesis import strategies as st

from samiti.channels.encoding import GSM7_BASIC, GSM7_EXTENSION, Length, fits_ussd_screen, sms_length

OCTETS = 140  # one SMS
HEADER = 6  # the concatenation header each part of a long SMS carries


def test_an_english_balance_reply_counted_by_hand_is_one_gsm7_segment():
    # "Savings Tk 1,250 (5 shares this cycle). No loan."
    #  Savings(7) space(1) Tk(2) space(1) 1,250(5) space(1) (5(2) space(1) shares(6) space(1)
    #  this(4) space(1) cycle).(7) space(1) No(2) space(1) loan.(5) = 48
    assert sms_length("Savings Tk 1,250 (5 shares this cycle). No loan.") == Length("GSM-7", 48, 1)


def test_160_gsm7_characters_are_one_segment_and_161_are_two():
    assert sms_length("a" * 160) == Length("GSM-7", 160, 1)
    assert sms_length("a" * 161) == Length("GSM-7", 161, 2)  # 153 + 8
    assert sms_length("a" * 306) == Length("GSM-7", 306, 2)  # 153 + 153
    assert sms_length("a" * 307) == Length("GSM-7", 307, 3)


def test_an_extension_character_counts_two():
    # "Price [rice] €5": P r i c e (5) space (1) [ (2) r i c e (4) ] (2) space (1) € (2) 5 (1) = 18
    assert sms_length("Price [rice] €5") == Length("GSM-7", 18, 1)
    assert sms_length("€" * 80) == Length("GSM-7", 160, 1)
    assert sms_length("€" * 80 + "a") == Length("GSM-7", 161, 2)


def test_a_bengali_balance_counted_by_hand_is_one_ucs2_segment():
    # "আপনার ব্যালেন্স ১২০ টাকা", code point by code point:
    #   আ প ন া র                 = 5
    #   space                     = 1
    #   ব ্ য া ল ে ন ্ স         = 9   (the hasanta ্ and the vowel signs া ে count)
    #   space                     = 1
    #   ১ ২ ০                     = 3
    #   space                     = 1
    #   ট া ক া                   = 4
    #                             = 24
    assert sms_length("আপনার ব্যালেন্স ১২০ টাকা") == Length("UCS-2", 24, 1)


def test_one_bengali_letter_makes_an_english_text_ucs2():
    # 69 Latin letters and ক: 70 UCS-2 units, one segment; one more letter and it is two.
    assert sms_length("a" * 69 + "ক") == Length("UCS-2", 70, 1)
    assert sms_length("a" * 70 + "ক") == Length("UCS-2", 71, 2)


def test_70_bengali_code_units_are_one_segment_71_are_two_134_are_two_and_135_three():
    ka = "ক"  # one code unit
    kaa = "কা"  # two: ক and the vowel sign া
    assert sms_length(kaa * 35) == Length("UCS-2", 70, 1)
    assert sms_length(kaa * 35 + ka) == Length("UCS-2", 71, 2)
    assert sms_length(kaa * 67) == Length("UCS-2", 134, 2)  # 67 + 67
    assert sms_length(kaa * 67 + ka) == Length("UCS-2", 135, 3)


def test_an_emoji_outside_the_basic_plane_counts_two_code_units():
    assert sms_length("ক😀") == Length("UCS-2", 3, 1)


def test_an_empty_text_is_one_segment():
    assert sms_length("") == Length("GSM-7", 0, 1)


def test_a_ussd_screen_holds_182_gsm7_characters_or_80_bengali_code_units():
    assert fits_ussd_screen("a" * 182) and not fits_ussd_screen("a" * 183)
    assert fits_ussd_screen("কা" * 40) and not fits_ussd_screen("কা" * 40 + "ক")
    assert fits_ussd_screen("€" * 91) and not fits_ussd_screen("€" * 91 + "a")


GSM7 = sorted(GSM7_BASIC | GSM7_EXTENSION)
texts = st.one_of(
    st.text(alphabet=st.sampled_from(GSM7), max_size=700),
    st.text(alphabet=st.sampled_from([*GSM7, *"কখগঘঙািীুূেৈোৌ্ংঃ০১২৩৪৫৬৭৮৯", "😀"]), max_size=400),
    st.text(max_size=300),
)


def octets_needed(text: str) -> float:
    """What the text takes on the air: 7 bits a GSM-7 septet (an extension character is two),
    16 bits a UCS-2 code unit."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        septets = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        return septets * 7 / 8
    return len(text.encode("utf-16-le"))


@given(texts)
def test_the_segment_count_never_undercounts_the_140_octet_rule(text):
    length = sms_length(text)
    needed = octets_needed(text)
    if length.segments == 1:
        assert needed <= OCTETS
    else:
        assert length.segments * (OCTETS - HEADER) >= needed


@given(texts)
def test_a_text_fits_a_ussd_screen_exactly_when_it_takes_at_most_160_octets(text):
    assert fits_ussd_screen(text) == (math.ceil(octets_needed(text)) <= 160)


def test_a_two_unit_character_is_never_split_across_two_parts():
    # 152 + 2 (the euro sign) would end the first part at 154 units: the euro goes whole to the second,
    # which then holds 2 + 151 = 153, and the last "a" makes a third part.
    assert sms_length("a" * 152 + "€" + "a" * 152).segments == 3
    # In Bengali an emoji (two UTF-16 units) at the 67th unit moves whole to the second part.
    assert sms_length("ক" * 66 + "😀" + "ক" * 66).segments == 3
