"""Registering, cancelling and the waiting list. Every write that decides who holds a
place locks the event's row first, so registrations, cancellations and expiring offers of
one event take turns: capacity is counted and places are given under that lock, and the
mails they cause start in the same transaction (`mail.py`), so each goes out once."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from . import billing, mail
from .models import Event, Registration, Seat, Session

REGISTERED, WAITING, OFFERED = (
    Registration.Status.REGISTERED,
    Registration.Status.WAITING,
    Registration.Status.OFFERED,
)
CANCELLED, EXPIRED = Registration.Status.CANCELLED, Registration.Status.EXPIRED

# The fields of a participant a registration copies (the person's, or what was typed).
PARTICIPANT_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "email",
    "department",
    "affiliation",
    "affiliation_kana",
)


def _locked_event(event_id: int) -> Event:
    return Event.objects.select_for_update(of=("self",)).get(pk=event_id)


class Places:
    """The places left in an event and its sessions, counted once under the event's lock
    and kept up to date while one transaction hands them out."""

    def __init__(self, event: Event):
        self.event = event
        self.sessions = list(
            Session.objects.filter(event=event).annotate(
                held=Count("seats", filter=Q(seats__registration__status__in=Registration.HOLDING))
            )
        )
        self.left = (
            event.capacity
            - Registration.objects.filter(event=event, status__in=Registration.HOLDING).count()
        )
        self.session_left = {
            s.pk: (s.capacity if s.capacity is not None else event.capacity) - s.held
            for s in self.sessions
        }

    def fits(self, session_ids) -> bool:
        return self.left > 0 and all(self.session_left[pk] > 0 for pk in session_ids)

    def take(self, session_ids) -> None:
        self.left -= 1
        for pk in session_ids:
            self.session_left[pk] -= 1

    def all_sessions(self) -> list[int]:
        return [s.pk for s in self.sessions]


def check_may_register(event: Event, now) -> None:
    if not event.published:
        raise ValidationError(_("This event is not open for registration."))
    if now < event.registration_opens_at:
        raise ValidationError(_("Registration has not opened yet."))
    if now >= event.registration_closes_at:
        raise ValidationError(_("Registration has closed."))


def register(
    event_id: int,
    participants: list[dict],
    *,
    registered_by,
    organisation=None,
    member: bool = False,
    session_ids=None,
    one_invoice_per_institution: bool = False,
    now=None,
    notify: bool = True,
) -> list[Registration]:
    """Register participants (dicts of PARTICIPANT_FIELDS, and `person` for a member's
    staff): each gets a place while there is one, else a place on the waiting list.

    Who may register at which rate is the view's to decide (`eligibility`); this checks the
    window, duplicates and capacity, under the event's lock. `notify=False` (the demo data)
    mails no confirmation.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _locked_event(event_id)
        check_may_register(event, now)
        places = Places(event)
        chosen = list(session_ids) if session_ids else places.all_sessions()
        if not chosen or not set(chosen) <= set(places.all_sessions()):
            raise ValidationError(_("Choose at least one session of this event."))
        addresses = [p["email"].strip().lower() for p in participants]
        if len(set(addresses)) != len(addresses):
            raise ValidationError(_("The same email address is given twice."))
        taken = set(
            Registration.objects.annotate(address=Lower("email"))
            .filter(event=event, status__in=Registration.ACTIVE, address__in=addresses)
            .values_list("email", flat=True)
        )
        if taken:
            raise ValidationError(
                _("Already registered for this event: %(emails)s")
                % {"emails": ", ".join(sorted(taken))}
            )
        fee = event.fee_for(member)
        registrations = []
        for participant in participants:
            fits = places.fits(chosen)
            if fits:
                places.take(chosen)
            registrations.append(
                Registration(
                    event=event,
                    status=REGISTERED if fits else WAITING,
                    organisation=organisation,
                    person=participant.get("person"),
                    user=participant.get("user"),
                    member=member,
                    fee=fee,
                    charge=fee if fits else 0,
                    one_invoice_per_institution=one_invoice_per_institution,
                    registered_by=registered_by,
                    created_at=now,
                    **{f: participant.get(f, "") or "" for f in PARTICIPANT_FIELDS},
                )
            )
        for registration in registrations:
            registration.full_clean(exclude=["event", "organisation", "person", "user"])
        Registration.objects.bulk_create(registrations)
        Seat.objects.bulk_create(
            Seat(registration=r, session_id=pk) for r in registrations for pk in chosen
        )
        if notify:
            mail.confirm([r.pk for r in registrations])
    return registrations


def cancel(registration_id: int, *, now=None) -> Registration:
    """Cancel a registration (or leave the waiting list) and offer what it held to the
    waiting list. Before the cancellation deadline nothing is charged; after it, the
    event's cancellation fee."""
    now = now or timezone.now()
    with transaction.atomic():
        event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
        event = _locked_event(event_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.status not in Registration.ACTIVE:
            raise ValidationError(_("This registration is cancelled already."))
        if _started(event, now):
            raise ValidationError(_("The event has started; it can no longer be cancelled."))
        held = registration.status == REGISTERED
        registration.status = CANCELLED
        registration.cancelled_at = now
        registration.charge = late_cancellation_fee(event, registration, now) if held else 0
        registration.save(update_fields=["status", "cancelled_at", "charge"])
        if registration.invoice_id:
            billing.reprice(registration.invoice_id)
        promote(event, now)
    return registration


def late_cancellation_fee(event: Event, registration: Registration, now) -> int:
    """What a cancellation costs now: nothing before the deadline, else the policy's share
    of the fee, rounded down to the yen."""
    if event.cancellation_deadline is None or now <= event.cancellation_deadline:
        return 0
    return registration.fee * event.cancellation_fee_percent // 100


def _started(event: Event, now) -> bool:
    return Session.objects.filter(event=event, starts_at__lte=now).exists()


def promote(event: Event, now) -> list[Registration]:
    """Offer the free places to the waiting list, in order of arrival; the caller holds the
    event's lock. Each place is offered once: an offer holds it until confirmed or expired."""
    places = Places(event)
    if places.left <= 0:
        return []
    offered = []
    waiting = (
        Registration.objects.filter(event=event, status=WAITING)
        .prefetch_related("seats")
        .order_by("created_at", "pk")
    )
    for registration in waiting:
        chosen = [seat.session_id for seat in registration.seats.all()]
        if not places.fits(chosen):
            continue
        places.take(chosen)
        registration.status = OFFERED
        registration.offered_at = now
        registration.offer_expires_at = now + timedelta(days=event.offer_days)
        offered.append(registration)
        if places.left <= 0:
            break
    Registration.objects.bulk_update(offered, ["status", "offered_at", "offer_expires_at"])
    if offered:
        mail.offer([r.pk for r in offered])
    return offered


def confirm_offer(registration_id: int, *, now=None) -> Registration:
    """Take up a place offered from the waiting list, before the offer expires."""
    now = now or timezone.now()
    with transaction.atomic():
        event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
        _locked_event(event_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.status == REGISTERED:
            return registration
        if registration.status != OFFERED or registration.offer_expires_at <= now:
            raise ValidationError(_("This offer has expired; the place went to the next in line."))
        registration.status = REGISTERED
        registration.charge = registration.fee
        registration.save(update_fields=["status", "charge"])
        mail.confirm([registration.pk])
    return registration


def expire_offers(now=None) -> int:
    """Offers not confirmed in time lapse, and their places go to the next in line."""
    now = now or timezone.now()
    events = (
        Registration.objects.filter(status=OFFERED, offer_expires_at__lte=now)
        .values_list("event_id", flat=True)
        .distinct()
    )
    expired = 0
    for event_id in list(events):
        with transaction.atomic():
            event = _locked_event(event_id)
            expired += Registration.objects.filter(
                event=event, status=OFFERED, offer_expires_at__lte=now
            ).update(status=EXPIRED)
            promote(event, now)
    return expired


def may_manage(registration: Registration, user, roles) -> bool:
    """Whether a user may see and cancel a registration: the participant, whoever
    registered it, and the contacts of the institution it is for."""
    return (
        registration.user_id == user.pk
        or registration.registered_by_id == user.pk
        or (
            registration.organisation_id is not None
            and registration.organisation_id == roles.organisation_id
        )
    )


def check_may_manage(registration: Registration, user, roles) -> None:
    if not may_manage(registration, user, roles):
        raise PermissionDenied
