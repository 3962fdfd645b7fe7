"""Pages of messages: the history in and out, the leaders' inbox, one member's messages, and the
outbox of the console gateway. Thin: parse, call a query or a service, render."""

import re
from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.channels import queries
from samiti.channels.encoding import sms_length
from samiti.channels.errors import ChannelError
from samiti.channels.forms import DealtWithForm, MessageFilterForm
from samiti.channels.models import Contact, Message
from samiti.channels.services import mark_dealt_with
from samiti.core.bengali import to_latin_digits
from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.registry.queries import member_or_404

PAGE_SIZE = 50
# Shown at once; the others fold away under "More filters" (a phone has little room).
MAIN_FILTERS = ("q", "direction", "status")


def _without(query: QueryDict, *names: str) -> QueryDict:
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query


def _may_see_outbox(request: HttpRequest) -> bool:
    return settings.DEBUG or request.user.sees_whole_programme


def _filters(request: HttpRequest) -> tuple[MessageFilterForm, dict[str, Any]]:
    form = MessageFilterForm(request.GET or None, user=request.user)
    if not form.is_bound:
        return form, {}
    if not form.is_valid() and "organisation" in form.errors:
        raise Http404  # an organisation out of scope does not exist for this user
    return form, form.cleaned_data  # the valid filters; a bad date shows its error on the form


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Every message in and out in the user's scope, newest first, with the counts by status."""
    form, filters = _filters(request)
    found = queries.search_messages(request.user, filters)
    page = Paginator(found.select_related("member"), PAGE_SIZE).get_page(request.GET.get("page"))
    others = _without(request.GET, "status", "page")
    counts = []
    for status, label, n in queries.status_counts(
        queries.search_messages(request.user, {**filters, "status": ""})
    ):
        link = others.copy()
        link["status"] = status
        counts.append({"status": status, "label": label, "n": n, "query": link.urlencode()})
    context = {
        "form": form,
        "page": page,
        "items": page.object_list,
        "counts": counts,
        "show_outbox": _may_see_outbox(request),
        "chosen_status": filters.get("status") or "",
        "main_filters": MAIN_FILTERS,
        "more_chosen": any(request.GET.get(name) for name in form.fields if name not in MAIN_FILTERS),
        "all_query": others.urlencode(),
        "query": _without(request.GET, "page").urlencode(),
    }
    return render(request, "channels/home.html", context)


def _inbox_page(
    request: HttpRequest, bound: DealtWithForm | None = None, bound_pk: int | None = None
) -> HttpResponse:
    page = Paginator(queries.waiting(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            message,
            bound if bound is not None and message.pk == bound_pk else DealtWithForm(prefix=f"m{message.pk}"),
        )
        for message in page.object_list
    ]
    context = {"page": page, "rows": rows, "query": "", "show_outbox": _may_see_outbox(request)}
    return render(request, "channels/inbox.html", context, status=400 if bound is not None else 200)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Inbound messages that wait for a leader: a demand raised by SMS, a command not understood."""
    return _inbox_page(request)


@login_required
@require_POST
def dealt_with(request: HttpRequest, pk: int) -> HttpResponse:
    message = queries.message_or_404(request.user, pk)
    require_editor(request)
    form = DealtWithForm(request.POST, prefix=f"m{message.pk}")
    if form.is_valid():
        try:
            mark_dealt_with(actor=request.user, message=message, channel=Channel.WEB, **form.cleaned_data)
        except ChannelError as error:
            if error.code == "not_waiting":  # another leader was quicker: the message has left the list
                flash.error(request, str(error))
                return redirect("channels:inbox")
            form.add_service_error(error)
        else:
            flash.success(request, _("Marked as dealt with."))
            return redirect("channels:inbox")
    return _inbox_page(request, form, message.pk)


@login_required
def member_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """One member's messages in and out, with their channel settings."""
    member = member_or_404(request.user, pk)
    found = Message.objects.filter(member=member).order_by("-created_at", "-id")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    # Read, never made here: a member who never used the channels has the defaults.
    contact = Contact.objects.filter(member=member).first() or Contact(member=member)
    context = {"member": member, "contact": contact, "page": page, "items": page.object_list, "query": ""}
    return render(request, "channels/member.html", context)


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """Outbound messages as the phone shows them: for trying the console gateway in development.

    In production only programme admins see it (they may need to check what a gateway was given);
    with DEBUG on every account does, still within its scope.
    """
    if not _may_see_outbox(request):
        raise Http404
    found = queries.messages_for(request.user).filter(direction=Message.Direction.OUT)
    phone = request.GET.get("phone", "").strip()
    digits = re.sub(r"\D", "", to_latin_digits(phone)).lstrip("0")
    if digits:
        found = found.filter(phone__endswith=digits)
    page = Paginator(found.select_related("member").order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = [(message, sms_length(message.text)) for message in page.object_list]
    context = {
        "page": page,
        "shown": shown,
        "phone": phone,
        "query": _without(request.GET, "page").urlencode(),
    }
    return render(request, "channels/outbox.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:pk>/dealt-with/", dealt_with, name="dealt_with"),
    path("members/<int:pk>/", member_messages, name="member_messages"),
    path("outbox/", outbox, name="outbox"),
]
