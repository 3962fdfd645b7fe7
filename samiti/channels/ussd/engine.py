"""The USSD engine: from a session's inputs so far to the screen to show next.

Stateless over the inputs: every keypress replays the session's path from its first screen (the
gateway sends every input of the session each time), so any server process can answer any
keypress and nothing is held between them but the session's row. A path's writes (a vote, an
endorsement, a demand) end the session, so a replay never repeats one; choosing a language is
written only when it changes, so a replay writes nothing.
"""

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samiti.channels import services
from samiti.channels.models import Contact, UssdSession
from samiti.channels.ussd import menus
from samiti.channels.ussd.screens import BACK, MORE, End, Invalid, Menu, Prompt, View, end_text, pages
from samiti.core.bengali import to_latin_digits
from samiti.registry.models import Member


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
        text, more, secret = unknown_number(), False, False
    else:
        with translation.override(contact.language):
            text, more, secret = _replay(member, contact, inputs, asked=asked)
    # A secret ballot's inputs are its choice: the row, which names the member, keeps none of them.
    last = "" if secret or not inputs else inputs[-1][:300]
    changes: dict = {"screens": F("screens") + 1, "last_input": last}
    if not more:
        changes["ended_at"] = timezone.now()
    UssdSession.objects.filter(pk=session).update(**changes)
    return text, more


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


def _replay(member: Member, contact: Contact, inputs: list[str], *, asked: bool) -> tuple[str, bool, bool]:
    """Walk the session's inputs from its first screen: the last screen's text, whether the
    session goes on, and whether the path passed through a secret ballot."""
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
            return end_text(following.text), False, secret
        secret = secret or following.secret
        if isinstance(following, Menu) and following.home:
            stack = []
        stack.append((following, 0))
    view, page = stack[-1]
    shown = pages(view, error, back=view.back and len(stack) > 1)
    return shown[min(page, len(shown) - 1)], True, secret


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
