"""The JSON API: one NinjaAPI under /api/, one router per app, bearer tokens only.

Session cookies are deliberately not accepted: an API that only reads a header cannot be
driven by a forged cross-site request, so it needs no CSRF token.
"""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from samiti.core.errors import SamitiError
from samiti.registry.models import User
from samiti.registry.services import user_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, a token issued on the account page or by create_api_token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            # Whatever session cookie came along, the request acts as the token's owner.
            request.user = user
        return user


api = NinjaAPI(
    title="Samiti API",
    version="1",
    description="Members, organisations and areas of a farmer-led association programme. "
    "Send `Authorization: Bearer <token>`; create a token on your account page.",
    auth=BearerToken(),
    urls_namespace="api",
    # ninja serves Swagger from its own static files (no CDN, no inline script) only when it is
    # an installed app; otherwise its page loads a CDN that our Content-Security-Policy blocks.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
)

api.add_router("/", "samiti.registry.api.router")
api.add_router("/voice/", "samiti.voice.api.router")
api.add_router("/access/", "samiti.access.api.router")
api.add_router("/finance/", "samiti.finance.api.router")


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    """The one shape of every API error: {"code", "field", "message"}."""
    return {"code": code, "field": field, "message": message, **extra}


@api.exception_handler(SamitiError)
def _samiti_error(request: HttpRequest, error: SamitiError) -> HttpResponse:
    status = 403 if error.code == "forbidden" else 400
    return api.create_response(request, error_body(error.code, str(error), error.field), status=status)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = [{"field": _field_of(e.get("loc", ())), "message": e.get("msg", "")} for e in error.errors]
    first = problems[0] if problems else {"field": None, "message": _("Invalid input.")}
    body = error_body("invalid", first["message"], first["field"], errors=problems)
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    body = error_body("unauthorized", _("Send a valid API token: Authorization: Bearer <token>."))
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return api.create_response(request, error_body("error", str(error)), status=error.status_code)


def _field_of(loc: tuple | list) -> str | None:
    """Name the input at fault: the last name in ("body", "payload", "main_crops", 0)."""
    names = [part for part in loc[1:] if isinstance(part, str)]
    if len(names) > 1 and loc and loc[0] == "body":
        names = names[1:]  # drop the name of the body parameter itself
    return names[-1] if names else None
