"""The events' mails, through the mail engine: the confirmation (with the sessions as an
.ics attachment and the check-in QR code), the offer of a place from the waiting list, and
the reminder the day before. Each is claimed on the registration (a timestamp) in the
transaction that starts its mailing, so it goes out once."""

from datetime import timedelta
from io import BytesIO

import qrcode
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox import engine
from portal import names
from portal.mail import PortalMessage, portal_url, render_templated

from . import calendar
from .models import Registration, Session

CONFIRMATION, OFFER, REMINDER = "events.confirmation", "events.offer", "events.reminder"


def _recipients(registrations, template: str) -> list[dict]:
    return [
        {
            "address": r.email,
            "name": names.display_name(r),
            "key": f"registration:{r.pk}:{template}:{r.status}",
            "context": {"registration": r.pk, "template": template},
        }
        for r in registrations
    ]


def _start(registrations, template: str, renderer: str, name: str) -> None:
    if registrations:
        engine.start_mailing(name, renderer, _recipients(registrations, template))


def confirm(registration_ids) -> None:
    """The confirmation of a registration or of a place on the waiting list; the caller's
    transaction claims and starts it."""
    registrations = list(
        Registration.objects.select_related("event").filter(pk__in=list(registration_ids))
    )
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
        confirmation_sent_at=timezone.now()
    )
    if registrations:
        event = registrations[0].event
        _start(
            registrations,
            "confirmation",
            CONFIRMATION,
            _("Registration confirmations: %(title)s") % {"title": event.title},
        )


def offer(registration_ids) -> None:
    """A place offered from the waiting list, with the deadline to confirm it."""
    registrations = list(
        Registration.objects.select_related("event").filter(pk__in=list(registration_ids))
    )
    if registrations:
        _start(
            registrations,
            "offer",
            OFFER,
            _("Places offered from the waiting list: %(title)s")
            % {"title": registrations[0].event.title},
        )


def send_reminders(now=None) -> int:
    """Remind the participants of events whose first session starts tomorrow (Asia/Tokyo),
    once each: the registration's `reminded_at` is claimed with the mailing."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    starting = (
        Session.objects.filter(starts_at__date=tomorrow)
        .values_list("event_id", flat=True)
        .distinct()
    )
    sent = 0
    for event_id in list(starting):
        if Session.objects.filter(event_id=event_id, starts_at__date__lt=tomorrow).exists():
            continue  # begun already: its first day was the day to remind
        with transaction.atomic():
            due = list(
                Registration.objects.select_for_update(of=("self",))
                .select_related("event")
                .filter(
                    event_id=event_id,
                    status=Registration.Status.REGISTERED,
                    reminded_at__isnull=True,
                )
            )
            if not due:
                continue
            Registration.objects.filter(pk__in=[r.pk for r in due]).update(reminded_at=now)
            _start(
                due,
                "reminder",
                REMINDER,
                _("Reminders: %(title)s") % {"title": due[0].event.title},
            )
            sent += len(due)
    return sent


def qr_png(registration: Registration) -> bytes:
    """The check-in code: the address of the registration's check-in page, which the
    secretariat's phone opens."""
    url = portal_url(reverse("events:check_in_code", args=[registration.token]))
    buffer = BytesIO()
    qrcode.make(url, box_size=8, border=2).save(buffer, format="PNG")
    return buffer.getvalue()


def render(mailing, delivery) -> PortalMessage:
    context = delivery.context
    registration = Registration.objects.select_related("event", "organisation").get(
        pk=context["registration"]
    )
    event = registration.event
    sessions = list(Session.objects.filter(event=event).select_related("event"))
    values = {
        "registration": registration,
        "event": event,
        "sessions": sessions,
        "url": portal_url(reverse("events:detail", args=[event.pk])),
        "mine_url": portal_url(reverse("events:mine")),
        "check_in_url": portal_url(reverse("events:check_in_code", args=[registration.token])),
    }
    message = render_templated(f"events/email/{context['template']}", values, delivery.address)
    if registration.status == Registration.Status.REGISTERED:
        message.attach(
            "event.ics",
            calendar.calendar(sessions, name=event.title, stamp=timezone.now()),
            "text/calendar; charset=utf-8; method=PUBLISH",
        )
        message.attach("check-in.png", qr_png(registration), "image/png")
    return message


RENDERERS = {CONFIRMATION: render, OFFER: render, REMINDER: render}
