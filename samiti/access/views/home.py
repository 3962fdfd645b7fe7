"""The way in to access to services: what a facilitator needs first, each number a link."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from samiti.access import reports


@login_required
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "access/home.html", {"overview": reports.overview(request.user)})


urlpatterns = [path("", home, name="home")]
