"""The voice overview: the way in to demands, polls, meetings, elections, charters and score cards."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from samiti.voice import queries


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "voice/home.html", {"overview": queries.overview(request.user)})


urlpatterns = [path("", home, name="home")]
