"""The USSD engine: from a session's inputs so far to the screen to show next.

Stateless over the inputs: every keypress replays the session's path from its first screen (the
gateway sends every input of the session each time), so any server process can answer any
keypress and nothing is held between them but the session's row. A path's writes (a vote, an
endorsement, a demand) end the session, so a replay never repeats one; choosing a language is
written only when it changes, so a replay writes nothing. A screen that takes longer than the
gateway waits is promised by SMS and sent when it is ready.
"""

import dataclasses
import logging
import threading
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samiti.channels import services
from samiti.channels.errors import ChannelError
from samiti.channels.models import Contact, Message, UssdSession
from samiti.channels.sending import notify
from samiti.channels.ussd import menus
from samiti.channels.ussd.screens import (
    BACK,
    MORE,
    End,
    Invalid,
    Menu,
    Prompt,
    View,
    end_text,
    lines_of,
    localise,
    pages,
)
from samiti.core.background import Threads
from samiti.core.bengali import to_latin_digits
from samiti.registry.models import Member

log = logging.getLogger(__name__)


def unknown_number() -> str:
    """Both languages: the number is nobody we know, so we cannot tell which they read."""
    texts = []
    for language in ("bn", "en"):
        with translation.override(language):
            text = _("Not registered. Ask your group leader.")
        if text not in texts:
            texts.append(text)
    return end_text("\n".join(texts))


def answer(
    *, session_id: str, phone: str, inputs: list[str], gateway: str, service_code: str = ""
) -> tuple[str, bool]:
    """The next screen of a session: its text and whether the session goes on."""
    member = services.member_for_phone(phone)
    contact = services.contact_for(member) if member is not None else None
    session, asked = _session(session_id, phone, member, contact, gateway, service_code)
    if member is None or contact is None:
        screen = Screen(unknown_number(), more=False)
    else:
        screen = _in_time(member, contact, inputs, asked)
    # A secret ballot's inputs are its choice: the row, which names the member, keeps none of them.
    last = "" if screen.secret or not inputs else inputs[-1][:300]
    changes: dict = {"screens": F("screens") + 1, "last_input": last}
    if not screen.more:
        changes["ended_at"] = timezone.now()
    UssdSession.objects.filter(pk=session).update(**changes)
    return screen.text, screen.more


@dataclasses.dataclass(frozen=True)
class Screen:
    text: str  # as shown: one page, with its keys
    more: bool  # whether the session goes on
    secret: bool = False  # whether the path passed through a secret ballot
    whole: str = ""  # all of it, for an SMS


# Screens are built on these threads while the request waits, so that it can stop waiting.
_builders = Threads("ussd", workers=4)


def _in_time(member: Member, contact: Contact, inputs: list[str], asked: bool) -> Screen:
    """The screen; or, when building it takes longer than the gateway waits (USSD_ANSWER_SECONDS),
    an END promising the answer by SMS, which is sent once it is built."""
    budget = settings.USSD_ANSWER_SECONDS
    if not budget:
        return _screen(member, contact, inputs, asked)
    late = _Late()
    future = _builders.submit(_build, member, contact, inputs, asked, late)
    try:
        return future.result(timeout=budget)
    except FutureTimeout:
        if not late.promise():  # finished just now
            return future.result()
        with translation.override(contact.language):
            promise = end_text(_("This takes a moment. The answer will come by SMS."))
        # Whether the path is a secret ballot's is not known yet: the row keeps no input.
        return Screen(promise, more=False, secret=True)


class _Late:
    """Whether an answer was promised by SMS, decided once between the waiting request and the
    thread building the answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built = self._promised = False

    def promise(self) -> bool:
        """The request gives up waiting: True if the answer is now promised (not yet built)."""
        with self._lock:
            self._promised = not self._built
            return self._promised

    def built(self) -> bool:
        """The answer is built: True if it was promised, so is to be sent by SMS."""
        with self._lock:
            self._built = True
            return self._promised


def _build(member: Member, contact: Contact, inputs: list[str], asked: bool, late: _Late) -> Screen:
    try:
        screen = _screen(member, contact, inputs, asked)
    finally:
        promised = late.built()
    if promised:
        _send_promised(member, contact, screen)
    return screen


def _send_promised(member: Member, contact: Contact, screen: Screen) -> None:
    with translation.override(contact.language):
        # A secret ballot's screen would put the choice in a message that names the member.
        text = _("Your answer took too long. Please dial again.") if screen.secret else screen.whole
    try:
        notify(member=member, kind=Message.Kind.USSD_FOLLOW_UP, texts={contact.language: text})
    except (ChannelError, DatabaseError):
        log.exception("The USSD answer promised to %s by SMS was not sent", member.pk)


def _screen(member: Member, contact: Contact, inputs: list[str], asked: bool) -> Screen:
    with translation.override(contact.language):
        return _replay(member, contact, inputs, asked=asked)


def _session(
    session_id: str,
    phone: str,
    member: Member | None,
    contact: Contact | None,
    gateway: str,
    service_code: str,
) -> tuple[int, bool]:
    """The session row's id and whether it began on the choice of language; made on its first
    keypress."""
    # Raw SQL, as every keypress after the first reads it (0.07 ms against 0.26 ms by the ORM).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, asked_language FROM {UssdSession._meta.db_table} WHERE session_id = %s",  # noqa: S608
            [session_id],
        )
        found = cursor.fetchone()
    if found is not None:
        return found[0], bool(found[1])
    session, _made = UssdSession.objects.get_or_create(
        session_id=session_id,
        defaults={
            "gateway": gateway,
            "service_code": service_code,
            "phone": phone,
            "member": member,
            "association_id": member.association_id if member else None,
            "asked_language": contact is not None and not contact.language_chosen,
        },
    )
    return session.pk, session.asked_language


def _replay(member: Member, contact: Contact, inputs: list[str], *, asked: bool) -> Screen:
    """Walk the session's inputs from its first screen to the screen to show."""
    home = menus.language_first(member, contact) if asked or not contact.language_chosen else None
    stack: list[tuple[Menu | Prompt, int]] = [(home or menus.main(member, contact), 0)]
    error, secret = "", False
    for raw in inputs:
        view, page = stack[-1]
        error = ""
        key = to_latin_digits(raw.strip())
        back = view.back and len(stack) > 1
        if key == BACK and (page > 0 or back):
            if page > 0:
                stack[-1] = (view, page - 1)
            else:
                stack.pop()
            continue
        if key == MORE and page + 1 < len(pages(view, back=back)):
            stack[-1] = (view, page + 1)
            continue
        try:
            following = _choose(view, key, raw.strip())
        except Invalid as invalid:
            error = invalid.message or _("Invalid choice")
            continue
        if isinstance(following, End):
            return Screen(end_text(following.text), more=False, secret=secret, whole=localise(following.text))
        secret = secret or following.secret
        if isinstance(following, Menu) and following.home:
            stack = []
        stack.append((following, 0))
    view, page = stack[-1]
    shown = pages(view, error, back=view.back and len(stack) > 1)
    whole = localise("\n".join(line for line, _text in lines_of(view)))
    return Screen(shown[min(page, len(shown) - 1)], more=True, secret=secret, whole=whole)


def _choose(view: Menu | Prompt, key: str, typed: str) -> View:
    if isinstance(view, Prompt):
        if not typed:
            raise Invalid()
        return view.answer(typed)
    if key.isdigit() and 1 <= int(key) <= len(view.items):
        return view.items[int(key) - 1][1]()
    raise Invalid()


@transaction.atomic
def end_session(
    *,
    session_id: str,
    gateway: str,
    phone: str = "",
    service_code: str = "",
    status: str = "",
    last: str = "",
) -> UssdSession:
    """Record what the gateway says of a session that is over (completed, timed out, failed)."""
    session, _made = UssdSession.objects.select_for_update().get_or_create(
        session_id=session_id,
        defaults={"gateway": gateway, "phone": phone, "service_code": service_code},
    )
    session.status = status[:12]
    session.ended_at = session.ended_at or timezone.now()
    session.save(update_fields=["status", "ended_at"])
    return session
