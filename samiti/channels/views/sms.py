"""SMS gateway callbacks: an inbound SMS, and a delivery report, for each gateway by name.

Gateways retry until they get a 200 (Africa's Talking for ten minutes), so a callback answers 200
for anything it has kept, and the same answer to a retry. When SMS_CALLBACK_TOKEN is set, a
callback must carry it as `?token=` or in the X-Samiti-Token header.
"""

import functools
import hmac
from collections.abc import Callable

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samiti.channels.gateways import Gateway, GatewayError, Inbound, StatusReport, gateway
from samiti.channels.sending import receive_sms, record_status


def _gateway_or_404(name: str) -> Gateway:
    try:
        return gateway(name)
    except GatewayError as error:
        raise Http404 from error


def _token_ok(request: HttpRequest) -> bool:
    expected = settings.SMS_CALLBACK_TOKEN
    if not expected:
        return True
    given = request.GET.get("token") or request.headers.get("X-Samiti-Token", "")
    return hmac.compare_digest(given.encode(), expected.encode())


def callback(read: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A gateway's callback: POST only, 404 for an unknown gateway, 403 without the token, 400
    when the gateway's reader (`read`, a method name) cannot make sense of it."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @require_POST
        @functools.wraps(view)
        def checked(request: HttpRequest, name: str) -> HttpResponse:
            adapter = _gateway_or_404(name)
            if not _token_ok(request):
                return HttpResponseForbidden()
            try:
                items = getattr(adapter, read)(request)
            except GatewayError as error:
                return HttpResponseBadRequest(str(error))
            return view(request, adapter, items)

        return checked

    return wrap


@callback("parse_inbound")
def inbound(request: HttpRequest, adapter: Gateway, received: list[Inbound]) -> HttpResponse:
    from samiti.channels.commands import handle_sms

    answers = []
    for item in received:
        message, reply = receive_sms(gateway=adapter.name, inbound=item, handle=handle_sms)
        answers.append({"id": message.gateway_id, "reply": reply})
    return JsonResponse({"messages": answers})


@callback("parse_status")
def status(request: HttpRequest, adapter: Gateway, reports: list[StatusReport]) -> HttpResponse:
    for report in reports:
        record_status(
            gateway=adapter.name, gateway_id=report.gateway_id, status=report.status, error=report.error
        )
    return HttpResponse("OK", content_type="text/plain")


urlpatterns = [
    path("sms/<slug:name>/inbound/", inbound, name="sms_inbound"),
    path("sms/<slug:name>/status/", status, name="sms_status"),
]
