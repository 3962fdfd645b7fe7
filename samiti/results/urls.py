from django.urls import path

from samiti.results import views

app_name = "results"
urlpatterns = [
    path("", views.reach, name="reach"),
    path("targets/", views.targets, name="targets"),
]
