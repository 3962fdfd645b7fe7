"""What the access demo (`manage.py demo_access`) writes: where applications are handed in, what
offices answer, what members complain of, and why they are referred. Only that command uses it.
"""

from samiti.access.models import Application, RejectionReason

Status = Application.Status

# The share of demo applications left at each status (weights, not percentages).
STAGES = {
    Status.IDENTIFIED: 20,
    Status.DOCUMENTS_READY: 12,
    Status.SUBMITTED: 18,
    Status.APPROVED: 7,
    Status.REJECTED: 14,
    Status.RECEIVING: 23,
    Status.STOPPED: 6,
}
# The steps taken to reach each status (receiving straight after submitted now and then).
PATHS = {
    Status.IDENTIFIED: [],
    Status.DOCUMENTS_READY: [Status.DOCUMENTS_READY],
    Status.SUBMITTED: [Status.DOCUMENTS_READY, Status.SUBMITTED],
    Status.APPROVED: [Status.DOCUMENTS_READY, Status.SUBMITTED, Status.APPROVED],
    Status.REJECTED: [Status.DOCUMENTS_READY, Status.SUBMITTED, Status.REJECTED],
    Status.RECEIVING: [Status.DOCUMENTS_READY, Status.SUBMITTED, Status.APPROVED, Status.RECEIVING],
    Status.STOPPED: [
        Status.DOCUMENTS_READY,
        Status.SUBMITTED,
        Status.APPROVED,
        Status.RECEIVING,
        Status.STOPPED,
    ],
}

REJECTION_REASONS = {
    RejectionReason.QUOTA_FULL: 30,
    RejectionReason.NOT_LISTED: 22,
    RejectionReason.DOCUMENTS: 15,
    RejectionReason.OTHER_ALLOWANCE: 10,
    RejectionReason.AGE_PROOF: 8,
    RejectionReason.PAYMENT_ASKED: 10,
    RejectionReason.NOT_ELIGIBLE: 5,
}
REJECTION_NOTES = {
    RejectionReason.QUOTA_FULL: "ইউনিয়নের বরাদ্দ শেষ; পরের অর্থবছরে আবার আবেদন করতে বলা হয়েছে।",
    RejectionReason.NOT_LISTED: "ওয়ার্ড কমিটির তালিকায় নাম ওঠেনি।",
    RejectionReason.DOCUMENTS: "আয়ের সনদ গ্রহণ করা হয়নি; নতুন সনদ লাগবে।",
    RejectionReason.OTHER_ALLOWANCE: "Listed as receiving another allowance in the MIS.",
    RejectionReason.AGE_PROOF: "জাতীয় পরিচয়পত্রের বয়স কম দেখানো হয়েছে।",
    RejectionReason.PAYMENT_ASKED: "তালিকায় নাম তুলতে দুই হাজার টাকা চাওয়া হয়েছে।",
    RejectionReason.NOT_ELIGIBLE: "Household land above the limit according to the committee.",
}

# Where and to whom, by the kind of office the scheme names (Authority.Kind values).
SUBMITTED = {
    "union_parishad": ("ইউনিয়ন ডিজিটাল সেন্টার", "ইউপি সচিব"),
    "social_services_office": ("উপজেলা সমাজসেবা কার্যালয়", "ইউনিয়ন সমাজকর্মী"),
    "agriculture_block": ("ব্লক অফিস", "উপ-সহকারী কৃষি কর্মকর্তা"),
    "agriculture_office": ("উপজেলা কৃষি অফিস", "Upazila Agriculture Officer"),
}
SUBMITTED_ELSEWHERE = ("Union Parishad office", "Ward member")
STEP_NOTES = {
    Status.DOCUMENTS_READY: "সব কাগজ ফটোকপি করে রাখা হয়েছে।",
    Status.APPROVED: "উপজেলা কমিটির সভায় অনুমোদিত।",
    Status.RECEIVING: "প্রথম কিস্তি মোবাইল ব্যাংকিংয়ে এসেছে।",
    Status.STOPPED: "Payments stopped after the beneficiary list was revised.",
}

# Grievances: the category for a rejection reason (or a stalled application), and what happened.
CATEGORY_FOR = {
    RejectionReason.PAYMENT_ASKED: "payment_demanded",
    "stalled": "stalled_application",
}
DEFAULT_CATEGORY = "unfair_rejection"
GRIEVANCES = {
    "payment_demanded": "ইউপি সদস্য তালিকায় নাম তোলার জন্য টাকা চেয়েছেন; সদস্যা টাকা দেননি বলে আবেদন বাতিল।",
    "stalled_application": "আবেদন জমা দেওয়ার পর কয়েক মাস কোনো খবর নেই; অফিসে গেলে পরে আসতে বলে।",
    "unfair_rejection": "সব শর্ত পূরণ করার পরও আবেদন বাতিল হয়েছে; একই ওয়ার্ডে সচ্ছল পরিবার তালিকায় আছে।",
}
RAISED_WITH = ["ইউপি চেয়ারম্যান", "Upazila Social Services Officer", "উপজেলা নির্বাহী অফিসার (UNO)"]
ESCALATED_TO = "জেলা প্রশাসক কার্যালয়ের অভিযোগ শাখা"
RESOLUTIONS = [
    "পুনর্বিবেচনায় নাম তালিকায় তোলা হয়েছে।",
    "Application re-submitted with a new income certificate; listed in the next cycle.",
]
DROPPED = "সদস্যা অন্য ইউনিয়নে চলে গেছেন।"

# Referrals to the extension services, by scheme code.
REFERRALS = {
    "saao_advice": ("উপ-সহকারী কৃষি কর্মকর্তা, ব্লক ৩", "ধানে মাজরা পোকার আক্রমণ; পরামর্শ দরকার।"),
    "livestock_vaccination": ("উপজেলা প্রাণিসম্পদ অফিসের ভ্যাকসিনেটর", "গরুর ক্ষুরারোগের টিকা দেওয়া হয়নি।"),
}
OUTCOME_NOTES = {
    True: "সেবা পেয়েছেন; কর্মকর্তা মাঠে এসেছিলেন।",
    False: "Officer was not at the office on two visits.",
}
