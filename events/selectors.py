"""Reads of events for pages: what a visitor may see, and a user's registrations."""

from datetime import datetime, timedelta

from django.db.models import Case, Count, Exists, Max, Min, OuterRef, Prefetch, Q, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dues.invoicing import rate_totals

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
        .annotate(
            starts_at=Min("event__sessions__starts_at"), ends_at=Max("event__sessions__ends_at")
        )
        .order_by("-created_at", "-pk")
    )


# --- The members' and the public's pages -----------------------------------------------------


def upcoming_and_past(events, now):
    """The events (with `with_dates`) split into those still to come or under way, soonest
    first, and those over, latest first; an event without sessions yet is upcoming."""
    upcoming = [e for e in events if e.ends_at is None or e.ends_at >= now]
    past = [e for e in events if e.ends_at is not None and e.ends_at < now]
    upcoming.sort(key=lambda e: (e.starts_at is None, e.starts_at or now, e.pk))
    past.sort(key=lambda e: (e.ends_at, e.pk), reverse=True)
    return upcoming, past


def filtered(events, *, kind="", block=None, month=None):
    """Events of a kind, held in a regional block, with a session starting in a month (the
    first day of the month, a date in the portal's time zone)."""
    if kind:
        events = events.filter(kind=kind)
    if block is not None:
        events = events.filter(block=block)
    if month is not None:
        start = timezone.make_aware(datetime(month.year, month.month, 1))
        end = timezone.make_aware(
            datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
        )
        in_month = Session.objects.filter(
            event=OuterRef("pk"), starts_at__gte=start, starts_at__lt=end
        )
        events = events.filter(Exists(in_month))
    return events


def months_of(events) -> list:
    """The months (first days, local time) in which the events have a session, latest first."""
    months = (
        Session.objects.filter(event__in=events)
        .annotate(month=TruncMonth("starts_at"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")
    )
    return [timezone.localtime(m).date() if timezone.is_aware(m) else m.date() for m in months]


def places_left(events) -> None:
    """Set `places_left` on each event (annotated by `with_dates`), in one query: the event's
    places, and those of its sessions (a session may hold fewer). A training takes every
    session, so its fullest session counts; elsewhere a participant may choose the sessions
    with room, so the emptiest counts."""
    sessions: dict[int, list[int]] = {}
    rows = (
        Session.objects.filter(event__in=[e.pk for e in events])
        .annotate(
            held=Count("seats", filter=Q(seats__registration__status__in=Registration.HOLDING))
        )
        .values_list("event_id", "capacity", "held")
    )
    capacities = {e.pk: e.capacity for e in events}
    for event_id, capacity, held in rows:
        own = capacity if capacity is not None else capacities[event_id]
        sessions.setdefault(event_id, []).append(own - held)
    for event in events:
        left = event.capacity - event.held
        if event.pk in sessions:
            pick = min if event.kind == Event.Kind.TRAINING else max
            left = min(left, pick(sessions[event.pk]))
        event.places_left = max(left, 0)


def with_tax(amount: int) -> int:
    """A fee (yen, tax excluded) with its consumption tax, as an invoice line computes it: the
    standard rate, rounded down once (`dues.invoicing`)."""
    (total,) = rate_totals([("standard", amount)])
    return total.amount + total.tax


def meeting_url_shown(event, first_start, now) -> bool:
    """Whether a registered participant sees the meeting URL: from `meeting_url_lead_minutes`
    before the first session starts (and never for an event without a URL or sessions)."""
    if not event.meeting_url or first_start is None:
        return False
    return now >= first_start - timedelta(minutes=event.meeting_url_lead_minutes)


def material_released(material, registration, last_end, now) -> bool:
    """Whether a material is open to a participant: only with a registration that holds a
    place, then at once for those released before the event, after the last session
    ended for those released after it."""
    if registration is None or registration.status != Registration.Status.REGISTERED:
        return False
    if material.release == material.Release.BEFORE:
        return True
    return last_end is not None and now >= last_end


def own_registration(event, user):
    """The user's own registration for an event (as the participant), the active one first;
    None for an anonymous visitor."""
    if not user.is_authenticated:
        return None
    active = Registration.objects.filter(event=event, user=user)
    return active.order_by(
        Case(When(status__in=Registration.ACTIVE, then=0), default=1), "-created_at", "-pk"
    ).first()


def event_dates(event_id):
    """(first start, last end) of an event's sessions."""
    dates = Session.objects.filter(event_id=event_id).aggregate(
        starts_at=Min("starts_at"), ends_at=Max("ends_at")
    )
    return dates["starts_at"], dates["ends_at"]


def feed_sessions(user):
    """The sessions a user holds a place in (their own registrations, registered), with
    their events, for the user's calendar feed."""
    return (
        Session.objects.filter(
            seats__registration__user=user,
            seats__registration__status=Registration.Status.REGISTERED,
        )
        .select_related("event")
        .distinct()
        .order_by("starts_at", "pk")
    )
