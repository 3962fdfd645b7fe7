"""What the voice demo (`manage.py demo_voice`) writes: the demands groups raise, what the Union
Parishad answers, the score card's indicators, the public bodies' names and posts, and the words
of its meetings, polls and charter. Only that command uses this module.
"""

from dataclasses import dataclass

from samiti.voice.models import DemandCategory


@dataclass(frozen=True)
class DemandSpec:
    key: str
    category: str
    authority: str  # "up", "uao", "usso" or "dc"
    title: str
    description: str


# {village} is the group's village (in Bengali, or in English in an English title).
UP_DEMANDS = [
    DemandSpec(
        "canal",
        DemandCategory.IRRIGATION,
        "up",
        "{village} খাল পুনঃখনন করে বোরো মৌসুমে সেচের পানি নিশ্চিত করা",
        "খাল ভরাট হয়ে যাওয়ায় বোরো মৌসুমে সেচের পানি পাওয়া যায় না। প্রায় দুই কিলোমিটার খাল পুনঃখনন দরকার; বর্ষায় জলাবদ্ধতাও কমবে।",
    ),
    DemandSpec(
        "road",
        DemandCategory.ROADS,
        "up",
        "{village} থেকে হাট পর্যন্ত ইউনিয়ন সড়ক মেরামত",
        "বর্ষায় রাস্তা কাদায় ডুবে যায়, ভ্যানে ধান ও সবজি হাটে নেওয়া যায় না; অসুস্থ মানুষকেও কাঁধে করে নিতে হয়।",
    ),
    DemandSpec(
        "vgf",
        DemandCategory.SAFETY_NETS,
        "up",
        "ভিজিএফ কার্ডের তালিকা প্রকাশ ও ওয়ার্ড সভায় যাচাই",
        "প্রকৃত দুস্থ পরিবার তালিকা থেকে বাদ পড়েছে, আবার সচ্ছল পরিবার কার্ড পেয়েছে। তালিকা "
        "ইউনিয়ন পরিষদের নোটিশ বোর্ডে টাঙানো হোক এবং ওয়ার্ড সভায় যাচাই করা হোক।",
    ),
    DemandSpec(
        "tubewell",
        DemandCategory.IRRIGATION,
        "up",
        "{village} পাড়ায় একটি গভীর নলকূপ স্থাপন",
        "পাড়ার চল্লিশটি পরিবার একটি নলকূপের পানি খায়; শুকনো মৌসুমে পানি ওঠে না, নারীদের দূর থেকে পানি আনতে হয়।",
    ),
]
OTHER_DEMANDS = [
    DemandSpec(
        "saao",
        DemandCategory.EXTENSION,
        "uao",
        "উপ-সহকারী কৃষি কর্মকর্তার (SAAO) মাসে দুইবার মাঠ পরিদর্শন",
        "ব্লকের SAAO গত আমন মৌসুমে একবারও গ্রামে আসেননি; মাজরা পোকার আক্রমণে কোনো পরামর্শ পাওয়া যায়নি।",
    ),
    DemandSpec(
        "fertiliser",
        DemandCategory.INPUTS,
        "uao",
        "ডিলারের কাছে সরকারি দামে ইউরিয়া ও টিএসপি সার",
        "ডিলার বস্তাপ্রতি দেড়শো টাকা বেশি নেয় এবং রসিদ দেয় না। উপজেলা কৃষি অফিস ডিলারের দাম তদারকি করুক।",
    ),
    DemandSpec(
        "allowance",
        DemandCategory.SAFETY_NETS,
        "usso",
        "Widow and old-age allowance for the eligible women of the group",
        "Eleven women of the group are eligible and have applied twice; none is on the list yet.",
    ),
    DemandSpec(
        "wages",
        DemandCategory.WAGES,
        "up",
        "Equal daily wage for women in the 40-day employment programme (EGPP)",
        "Women workers were paid 300 taka a day against 400 for men for the same earthwork.",
    ),
    DemandSpec(
        "shelter",
        DemandCategory.DISASTER,
        "up",
        "বন্যা আশ্রয়কেন্দ্র সংস্কার ও নারীদের জন্য আলাদা টয়লেট",
        "গত বন্যায় আশ্রয়কেন্দ্রের ছাদ চুইয়ে পানি পড়েছে; নারী ও কিশোরীদের জন্য আলাদা টয়লেট নেই।",
    ),
    DemandSpec(
        "soil",
        DemandCategory.EXTENSION,
        "uao",
        "Soil testing camp and a demonstration plot in {village}",
        "Members use fertiliser by guesswork; a soil test and a demonstration plot would show the doses.",
    ),
    DemandSpec(
        "khas",
        DemandCategory.LAND,
        "dc",
        "খাস জমি ভূমিহীন কৃষক পরিবারকে বন্দোবস্ত",
        "চরের খাস জমি প্রভাবশালীরা দখল করে রেখেছে; ভূমিহীন সদস্য পরিবারগুলোকে বন্দোবস্ত দেওয়া হোক।",
    ),
    DemandSpec(
        "clinic",
        DemandCategory.HEALTH,
        "up",
        "কমিউনিটি ক্লিনিকে নিয়মিত স্বাস্থ্যকর্মী ও ওষুধ",
        "ক্লিনিক সপ্তাহে দুই দিন খোলে, ওষুধ প্রায়ই থাকে না; গর্ভবতী নারীদের উপজেলায় যেতে হয়।",
    ),
]
PADDY = DemandSpec(
    "paddy",
    DemandCategory.MARKETS,
    "dc",
    "সরকারি ক্রয়কেন্দ্রে কৃষকের কাছ থেকে ন্যায্য দামে সরাসরি ধান কেনা",
    "ফড়িয়ারা মণপ্রতি দুই-তিনশো টাকা কম দেয়। ক্রয়কেন্দ্রে কৃষকের তালিকা লটারিতে স্বচ্ছভাবে করা "
    "হোক এবং ক্ষুদ্র কৃষকের ধান আগে কেনা হোক।",
)
# What the Union Parishad answered to each demand of the charter.
ANSWERS = {
    "vgf": ("committed", "তালিকা নোটিশ বোর্ডে টাঙানো ও প্রতিটি ওয়ার্ড সভায় যাচাই", 0),
    "canal": ("committed", "কর্মসৃজন কর্মসূচিতে দেড় কিলোমিটার খাল পুনঃখনন", 45_000_000),
    "tubewell": ("committed", "এডিপি বরাদ্দ থেকে পাড়ায় একটি গভীর নলকূপ", 8_500_000),
    "road": ("rejected", "সড়কটি এলজিইডির তালিকাভুক্ত; ইউনিয়ন পরিষদের এ বছরের বাজেটে বরাদ্দ নেই।", 0),
}
INDICATORS = [
    ("The SAAO visits our village at least twice a month", "SAAO মাসে অন্তত দুইবার গ্রামে আসেন"),
    ("Advice on pests and diseases comes in time", "পোকা ও রোগের পরামর্শ সময়মতো পাওয়া যায়"),
    ("Women farmers are invited to trainings", "নারী কৃষকদের প্রশিক্ষণে ডাকা হয়"),
    ("Subsidised seed and fertiliser reach small farmers", "ভর্তুকির বীজ ও সার ক্ষুদ্র কৃষকের কাছে পৌঁছায়"),
    ("The agriculture office answers our questions", "কৃষি অফিস আমাদের প্রশ্নের উত্তর দেয়"),
]


# Public bodies: names in English and Bengali ({} is the area's name) and the posts filled, with
# the sex of the person who holds each.
UNION_PARISHAD = ("{} Union Parishad", "{} ইউনিয়ন পরিষদ")
UNION_PARISHAD_POSTS = [
    ("Chairman", "M"),
    ("Member, ward 1", "M"),
    ("Member, ward 2", "M"),
    ("Member, reserved seat (wards 1-3)", "F"),
    ("Secretary", "M"),
]
AGRICULTURE_OFFICE = ("Upazila Agriculture Office, {}", "উপজেলা কৃষি অফিস, {}")
AGRICULTURE_OFFICE_POSTS = [
    ("Sub-Assistant Agriculture Officer (SAAO)", "M"),
    ("Upazila Agriculture Officer", "M"),
]
SOCIAL_SERVICES_OFFICE = ("Upazila Social Services Office, {}", "উপজেলা সমাজসেবা অফিস, {}")
SOCIAL_SERVICES_OFFICE_POSTS = [("Upazila Social Services Officer", "F")]
DISTRICT_ADMINISTRATION = ("Deputy Commissioner's Office, {}", "জেলা প্রশাসকের কার্যালয়, {}")
DISTRICT_ADMINISTRATION_POSTS = [("Deputy Commissioner", "M")]

# Scenes: what the demo's meetings, polls, charter and score card say ({...} is filled in).
GROUP_MEETING = {
    "title": "মাসিক দলীয় সভা",
    "place": "{village} উঠান",
    "agenda": ["সঞ্চয় জমা ও হাজিরা", "দাবি: {demand}", "বিবিধ"],
    "minutes": "{present} জন সদস্য উপস্থিত ছিলেন। সদস্যরা দাবিটি নিয়ে আলোচনা করে সর্বসম্মতভাবে "
    "গ্রহণ করেন এবং সমিতিতে পাঠানোর সিদ্ধান্ত নেন।",
    "decision": "দাবিটি দলের দাবি হিসেবে গৃহীত হলো; স্বাক্ষর সংগ্রহ করে সমিতিতে পাঠানো হবে।",
    "action": "পাড়ার বাকি পরিবারগুলোর স্বাক্ষর ও ছবি সংগ্রহ",
}
GENERAL_ASSEMBLY = {
    "title": "বার্ষিক সাধারণ সভা",
    "place": "ইউনিয়ন পরিষদ মিলনায়তন",
    "agenda": [
        "দলগুলোর দাবি উপস্থাপন",
        "গঠনতন্ত্র: {threshold}টি সমর্থনে দাবি গ্রহণ",
        "দাবির অগ্রাধিকার নির্ধারণ (গোপন ভোট)",
        "ইউনিয়ন পরিষদে দাবিনামা পেশ",
    ],
    "minutes": "{present} জন সদস্য উপস্থিত। দলগুলো থেকে আসা {adopted}টি দাবি উপস্থাপন করা হয়। "
    "সভা দাবিনামা ইউনিয়ন পরিষদের উন্মুক্ত বাজেট সভায় পেশ করার সিদ্ধান্ত নেয়।",
    "by_laws_minutes": "সদস্যরা প্রস্তাব করেন, সমিতির সদস্যদের অন্তত আটজনের সমর্থন পেলে দলের দাবি সমিতি গ্রহণ করবে।",
    "by_laws_decision": "গঠনতন্ত্র সংশোধন: কোনো দলের দাবি {threshold}টি সমর্থন পেলে সমিতি তা গ্রহণ করবে।",
    "charter_decision": "সমিতির সম্পাদক উন্মুক্ত বাজেট সভায় চেয়ারম্যানের কাছে দাবিনামা পেশ করবেন।",
    # Done; not done (overdue); due in ten days.
    "actions": [
        "দাবিনামা চূড়ান্ত করে ইউনিয়ন পরিষদে পেশ",
        "উপজেলা কৃষি অফিস থেকে SAAO-র মাঠ পরিদর্শনের সূচি সংগ্রহ",
        "ইউনিয়ন পরিষদের নোটিশ বোর্ডে ভিজিএফ তালিকা যাচাই",
    ],
    "ward_member": "ওয়ার্ড সদস্য (সংরক্ষিত আসন)",
}
RANKING_QUESTION = "ইউনিয়ন পরিষদের কাছে কোন দাবি আগে তুলব? পছন্দের ক্রমে সাজান।"
YES_NO_QUESTION = "আগামী মাসের ইউনিয়ন পরিষদের উন্মুক্ত বাজেট সভায় সমিতি কি দলবদ্ধভাবে অংশ নেবে?"
CHARTER = {
    "meeting_title": "{council}: উন্মুক্ত বাজেট সভা",
    "meeting_place": "ইউনিয়ন পরিষদ চত্বর",
    "subject": "{association}-এর দাবিনামা",
    "body": "মাননীয় চেয়ারম্যান, সমিতির সদস্যদের সমর্থনে গৃহীত নিচের দাবিগুলো অগ্রাধিকার অনুযায়ী পেশ করছি।",
}
# The follow-up of each commitment: fulfilled, partly fulfilled, still open.
FOLLOW_UPS = {
    "vgf": "তালিকা নোটিশ বোর্ডে টাঙানো হয়েছে; দুই ওয়ার্ড সভায় যাচাইয়ে ৯টি নাম বদলেছে।",
    "canal": "এক কিলোমিটার খাল খনন হয়েছে; বাকি অংশের কাজ বরাদ্দের অভাবে বন্ধ।",
    "tubewell": "চেয়ারম্যান জানিয়েছেন বরাদ্দ এসেছে, কিন্তু এখনো ঠিকাদার নিয়োগ হয়নি।",
}
ELECTION_MEETING = {
    "title": "দলের কমিটি নির্বাচন",
    "place": "{village} প্রাথমিক বিদ্যালয়",
    "agenda": ["নির্বাচন কমিশনারের ঘোষণা", "গোপন ব্যালটে ভোট", "ফলাফল ঘোষণা"],
}
SCORE_CARD = {
    "title": "কৃষি সম্প্রসারণ সেবা: কমিউনিটি স্কোর কার্ড",
    "meeting_title": "স্কোর কার্ড ইন্টারফেস সভা, পর্ব {number}",
    "meeting_place": "উপজেলা কৃষি অফিস",
    "low_reason": "SAAO এখনো আসেন না",
    "high_reason": "আগের চেয়ে ভালো",
    "suggestion": "মাসিক পরিদর্শন সূচি ইউনিয়ন পরিষদে টাঙানো হোক",
    "provider_reason": "জনবল সংকট সত্ত্বেও চেষ্টা করা হচ্ছে",
    # After the first round: two actions, done; after the second: one, due in a month.
    "actions": [
        "SAAO-র মাসিক পরিদর্শন সূচি ইউনিয়ন পরিষদে টাঙানো",
        "নারী কৃষকদের জন্য আলাদা মাঠ দিবস",
        "ভর্তুকির সার ও বীজের তালিকা ক্ষুদ্র কৃষকদের সাথে যাচাই",
    ],
}
COMMITTEE_MEETING = {
    "title": "কার্যনির্বাহী কমিটির সভা",
    "place": "সমিতির অফিস",
    "agenda": [
        "দাবিনামার প্রতিশ্রুতির অগ্রগতি",
        "নলকূপের প্রতিশ্রুতি: ইউনিয়ন পরিষদে আবার যোগাযোগ",
        "উন্মুক্ত বাজেট সভার প্রস্তুতি",
    ],
}
