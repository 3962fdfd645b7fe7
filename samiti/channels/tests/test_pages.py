"""The message pages: the history in and out with its filters and counts, the leaders' inbox where a
message is marked dealt with, one member's messages, and the console outbox; all scoped."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samiti.channels import services
from samiti.channels.encoding import sms_length
from samiti.channels.errors import ChannelError
from samiti.channels.models import Message
from samiti.channels.services import mark_dealt_with
from samiti.core.models import AuditEvent
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
IN, OUT = Message.Direction.IN, Message.Direction.OUT


def message(member=None, *, direction=IN, text="BAL", status=None, kind=None, phone="", days_ago=0, **fields):
    """A message as the gateways and commands record it (their code is not under test here)."""
    length = sms_length(text)
    made = Message.objects.create(
        direction=direction,
        gateway="console",
        phone=phone or (member.phone if member else "+8801700000000"),
        member=member,
        association_id=member.association_id if member else None,
        text=text,
        kind=kind or (Message.Kind.COMMAND if direction == IN else Message.Kind.REPLY),
        status=status or (Message.Status.HANDLED if direction == IN else Message.Status.SENT),
        segments=length.segments,
        encoding=length.encoding,
        **fields,
    )
    if days_ago:
        Message.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return made


@pytest.fixture
def place():
    """Two associations; the first with two groups, each with a member on a phone."""
    first = testing.group()
    second_group = testing.organisation("group", first.parent)
    elsewhere = testing.group()
    return {
        "association": first.parent,
        "group": first,
        "rina": testing.member(first, name_en="Rina Begum", phone="01711000001"),
        "salma": testing.member(second_group, name_en="Salma Khatun", phone="01711000002"),
        "other": testing.member(elsewhere, name_en="Outside Member", phone="01711000003"),
    }


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def leader_of(place, role=Role.ASSOCIATION_LEADER):
    return testing.staff(role, organisation=place["association"])


def listed(response) -> list[str]:
    return [m.text for m in response.context["items"]]


# ----- scope -------------------------------------------------------------------------------------


def test_a_leader_sees_the_messages_of_their_association_and_not_another_ones(place):
    message(place["rina"], text="BAL")
    message(place["salma"], direction=OUT, text="Your savings: Tk 500")
    message(place["other"], text="HELP")
    message(None, text="Who is this?", phone="+8801999999999")
    response = client_of(leader_of(place)).get(reverse("channels:home"))
    assert response.status_code == 200
    assert sorted(listed(response)) == ["BAL", "Your savings: Tk 500"]
    assert "HELP" not in response.content.decode()


def test_a_group_leader_sees_only_their_groups_members_messages(place):
    message(place["rina"], text="BAL")
    message(place["salma"], text="MEETING")
    leader = testing.staff(Role.GROUP_LEADER, organisation=place["group"])
    assert listed(client_of(leader).get(reverse("channels:home"))) == ["BAL"]


def test_only_programme_admins_see_messages_from_unknown_numbers(place):
    message(None, text="Who is this?", phone="+8801999999999")
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    assert listed(client_of(admin).get(reverse("channels:home"))) == ["Who is this?"]
    assert listed(client_of(leader_of(place)).get(reverse("channels:home"))) == []


def test_a_members_messages_page_answers_404_out_of_scope(place):
    client = client_of(testing.staff(Role.GROUP_LEADER, organisation=place["group"]))
    assert client.get(reverse("channels:member_messages", args=[place["rina"].pk])).status_code == 200
    assert client.get(reverse("channels:member_messages", args=[place["salma"].pk])).status_code == 404
    assert client.get(reverse("channels:member_messages", args=[place["other"].pk])).status_code == 404


def test_an_organisation_out_of_scope_as_a_filter_answers_404(place):
    client = client_of(leader_of(place))
    outside = place["other"].association_id
    assert client.get(reverse("channels:home"), {"organisation": outside}).status_code == 404


# ----- the history -------------------------------------------------------------------------------


def test_the_history_lists_newest_first_with_member_phone_kind_status_and_segments(place):
    message(place["rina"], text="BAL", days_ago=2)
    bengali = "আপনার সঞ্চয় ৫০০ টাকা। " * 5
    message(
        place["rina"], direction=OUT, text=bengali, kind=Message.Kind.RECEIPT, status=Message.Status.DELIVERED
    )
    response = client_of(leader_of(place)).get(reverse("channels:home"))
    assert listed(response) == [bengali, "BAL"]
    html = response.content.decode()
    row = html[html.index(f'id="message-{response.context["items"][0].pk}"') :].split("</tr>")[0]
    member_url = reverse("channels:member_messages", args=[place["rina"].pk])
    assert f'href="{member_url}">Rina Begum</a>' in row
    assert "+8801711000001" in row and "savings receipt" in row and "delivered" in row
    assert f"SMS segments: </span>{sms_length(bengali).segments}</td>" in row


def test_the_history_filters_by_direction_status_kind_organisation_member_dates_and_text(place):
    rina, salma = place["rina"], place["salma"]
    message(rina, text="BAL", days_ago=10)
    message(rina, direction=OUT, text="Savings Tk 500", days_ago=10)
    message(salma, text="DEMAND a tube well", status=Message.Status.NEEDS_ACTION, days_ago=3)
    message(salma, direction=OUT, text="Meeting on Sunday", kind=Message.Kind.NOTIFICATION, status="failed")
    client = client_of(testing.staff(Role.PROGRAMME_ADMIN))

    def shown(**filters) -> list[str]:
        response = client.get(reverse("channels:home"), filters)
        assert response.status_code == 200
        return sorted(listed(response))

    assert shown(direction="in") == ["BAL", "DEMAND a tube well"]
    assert shown(status="needs_action") == ["DEMAND a tube well"]
    assert shown(kind="notification") == ["Meeting on Sunday"]
    assert shown(organisation=place["group"].pk) == ["BAL", "Savings Tk 500"]
    assert shown(organisation=place["association"].pk) == sorted(
        ["BAL", "Savings Tk 500", "DEMAND a tube well", "Meeting on Sunday"]
    )
    assert shown(organisation=place["association"].parent_id, direction="out") == [
        "Meeting on Sunday",
        "Savings Tk 500",
    ]
    bengali_number = salma.code.lower().translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert shown(member=bengali_number) == ["DEMAND a tube well", "Meeting on Sunday"]
    today = timezone.localdate()
    assert shown(since=str(today - datetime.timedelta(days=5))) == ["DEMAND a tube well", "Meeting on Sunday"]
    assert shown(until=str(today - datetime.timedelta(days=5))) == ["BAL", "Savings Tk 500"]
    assert shown(q="tube") == ["DEMAND a tube well"]
    assert shown(q="০১৭১১০০০০০১") == ["BAL", "Savings Tk 500"]  # a phone, typed in Bengali digits


def test_a_bad_date_range_is_shown_on_the_field_and_the_other_filters_still_apply(place):
    message(place["rina"], text="BAL")
    message(place["rina"], direction=OUT, text="Savings Tk 500")
    response = client_of(leader_of(place)).get(
        reverse("channels:home"), {"direction": "in", "since": "2026-05-10", "until": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "The end comes before the start." in response.content.decode()
    assert listed(response) == ["BAL"]


def test_the_history_counts_messages_by_status_and_links_each_count(place):
    for _ in range(3):
        message(place["rina"], direction=OUT, text="Hello", status=Message.Status.DELIVERED)
    message(place["rina"], direction=OUT, text="Hello", status=Message.Status.FAILED)
    message(place["rina"], text="??", status=Message.Status.NEEDS_ACTION)
    response = client_of(leader_of(place)).get(reverse("channels:home"), {"direction": "out"})
    counts = {c["status"]: c["n"] for c in response.context["counts"]}
    assert counts == {"delivered": 3, "failed": 1}
    failed = next(c for c in response.context["counts"] if c["status"] == "failed")
    assert "direction=out" in failed["query"] and "status=failed" in failed["query"]
    assert len(listed(client_of(leader_of(place)).get(f"{reverse('channels:home')}?{failed['query']}"))) == 1


def test_the_history_pages_through_many_messages(place, monkeypatch):
    from samiti.channels.views import inbox as views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for n in range(5):
        message(place["rina"], text=f"BAL {n}", days_ago=5 - n)
    client = client_of(leader_of(place))
    assert listed(client.get(reverse("channels:home"), {"direction": "in"})) == ["BAL 4", "BAL 3", "BAL 2"]
    second = client.get(reverse("channels:home"), {"direction": "in", "page": 2})
    assert listed(second) == ["BAL 1", "BAL 0"]
    assert "direction=in&amp;page=1" in second.content.decode()


def test_the_history_takes_the_same_queries_whatever_its_length(place, django_assert_max_num_queries):
    client = client_of(leader_of(place))
    message(place["rina"])
    client.get(reverse("channels:home"))  # session warm
    for member in (place["rina"], place["salma"]) * 15:
        message(member, text="BAL")
        message(member, direction=OUT, text="Savings Tk 500")
    with django_assert_max_num_queries(7):
        response = client.get(reverse("channels:home"))
    assert len(listed(response)) == 50


# ----- the inbox ---------------------------------------------------------------------------------


def test_the_inbox_lists_only_inbound_messages_waiting_for_a_leader_the_oldest_first(place):
    older = message(place["rina"], text="DEMAND a tube well", status=Message.Status.NEEDS_ACTION, days_ago=2)
    newer = message(place["salma"], text="PLEASE CALL", status=Message.Status.NEEDS_ACTION)
    message(place["rina"], text="BAL")
    message(place["other"], text="DEMAND a road", status=Message.Status.NEEDS_ACTION)
    message(place["rina"], direction=OUT, text="Your demand was sent to your leader.", reply_to=older)
    response = client_of(leader_of(place)).get(reverse("channels:inbox"))
    assert [m for m, _form in response.context["rows"]] == [older, newer]
    html = response.content.decode()
    assert "Your demand was sent to your leader." in html
    assert "DEMAND a road" not in html


def test_the_inbox_takes_the_same_queries_whatever_its_length(place, django_assert_max_num_queries):
    client = client_of(leader_of(place))
    client.get(reverse("channels:inbox"))
    for n in range(20):
        asked = message(place["rina"], text=f"WHAT {n}", status=Message.Status.NEEDS_ACTION)
        message(place["rina"], direction=OUT, text="Send HELP for the commands.", reply_to=asked)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("channels:inbox"))
    assert len(response.context["rows"]) == 20


def test_an_editor_marks_a_message_dealt_with_and_it_leaves_the_inbox_audited_with_the_note(place):
    waiting = message(place["rina"], text="DEMAND a tube well", status=Message.Status.NEEDS_ACTION)
    leader = leader_of(place)
    client = client_of(leader)
    url = reverse("channels:dealt_with", args=[waiting.pk])
    response = client.post(url, {f"m{waiting.pk}-note": "Added to the charter"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("channels:inbox")
    assert "Marked as dealt with." in response.content.decode()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.handled_by, waiting.status_at is not None) == ("done", leader, True)
    assert response.context["rows"] == []
    event = AuditEvent.objects.get(object_type="channels.message", object_id=waiting.pk)
    assert (event.actor, event.note, event.association_id) == (
        leader,
        "Added to the charter",
        waiting.association_id,
    )
    assert event.changes["status"] == ["needs_action", "done"]


def test_a_viewer_sees_the_inbox_without_buttons_and_may_not_mark_a_message(place):
    waiting = message(place["rina"], text="DEMAND a tube well", status=Message.Status.NEEDS_ACTION)
    client = client_of(leader_of(place, Role.VIEWER))
    page = client.get(reverse("channels:inbox")).content.decode()
    assert "DEMAND a tube well" in page and "Mark as dealt with" not in page
    assert client.post(reverse("channels:dealt_with", args=[waiting.pk])).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == "needs_action"


def test_a_message_out_of_scope_cannot_be_marked(place):
    waiting = message(place["other"], text="DEMAND a road", status=Message.Status.NEEDS_ACTION)
    assert (
        client_of(leader_of(place)).post(reverse("channels:dealt_with", args=[waiting.pk])).status_code == 404
    )
    with pytest.raises(ChannelError):
        mark_dealt_with(actor=leader_of(place), message=waiting)


def test_a_message_another_leader_dealt_with_is_refused_with_a_clear_error(place):
    waiting = message(place["rina"], text="DEMAND a tube well", status=Message.Status.NEEDS_ACTION)
    first, second = leader_of(place), leader_of(place)
    mark_dealt_with(actor=first, message=waiting)
    response = client_of(second).post(reverse("channels:dealt_with", args=[waiting.pk]), {}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("channels:inbox")
    assert "This message does not wait for a leader." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.handled_by == first
    assert AuditEvent.objects.filter(object_type="channels.message", object_id=waiting.pk).count() == 1


def test_a_note_too_long_is_shown_on_its_field_and_kept(place):
    waiting = message(place["rina"], text="DEMAND a tube well", status=Message.Status.NEEDS_ACTION)
    note = "x" * 301
    response = client_of(leader_of(place)).post(
        reverse("channels:dealt_with", args=[waiting.pk]), {f"m{waiting.pk}-note": note}
    )
    assert response.status_code == 400
    assert note in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "needs_action"


# ----- one member's messages ---------------------------------------------------------------------


def test_a_members_page_shows_their_messages_and_channel_settings(place):
    rina = place["rina"]
    message(rina, text="STOP", days_ago=1)
    message(rina, direction=OUT, text="You will get no more messages. Send START to get them again.")
    message(place["salma"], text="BAL")
    services.set_language(member=rina, language="en", channel="sms")
    services.opt_out(member=rina, channel="sms")
    response = client_of(leader_of(place)).get(reverse("channels:member_messages", args=[rina.pk]))
    assert listed(response) == ["You will get no more messages. Send START to get them again.", "STOP"]
    settings_card = response.content.decode().split('id="channel-settings"')[1].split("</section>")[0]
    assert "English" in settings_card and "opted out (STOP) since" in settings_card
    assert "not chosen" not in settings_card


def test_a_member_who_never_used_the_channels_shows_the_defaults_and_nothing_is_written(place):
    response = client_of(leader_of(place)).get(reverse("channels:member_messages", args=[place["salma"].pk]))
    html = response.content.decode()
    assert "বাংলা" in html and "not chosen by the member" in html and "receives messages" in html
    assert "No message here." in html
    assert not place["salma"].__class__.objects.filter(pk=place["salma"].pk, contact__isnull=False).exists()


def test_the_member_page_links_to_their_messages(place):
    html = client_of(leader_of(place)).get(reverse("registry:member_detail", args=[place["rina"].pk]))
    assert reverse("channels:member_messages", args=[place["rina"].pk]) in html.content.decode()


# ----- the outbox --------------------------------------------------------------------------------


def test_the_outbox_shows_outbound_texts_with_segments_and_encoding_newest_first(place, settings):
    settings.DEBUG = True
    bengali = "আপনার সঞ্চয় ৫০০ টাকা"
    message(place["rina"], direction=OUT, text="Savings Tk 500", days_ago=1)
    message(place["rina"], direction=OUT, text=bengali)
    message(place["rina"], text="BAL")
    response = client_of(leader_of(place)).get(reverse("channels:outbox"))
    assert [m.text for m, _length in response.context["shown"]] == [bengali, "Savings Tk 500"]
    html = response.content.decode()
    assert f"SMS segments: 1 · length: {len(bengali)} · UCS-2" in html
    assert "SMS segments: 1 · length: 14 · GSM-7" in html
    other = message(place["salma"], direction=OUT, text="Meeting on Sunday")
    typed = client_of(leader_of(place)).get(reverse("channels:outbox"), {"phone": "০১৭১১০০০০০২"})
    assert [m for m, _length in typed.context["shown"]] == [other]


def test_outside_debug_only_programme_admins_see_the_outbox(place, settings):
    settings.DEBUG = False
    message(place["rina"], direction=OUT, text="Savings Tk 500")
    leader = client_of(leader_of(place))
    assert leader.get(reverse("channels:outbox")).status_code == 404
    assert reverse("channels:outbox") not in leader.get(reverse("channels:home")).content.decode()
    admin = client_of(testing.staff(Role.PROGRAMME_ADMIN))
    assert "Savings Tk 500" in admin.get(reverse("channels:outbox")).content.decode()


# ----- language ----------------------------------------------------------------------------------


def test_the_pages_render_in_bengali_with_bengali_digits(place):
    for n in range(12):
        message(place["rina"], text=f"BAL {n}")
    message(place["rina"], text="DEMAND", status=Message.Status.NEEDS_ACTION)
    client = client_of(leader_of(place))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    home = client.get(reverse("channels:home"), HTTP_ACCEPT_LANGUAGE="bn").content.decode()
    assert '<html lang="bn">' in home
    assert '<span class="badge">১৩</span>' in home  # the count of messages
    assert "+৮৮০১৭১১০০০০০১" in home  # the phone
    assert str(timezone.localdate().year) not in home.split("<tbody>")[1].split("</tbody>")[0]
    inbox = client.get(reverse("channels:inbox"), HTTP_ACCEPT_LANGUAGE="bn")
    assert inbox.status_code == 200 and "১" in inbox.content.decode()
    member = client.get(
        reverse("channels:member_messages", args=[place["rina"].pk]), HTTP_ACCEPT_LANGUAGE="bn"
    )
    assert member.status_code == 200 and "বাংলা" in member.content.decode()


def test_the_member_page_and_the_outbox_take_the_same_queries_whatever_their_length(
    place, settings, django_assert_max_num_queries
):
    settings.DEBUG = True
    client = client_of(leader_of(place))
    client.get(reverse("channels:outbox"))
    for _ in range(20):
        message(place["rina"], text="BAL")
        message(place["rina"], direction=OUT, text="Savings Tk 500")
    with django_assert_max_num_queries(7):
        member = client.get(reverse("channels:member_messages", args=[place["rina"].pk]))
    with django_assert_max_num_queries(5):
        outbox = client.get(reverse("channels:outbox"))
    assert (len(listed(member)), len(outbox.context["shown"])) == (40, 20)
