# Being written in parallel; replaced by the real module.
from django.http import HttpResponse
from django.urls import path


def _pending(request):
    return HttpResponse("")


urlpatterns = [path("members/", _pending, name="member_list")]
