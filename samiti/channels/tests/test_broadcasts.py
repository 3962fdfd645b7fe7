"""Broadcasts: the figures shown before sending, STOP honoured, sending in the background throttled
to the gateway's rate, resumed after a crash without anyone getting a message twice, cancelled
between two messages, and each leader's broadcast kept to their own members."""

import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from samiti.channels import broadcasts, services
from samiti.channels.broadcasts import run_broadcast, start_broadcast
from samiti.channels.errors import ChannelError
from samiti.channels.gateways.console import Console
from samiti.channels.models import Broadcast, Message
from samiti.core.models import AuditEvent
from samiti.registry import testing
from samiti.registry.models import Role

pytestmark = pytest.mark.django_db
Status = Message.Status
_phones = itertools.count(1)

# Hand-counted: 71 Bengali letters are 71 UCS-2 units, one more than a single SMS holds, so two
# segments of 67; the English text is 24 GSM-7 characters, one segment.
BENGALI_71 = "ক" * 71
ENGLISH_24 = "Meeting on Friday at 10."


def person(group, *, language="bn", phone=True, **fields):
    member = testing.member(group, phone=f"0171{next(_phones):07d}" if phone else "", **fields)
    if language == "en":
        services.set_language(member=member, language="en", channel="sms")
    return member


@pytest.fixture
def place():
    association = testing.organisation("association", testing.organisation("federation"))
    other = testing.organisation("association", association.parent)
    return {
        "association": association,
        "group": testing.group(association),
        "other": other,
        "other_group": testing.group(other),
    }


@pytest.fixture
def sent(monkeypatch):
    """The phones the gateway was handed a message for, in order (the console gateway, watched)."""
    phones: list[str] = []
    send = Console.send

    def watched(self, message):
        phones.append(message.phone)
        return send(self, message)

    monkeypatch.setattr(Console, "send", watched)
    return phones


def leader(place, role=Role.ASSOCIATION_LEADER):
    return testing.staff(role, organisation=place["association"])


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start(user, filters=None, text_bn=BENGALI_71, text_en=ENGLISH_24) -> Broadcast:
    return start_broadcast(actor=user, filters=filters or {}, text_bn=text_bn, text_en=text_en)


def no_pause(seconds: float) -> None:
    pass


# ----- the figures before sending ------------------------------------------------------------------


def test_the_preview_counts_recipients_languages_segments_and_cost_as_counted_by_hand(place, settings):
    settings.SMS_COST_PER_SEGMENT = 25
    for _ in range(3):
        person(place["group"])
    for _ in range(2):
        person(place["group"], language="en")
    services.opt_out(member=person(place["group"]), channel="sms")
    person(place["group"], phone=False)
    person(place["other_group"])  # not in the filter

    figures = broadcasts.preview(
        user=leader(place),
        filters={"organisation": place["group"]},
        text_bn=BENGALI_71,
        text_en=ENGLISH_24,
    )

    assert (figures.recipients, figures.bengali, figures.english) == (5, 3, 2)
    assert (figures.segments_bn, figures.encoding_bn) == (2, "UCS-2")
    assert (figures.segments_en, figures.encoding_en) == (1, "GSM-7")
    assert figures.segments == 3 * 2 + 2 * 1
    assert figures.cost == 8 * 25
    assert (figures.opted_out, figures.without_phone) == (1, 1)


def test_a_text_left_blank_takes_the_other_languages_and_its_segments(place):
    person(place["group"], language="en")
    figures = broadcasts.preview(user=leader(place), filters={}, text_bn="ক" * 135, text_en="")
    assert figures.segments_en == 3  # 135 UCS-2 units: 67 + 67 + 1
    assert figures.segments == 3


def test_the_new_broadcast_page_shows_the_figures_before_anything_is_sent(place, settings):
    settings.SMS_COST_PER_SEGMENT = 50
    person(place["group"])
    person(place["group"], language="en")
    client = client_of(leader(place))

    response = client.post(
        reverse("channels:broadcast_new"),
        {"sex": "F", "text_bn": BENGALI_71, "text_en": ENGLISH_24, "preview": ""},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="preview-recipients">2<' in page
    assert 'id="preview-segments">3<' in page
    assert "৳1.50" in page  # 3 segments at 50 poisha
    assert not Broadcast.objects.exists()


def test_sending_from_the_page_makes_the_broadcast_and_queues_its_task(
    place, django_capture_on_commit_callbacks
):
    women = [person(place["group"]) for _ in range(2)]
    person(place["group"], sex="M")
    client = client_of(leader(place))
    form = {"sex": "F", "text_bn": BENGALI_71, "text_en": ENGLISH_24, "expected": "2", "send": ""}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("channels:broadcast_new"), form)

    broadcast = Broadcast.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("channels:broadcast_detail", args=[broadcast.pk])
    assert (broadcast.status, broadcast.recipients, broadcast.segments) == ("sending", 2, 4)
    assert broadcast.filters == {"sex": "F"}
    task = DBTaskResult.objects.get()
    assert task.task_path == "samiti.channels.broadcasts.send_broadcast"
    assert task.args_kwargs == {"args": [broadcast.pk], "kwargs": {}}
    assert AuditEvent.objects.filter(action="create", object_id=str(broadcast.pk)).exists()

    run_broadcast(broadcast.pk, sleep=no_pause)
    assert set(broadcast.messages.values_list("member_id", flat=True)) == {m.pk for m in women}


def test_a_count_changed_since_the_preview_is_shown_again_not_sent(place):
    person(place["group"])
    person(place["group"])
    form = {"text_bn": BENGALI_71, "text_en": "", "expected": "1", "send": ""}
    response = client_of(leader(place)).post(reverse("channels:broadcast_new"), form)
    assert 'id="preview-recipients">2<' in response.content.decode()
    assert not Broadcast.objects.exists()


def test_a_broadcast_needs_a_text_and_keeps_what_was_typed(place):
    person(place["group"])
    response = client_of(leader(place)).post(
        reverse("channels:broadcast_new"),
        {"sex": "F", "text_bn": " ", "text_en": "", "send": "", "expected": "1"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["text_bn"]
    assert 'value="F" selected' in response.content.decode()
    assert not Broadcast.objects.exists()


def test_a_text_too_long_for_five_segments_is_refused(place):
    person(place["group"])
    with pytest.raises(ChannelError) as refused:
        start(leader(place), text_bn="ক" * (67 * 5 + 1))
    assert refused.value.field == "text_bn"


def test_a_read_only_viewer_may_not_make_a_broadcast(place):
    assert client_of(leader(place)).get(reverse("channels:broadcast_new")).status_code == 200
    viewer = testing.staff(Role.VIEWER, organisation=place["association"])
    assert client_of(viewer).get(reverse("channels:broadcast_new")).status_code == 404


# ----- sending and STOP ----------------------------------------------------------------------------


def test_each_member_gets_the_text_in_their_language_once(place, sent):
    bengali = person(place["group"])
    english = person(place["group"], language="en")
    broadcast = start(leader(place))

    assert run_broadcast(broadcast.pk, sleep=no_pause) == 2

    texts = dict(broadcast.messages.values_list("member_id", "text"))
    assert texts == {bengali.pk: BENGALI_71, english.pk: ENGLISH_24}
    assert sorted(sent) == sorted([bengali.phone, english.phone])
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.sent) == ("done", 2)
    assert broadcast.finished_at is not None
    assert set(broadcast.messages.values_list("status", "kind")) == {(Status.SENT, Message.Kind.BROADCAST)}


def test_a_member_who_sent_stop_gets_no_broadcast(place, sent):
    stays = person(place["group"])
    services.opt_out(member=person(place["group"]), channel="sms")
    broadcast = start(leader(place))

    run_broadcast(broadcast.pk, sleep=no_pause)

    assert sent == [stays.phone]
    assert list(broadcast.messages.values_list("member_id", flat=True)) == [stays.pk]


def test_stop_sent_after_the_broadcast_was_made_is_honoured_before_the_send(place, sent):
    stays = person(place["group"])
    leaves = person(place["group"])
    broadcast = start(leader(place))
    broadcasts.write_messages(broadcast.pk)
    services.opt_out(member=leaves, channel="sms")

    run_broadcast(broadcast.pk, sleep=no_pause)

    assert sent == [stays.phone]
    assert broadcast.messages.get(member=leaves).status == Status.SKIPPED
    assert broadcasts.progress(broadcast).skipped == 1


def test_running_the_task_twice_writes_no_second_message_and_sends_nobody_twice(place, sent):
    members = [person(place["group"]) for _ in range(3)]
    broadcast = start(leader(place))
    run_broadcast(broadcast.pk, sleep=no_pause)
    person(place["group"])  # joins after the messages were written
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.SENDING)  # as if enqueued twice

    assert run_broadcast(broadcast.pk, sleep=no_pause) == 0

    assert broadcast.messages.count() == 3
    assert sorted(sent) == sorted(m.phone for m in members)


# ----- a crash half-way, and resuming --------------------------------------------------------------


class PowerCut(Exception):
    pass


def test_a_broadcast_that_crashed_between_two_messages_resumes_with_each_remaining_member_once(place, sent):
    members = [person(place["group"]) for _ in range(6)]
    broadcast = start(leader(place))
    pauses = []

    def dies_before_the_fourth_message(seconds):
        pauses.append(seconds)
        if len(pauses) == 3:
            raise PowerCut

    with pytest.raises(PowerCut):
        run_broadcast(broadcast.pk, sleep=dies_before_the_fourth_message, clock=lambda: 0.0)
    assert len(sent) == 3
    assert broadcast.messages.filter(status=Status.QUEUED).count() == 3

    assert broadcasts.resume_broadcasts() == [broadcast.pk]

    assert sorted(sent) == sorted(m.phone for m in members)  # everyone, nobody twice
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.sent) == ("done", 6)


def test_a_message_caught_mid_send_by_a_crash_is_marked_failed_not_sent_again(place, monkeypatch):
    members = [person(place["group"]) for _ in range(5)]
    broadcast = start(leader(place))
    handed: list[str] = []
    send = Console.send

    def gateway_dies_at_the_third(self, message):
        handed.append(message.phone)
        if len(handed) == 3:
            raise PowerCut  # the worker dies with the message handed over, its answer unknown
        return send(self, message)

    monkeypatch.setattr(Console, "send", gateway_dies_at_the_third)
    with pytest.raises(PowerCut):
        run_broadcast(broadcast.pk, sleep=no_pause)
    caught = broadcast.messages.get(phone=handed[2])
    assert caught.status == Status.SENDING

    waits = []
    monkeypatch.setattr(
        Console, "send", lambda self, message: handed.append(message.phone) or send(self, message)
    )
    run_broadcast(broadcast.pk, sleep=waits.append)

    assert sorted(handed) == sorted(m.phone for m in members)  # each handed over once, the caught one too
    caught.refresh_from_db()
    assert (caught.status, caught.error) == (Status.FAILED, broadcasts.INTERRUPTED)
    assert waits and waits[0] > broadcasts.STALE_AFTER - 5  # it waited for a live run's answer first
    progress = broadcasts.progress(broadcast)
    assert (progress.sent, progress.failed, progress.waiting) == (4, 1, 0)
    broadcast.refresh_from_db()
    assert broadcast.status == "done"


def test_the_resume_command_goes_on_with_broadcasts_being_sent(place, sent):
    from django.core.management import call_command

    person(place["group"])
    broadcast = start(leader(place))
    call_command("resume_broadcasts", "--enqueue")
    assert DBTaskResult.objects.filter(args_kwargs__args=[broadcast.pk]).exists()
    call_command("resume_broadcasts")
    assert len(sent) == 1


# ----- throttling ----------------------------------------------------------------------------------


class FakeTime:
    """A clock that moves only when slept on, or when a send takes time."""

    def __init__(self):
        self.now = 1000.0
        self.pauses: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(round(seconds, 6))
        self.now += seconds


def test_sending_is_throttled_to_the_gateways_rate(place, sent):
    for _ in range(4):
        person(place["group"])
    broadcast = start(leader(place))
    time = FakeTime()

    run_broadcast(broadcast.pk, clock=time.clock, sleep=time.sleep, rate=2)

    assert len(sent) == 4
    assert time.pauses == [0.5, 0.5, 0.5]  # none before the first, then half a second apart


def test_the_time_a_send_takes_counts_towards_the_pause(place, monkeypatch, settings):
    settings.SMS_RATE_PER_SECOND = 4
    for _ in range(3):
        person(place["group"])
    broadcast = start(leader(place))
    time = FakeTime()
    send = Console.send

    def slow(self, message):
        time.now += 0.1
        return send(self, message)

    monkeypatch.setattr(Console, "send", slow)
    run_broadcast(broadcast.pk, clock=time.clock, sleep=time.sleep)

    assert time.pauses == [0.15, 0.15]


# ----- cancelling ----------------------------------------------------------------------------------


def test_cancelling_stops_the_broadcast_between_two_messages(place, sent):
    for _ in range(5):
        person(place["group"])
    user = leader(place)
    broadcast = start(user)

    def cancelled_meanwhile(seconds):
        if not Broadcast.objects.filter(pk=broadcast.pk, status="cancelled").exists():
            broadcasts.cancel_broadcast(actor=user, broadcast=broadcast)

    run_broadcast(broadcast.pk, sleep=cancelled_meanwhile, clock=lambda: 0.0, rate=1)

    assert len(sent) == 1
    broadcast.refresh_from_db()
    assert broadcast.status == "cancelled"
    progress = broadcasts.progress(broadcast)
    assert (progress.sent, progress.cancelled, progress.waiting, progress.failed) == (1, 4, 0, 0)
    assert run_broadcast(broadcast.pk, sleep=no_pause) == 0  # and a resume sends nothing


def test_the_cancel_button_stops_a_broadcast_before_it_starts(place, sent):
    person(place["group"])
    user = leader(place)
    broadcast = start(user)

    response = client_of(user).post(reverse("channels:broadcast_cancel", args=[broadcast.pk]))

    assert response.status_code == 302
    run_broadcast(broadcast.pk, sleep=no_pause)
    assert sent == []
    assert not broadcast.messages.exists()


# ----- scope ---------------------------------------------------------------------------------------


def test_a_leaders_broadcast_reaches_only_the_members_in_their_scope(place, sent):
    ours = person(place["group"])
    person(place["other_group"])
    broadcast = start(leader(place))  # no filter at all

    run_broadcast(broadcast.pk, sleep=no_pause)

    assert sent == [ours.phone]
    assert broadcast.association_id == place["association"].pk


def test_a_leader_may_not_filter_on_another_association(place):
    person(place["other_group"])
    response = client_of(leader(place)).post(
        reverse("channels:broadcast_new"),
        {"organisation": place["other"].pk, "text_bn": "সভা", "send": "", "expected": "1"},
    )
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not Broadcast.objects.exists()


def test_another_associations_leader_sees_neither_the_broadcast_nor_its_page(place):
    person(place["group"])
    broadcast = start(leader(place))
    outsider = testing.staff(Role.ASSOCIATION_LEADER, organisation=place["other"])
    client = client_of(outsider)

    assert client.get(reverse("channels:broadcast_detail", args=[broadcast.pk])).status_code == 404
    assert client.post(reverse("channels:broadcast_cancel", args=[broadcast.pk])).status_code == 404
    assert list(client.get(reverse("channels:broadcast_list")).context["items"]) == []
    admin = testing.staff(Role.PROGRAMME_ADMIN)
    assert list(client_of(admin).get(reverse("channels:broadcast_list")).context["items"]) == [broadcast]


# ----- pages ---------------------------------------------------------------------------------------


def test_the_progress_page_shows_sent_of_recipients_and_follows_by_a_static_script(place):
    for _ in range(3):
        person(place["group"])
    user = leader(place)
    broadcast = start(user)
    broadcasts.write_messages(broadcast.pk)
    broadcasts.send_one(broadcast.messages.order_by("id").first().pk)

    page = client_of(user).get(reverse("channels:broadcast_detail", args=[broadcast.pk])).content.decode()

    assert 'id="progress-sent">1 of 3<' in page
    assert 'data-poll-seconds="5"' in page
    assert "channels/broadcast.js" in page
    assert "<script>" not in page


def test_the_broadcast_list_takes_the_same_queries_however_many_there_are(
    place, django_assert_max_num_queries
):
    person(place["group"])
    user = leader(place)
    for n in range(6):
        start(user, text_en=f"Notice {n}")
    client = client_of(user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("channels:broadcast_list"))
    assert len(response.context["items"]) == 6


# The worker closes its database connections between tasks, which a test inside a transaction cannot survive.
@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_a_queued_broadcast(place, sent, settings):
    from django.core.management import call_command

    settings.SMS_RATE_PER_SECOND = 0  # no pauses in a test
    members = [person(place["group"]) for _ in range(2)]
    broadcast = start(leader(place))  # queued as it commits

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert sorted(sent) == sorted(m.phone for m in members)
    broadcast.refresh_from_db()
    assert broadcast.status == "done"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# ----- in a browser on a phone ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_previews_and_sends_a_broadcast_on_a_phone_and_watches_it_go(phone_page, live_server):
    page = phone_page
    group = testing.group()
    for _ in range(2):
        person(group)
    testing.staff(Role.ASSOCIATION_LEADER, username="amina", organisation=group.parent)
    testing.log_in(page, live_server, "amina")
    testing.visit(page, f"{live_server.url}/channels/broadcasts/")
    testing.follow(page, "a[href$='/channels/broadcasts/new/']")

    page.fill("#id_text_bn", "শুক্রবার সকাল ১০টায় সভা।")
    page.fill("#id_text_en", ENGLISH_24)
    testing.follow(page, "button[name=preview]")
    assert page.locator("#preview-recipients").inner_text() == "2"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    testing.follow(page, "button[name=send]")
    assert "0 of 2" in page.locator("#progress-sent").inner_text()
    broadcast = Broadcast.objects.get()
    run_broadcast(broadcast.pk, sleep=no_pause)
    # The page's script fetches the progress again within a few seconds, without a reload.
    page.locator("#progress[data-status=done]").wait_for(timeout=15_000)
    assert "2 of 2" in page.locator("#progress-sent").inner_text()
    assert page.locator("#progress button.danger").count() == 0  # nothing left to cancel
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
