"""News a domain app has for members, announced as Django signals after the write commits.

A domain app (voice, access, finance, market) never imports `channels`. When something happens
that a member should hear about, its service calls `announce(signal, sender=..., **details)`;
`channels` connects a receiver and turns the event into an SMS. Because `announce` waits for
`transaction.on_commit`, a write that is rolled back announces nothing, and a receiver that
fails cannot undo the write.

Receivers take keyword arguments only and must accept `**kwargs`, so an event can grow a detail
without breaking them:

    from samiti.core.events import application_status_changed

    @receiver(application_status_changed)
    def tell_member(sender, application, previous, status, on, **kwargs): ...

Events
------
application_status_changed
    Sent by `access` when an application to a scheme takes a step.
    sender: the Application model.
    application: the Application as saved (its member, scheme and amounts are on it).
    previous: the status before the step ("" when the application is new).
    status: the new status (identified, documents_ready, submitted, approved, rejected,
        receiving, stopped).
    on: the day the step happened (a date).
    channel: the channel the step was recorded through (web, api, sms, ussd, import, system).
savings_meeting_recorded
    Sent by `finance` when a savings group's meeting is recorded and closed (a receipt is due to
    each member present).
    sender: the SavingsMeeting model.
    savings_meeting: the SavingsMeeting as saved (its cycle, group and date are on it).
    present: the ids of the members present.
    channel: as above.
poll_opened
    Sent by `voice` when a poll opens (its register of eligible members is fixed).
    sender: the Poll model.
    poll: the Poll as opened (its register, question, kind and closing time are on it).
    channel: as above.
poll_closed
    Sent by `voice` when a poll closes (its result can be counted, a secret poll's too).
    sender: the Poll model.
    poll: the Poll as closed.
    channel: as above.
commitment_fulfilled
    Sent by `voice` when a follow-up finds an authority's commitment fulfilled or partly fulfilled.
    sender: the Commitment model.
    commitment: the Commitment as saved (its demand and charter, so its authority, are on it).
    outcome: "fulfilled" or "partly_fulfilled".
    on: the day of the follow-up that found it (a date).
    channel: as above.
"""

from typing import Any

from django.db import transaction
from django.dispatch import Signal

application_status_changed = Signal()
savings_meeting_recorded = Signal()
poll_opened = Signal()
poll_closed = Signal()
commitment_fulfilled = Signal()


def announce(signal: Signal, *, sender: Any, **details: Any) -> None:
    """Send `signal` once the current transaction commits (at once when there is none)."""
    transaction.on_commit(lambda: signal.send(sender=sender, **details))
