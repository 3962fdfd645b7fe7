"""Possible duplicates: two records side by side, merged or kept apart by a person."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.registry import queries, services
from samiti.registry.models import DuplicateFlag

COMPARED = ["code", "name_bn", "name_en", "sex", "birth_year", "phone", "group", "area", "joined_on"]


def _flags_for(user):
    """Open flags whose two records are both in the user's scope."""
    visible = queries.members_for(user).values("pk")
    return DuplicateFlag.objects.filter(
        status=DuplicateFlag.Status.OPEN, member__in=visible, other__in=visible
    )


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    if not request.user.can_edit:
        raise Http404
    flags = _flags_for(request.user).select_related(
        "member__group", "member__area", "other__group", "other__area"
    )
    if request.GET.get("member", "").isdigit():
        pk = int(request.GET["member"])
        flags = flags.filter(member_id=pk) | flags.filter(other_id=pk)
    page = Paginator(flags.order_by("-created_at", "id"), 20).get_page(request.GET.get("page"))
    pairs = []
    for flag in page.object_list:
        rows = []
        for field in COMPARED:
            label = flag.member._meta.get_field(field).verbose_name
            a, b = _shown(flag.member, field), _shown(flag.other, field)
            rows.append((label, a, b, a != b))
        if request.user.sees_sensitive:
            a, b = flag.member.national_id, flag.other.national_id
        else:
            a, b = flag.member.masked_national_id, flag.other.masked_national_id
        rows.append((flag.member._meta.get_field("national_id").verbose_name, a, b, a != b))
        pairs.append((flag, rows))
    return render(request, "registry/duplicate_list.html", {"page": page, "pairs": pairs})


def _shown(member, field: str) -> str:
    display = getattr(member, f"get_{field}_display", None)
    value = display() if display else getattr(member, field)
    return "" if value is None else str(value)


@login_required
@require_POST
def duplicate_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(_flags_for(request.user).select_related("member", "other"), pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "apart":
            services.keep_apart(actor=request.user, flag=flag)
            messages.success(request, _("Recorded as different people."))
        elif decision in ("keep_member", "keep_other"):
            keep, drop = (flag.member, flag.other) if decision == "keep_member" else (flag.other, flag.member)
            services.merge_members(actor=request.user, keep=keep, drop=drop)
            messages.success(
                request,
                _("%(drop)s merged into %(keep)s; both histories are kept.")
                % {"drop": drop.code, "keep": keep.code},
            )
        else:
            raise Http404
    except services.RegistryError as error:
        messages.error(request, str(error))
    return redirect("registry:duplicate_list")


urlpatterns = [
    path("duplicates/", duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/", duplicate_resolve, name="duplicate_resolve"),
]
