"""Member pages: list with search and filters, the member's page with history, add and edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samiti.core.models import AuditEvent, Channel
from samiti.registry import queries, services
from samiti.registry.forms import HouseholdForm, MemberFilterForm, MemberForm
from samiti.registry.importing.values import format_taka
from samiti.registry.models import WG_FIELDS, DuplicateFlag, Member, mask_national_id

PAGE_SIZE = 50
SENSITIVE_FIELDS = {"national_id", "ethnicity", "marital_status", "pregnant", *WG_FIELDS}


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    members = (
        queries.search_members(request.user, filters)
        .select_related("group", "area")
        .only(
            "code",
            "name_en",
            "name_bn",
            "sex",
            "birth_year",
            "phone",
            "group__name_en",
            "group__name_bn",
            "area__name_en",
            "area__name_bn",
            "has_disability",
            "is_ethnic_minority",
            "farmer_category",
            "is_active",
        )
        .order_by("name_en", "name_bn", "id")
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/member_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(v for k, v in filters.items() if k != "q"),
        },
    )


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.member_or_404(request.user, pk)
    ids = [member.pk, *member.merged_members.values_list("pk", flat=True)]
    history = AuditEvent.objects.filter(object_type="registry.member", object_id__in=ids).select_related(
        "actor"
    )
    flags = DuplicateFlag.objects.filter(status=DuplicateFlag.Status.OPEN).filter(member=member) | (
        DuplicateFlag.objects.filter(status=DuplicateFlag.Status.OPEN, other=member)
    )
    return render(
        request,
        "registry/member_detail.html",
        {
            "member": member,
            "offices": member.offices.select_related("organisation"),
            "history": [_readable(event, request.user.sees_sensitive) for event in history[:200]],
            "open_flags": flags.count(),
            "household_form": HouseholdForm(
                initial={
                    "household_code": member.household.code if member.household else "",
                    "household_size": member.household.size if member.household else None,
                    "income_per_year": format_taka(member.household.income_per_year)
                    if member.household
                    else None,
                    "children_under_5": member.household.children_under_5 if member.household else None,
                    "representative": bool(
                        member.household and member.household.representative_id == member.pk
                    ),
                }
            ),
            "wg": [
                (Member._meta.get_field(f).verbose_name, getattr(member, f"get_{f}_display")())
                for f in WG_FIELDS
            ],
        },
    )


@login_required
def member_add(request: HttpRequest) -> HttpResponse:
    if not request.user.can_edit:
        raise Http404
    form = MemberForm(request.POST or None, user=request.user, initial={"joined_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            member = services.register_member(actor=request.user, channel=Channel.WEB, **form.member_fields())
        except services.RegistryError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Member %(name)s registered as %(code)s.") % {"name": member, "code": member.code}
            )
            return redirect("registry:member_detail", pk=member.pk)
    return render(request, "registry/member_form.html", {"form": form, "member": None})


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.member_or_404(request.user, pk)
    if not request.user.can_edit:
        raise Http404
    initial = {name: getattr(member, name) for name in MemberForm.base_fields if hasattr(member, name)}
    initial.update({f: getattr(member, f) for f in WG_FIELDS})
    form = MemberForm(request.POST or None, user=request.user, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(
                actor=request.user, member=member, channel=Channel.WEB, **form.member_fields()
            )
        except services.RegistryError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:member_detail", pk=member.pk)
    return render(request, "registry/member_form.html", {"form": form, "member": member})


@login_required
@require_POST
def member_household(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.member_or_404(request.user, pk)
    if not request.user.can_edit:
        raise Http404
    form = HouseholdForm(request.POST)
    if form.is_valid():
        try:
            services.place_in_household(
                actor=request.user,
                member=member,
                code=form.cleaned_data["household_code"],
                size=form.cleaned_data["household_size"],
                income_per_year=form.cleaned_data["income_per_year"],
                children_under_5=form.cleaned_data["children_under_5"],
                representative=form.cleaned_data["representative"],
            )
        except services.RegistryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Household saved."))
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
    return redirect("registry:member_detail", pk=member.pk)


@login_required
@require_POST
def member_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.member_or_404(request.user, pk)
    if not request.user.sees_sensitive or not request.user.can_edit:
        raise Http404
    try:
        services.delete_member(actor=request.user, member=member)
    except services.RegistryError as error:
        messages.error(request, str(error))
        return redirect("registry:member_detail", pk=member.pk)
    messages.success(request, _("The record was deleted; the audit trail keeps what it held."))
    return redirect("registry:member_list")


def _readable(event: AuditEvent, sees_sensitive: bool) -> dict:
    """An audit event as rows of (field label, old, new), hiding sensitive values."""
    rows = []
    for field, (old, new) in event.changes.items():
        try:
            label = Member._meta.get_field(field).verbose_name
        except FieldDoesNotExist:  # notes such as merged_from
            label = field.replace("_", " ")
        if field == "national_id" and not sees_sensitive:
            old, new = mask_national_id(old or ""), mask_national_id(new or "")
        elif field in SENSITIVE_FIELDS and not sees_sensitive:
            old, new = ("•••" if old not in (None, "") else ""), ("•••" if new not in (None, "") else "")
        rows.append((label, old, new))
    return {"event": event, "rows": rows}


urlpatterns = [
    path("members/", member_list, name="member_list"),
    path("members/add/", member_add, name="member_add"),
    path("members/<int:pk>/", member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", member_edit, name="member_edit"),
    path("members/<int:pk>/household/", member_household, name="member_household"),
    path("members/<int:pk>/delete/", member_delete, name="member_delete"),
]
