"""The results pages: reach against targets, and the targets themselves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samiti.results import queries
from samiti.results.forms import TargetsForm
from samiti.results.models import Target
from samiti.results.services import update_targets


@login_required
@require_http_methods(["GET", "HEAD"])
def reach(request: HttpRequest) -> HttpResponse:
    return render(request, "results/reach.html", {"reach": queries.reach(request.user)})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    editable = request.user.sees_whole_programme
    rows = list(Target.objects.all())
    form = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = TargetsForm(request.POST, targets=rows)
        if form.is_valid():
            changed = update_targets(actor=request.user, values=form.cleaned_data)
            if changed:
                messages.success(request, _("Targets saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("results:targets")
    elif editable:
        form = TargetsForm(targets=rows)
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "results/targets.html", {"targets": rows, "form": form}, status=status)
