"""Reads of events for pages: what a visitor may see, and a user's registrations."""

from django.db.models import Count, Max, Min, Prefetch, Q

from .models import Event, Registration, Session


def visible_events(roles):
    """Published events a visitor may see: public ones to anyone, all to members and
    logged-in users, everything (drafts too) to the secretariat."""
    events = Event.objects.all()
    if roles.has_perm("events.view_event"):
        return events
    events = events.published()
    if not roles.authenticated:
        events = events.filter(open_to_public=True)
    return events


def with_dates(events):
    """Each event with its first start, last end and places held, in one query."""
    return events.select_related("block").annotate(
        starts_at=Min("sessions__starts_at"),
        ends_at=Max("sessions__ends_at"),
        held=Count(
            "registrations",
            filter=Q(registrations__status__in=Registration.HOLDING),
            distinct=True,
        ),
    )


def sessions_prefetch():
    return Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk"))


def registrations_of(user, roles):
    """The registrations a user made, holds, or may manage for their institution."""
    mine = Q(user=user) | Q(registered_by=user)
    if roles.organisation_id is not None:
        mine |= Q(organisation_id=roles.organisation_id)
    return (
        Registration.objects.filter(mine)
        .select_related("event", "invoice")
        .order_by("-created_at", "-pk")
    )
