"""The wording of SMS replies, in English and Bengali side by side.

Written out in both languages here, not left to the translation catalogue, because every reply
must fit two SMS segments in each language (306 GSM-7 characters; 134 UCS-2 code units in
Bengali), and a test can hold both wordings to that only when both are in the code. Digits are
written Latin here; a Bengali reply has its digits turned Bengali as it is sent.
"""

TEXTS: dict[str, tuple[str, str]] = {
    # Both languages in one reply: the sender is not known, so neither is their language.
    "unknown_number": (
        "Number not registered with Samiti. Please contact your group leader.",
        "এই নম্বর সমিতিতে নিবন্ধিত নয়। দলনেতার সাথে যোগাযোগ করুন।",
    ),
    "help": (
        "Samiti SMS: BAL savings | VOTE 12 1 vote 1 in poll 12 | YES or NO | SUPPORT 7 back demand 7"
        " | DEMAND your demand | SCHEMES | MEETING | LANG BN | STOP",
        "বার্তা: ব্যালেন্স | ভোট 12 1 | হ্যাঁ/না | সমর্থন 7 | দাবি <কথা> | প্রকল্প | সভা | ভাষা EN | বন্ধ",
    ),
    "not_understood": ("Not understood. ", "বুঝিনি। "),
    "balance": (
        "Savings %(savings)s (%(shares)s shares this cycle).",
        "সঞ্চয় %(savings)s (এই চক্রে %(shares)sটি শেয়ার)।",
    ),
    "loan": (" Loan owed %(owed)s, due %(due)s.", " ঋণ বাকি %(owed)s, পরিশোধ %(due)s।"),
    "loan_charge": (
        " Loan owed %(owed)s + charge %(charge)s, due %(due)s.",
        " ঋণ বাকি %(owed)s + চার্জ %(charge)s, পরিশোধ %(due)s।",
    ),
    "no_loan": (" No loan.", " কোনো ঋণ নেই।"),
    "no_cycle": (
        "Your group has no savings cycle running. Ask your leader.",
        "আপনার দলের কোনো সঞ্চয় চক্র চলছে না। দলনেতাকে জিজ্ঞাসা করুন।",
    ),
    "vote_usage": (
        "To vote, send VOTE, the poll number and your option number, e.g. VOTE 12 1.",
        "ভোট দিতে লিখুন: ভোট, ভোটের নম্বর, পছন্দের নম্বর। যেমন: ভোট 12 1",
    ),
    "no_poll": (
        "There is no poll %(poll)s for you. Check the number in the poll's SMS.",
        "আপনার জন্য %(poll)s নম্বর ভোট নেই। ভোটের এসএমএস-এ নম্বর দেখুন।",
    ),
    "poll_options": (
        "Poll %(poll)s: %(question)s %(options)s. Send VOTE %(poll)s and your option number.",
        "ভোট %(poll)s: %(question)s %(options)s। লিখুন: ভোট %(poll)s পছন্দের নম্বর",
    ),
    "voted": (
        "Thank you. Your vote in poll %(poll)s is recorded: %(choice)s.",
        "ধন্যবাদ। ভোট %(poll)s-এ আপনার ভোট নেওয়া হয়েছে: %(choice)s।",
    ),
    "voted_secret": (
        "Thank you. Your secret vote in poll %(poll)s is recorded.",
        "ধন্যবাদ। ভোট %(poll)s-এ আপনার গোপন ভোট নেওয়া হয়েছে।",
    ),
    "answered": (
        "Thank you. Your answer %(choice)s to poll %(poll)s (%(question)s) is recorded.",
        "ধন্যবাদ। ভোট %(poll)s (%(question)s)-এ আপনার উত্তর %(choice)s নেওয়া হয়েছে।",
    ),
    "answered_secret": (
        "Thank you. Your secret vote in poll %(poll)s (%(question)s) is recorded.",
        "ধন্যবাদ। ভোট %(poll)s (%(question)s)-এ আপনার গোপন ভোট নেওয়া হয়েছে।",
    ),
    "already_voted": (
        "You have already voted in poll %(poll)s. Each member votes once.",
        "ভোট %(poll)s-এ আপনি আগেই ভোট দিয়েছেন। প্রত্যেকে একবার ভোট দেন।",
    ),
    "poll_closed": (
        "Poll %(poll)s is not open for voting.",
        "ভোট %(poll)s-এ এখন ভোট দেওয়া যাবে না।",
    ),
    "not_eligible": (
        "You are not on the list of voters of poll %(poll)s. Ask your leader.",
        "ভোট %(poll)s-এর ভোটার তালিকায় আপনি নেই। দলনেতাকে জিজ্ঞাসা করুন।",
    ),
    "bad_choice": (
        "Poll %(poll)s has no such option. Its options: %(options)s.",
        "ভোট %(poll)s-এ এমন পছন্দ নেই। পছন্দগুলো: %(options)s।",
    ),
    "no_question": (
        "There is no open yes/no question for you now.",
        "এখন আপনার জন্য খোলা কোনো হ্যাঁ/না প্রশ্ন নেই।",
    ),
    "support_usage": (
        "To support a demand, send SUPPORT and its number, e.g. SUPPORT 7.",
        "দাবি সমর্থন করতে লিখুন: সমর্থন ও দাবির নম্বর। যেমন: সমর্থন 7",
    ),
    "no_demand": (
        "There is no demand %(demand)s for you to support. Check its number.",
        "আপনার সমর্থনের জন্য %(demand)s নম্বর দাবি নেই। নম্বরটি দেখুন।",
    ),
    "supported": (
        "Thank you. You support demand %(demand)s: %(title)s.",
        "ধন্যবাদ। আপনি দাবি %(demand)s সমর্থন করেছেন: %(title)s।",
    ),
    "already_supported": (
        "You already support demand %(demand)s.",
        "আপনি আগেই দাবি %(demand)s সমর্থন করেছেন।",
    ),
    "demand_usage": (
        "To raise a demand, send DEMAND and your demand in a few words.",
        "দাবি জানাতে লিখুন: দাবি ও অল্প কথায় আপনার দাবি।",
    ),
    "demand_raised": (
        "Thank you. Your demand is number %(demand)s. Your leader will review it.",
        "ধন্যবাদ। আপনার দাবির নম্বর %(demand)s। দলনেতা এটি দেখবেন।",
    ),
    "schemes": ("You may qualify for: %(schemes)s.", "আপনি পেতে পারেন: %(schemes)s।"),
    "scheme": ("%(name)s (bring %(documents)s)", "%(name)s (আনুন %(documents)s)"),
    "more_schemes": (" +%(count)s more: ask your leader.", " আরও %(count)sটি: দলনেতাকে জিজ্ঞাসা করুন।"),
    "no_schemes": (
        "No scheme found for you now. Ask your leader.",
        "এখন আপনার জন্য কোনো প্রকল্প পাওয়া যায়নি। দলনেতাকে জিজ্ঞাসা করুন।",
    ),
    "meeting": (
        "Next meeting: %(date)s at %(time)s, %(place)s.",
        "পরের সভা: %(date)s, %(time)s, %(place)s।",
    ),
    "no_place": ("place to be told", "স্থান পরে জানানো হবে"),
    "no_meeting": (
        "No meeting of your group is planned yet.",
        "আপনার দলের কোনো সভা এখনো ঠিক হয়নি।",
    ),
    "stopped": (
        "You will get no more messages from Samiti. Send START to get them again.",
        "সমিতি থেকে আর বার্তা পাবেন না। আবার পেতে লিখুন: চালু",
    ),
    "started": (
        "Welcome back. You will get messages from Samiti again. Send STOP to stop them.",
        "আবার স্বাগতম। সমিতির বার্তা আবার পাবেন। বন্ধ করতে লিখুন: বন্ধ",
    ),
    "lang_usage": (
        "Send LANG BN for Bengali or LANG EN for English.",
        "বাংলার জন্য লিখুন: ভাষা বাংলা। ইংরেজির জন্য: ভাষা ইংরেজি",
    ),
    "lang_set": ("Language set to English.", "ভাষা বাংলা করা হয়েছে।"),
    "refused": ("Not done: %(reason)s", "হয়নি: %(reason)s"),
}

# The yes/no answers as a reply names them.
ANSWERS = {1: ("YES", "হ্যাঁ"), 2: ("NO", "না")}

# Bengali times of day, by the hour they start.
DAY_PARTS_BN = [(4, "ভোর"), (6, "সকাল"), (12, "দুপুর"), (15, "বিকাল"), (18, "সন্ধ্যা"), (20, "রাত")]

# What the inbox shows instead of a secret ballot's text: the same for every choice.
BALLOT_MARK = "***"


def text(key: str, language: str) -> str:
    """The wording of reply `key` in `language` ("bn" or "en")."""
    english, bengali = TEXTS[key]
    return bengali if language == "bn" else english
