"""Bengali text: digits, and a spelling-independent key for matching names across scripts."""

import functools
import re
import unicodedata

BENGALI_DIGITS = "০১২৩৪৫৬৭৮৯"
_TO_BENGALI = str.maketrans("0123456789", BENGALI_DIGITS)
_TO_LATIN = str.maketrans(BENGALI_DIGITS, "0123456789")


def to_bengali_digits(text: object) -> str:
    return str(text).translate(_TO_BENGALI)


def to_latin_digits(text: str) -> str:
    return text.translate(_TO_LATIN)


# Consonants map to the Latin letter a Bangladeshi would write in a name. ছ is written "s"
# in most Muslim names (মোছাম্মৎ, Mosammat), so it keys as "s".
_CONSONANTS = {
    "ক": "k", "খ": "k", "গ": "g", "ঘ": "g", "ঙ": "ng", "চ": "c", "ছ": "s", "জ": "j",
    "ঝ": "j", "ঞ": "n", "ট": "t", "ঠ": "t", "ড": "d", "ঢ": "d", "ণ": "n", "ত": "t",
    "থ": "t", "দ": "d", "ধ": "d", "ন": "n", "প": "p", "ফ": "f", "ব": "b", "ভ": "b",
    "ম": "m", "য": "j", "র": "r", "ল": "l", "শ": "s", "ষ": "s", "স": "s", "হ": "h",
    "ড়": "r", "ঢ়": "r", "য়": "", "ৎ": "t", "ং": "ng", "ঃ": "", "ঁ": "",
}  # fmt: skip
# Vowels and vowel signs carry no weight in the key: spellings of vowels vary most.
_VOWELS = set("অআইঈউঊঋএঐওঔািীুূৃেৈোৌ্")

# Honorifics and titles say nothing about who a person is.
_HONORIFICS = {
    "md", "mohammad", "mohammed", "muhammad", "mohd", "mst", "most", "mosammat",
    "mossammat", "mosamat", "musammat", "sree", "sri", "shri", "shree", "srimati",
    "mrs", "mr", "miss", "late", "alhaj", "haji", "dr", "sheikh", "sk",
    "মোঃ", "মো", "মোহাম্মদ", "মুহাম্মদ", "মোহাম্মাদ", "মোছাঃ", "মোসাঃ", "মোছা",
    "মোছাম্মৎ", "মোসাম্মৎ", "শ্রী", "শ্রীমতি", "শ্রীমতী", "মিসেস", "মরহুম", "আলহাজ্ব", "শেখ",
}  # fmt: skip

# Latin spellings that sound alike fold to one letter.
_LATIN_FOLDS = [
    ("ph", "f"), ("bh", "b"), ("kh", "k"), ("gh", "g"), ("ch", "c"), ("jh", "j"),
    ("th", "t"), ("dh", "d"), ("sh", "s"), ("rh", "r"), ("q", "k"), ("v", "b"),
    ("w", "b"), ("z", "j"), ("x", "ks"),
]  # fmt: skip
_NOT_LETTER = re.compile(r"[^a-z0-9\u0980-\u09ff ]+")


# Conjuncts pronounced unlike their letters: ক্ষ is "kh" (লক্ষ্মী, Lokkhi), its ম silent.
_CONJUNCTS = [("ক্ষ্ম", "খ"), ("ক্ষ", "খ")]


def _bengali_word_to_latin(word: str) -> str:
    word = unicodedata.normalize("NFC", word)
    for conjunct, sound in _CONJUNCTS:
        word = word.replace(conjunct, sound)
    return "".join(_CONSONANTS.get(ch, "") for ch in word if ch not in _VOWELS)


@functools.lru_cache(maxsize=50_000)
def name_key(name: str) -> str:
    """Return a key equal for the same name written in Bengali or Latin script.

    It is a heuristic to flag possible duplicates for a person to check, never to merge.
    """
    words = _NOT_LETTER.sub(" ", unicodedata.normalize("NFC", name).lower().replace(".", " "))
    keys = []
    for word in words.split():
        if word in _HONORIFICS:
            continue
        if re.search(r"[\u0980-\u09ff]", word):
            latin = _bengali_word_to_latin(word)
        else:
            latin = word
            for spelling, letter in _LATIN_FOLDS:
                latin = latin.replace(spelling, letter)
            latin = re.sub(r"[aeiouy]", "", latin)
        latin = latin.replace("h", "")
        latin = re.sub(r"(.)\1+", r"\1", latin)
        if latin:
            keys.append(latin)
    return " ".join(keys)
