"""Meeting reminders: each member told once of a planned meeting a day or two before it.

Time, not a write, brings a meeting near, so no event announces it: `remind_meetings` is run daily
(`manage.py send_meeting_reminders`, by cron). A member is told of a meeting once (the topic
"meeting:<id>"), however often it runs; a group's meeting reaches the group's members, a committee
meeting the committee, any other meeting every active member of the organisation, all its groups
included.
"""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from samiti.channels.broadcasts import tell_members
from samiti.channels.encoding import clip
from samiti.channels.models import Message
from samiti.channels.receivers import fitted, short_name, sms_day
from samiti.core.bengali import to_bengali_digits
from samiti.registry.models import CommitteeOffice, Meeting, Member
from samiti.registry.queries import active_members

REMINDER = {
    "en": "Reminder: %(what)s of %(organisation)s on %(day)s at %(time)s%(place)s.",
    "bn": "স্মরণ: %(day)s %(time)s টায় %(organisation)s-এর %(what)s%(place)s।",
}
PLACE = {"en": ", %(place)s", "bn": ", স্থান: %(place)s"}
KINDS = {
    Meeting.Kind.GROUP: ("group meeting", "দলের সভা"),
    Meeting.Kind.COMMITTEE: ("committee meeting", "কমিটির সভা"),
    Meeting.Kind.GENERAL_ASSEMBLY: ("general assembly", "সাধারণ সভা"),
    Meeting.Kind.SAVINGS: ("savings meeting", "সঞ্চয় সভা"),
    Meeting.Kind.WARD_SHAVA: ("ward shava", "ওয়ার্ড সভা"),
    Meeting.Kind.OPEN_BUDGET: ("open budget meeting", "উন্মুক্ত বাজেট সভা"),
    Meeting.Kind.WITH_OFFICIALS: ("meeting with officials", "কর্মকর্তাদের সাথে সভা"),
    Meeting.Kind.INTERFACE: ("score card meeting", "স্কোর কার্ড সভা"),
    Meeting.Kind.OTHER: ("meeting", "সভা"),
}
TITLE_LIMIT = 40  # code units of a meeting's title; the place is cut to what room is left


def reminder_texts(meeting: Meeting) -> dict[str, str]:
    """The reminder of a meeting in both languages: what, whose, when and where."""
    starts = timezone.localtime(meeting.starts_at)
    texts = {}
    for i, language in enumerate(("en", "bn")):
        what = clip(meeting.title or KINDS.get(meeting.kind, KINDS[Meeting.Kind.OTHER])[i], TITLE_LIMIT)
        time = f"{starts.hour}:{starts.minute:02d}"
        parts = {
            "what": what,
            "organisation": short_name(meeting.organisation, language, limit=30),
            "day": sms_day(starts.date(), language),
            "time": to_bengali_digits(time) if language == "bn" else time,
        }
        wording = (
            REMINDER[language].replace("%(place)s", PLACE[language]) if meeting.place else REMINDER[language]
        )
        texts[language] = fitted(wording, parts, "place", meeting.place.strip())
    return texts


def audience(meeting: Meeting) -> QuerySet[Member]:
    """The members a meeting's reminder goes to."""
    if meeting.kind == Meeting.Kind.COMMITTEE:
        today = timezone.localdate()
        seats = CommitteeOffice.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=today),
            organisation_id=meeting.organisation_id,
            started_on__lte=today,
        )
        return Member.objects.filter(is_active=True, pk__in=seats.values("member_id"))
    return active_members(meeting.organisation)


def remind_meetings(*, hours: int = 48, now: datetime.datetime | None = None) -> list[tuple[Meeting, int]]:
    """Tell the members of every planned meeting starting within `hours` from `now`, those not told
    yet; each meeting with how many messages are queued for it."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED,
            starts_at__gt=now,
            starts_at__lte=now + datetime.timedelta(hours=hours),
        )
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )
    done = []
    for meeting in meetings:
        queued = tell_members(
            members=audience(meeting),
            topic=f"meeting:{meeting.pk}",
            kind=Message.Kind.NOTIFICATION,
            texts=reminder_texts(meeting),
        )
        done.append((meeting, queued))
    return done
