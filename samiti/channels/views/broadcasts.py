"""Pages of broadcasts: the list, a new one with its figures before sending, its progress, and
cancelling it. Thin: parse, call a service or a query, render."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.channels import broadcasts
from samiti.channels.errors import ChannelError
from samiti.channels.forms_broadcasts import MAIN_FILTERS, TEXTS, BroadcastForm
from samiti.channels.models import Broadcast, Message
from samiti.channels.queries import messages_for
from samiti.core.views import require_editor

PAGE_SIZE = 50
# Failed messages listed on a broadcast's page (the history page has them all).
FAILURES_SHOWN = 50
# Seconds between two looks at a broadcast being sent (static/channels/broadcast.js).
POLL_SECONDS = 5


@login_required
def broadcast_list(request: HttpRequest) -> HttpResponse:
    found = (
        broadcasts.broadcasts_for(request.user).select_related("created_by").order_by("-created_at", "-id")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "channels/broadcasts/list.html", {"page": page, "items": page.object_list, "query": ""}
    )


@login_required
def broadcast_new(request: HttpRequest) -> HttpResponse:
    """Filters and texts; "Preview" shows the figures, "Send" (offered with them) sends."""
    require_editor(request)
    form = BroadcastForm(request.POST or None, user=request.user)
    figures = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        figures = broadcasts.preview(
            user=request.user, filters=form.filters(), text_bn=data["text_bn"], text_en=data["text_en"]
        )
        # Sent only as previewed: if the count changed meanwhile, the new figures are shown first.
        if "send" in request.POST and request.POST.get("expected") == str(figures.recipients):
            try:
                broadcast = broadcasts.start_broadcast(
                    actor=request.user,
                    filters=form.filters(),
                    text_bn=data["text_bn"],
                    text_en=data["text_en"],
                )
            except ChannelError as error:
                form.add_service_error(error)
            else:
                flash.success(request, _("The broadcast is being sent."))
                return redirect("channels:broadcast_detail", pk=broadcast.pk)
        elif "send" in request.POST:
            flash.warning(request, _("The number of recipients has changed: check the figures again."))
    context = {
        "form": form,
        "figures": figures,
        "main_filters": MAIN_FILTERS,
        "texts": TEXTS,
        "more_chosen": any(
            request.POST.get(name) for name in form.fields if name not in MAIN_FILTERS and name not in TEXTS
        ),
    }
    return render(request, "channels/broadcasts/new.html", context, status=400 if form.errors else 200)


@login_required
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A broadcast's texts, figures and progress; refreshed by a small script while it is sent."""
    broadcast = broadcasts.broadcast_or_404(request.user, pk)
    failures = (
        messages_for(request.user)
        .filter(broadcast=broadcast, status=Message.Status.FAILED)
        .exclude(error=broadcasts.CANCELLED)
        .select_related("member")
        .order_by("id")[:FAILURES_SHOWN]
    )
    context = {
        "broadcast": broadcast,
        "progress": broadcasts.progress(broadcast),
        "failures": failures,
        "sending": broadcast.status == Broadcast.Status.SENDING,
        "may_cancel": request.user.can_edit
        and broadcast.status in (Broadcast.Status.DRAFT, Broadcast.Status.SENDING),
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "channels/broadcasts/detail.html", context)


@login_required
@require_POST
def broadcast_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = broadcasts.broadcast_or_404(request.user, pk)
    require_editor(request)
    try:
        broadcasts.cancel_broadcast(actor=request.user, broadcast=broadcast)
    except ChannelError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, _("The broadcast is cancelled: no more messages will be sent."))
    return redirect("channels:broadcast_detail", pk=broadcast.pk)


urlpatterns = [
    path("broadcasts/", broadcast_list, name="broadcast_list"),
    path("broadcasts/new/", broadcast_new, name="broadcast_new"),
    path("broadcasts/<int:pk>/", broadcast_detail, name="broadcast_detail"),
    path("broadcasts/<int:pk>/cancel/", broadcast_cancel, name="broadcast_cancel"),
]
