# Being written in parallel; replaced by the real module.
from django.http import HttpResponse
from django.urls import path


def _pending(request):
    return HttpResponse("")


urlpatterns = [path("duplicates/", _pending, name="duplicate_list")]
