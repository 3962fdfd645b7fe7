"""The way in to finance: the groups in scope with their running cycle, and the associations' books."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from samiti.finance.models import Cycle, Posting
from samiti.registry.models import Organisation
from samiti.registry.queries import groups_for, organisations_for

PAGE_SIZE = 25
# Balances shown beside each group (a group's whole box, read in one query for the page).
SHOWN = ("loan_fund", "member_savings", "loans_receivable")


@login_required
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    groups = groups_for(request.user).select_related("parent").order_by("name_en", "pk")
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [group.pk for group in page.object_list]
    running = {
        cycle.group_id: cycle
        for cycle in Cycle.objects.filter(group_id__in=ids, status=Cycle.Status.OPEN).annotate(
            meetings_held=Count("meetings")
        )
    }
    held: dict[int, dict[str, int]] = defaultdict(dict)
    for organisation_id, code, total in (
        Posting.objects.filter(account__organisation_id__in=ids, account__code__in=SHOWN)
        .values_list("account__organisation_id", "account__code")
        .annotate(total=Sum("amount"))
        .values_list("account__organisation_id", "account__code", "total")
    ):
        held[organisation_id][code] = total
    rows = [
        {
            "group": group,
            "cycle": running.get(group.pk),
            "loan_fund": held[group.pk].get("loan_fund", 0),
            "savings": -held[group.pk].get("member_savings", 0),
            "outstanding": held[group.pk].get("loans_receivable", 0),
        }
        for group in page.object_list
    ]
    associations = (
        organisations_for(request.user).filter(kind=Organisation.Kind.ASSOCIATION).order_by("name_en", "pk")
    )
    context = {"page": page, "rows": rows, "associations": associations}
    return render(request, "finance/home.html", context)


urlpatterns = [path("", home, name="home")]
