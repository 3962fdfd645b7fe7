"""Africa's Talking's USSD callback: an urlencoded POST in, plain text starting CON or END out.

The gateway sends `sessionId`, `serviceCode`, `phoneNumber`, `networkCode` and `text`: "" on the
first keypress, then every input of the session joined by "*". When the session is over it
POSTs `sessionId`, `status` (Success, Incomplete, Failed), `input` and `errorMessage` to the
end-of-session URL.
"""

from django.http import HttpResponse, QueryDict

from samiti.channels.ussd import engine

GATEWAY = "africastalking"


def inputs(text: str) -> list[str]:
    return text.split("*") if text else []


def reply(text: str, more: bool) -> HttpResponse:
    return HttpResponse(("CON " if more else "END ") + text, content_type="text/plain; charset=utf-8")


def answer(data: QueryDict) -> HttpResponse:
    session_id, phone = data.get("sessionId", "").strip(), data.get("phoneNumber", "").strip()
    if not session_id or not phone:
        return HttpResponse("sessionId and phoneNumber are required.", status=400, content_type="text/plain")
    text, more = engine.answer(
        session_id=session_id[:100],
        phone=phone[:20],
        inputs=inputs(data.get("text", "")),
        gateway=GATEWAY,
        service_code=data.get("serviceCode", "")[:30],
    )
    return reply(text, more)


def session_ended(data: QueryDict) -> HttpResponse:
    session_id = data.get("sessionId", "").strip()
    if not session_id:
        return HttpResponse("sessionId is required.", status=400, content_type="text/plain")
    engine.end_session(
        session_id=session_id[:100],
        gateway=GATEWAY,
        phone=data.get("phoneNumber", "")[:20],
        service_code=data.get("serviceCode", "")[:30],
        status=data.get("status", ""),
    )
    return HttpResponse("OK", content_type="text/plain")
