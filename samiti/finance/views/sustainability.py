"""Sustainability pages: the associations in scope with their three numbers, each green, amber or
red (in words as well as colour), and the thresholds, which only programme admins edit."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samiti.core.forms import ServiceErrors
from samiti.core.models import Channel
from samiti.finance import sustainability as services
from samiti.finance.errors import FinanceError
from samiti.finance.models import SustainabilityThresholds
from samiti.registry.forms import DateInput
from samiti.registry.models import Organisation
from samiti.registry.queries import organisations_for

PAGE_SIZE = 100


class DayForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Twelve months to"), widget=DateInput, required=False)


class ThresholdsForm(ServiceErrors, forms.ModelForm):
    class Meta:
        model = SustainabilityThresholds
        fields = services.FIELDS


@login_required
def sustainability(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DayForm(request.GET or None, initial={"on": today})
    on = (form.cleaned_data["on"] if form.is_valid() else None) or today
    associations = organisations_for(request.user).filter(kind=Organisation.Kind.ASSOCIATION).order_by("code")
    page = Paginator(associations, PAGE_SIZE).get_page(request.GET.get("page"))
    limits = services.thresholds()
    rows = services.sustainability(list(page.object_list), on, limits)
    first, last = services.window(on)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "limits": limits,
        "first": first,
        "last": last,
        "may_edit": services.may_set_thresholds(request.user),
        "query": query.urlencode(),
    }
    return render(request, "finance/sustainability/list.html", context)


@login_required
def thresholds(request: HttpRequest) -> HttpResponse:
    if not services.may_set_thresholds(request.user):
        raise Http404
    # The form only reads what was typed; set_thresholds checks it and saves.
    form = ThresholdsForm(request.POST or None, instance=services.thresholds())
    if request.method == "POST" and form.is_valid():
        try:
            services.set_thresholds(actor=request.user, channel=Channel.WEB, **form.cleaned_data)
        except FinanceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The thresholds are saved."))
            return redirect("finance:sustainability")
    return render(
        request,
        "finance/sustainability/thresholds.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path("sustainability/", sustainability, name="sustainability"),
    path("sustainability/thresholds/", thresholds, name="thresholds"),
]
