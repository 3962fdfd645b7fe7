"""Referral pages: the list in scope, referring a member, and a referral's page where its outcome
is recorded. Thin: parse, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.access.errors import AccessError
from samiti.access.forms.referrals import OutcomeForm, ReferralFilterForm, ReferralForm
from samiti.access.services import referrals as services
from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.registry import queries

PAGE_SIZE = 50


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    found = services.referrals_for(request.user).select_related("member__group", "service")
    form = ReferralFilterForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["status"]:
        found = found.filter(status=form.cleaned_data["status"])
    page = Paginator(found.order_by("-referred_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "referrals": page.object_list, "query": query.urlencode()}
    return render(request, "access/referrals/list.html", context)


@login_required
def referral_new(request: HttpRequest, member: int) -> HttpResponse:
    found = queries.member_or_404(request.user, member)
    require_editor(request)
    initial = {"on": timezone.localdate(), "service": request.GET.get("service")}
    form = ReferralForm(request.POST or None, member=found, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.refer(
                actor=request.user, member=found, channel=Channel.WEB, **form.cleaned_data
            )
        except AccessError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Referral recorded."))
            return redirect("access:referral", pk=referral.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "access/referrals/new.html", {"form": form, "member": found}, status=status)


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = services.referral_or_404(request.user, pk)
    form = None
    if request.method == "POST":
        require_editor(request)
        form = OutcomeForm(request.POST)
        if form.is_valid():
            try:
                services.record_referral_outcome(
                    actor=request.user, referral=referral, channel=Channel.WEB, **form.cleaned_data
                )
            except AccessError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Outcome recorded."))
                return redirect("access:referral", pk=referral.pk)
    elif request.user.can_edit:
        form = OutcomeForm()
    status = 400 if request.method == "POST" else 200
    return render(
        request, "access/referrals/detail.html", {"referral": referral, "form": form}, status=status
    )


urlpatterns = [
    path("referrals/", referral_list, name="referrals"),
    path("referrals/<int:pk>/", referral_detail, name="referral"),
    path("members/<int:member>/refer/", referral_new, name="referral_new"),
]
