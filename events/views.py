from django.shortcuts import get_object_or_404, render

from members.permissions import require
from newsletter.rendering import markdown_to_html

from . import selectors
from .models import Registration


def index(request):
    events = selectors.with_dates(selectors.visible_events(request.roles)).order_by("starts_at")
    return render(request, "events/index.html", {"events": events})


def detail(request, pk):
    events = selectors.visible_events(request.roles).prefetch_related(
        selectors.sessions_prefetch()
    )
    event = get_object_or_404(selectors.with_dates(events), pk=pk)
    return render(
        request,
        "events/detail.html",
        {"event": event, "description": markdown_to_html(event.description)},
    )


@require("events.register")
def mine(request):
    registrations = selectors.registrations_of(request.user, request.roles)
    return render(request, "events/mine.html", {"registrations": registrations})


@require("events.check_in")
def check_in_code(request, token):
    registration = get_object_or_404(
        Registration.objects.select_related("event", "organisation"), token=token
    )
    seats = registration.seats.select_related("session").order_by("session__starts_at")
    return render(
        request, "events/check_in_code.html", {"registration": registration, "seats": seats}
    )
