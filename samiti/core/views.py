"""What every app's pages share."""

from django.http import Http404, HttpRequest


def require_editor(request: HttpRequest) -> None:
    """Refuse a read-only account a page that writes: as not found, like anything out of scope."""
    if not request.user.can_edit:
        raise Http404
