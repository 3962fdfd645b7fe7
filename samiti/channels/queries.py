"""Reads of messages, scoped: a staff account sees the messages of the members and associations it may see."""

import datetime
import re
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from samiti.channels.models import Message
from samiti.core.bengali import to_latin_digits
from samiti.registry.models import Organisation, User
from samiti.registry.queries import members_for, organisations_for


def messages_for(user: User) -> QuerySet[Message]:
    """Every message `user` may see: the one way pages read messages.

    A message about a member is seen by whoever may see the member; one with no member but an
    association by whoever may see the association; one from an unknown number (neither) only by
    programme admins.
    """
    messages = Message.objects.all()
    if user.sees_whole_programme:
        return messages
    return messages.filter(
        Q(member__in=members_for(user))
        | Q(member__isnull=True, association_id__in=organisations_for(user).values("pk"))
    )


def message_or_404(user: User, pk: int) -> Message:
    message = messages_for(user).select_related("member").filter(pk=pk).first()
    if message is None:
        raise Http404
    return message


def of_organisation(organisation: Organisation) -> Q:
    """The messages of a group's, an association's or a federation's members."""
    if organisation.kind == Organisation.Kind.GROUP:
        return Q(member__group_id=organisation.pk)
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        return Q(association_id=organisation.pk)
    return Q(association_id__in=Organisation.objects.filter(parent_id=organisation.pk).values("pk"))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def search_messages(user: User, filters: dict[str, Any]) -> QuerySet[Message]:
    """Messages in `user`'s scope matching the history page's filters (MessageFilterForm), newest first."""
    messages = messages_for(user)
    for name in ("direction", "status", "kind"):
        if filters.get(name):
            messages = messages.filter(**{name: filters[name]})
    if filters.get("organisation"):
        messages = messages.filter(of_organisation(filters["organisation"]))
    code = to_latin_digits(filters.get("member") or "").strip()
    if code:
        messages = messages.filter(member__code__iexact=code)
    if filters.get("since"):
        messages = messages.filter(created_at__gte=_day_start(filters["since"]))
    if filters.get("until"):
        messages = messages.filter(created_at__lt=_day_start(filters["until"] + datetime.timedelta(days=1)))
    text = (filters.get("q") or "").strip()
    if text:
        match = Q(text__icontains=text)
        digits = re.sub(r"[\s+-]", "", to_latin_digits(text))
        if digits.isdigit() and len(digits) >= 4:
            match |= Q(phone__endswith=digits.lstrip("0"))
        messages = messages.filter(match)
    return messages.order_by("-created_at", "-id")


def status_counts(messages: QuerySet[Message]) -> list[tuple[str, str, int]]:
    """(status, its label, how many) of `messages`, in the order the statuses are defined, one query."""
    found = dict(messages.order_by().values_list("status").annotate(n=Count("id")))
    labels = dict(Message.Status.choices)
    return [(status, labels[status], found[status]) for status in labels if found.get(status)]


def waiting(user: User) -> QuerySet[Message]:
    """Inbound messages in `user`'s scope that wait for a leader, the longest waiting first."""
    return (
        messages_for(user)
        .filter(direction=Message.Direction.IN, status=Message.Status.NEEDS_ACTION)
        .select_related("member")
        .prefetch_related("replies")
        .order_by("created_at", "id")
    )
