from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from samiti.api import api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="registry/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("samiti.registry.urls")),
    path("voice/", include("samiti.voice.urls")),
    path("access/", include("samiti.access.urls")),
    path("finance/", include("samiti.finance.urls")),
    path("channels/", include("samiti.channels.urls")),
    path("", include("samiti.results.urls")),
]
