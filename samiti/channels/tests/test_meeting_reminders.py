"""Meeting reminders: each member told once of a planned meeting a day or two ahead, in their
language; a group's meeting reaches its group, an association's every member under it, a committee
meeting the committee; held, cancelled and far-off meetings none."""

import datetime
import itertools

import pytest
from django.core.management import call_command
from django.utils import timezone

from samiti.channels.encoding import sms_length
from samiti.channels.models import Message
from samiti.channels.reminders import remind_meetings, reminder_texts
from samiti.channels.services import opt_out, set_language
from samiti.registry import testing
from samiti.registry.models import Meeting, Member
from samiti.registry.services import assign_office, plan_meeting

pytestmark = pytest.mark.django_db
_phones = itertools.count(1)
NOW = timezone.make_aware(datetime.datetime(2026, 4, 6, 7, 0))  # a Monday morning in Dhaka


def person(group, language="bn", **fields):
    found = testing.member(group, phone=f"0171900{next(_phones):04d}", **fields)
    if language == "en":
        set_language(member=found, language="en", channel="sms")
    return found


@pytest.fixture
def place():
    group = testing.group()
    group.name_bn = "শাপলা দল"
    group.save()
    other_group = testing.group(group.parent)
    left = person(group)
    Member.objects.filter(pk=left.pk).update(left_on=datetime.date(2026, 3, 1))
    return {
        "group": group,
        "association": group.parent,
        "bn": person(group),
        "en": person(group, "en"),
        "other": person(other_group),
        "left": left,
    }


def meeting(organisation, hours: float, **fields) -> Meeting:
    fields.setdefault("kind", Meeting.Kind.GROUP)
    return plan_meeting(
        actor=None, organisation=organisation, starts_at=NOW + datetime.timedelta(hours=hours), **fields
    )


def reminded(meeting: Meeting) -> dict[int, Message]:
    return {m.member_id: m for m in Message.objects.filter(topic=f"meeting:{meeting.pk}")}


def test_a_group_meeting_tomorrow_reminds_the_groups_members_in_their_language(place):
    tomorrow = meeting(place["group"], 27, place="School yard")  # Tuesday 10:00
    remind_meetings(now=NOW)
    told = reminded(tomorrow)
    assert set(told) == {place["bn"].pk, place["en"].pk}  # not the other group's, not who left
    assert told[place["en"].pk].text == (
        f"Reminder: group meeting of {place['group'].name_en} on 7/4/2026 at 10:00, School yard."
    )
    assert told[place["bn"].pk].text == "স্মরণ: ৭/৪/২০২৬ ১০:০০ টায় শাপলা দল-এর দলের সভা, স্থান: School yard।"


def test_an_association_meeting_reminds_every_active_member_under_it(place):
    assembly = meeting(place["association"], 30, kind=Meeting.Kind.GENERAL_ASSEMBLY, title="AGM 2026")
    remind_meetings(now=NOW)
    assert set(reminded(assembly)) == {place["bn"].pk, place["en"].pk, place["other"].pk}
    assert reminded(assembly)[place["en"].pk].text.startswith("Reminder: AGM 2026 of ")


def test_a_committee_meeting_reminds_only_the_committee(place):
    assign_office(
        actor=None,
        organisation=place["group"],
        member=place["en"],
        office="president",
        started_on=datetime.date(2026, 1, 1),
    )
    committee = meeting(place["group"], 20, kind=Meeting.Kind.COMMITTEE)
    remind_meetings(now=NOW)
    assert set(reminded(committee)) == {place["en"].pk}


def test_running_twice_reminds_each_member_once_and_stop_is_honoured(
    place, django_capture_on_commit_callbacks
):
    opt_out(member=place["bn"], channel="sms")
    tomorrow = meeting(place["group"], 27)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_meeting_reminders", "--hours", "48", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with django_capture_on_commit_callbacks(execute=True):
        remind_meetings(now=NOW + datetime.timedelta(hours=3))
        remind_meetings(now=NOW)
    told = Message.objects.filter(topic=f"meeting:{tomorrow.pk}")
    assert told.count() == 2
    assert dict(told.values_list("member_id", "status")) == {
        place["bn"].pk: "skipped",
        place["en"].pk: "sent",
    }


def test_meetings_held_cancelled_past_or_beyond_the_window_remind_nobody(place):
    meeting(place["group"], 27, status=Meeting.Status.CANCELLED)
    meeting(place["group"], -2)
    meeting(place["group"], 50)
    meeting(place["group"], 5, status=Meeting.Status.HELD)
    assert remind_meetings(now=NOW) == []
    soon = meeting(place["group"], 5)
    assert [(m.pk, n) for m, n in remind_meetings(now=NOW, hours=6)] == [(soon.pk, 2)]
    assert not Message.objects.exclude(topic=f"meeting:{soon.pk}").exists()


def test_a_reminder_fits_two_segments_at_its_longest(place):
    long = "ক" * 200
    place["group"].name_bn = long[:150]
    for kind in Meeting.Kind.values:
        for title in ("", long):
            texts = reminder_texts(
                Meeting(
                    organisation=place["group"],
                    kind=kind,
                    title=title,
                    place=long,
                    starts_at=timezone.make_aware(datetime.datetime(2026, 12, 30, 23, 59)),
                )
            )
            for text in texts.values():
                assert sms_length(text).segments <= 2, text
            assert "স্থান: ক" in texts["bn"]  # some of the place is left
