"""SMS gateway callbacks: an inbound SMS, and a delivery report, for each gateway by name.

Gateways retry until they get a 200 (Africa's Talking for ten minutes), so a callback answers 200
for anything it has kept, and the same answer to a retry. When SMS_CALLBACK_TOKEN is set, a
callback must carry it as `?token=` or in the X-Samiti-Token header.
"""

import hmac

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

from samiti.channels.gateways import Gateway, GatewayError, gateway
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


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, name: str) -> HttpResponse:
    adapter = _gateway_or_404(name)
    if not _token_ok(request):
        return HttpResponseForbidden()
    try:
        received = adapter.parse_inbound(request)
    except GatewayError as error:
        return HttpResponseBadRequest(str(error))
    from samiti.channels.commands import handle_sms

    answers = []
    for item in received:
        message, reply = receive_sms(gateway=adapter.name, inbound=item, handle=handle_sms)
        answers.append({"id": message.gateway_id, "reply": reply})
    return JsonResponse({"messages": answers})


@csrf_exempt
@require_POST
def status(request: HttpRequest, name: str) -> HttpResponse:
    adapter = _gateway_or_404(name)
    if not _token_ok(request):
        return HttpResponseForbidden()
    try:
        reports = adapter.parse_status(request)
    except GatewayError as error:
        return HttpResponseBadRequest(str(error))
    for report in reports:
        record_status(
            gateway=adapter.name, gateway_id=report.gateway_id, status=report.status, error=report.error
        )
    return HttpResponse("OK", content_type="text/plain")


urlpatterns = [
    path("sms/<slug:name>/inbound/", inbound, name="sms_inbound"),
    path("sms/<slug:name>/status/", status, name="sms_status"),
]
