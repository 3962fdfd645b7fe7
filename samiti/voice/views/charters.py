"""Pages of authorities, charters of demands, the authority's responses and commitments' follow-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from samiti.core.models import Channel
from samiti.core.views import require_editor
from samiti.registry import services as registry_services
from samiti.registry.models import Official
from samiti.voice.errors import VoiceError
from samiti.voice.forms.charters import (
    AddDemandForm,
    AuthorityForm,
    CharterForm,
    CharterOrganisationForm,
    CorrectResponseForm,
    FollowUpForm,
    OfficialForm,
    RemoveDemandForm,
    ReorderForm,
    ResponseForm,
    SubmissionForm,
    authorities_near,
)
from samiti.voice.models import CharterItem, Commitment, FollowUp
from samiti.voice.pdf import render_charter
from samiti.voice.services import charters as services

PAGE_SIZE = 50


# ----- authorities ---------------------------------------------------------------------------------


@login_required
def authority_list(request: HttpRequest) -> HttpResponse:
    authorities = (
        authorities_near(request.user)
        .select_related("area", "parent")
        .prefetch_related(Prefetch("officials", queryset=Official.objects.order_by("post", "-since")))
    )
    page = Paginator(authorities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "voice/charters/authority_list.html", {"page": page})


@login_required
def authority_add(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    form = AuthorityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            authority = registry_services.save_authority(
                actor=request.user, channel=Channel.WEB, **form.cleaned_data
            )
        except registry_services.RegistryError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": authority})
            return redirect("voice:authority_edit", pk=authority.pk)
    return render(request, "voice/charters/authority_form.html", {"form": form, "authority": None})


@login_required
def authority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request)
    authority = get_object_or_404(authorities_near(request.user), pk=pk)
    initial = {name: getattr(authority, name) for name in AuthorityForm.base_fields}
    form = AuthorityForm(initial=initial, user=request.user)
    official_form = OfficialForm()
    if request.method == "POST":
        if "add_official" in request.POST:
            official_form = OfficialForm(request.POST)
            if official_form.is_valid():
                try:
                    registry_services.add_official(
                        actor=request.user,
                        authority=authority,
                        channel=Channel.WEB,
                        **official_form.cleaned_data,
                    )
                except registry_services.RegistryError as error:
                    official_form.add_service_error(error)
                else:
                    messages.success(request, _("Official added."))
                    return redirect("voice:authority_edit", pk=authority.pk)
        else:
            form = AuthorityForm(request.POST, initial=initial, user=request.user)
            if form.is_valid():
                try:
                    registry_services.save_authority(
                        actor=request.user, authority=authority, channel=Channel.WEB, **form.cleaned_data
                    )
                except registry_services.RegistryError as error:
                    form.add_service_error(error)
                else:
                    messages.success(request, _("Changes saved."))
                    return redirect("voice:authority_list")
    return render(
        request,
        "voice/charters/authority_form.html",
        {
            "form": form,
            "authority": authority,
            "official_form": official_form,
            "officials": authority.officials.order_by("post", "-since"),
        },
    )


# ----- charters ------------------------------------------------------------------------------------


@login_required
def charter_list(request: HttpRequest) -> HttpResponse:
    charters = (
        services.charters_for(request.user)
        .select_related("organisation", "authority")
        .annotate(
            demand_count=Count("items", distinct=True),
            commitment_count=Count("commitments", distinct=True),
            fulfilled_count=Count("commitments", filter=Q(commitments__status="fulfilled"), distinct=True),
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(charters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "voice/charters/charter_list.html", {"page": page})


@login_required
def charter_add(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    chooser = CharterOrganisationForm(request.GET or None, user=request.user)
    if not chooser.is_valid():
        return render(request, "voice/charters/charter_new.html", {"chooser": chooser, "form": None})
    organisation = chooser.cleaned_data["organisation"]
    demands = list(services.charterable_demands(request.user, organisation)[:200])
    form = CharterForm(request.POST or None, user=request.user, demands=demands)
    if request.method == "POST" and form.is_valid():
        try:
            charter = services.create_charter(
                actor=request.user,
                organisation=organisation,
                authority=form.cleaned_data["authority"],
                official=form.cleaned_data["official"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                language=form.cleaned_data["language"],
                demands=form.ordered_demands(),
                channel=Channel.WEB,
            )
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Charter prepared."))
            return redirect("voice:charter_detail", pk=charter.pk)
    return render(
        request,
        "voice/charters/charter_new.html",
        {"chooser": chooser, "form": form, "organisation": organisation},
    )


@login_required
def charter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    charter = services.charter_or_404(request.user, pk)
    reorder_form = ReorderForm(charter=charter)
    submission_form = SubmissionForm(
        initial={"submitted_on": timezone.localdate(), "official": charter.official_id},
        user=request.user,
        charter=charter,
    )
    add_form = (
        AddDemandForm(demands=services.charterable_demands(request.user, charter.organisation))
        if charter.status == charter.Status.DRAFT and request.user.can_edit
        else None
    )
    if request.method == "POST":
        require_editor(request)
        if "add" in request.POST or "remove" in request.POST:
            return _change_demands(request, charter)
        try:
            if "reorder" in request.POST:
                reorder_form = ReorderForm(request.POST, charter=charter)
                if reorder_form.is_valid():
                    services.reorder_charter(
                        actor=request.user, charter=charter, demands=reorder_form.ordered_demands()
                    )
                    messages.success(request, _("Priorities saved."))
                    return redirect("voice:charter_detail", pk=charter.pk)
            elif "submit" in request.POST:
                submission_form = SubmissionForm(request.POST, user=request.user, charter=charter)
                if submission_form.is_valid():
                    services.submit_charter(
                        actor=request.user, charter=charter, **submission_form.cleaned_data
                    )
                    messages.success(request, _("Submission recorded."))
                    return redirect("voice:charter_detail", pk=charter.pk)
        except VoiceError as error:
            target = reorder_form if "reorder" in request.POST else submission_form
            target.add_service_error(error)
    lines = services.charter_lines(charter)
    follow_ups = {}
    commitment_ids = [line.commitment.pk for line in lines if line.commitment]
    for follow_up in FollowUp.objects.filter(commitment_id__in=commitment_ids).order_by("on", "pk"):
        follow_ups.setdefault(follow_up.commitment_id, []).append(follow_up)
    for line in lines:
        line.follow_ups = follow_ups.get(line.commitment.pk, []) if line.commitment else []
    return render(
        request,
        "voice/charters/charter_detail.html",
        {
            "charter": charter,
            "lines": lines,
            "totals": services.charter_totals(charter),
            "reorder_form": reorder_form,
            "submission_form": submission_form,
            "add_form": add_form,
            "today": timezone.localdate(),
        },
    )


def _change_demands(request: HttpRequest, charter) -> HttpResponse:
    """Add a demand to a draft charter or take one out; a refusal is shown as a message on the page."""
    if "add" in request.POST:
        form = AddDemandForm(
            request.POST, demands=services.charterable_demands(request.user, charter.organisation)
        )
    else:
        form = RemoveDemandForm(request.POST, charter=charter)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("voice:charter_detail", pk=charter.pk)
    demand = form.cleaned_data["demand"]
    try:
        if "add" in request.POST:
            services.add_to_charter(
                actor=request.user,
                charter=charter,
                demand=demand,
                priority=form.cleaned_data["priority"],
                channel=Channel.WEB,
            )
            messages.success(request, _("“%(demand)s” added to the charter.") % {"demand": demand})
        else:
            services.remove_from_charter(
                actor=request.user, charter=charter, demand=demand, channel=Channel.WEB
            )
            messages.success(request, _("“%(demand)s” taken out of the charter.") % {"demand": demand})
    except VoiceError as error:
        messages.error(request, str(error))
    return redirect("voice:charter_detail", pk=charter.pk)


@login_required
def charter_letter(request: HttpRequest, pk: int) -> HttpResponse:
    charter = services.charter_or_404(request.user, pk)
    response = HttpResponse(render_charter(charter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="charter-{charter.pk}.pdf"'
    return response


@login_required
def respond(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    charter = services.charter_or_404(request.user, pk)
    require_editor(request)
    charter_item = get_object_or_404(CharterItem.objects.select_related("demand"), charter=charter, pk=item)
    form = ResponseForm(
        request.POST or None,
        initial={"responded_on": timezone.localdate(), "kind": "committed"},
        user=request.user,
        charter=charter,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_response(
                actor=request.user, item=charter_item, channel=Channel.WEB, **form.service_arguments()
            )
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Response recorded."))
            return redirect("voice:charter_detail", pk=charter.pk)
    return render(
        request, "voice/charters/respond.html", {"charter": charter, "item": charter_item, "form": form}
    )


@login_required
def correct_response(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    charter = services.charter_or_404(request.user, pk)
    require_editor(request)
    charter_item = get_object_or_404(
        CharterItem.objects.select_related("demand", "response", "response__commitment"),
        charter=charter,
        pk=item,
        response__isnull=False,
    )
    response = charter_item.response
    form = CorrectResponseForm(
        request.POST or None,
        initial=CorrectResponseForm.initial_from(response),
        user=request.user,
        charter=charter,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_response(
                actor=request.user, response=response, channel=Channel.WEB, **form.service_arguments()
            )
        except VoiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Response corrected."))
            return redirect("voice:charter_detail", pk=charter.pk)
    return render(
        request,
        "voice/charters/respond.html",
        {"charter": charter, "item": charter_item, "form": form, "correcting": True},
    )


# ----- commitments ---------------------------------------------------------------------------------


@login_required
def commitment_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    overdue_only = request.GET.get("overdue") == "1"
    commitments = (
        services.overdue_commitments(request.user, today=today)
        if overdue_only
        else services.commitments_for(request.user)
    )
    commitments = commitments.select_related(
        "charter", "charter__organisation", "charter__authority", "demand"
    )
    counts = services.commitments_for(request.user).aggregate(
        total=Count("pk"),
        fulfilled=Count("pk", filter=Q(status="fulfilled")),
        overdue=Count("pk", filter=Q(due_on__lt=today) & ~Q(status__in=Commitment.CLOSED)),
    )
    page = Paginator(commitments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "voice/charters/commitment_list.html",
        {"page": page, "today": today, "overdue_only": overdue_only, "counts": counts},
    )


@login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = services.commitment_or_404(request.user, pk)
    form = FollowUpForm(initial={"on": timezone.localdate()})
    if request.method == "POST":
        require_editor(request)
        form = FollowUpForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.follow_up_commitment(
                    actor=request.user, commitment=commitment, channel=Channel.WEB, **form.cleaned_data
                )
            except VoiceError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Follow-up recorded."))
                return redirect("voice:commitment_detail", pk=commitment.pk)
    return render(
        request,
        "voice/charters/commitment_detail.html",
        {
            "commitment": commitment,
            "response": commitment.response,
            "follow_ups": commitment.follow_ups.select_related("recorded_by"),
            "form": form,
            "overdue": commitment.is_overdue(),
        },
    )


@login_required
def follow_up_evidence(request: HttpRequest, pk: int, follow_up: int) -> FileResponse:
    commitment = services.commitment_or_404(request.user, pk)
    found = get_object_or_404(FollowUp, commitment=commitment, pk=follow_up)
    if not found.evidence:
        raise Http404
    return FileResponse(found.evidence.open("rb"), filename=found.evidence.name.rsplit("/", 1)[-1])


urlpatterns = [
    path("authorities/", authority_list, name="authority_list"),
    path("authorities/add/", authority_add, name="authority_add"),
    path("authorities/<int:pk>/edit/", authority_edit, name="authority_edit"),
    path("charters/", charter_list, name="charter_list"),
    path("charters/new/", charter_add, name="charter_add"),
    path("charters/<int:pk>/", charter_detail, name="charter_detail"),
    path("charters/<int:pk>/letter.pdf", charter_letter, name="charter_letter"),
    path("charters/<int:pk>/items/<int:item>/respond/", respond, name="charter_respond"),
    path("charters/<int:pk>/items/<int:item>/correct/", correct_response, name="charter_correct_response"),
    path("commitments/", commitment_list, name="commitment_list"),
    path("commitments/<int:pk>/", commitment_detail, name="commitment_detail"),
    path(
        "commitments/<int:pk>/follow-ups/<int:follow_up>/evidence/",
        follow_up_evidence,
        name="follow_up_evidence",
    ),
]
