"""Organisation pages: the federation › association › group tree with counts, one organisation, forms."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from samiti.core.models import Channel
from samiti.registry import queries, services
from samiti.registry.forms import OfficeForm, OrganisationForm
from samiti.registry.models import Organisation

COUNTS = {
    "members": Count("id"),
    "women": Count("id", filter=Q(sex="F")),
}


@login_required
def organisation_tree(request: HttpRequest) -> HttpResponse:
    organisations = list(queries.organisations_for(request.user).select_related("area").order_by("name_en"))
    by_group = {
        row["group_id"]: row
        for row in queries.members_for(request.user)
        .filter(is_active=True)
        .values("group_id")
        .annotate(**COUNTS)
    }
    children = defaultdict(list)
    ids = {o.pk for o in organisations}
    for org in organisations:
        org.member_count = by_group.get(org.pk, {}).get("members", 0)
        org.women_count = by_group.get(org.pk, {}).get("women", 0)
        children[org.parent_id if org.parent_id in ids else None].append(org)
    # Sum counts upward: groups → associations → federations.
    for kind in (Organisation.Kind.ASSOCIATION, Organisation.Kind.FEDERATION):
        for org in organisations:
            if org.kind == kind:
                org.member_count = sum(c.member_count for c in children[org.pk])
                org.women_count = sum(c.women_count for c in children[org.pk])
    for org in organisations:
        org.tree_children = children[org.pk]
    return render(request, "registry/organisation_tree.html", {"roots": children[None]})


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = queries.organisation_or_404(request.user, pk)
    counts = queries.members_of(request.user, organisation).aggregate(
        **COUNTS,
        minority=Count("id", filter=Q(is_ethnic_minority=True)),
        disability=Count("id", filter=Q(has_disability=True)),
    )
    office_form = OfficeForm(request.POST or None, user=request.user, organisation=organisation)
    if request.method == "POST":
        if not request.user.can_edit:
            raise Http404
        if office_form.is_valid():
            try:
                services.assign_office(
                    actor=request.user, organisation=organisation, **office_form.cleaned_data
                )
            except services.RegistryError as error:
                office_form.add_error(error.field if error.field in office_form.fields else None, str(error))
            else:
                messages.success(request, _("Committee office recorded."))
                return redirect("registry:organisation_detail", pk=organisation.pk)
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "organisation": organisation,
            "children": queries.organisations_for(request.user)
            .filter(parent=organisation)
            .order_by("name_en"),
            "offices": organisation.offices.select_related("member").order_by("ended_on", "office"),
            "counts": counts,
            "office_form": office_form,
        },
    )


@login_required
def organisation_add(request: HttpRequest) -> HttpResponse:
    if not request.user.can_edit:
        raise Http404
    initial = {"kind": request.GET.get("kind", "group"), "parent": request.GET.get("parent")}
    form = OrganisationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(
                actor=request.user, channel=Channel.WEB, **form.cleaned_data
            )
        except services.RegistryError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(name)s created.") % {"name": organisation})
            return redirect("registry:organisation_detail", pk=organisation.pk)
    return render(request, "registry/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = queries.organisation_or_404(request.user, pk)
    if not request.user.can_edit:
        raise Http404
    initial = {name: getattr(organisation, name) for name in OrganisationForm.base_fields}
    form = OrganisationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(actor=request.user, organisation=organisation, **form.cleaned_data)
        except services.RegistryError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:organisation_detail", pk=organisation.pk)
    return render(request, "registry/organisation_form.html", {"form": form, "organisation": organisation})


urlpatterns = [
    path("organisations/", organisation_tree, name="organisation_tree"),
    path("organisations/add/", organisation_add, name="organisation_add"),
    path("organisations/<int:pk>/", organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisation_edit, name="organisation_edit"),
]
