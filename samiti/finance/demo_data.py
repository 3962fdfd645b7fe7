"""What the finance demo (`manage.py demo_finance`) writes: the constitutions groups choose, why
members borrow and receive grants, what an association buys, earns and spends. Only that command
uses it. Amounts are poisha (100 poisha = 1 taka)."""

from decimal import Decimal

# Constitutions the demo groups choose among (share price Tk 20 to 100); each group draws one and
# may change the social fund, the charge and the fines.
SHARE_PRICES = [2000, 2000, 3000, 5000, 5000, 10_000]
SOCIAL_FUND = [500, 1000, 1000, 2000]
CHARGE_PERCENT = [Decimal("3.00"), Decimal("5.00"), Decimal("5.00"), Decimal("10.00")]
LONGEST_LOAN = [2, 3, 3, 3]
FINE_ABSENT = [0, 1000, 2000]
FINE_LATE = [500, 1000]

# How often a member comes and buys: each group has its own attendance (80 to 95 per cent).
ATTENDANCE = (0.80, 0.95)
USUAL_SHARES = {1: 20, 2: 30, 3: 25, 4: 15, 5: 10}  # weights of a member's usual shares a meeting

# Loans: the first ones come a few meetings in, when there is savings to lend.
FIRST_LOAN_MEETING = 3
LOANS_PER_MEETING = (0, 3)  # a few loans a month
LOAN_PURPOSES = [
    "ধানের বীজ ও সার",
    "বাছুর কেনা",
    "হাঁস-মুরগি পালন",
    "সবজি চাষ",
    "ছাগল কেনা",
    "মেয়ের স্কুলের ভর্তি",
    "সেচের খরচ",
    "মুদি দোকানের মালামাল",
    "Fish pond",
    "Sewing machine",
]
GRANT_ODDS = 0.06  # a group gives a social fund grant at about one meeting in sixteen
GRANTS = [20_000, 30_000, 50_000]  # a death, an illness, a flood-damaged house
FINE_ODDS = 0.003  # per member and meeting: late, or talking out of turn

WRITE_OFF_REASON = "সদস্যা অসুস্থ হয়ে ঢাকায় চলে গেছেন; সভা ঋণ মওকুফের সিদ্ধান্ত নিয়েছে।"

# Associations' books: a membership fee and its payments, a grant, an asset rented out, running costs.
FEES = [(6000, "quarterly", 3), (10_000, "yearly", 12)]  # amount, frequency, months a period
FEE_MONTHS_AGO = 5
DUES_ARREARS = 0.25  # the share of members behind with their dues
MOBILE_MONEY = 0.2  # the share of payments by bKash or Nagad
GRANT = ("প্রকল্প অনুদান: যন্ত্রপাতি ও অফিস খরচ", 30_000_000)
GRANT_MONTHS_AGO = 8
# kind, name, price, unit, rate, quantities (low, high), rentals
ASSETS = [
    ("power_tiller", "পাওয়ার টিলার (১২ অশ্বশক্তি)", 18_000_000, "acre", 150_000, (0.33, 3.0), 30),
    ("pump", "শ্যালো মেশিন (সেচ পাম্প)", 6_500_000, "hour", 15_000, (2, 10), 40),
]
NON_MEMBER_RENTERS = ["আব্দুল করিম (পাশের গ্রাম)", "Md. Rafiqul Islam", "হরিপদ বর্মন"]
ASSET_COSTS = [
    ("ডিজেল", 150_000, 400_000),
    ("মেরামত ও যন্ত্রাংশ", 200_000, 800_000),
    ("চালকের মজুরি", 100_000, 300_000),
]
RUNNING_COSTS = [
    ("অফিস ঘর ভাড়া", 100_000),
    ("সভার চা-নাস্তা", 30_000),
    ("খাতা-কলম ও রসিদ বই", 20_000),
    ("মোবাইল ফোনের খরচ", 15_000),
]
