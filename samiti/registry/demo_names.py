"""Reference data for demo data: the five districts of the reference programme, and names of
people and villages in Latin and Bengali.

Each name is a (Latin, Bengali) pair written the way people in these districts write them.
Only the `demo` command uses this module.
"""

import itertools
import random
from dataclasses import dataclass
from typing import Any

from samiti.registry.models import ConsentMethod

Pair = tuple[str, str]


def _pairs(text: str) -> list[Pair]:
    """Parse "Latin = বাংলা" lines into pairs."""
    pairs = []
    for line in text.strip().splitlines():
        latin, bengali = (part.strip() for part in line.split("="))
        pairs.append((latin, bengali))
    return pairs


# Bengali Muslims ----------------------------------------------------------------------------

MUSLIM_MALE = _pairs("""
    Abdul Karim = আব্দুল করিম
    Abdur Rahim = আব্দুর রহিম
    Abdul Jalil = আব্দুল জলিল
    Abdul Mannan = আব্দুল মান্নান
    Abdul Awal = আব্দুল আউয়াল
    Abdus Salam = আব্দুস সালাম
    Abul Kalam = আবুল কালাম
    Abu Bakar = আবু বকর
    Rafiqul = রফিকুল
    Shafiqul = শফিকুল
    Aminul = আমিনুল
    Nurul Amin = নুরুল আমিন
    Azizul = আজিজুল
    Shahidul = শহিদুল
    Jahangir = জাহাঙ্গীর
    Alamgir = আলমগীর
    Anwar = আনোয়ার
    Jamal = জামাল
    Kamal = কামাল
    Babul = বাবুল
    Faruk = ফারুক
    Selim = সেলিম
    Monir = মনির
    Rubel = রুবেল
    Sohel = সোহেল
    Shahin = শাহীন
    Liton = লিটন
    Mamun = মামুন
    Harun = হারুন
    Sirajul = সিরাজুল
    Delwar = দেলোয়ার
    Jalal = জালাল
    Mofizul = মফিজুল
    Motaleb = মোতালেব
    Rezaul = রেজাউল
    Ashraful = আশরাফুল
    Saiful = সাইফুল
    Nazrul = নজরুল
    Mostafa = মোস্তফা
    Idris = ইদ্রিস
    Yunus = ইউনুস
    Sobhan = সোবহান
    Khalil = খলিল
    Zakir = জাকির
    Abdul Latif = আব্দুল লতিফ
    Moksed = মকছেদ
    Hamidul = হামিদুল
""")
# Given names ending in -ur or -ar are followed by Rahman ("Mizanur Rahman").
MUSLIM_MALE_RAHMAN = _pairs("""
    Mizanur = মিজানুর
    Habibur = হাবিবুর
    Hafizur = হাফিজুর
    Mokhlesur = মোখলেছুর
    Lutfar = লুৎফর
    Ataur = আতাউর
    Matiur = মতিউর
    Ziaur = জিয়াউর
""")
MUSLIM_SURNAMES = _pairs("""
    Mia = মিয়া
    Islam = ইসলাম
    Hossain = হোসেন
    Rahman = রহমান
    Ali = আলী
    Uddin = উদ্দিন
    Sarkar = সরকার
    Mondol = মন্ডল
    Sheikh = শেখ
    Gazi = গাজী
    Sardar = সরদার
    Molla = মোল্লা
    Pramanik = প্রামানিক
    Akanda = আকন্দ
    Talukder = তালুকদার
    Khan = খান
    Biswas = বিশ্বাস
    Fakir = ফকির
    Haque = হক
    Bepari = বেপারী
""")
MUSLIM_FEMALE = _pairs("""
    Rokeya = রোকেয়া
    Amena = আমেনা
    Fatema = ফাতেমা
    Rahima = রহিমা
    Jahanara = জাহানারা
    Nasima = নাসিমা
    Salma = সালমা
    Hasina = হাসিনা
    Morium = মরিয়ম
    Shahana = শাহানা
    Kulsum = কুলসুম
    Jesmin = জেসমিন
    Monowara = মনোয়ারা
    Asma = আসমা
    Parvin = পারভীন
    Laily = লাইলী
    Sufia = সুফিয়া
    Halima = হালিমা
    Rashida = রাশিদা
    Anowara = আনোয়ারা
    Hosneara = হোসনেয়ারা
    Bilkis = বিলকিস
    Shirin = শিরিন
    Nurjahan = নূরজাহান
    Sahera = সাহেরা
    Momena = মোমেনা
    Beauty = বিউটি
    Mukta = মুক্তা
    Shilpi = শিল্পী
    Sabina = সাবিনা
    Roksana = রোকসানা
    Tahmina = তাহমিনা
    Nazma = নাজমা
    Marjina = মর্জিনা
    Sharifa = শরিফা
    Jamila = জমিলা
    Ayesha = আয়েশা
    Khadija = খাদিজা
    Rehana = রেহানা
    Shamima = শামীমা
""")
MUSLIM_FEMALE_SURNAMES = _pairs("""
    Begum = বেগম
    Khatun = খাতুন
    Akter = আক্তার
    Bibi = বিবি
""")
MUSLIM_MALE_PREFIX: Pair = ("Md.", "মোঃ")
MUSLIM_FEMALE_PREFIX: Pair = ("Mst.", "মোছাঃ")

# Bengali Hindus -----------------------------------------------------------------------------

HINDU_MALE = _pairs("""
    Nikhil = নিখিল
    Gopal = গোপাল
    Haripada = হরিপদ
    Shyamal = শ্যামল
    Nitai = নিতাই
    Sukumar = সুকুমার
    Dilip = দিলীপ
    Pradip = প্রদীপ
    Ratan = রতন
    Ramesh = রমেশ
    Subal = সুবল
    Bimal = বিমল
    Nirmal = নির্মল
    Tapan = তপন
    Gour = গৌর
    Biswajit = বিশ্বজিৎ
    Ashok = অশোক
    Kartik = কার্তিক
    Jagadish = জগদীশ
    Sunil = সুনীল
    Montu = মন্টু
    Paritosh = পরিতোষ
    Uttam = উত্তম
    Krishnapada = কৃষ্ণপদ
    Narayan = নারায়ণ
    Sanjoy = সঞ্জয়
    Bipul = বিপুল
    Swapan = স্বপন
    Ananta = অনন্ত
    Shankar = শংকর
    Prabhat = প্রভাত
    Dulal = দুলাল
    Anil = অনিল
    Rabindra = রবীন্দ্র
    Lalit = ললিত
    Jogesh = যোগেশ
""")
HINDU_SURNAMES = _pairs("""
    Das = দাস
    Sarkar = সরকার
    Roy = রায়
    Mondal = মন্ডল
    Barman = বর্মন
    Biswas = বিশ্বাস
    Ghosh = ঘোষ
    Pal = পাল
    Shil = শীল
    Debnath = দেবনাথ
    Saha = সাহা
    Dey = দে
    Mistry = মিস্ত্রী
    Sana = সানা
    Gain = গাইন
    Mallick = মল্লিক
    Karmakar = কর্মকার
    Adhikari = অধিকারী
    Bala = বালা
""")
HINDU_FEMALE = _pairs("""
    Anjali = অঞ্জলি
    Kalpana = কল্পনা
    Shikha = শিখা
    Mala = মালা
    Rina = রীনা
    Sandhya = সন্ধ্যা
    Basanti = বাসন্তী
    Lakshmi = লক্ষ্মী
    Saraswati = সরস্বতী
    Parbati = পার্বতী
    Mamata = মমতা
    Dipali = দীপালী
    Gita = গীতা
    Purnima = পূর্ণিমা
    Shefali = শেফালী
    Kanika = কণিকা
    Sumitra = সুমিত্রা
    Jharna = ঝর্ণা
    Anita = অনিতা
    Swapna = স্বপ্না
    Champa = চম্পা
    Shyamoli = শ্যামলী
    Arati = আরতি
    Minati = মিনতি
    Radha = রাধা
    Bharati = ভারতী
    Malati = মালতী
    Lalita = ললিতা
""")
HINDU_FEMALE_MIDDLE: Pair = ("Rani", "রানী")
HINDU_MALE_PREFIX: Pair = ("Sree", "শ্রী")
HINDU_FEMALE_PREFIX: Pair = ("Srimati", "শ্রীমতি")

# Ethnic-minority communities ----------------------------------------------------------------
# Garo (Mandi) families carry the mother's clan name; many Garo are Christian.

GARO_SURNAMES = _pairs("""
    Marak = মারাক
    Sangma = সাংমা
    Momin = মোমিন
    Chisim = চিসিম
    Mree = ম্রি
    Rema = রেমা
    Dalbot = দালবত
    Nokrek = নকরেক
    Mankhin = মানখিন
    Ritchil = রিছিল
    Chambugong = চাম্বুগং
    Hagidok = হাগিদক
    Areng = আরেং
    Rangsa = রাংসা
""")
GARO_MALE = _pairs("""
    John = জন
    Paul = পল
    Peter = পিটার
    Robert = রবার্ট
    Stephen = স্টিফেন
    Michael = মাইকেল
    Promod = প্রমোদ
    Subhash = সুভাষ
    Biren = বীরেন
    Albert = আলবার্ট
    Dominic = ডমিনিক
    Sujit = সুজিত
    Lincoln = লিংকন
    Thomas = থমাস
""")
GARO_FEMALE = _pairs("""
    Juliana = জুলিয়ানা
    Lucy = লুসি
    Monika = মনিকা
    Agnes = অ্যাগনেস
    Maria = মারিয়া
    Sandhya = সন্ধ্যা
    Anita = অনিতা
    Mitali = মিতালী
    Rupali = রূপালী
    Sujata = সুজাতা
    Priscilla = প্রিসিলা
    Jharna = ঝর্ণা
""")
SANTAL_SURNAMES = _pairs("""
    Hembrom = হেমব্রম
    Murmu = মুরমু
    Soren = সরেন
    Hansda = হাঁসদা
    Tudu = টুডু
    Kisku = কিস্কু
    Baske = বাস্কে
    Mardi = মার্ডি
    Besra = বেসরা
""")
SANTAL_MALE = _pairs("""
    Mangal = মঙ্গল
    Budhu = বুধু
    Rabindranath = রবীন্দ্রনাথ
    Philimon = ফিলিমন
    Sagar = সাগর
    Shyamal = শ্যামল
    Sukra = শুক্রা
    Charan = চরণ
    Babulal = বাবুলাল
    Jogen = যোগেন
    Bikash = বিকাশ
""")
SANTAL_FEMALE = _pairs("""
    Alpona = আলপনা
    Sumitra = সুমিত্রা
    Maloti = মালতী
    Shanti = শান্তি
    Mary = মেরী
    Sabitri = সাবিত্রী
    Sonamoni = সোনামণি
    Mukti = মুক্তি
    Pushpa = পুষ্পা
    Kamala = কমলা
""")
ORAON_SURNAMES = _pairs("""
    Tigga = তিগ্গা
    Kujur = কুজুর
    Ekka = এক্কা
    Lakra = লাকড়া
    Minj = মিঞ্জ
    Toppo = টপ্পো
    Kerketta = কেরকেট্টা
    Tirkey = তির্কি
""")
HAJONG_FEMALE = _pairs("""
    Rashimoni = রাশিমণি
    Lalita = ললিতা
    Sabitri = সাবিত্রী
    Basanti = বাসন্তী
    Malati = মালতী
""")

# The surname lists of single-surname communities.
HAJONG_SURNAMES = _pairs("Hajong = হাজং")
KOCH_SURNAMES = _pairs("Koch = কোচ")
MUNDA_SURNAMES = _pairs("Munda = মুন্ডা")

# For each community: male given names, female given names, surnames.
COMMUNITIES: dict[str, tuple[list[Pair], list[Pair], list[Pair]]] = {
    "garo": (GARO_MALE + HINDU_MALE[:12], GARO_FEMALE + HINDU_FEMALE[:10], GARO_SURNAMES),
    "hajong": (HINDU_MALE, HAJONG_FEMALE + HINDU_FEMALE, HAJONG_SURNAMES),
    "koch": (HINDU_MALE, HINDU_FEMALE, KOCH_SURNAMES),
    "santal": (SANTAL_MALE, SANTAL_FEMALE, SANTAL_SURNAMES),
    "oraon": (SANTAL_MALE + HINDU_MALE[:10], SANTAL_FEMALE + HINDU_FEMALE[:10], ORAON_SURNAMES),
    "munda": (HINDU_MALE, HINDU_FEMALE, MUNDA_SURNAMES),
}
# How a community names its own hamlet: "Santal Para".
COMMUNITY_PARA: dict[str, Pair] = {
    "garo": ("Garo Para", "গারো পাড়া"),
    "hajong": ("Hajong Para", "হাজং পাড়া"),
    "koch": ("Koch Para", "কোচ পাড়া"),
    "santal": ("Santal Para", "সাঁওতাল পাড়া"),
    "oraon": ("Oraon Para", "ওরাওঁ পাড়া"),
    "munda": ("Munda Para", "মুন্ডা পাড়া"),
}

# Villages -----------------------------------------------------------------------------------
# Village names join a root to a suffix, as most Bangladeshi village names do: Ram + pur.

PERSON_ROOTS = _pairs("""
    Ram = রাম
    Shib = শিব
    Kali = কালী
    Hari = হরি
    Gopal = গোপাল
    Krishna = কৃষ্ণ
    Madhab = মাধব
    Gobinda = গোবিন্দ
    Chandi = চণ্ডী
    Durga = দুর্গা
    Radha = রাধা
    Lakshmi = লক্ষ্মী
    Bhabani = ভবানী
    Ratan = রতন
    Kamal = কমল
    Fakir = ফকির
    Kazi = কাজী
    Pir = পীর
    Sultan = সুলতান
    Hamid = হামিদ
    Karim = করিম
    Nawab = নবাব
    Mirza = মির্জা
    Shah = শাহ
    Jamal = জামাল
    Balia = বালিয়া
    Sona = সোনা
    Ghosh = ঘোষ
    Sarkar = সরকার
    Mondol = মন্ডল
""")
PERSON_SUFFIXES = _pairs("""
    pur = পুর
    nagar = নগর
    ganj = গঞ্জ
    para = পাড়া
    danga = ডাঙ্গা
    kandi = কান্দি
""")
NATURE_ROOTS = _pairs("""
    Kadam = কদম
    Bot = বট
    Shimul = শিমুল
    Tal = তাল
    Am = আম
    Kathal = কাঁঠাল
    Narikel = নারিকেল
    Bansh = বাঁশ
    Bel = বেল
    Jam = জাম
    Tentul = তেঁতুল
    Bakul = বকুল
    Hijal = হিজল
    Gab = গাব
    Khejur = খেজুর
    Pakur = পাকুড়
""")
NATURE_SUFFIXES = _pairs("""
    tola = তলা
    tali = তলী
    bari = বাড়ী
""")
DIRECTIONS = _pairs("""
    Uttar = উত্তর
    Dakshin = দক্ষিণ
    Purba = পূর্ব
    Paschim = পশ্চিম
    Madhya = মধ্য
""")
CHAR: Pair = ("Char", "চর")

# Names groups give themselves.
GROUP_NAMES = _pairs("""
    Shapla = শাপলা
    Jagoroni = জাগরণী
    Ekota = একতা
    Pragati = প্রগতি
    Alor Dishari = আলোর দিশারী
    Surjomukhi = সূর্যমুখী
    Dolonchapa = দোলনচাঁপা
    Rajanigandha = রজনীগন্ধা
    Bakul = বকুল
    Shimul = শিমুল
    Palash = পলাশ
    Moitri = মৈত্রী
    Sonali = সোনালী
    Sabuj = সবুজ
    Nabajiban = নবজীবন
    Unnayan = উন্নয়ন
    Sonar Bangla = সোনার বাংলা
    Joba = জবা
    Kamini = কামিনী
    Beli = বেলী
    Mukti = মুক্তি
    Agami = আগামী
    Protyasha = প্রত্যাশা
    Swapno = স্বপ্ন
    Sampriti = সম্প্রীতি
""")

LEAVING_REASONS = [
    "moved to her husband's village after marriage",
    "migrated to Dhaka for garment work",
    "migrated for seasonal work",
    "died",
    "left the group",
    "moved to another union after river erosion",
]

# Composing a name ----------------------------------------------------------------------------


def person_name(rng: random.Random, community: str, sex: str, family: Pair) -> Pair:
    """Compose a name as people of `community` write theirs; `family` is the household's surname."""
    female = sex != "M"
    parts: list[Pair] = []
    if community == "muslim":
        if female:
            if rng.random() < 0.55:
                parts.append(MUSLIM_FEMALE_PREFIX)
            parts.append(rng.choice(MUSLIM_FEMALE))
            if rng.random() < 0.9:
                parts.append(rng.choice(MUSLIM_FEMALE_SURNAMES))
        else:
            if rng.random() < 0.65:
                parts.append(MUSLIM_MALE_PREFIX)
            if rng.random() < 0.2:
                parts += [rng.choice(MUSLIM_MALE_RAHMAN), ("Rahman", "রহমান")]
            else:
                parts.append(rng.choice(MUSLIM_MALE))
                if rng.random() < 0.85:
                    parts.append(rng.choice(MUSLIM_SURNAMES))
    elif community == "hindu":
        if female:
            if rng.random() < 0.08:
                parts.append(HINDU_FEMALE_PREFIX)
            parts.append(rng.choice(HINDU_FEMALE))
            if rng.random() < 0.6:
                parts.append(HINDU_FEMALE_MIDDLE)
        else:
            if rng.random() < 0.15:
                parts.append(HINDU_MALE_PREFIX)
            parts.append(rng.choice(HINDU_MALE))
        parts.append(family)
    else:
        male_names, female_names, _surnames = COMMUNITIES[community]
        parts.append(rng.choice(female_names if female else male_names))
        if female and community in ("hajong", "koch", "munda") and rng.random() < 0.3:
            parts.append(HINDU_FEMALE_MIDDLE)
        parts.append(family)
    return " ".join(p[0] for p in parts), " ".join(p[1] for p in parts)


# The districts ------------------------------------------------------------------------------

# Share of members in a hamlet of an ethnic-minority community who belong to it, and elsewhere.
MINORITY_HAMLET_SHARE = 0.85
MINORITY_ELSEWHERE = 0.02


@dataclass(frozen=True)
class District:
    code: str
    abbr: str
    # Upazilas where the programme started, in order; the rest of the district follows.
    upazilas: tuple[str, ...]
    minority_share: float
    communities: dict[str, float]
    hindu_share: float
    crops: dict[str, float]
    # Villages on river islands (char) are common along the Brahmaputra and the Teesta.
    char_share: float = 0.0


class Odds:
    """Weights prepared once for drawing many times."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))


DISTRICTS = [
    District(
        code="DIS-21",  # Satkhira: coastal, shrimp ponds, Munda hamlets in Shyamnagar
        abbr="SAT",
        upazilas=("UPZ-183", "UPZ-179", "UPZ-184"),
        minority_share=0.07,
        communities={"munda": 0.7, "santal": 0.15, "oraon": 0.15},
        hindu_share=0.2,
        crops={"fish": 3, "vegetables": 3, "jute": 1, "oilseeds": 1, "fruit": 1, "livestock": 2},
    ),
    District(
        code="DIS-57",  # Gaibandha: Santal villages of Gobindaganj, chars of Sundarganj
        abbr="GAI",
        upazilas=("UPZ-432", "UPZ-430", "UPZ-433"),
        minority_share=0.13,
        communities={"santal": 0.7, "oraon": 0.3},
        hindu_share=0.09,
        crops={"jute": 2, "maize": 3, "potato": 2, "vegetables": 2, "chilli": 2, "wheat": 1, "livestock": 2},
        char_share=0.3,
    ),
    District(
        code="DIS-60",  # Kurigram: the chars of Chilmari, Ulipur and Rowmari
        abbr="KUR",
        upazilas=("UPZ-454", "UPZ-453", "UPZ-455"),
        minority_share=0.06,
        communities={"santal": 0.4, "oraon": 0.6},
        hindu_share=0.07,
        crops={"jute": 2, "maize": 3, "chilli": 2, "wheat": 1, "pulses": 2, "livestock": 3},
        char_share=0.4,
    ),
    District(
        code="DIS-61",  # Sherpur: Garo, Hajong and Koch villages along the Garo hills
        abbr="SHE",
        upazilas=("UPZ-461", "UPZ-458", "UPZ-459"),
        minority_share=0.17,
        communities={"garo": 0.5, "hajong": 0.25, "koch": 0.25},
        hindu_share=0.05,
        crops={"vegetables": 3, "potato": 1, "maize": 1, "fruit": 2, "livestock": 2, "pulses": 1},
    ),
    District(
        code="DIS-62",  # Mymensingh: Haluaghat and Dhobaura on the border, Phulpur
        abbr="MYM",
        upazilas=("UPZ-469", "UPZ-467", "UPZ-468"),
        minority_share=0.13,
        communities={"garo": 0.6, "hajong": 0.3, "koch": 0.1},
        hindu_share=0.06,
        crops={"vegetables": 3, "fish": 2, "jute": 1, "potato": 1, "fruit": 1, "livestock": 2},
    ),
]
FEDERATION_CODES = [f"{d.abbr}-FED" for d in DISTRICTS]
# First digits of a district in 13- and 17-digit national IDs (the BBS district geocode).
NID_DISTRICT = {"DIS-21": "87", "DIS-57": "32", "DIS-60": "49", "DIS-61": "89", "DIS-62": "61"}
PHONE_PREFIXES = Odds({"17": 30, "13": 10, "19": 15, "14": 5, "18": 20, "16": 12, "15": 8})
CONSENT_METHODS = Odds(
    {
        ConsentMethod.SIGNED: 40,
        ConsentMethod.THUMBPRINT: 35,
        ConsentMethod.VERBAL: 10,
        ConsentMethod.DIGITAL: 15,
    }
)
# Farm holdings by land cultivated (decimals), skewed to the landless and marginal.
LAND_BANDS = Odds({(0, 4): 28, (5, 49): 42, (50, 249): 24, (250, 749): 5, (750, 1500): 1})
HOUSEHOLD_SIZES = Odds({1: 3, 2: 8, 3: 20, 4: 26, 5: 20, 6: 12, 7: 6, 8: 3, 9: 2})
CHILDREN_UNDER_5 = Odds({0: 55, 1: 33, 2: 10, 3: 2})
# Women living without a husband, by how they came to (widowhood is the most common).
WOMEN_ALONE = Odds({"widowed": 70, "deserted": 15, "divorced": 8, "separated": 7})
OCCUPATIONS = Odds(
    {
        "farmer": 30,
        "tenant": 22,
        "agri_labourer": 25,
        "day_labourer": 10,
        "fisher": 4,
        "livestock": 4,
        "trader": 5,
    }
)
# Washington Group domains, weighted by how often each difficulty is reported.
WG_WEIGHTS = Odds(
    {
        "wg_walking": 30,
        "wg_seeing": 25,
        "wg_hearing": 15,
        "wg_cognition": 12,
        "wg_communication": 10,
        "wg_selfcare": 8,
    }
)
FEDERATION_NAME: Pair = ("District Farmers' Federation", "জেলা কৃষক ফেডারেশন")
ASSOCIATION_NAME: Pair = ("Union Farmers' Association", "ইউনিয়ন কৃষক সমিতি")
GROUP_KIND_NAMES: dict[str, Pair] = {
    "women": ("Women Farmers' Group", "মহিলা কৃষক দল"),
    "men": ("Farmers' Group", "কৃষক দল"),
    "mixed": ("Farmers' Group", "কৃষক দল"),
}
