"""The staff account page: who you are, your scope, your API tokens; and changing your password."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samiti.registry import services
from samiti.registry.models import ApiToken, User


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is it for?"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For example the name of the program or the person that will use it."),
    )


def _scope(user: User) -> str:
    """Say in words what the account may see."""
    if user.sees_whole_programme:
        return _("the whole programme")
    if user.organisation is not None:
        return f"{user.organisation.get_kind_display()}: {user.organisation}"
    if user.area is not None:
        return f"{user.area.get_level_display()}: {user.area}"
    return _("nothing yet: ask a programme admin to attach this account to an organisation or an area")


def _render(request: HttpRequest, form: TokenForm, new_key: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    context = {
        "account": user,
        "scope": _scope(user),
        "language": dict(settings.LANGUAGES).get(user.language, user.language),
        "tokens": ApiToken.objects.filter(user=user),
        "form": form,
        "new_key": new_key,
    }
    return render(request, "registry/account.html", context, status=status)


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _render(request, TokenForm())


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue a token and show its key in this one response; it is never shown again."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    _token, key = services.issue_api_token(user=request.user, name=form.cleaned_data["name"])
    # Rendered, not redirected: a redirect would have to carry the key through the session.
    return _render(request, TokenForm(), new_key=key)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(user=request.user, token=token)
    messages.success(
        request, _("Token %(prefix)s… is revoked; it no longer works.") % {"prefix": token.prefix}
    )
    return redirect("registry:account")


urlpatterns = [
    path("account/", account, name="account"),
    path("account/tokens/", token_create, name="api_token_create"),
    path("account/tokens/<int:pk>/revoke/", token_revoke, name="api_token_revoke"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registry/password_change.html",
            success_url=reverse_lazy("registry:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registry/password_change_done.html"),
        name="password_change_done",
    ),
]
