"""USSD gateway callbacks: thin adapters over samiti.channels.ussd.engine."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samiti.channels.ussd import africastalking


@csrf_exempt
@require_POST
def africastalking_ussd(request: HttpRequest) -> HttpResponse:
    return africastalking.answer(request.POST)


@csrf_exempt
@require_POST
def africastalking_ussd_end(request: HttpRequest) -> HttpResponse:
    return africastalking.session_ended(request.POST)


urlpatterns = [
    path("ussd/africastalking/", africastalking_ussd, name="ussd_africastalking"),
    path("ussd/africastalking/end/", africastalking_ussd_end, name="ussd_africastalking_end"),
]
