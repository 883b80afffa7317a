"""The day itself and after: check-in per session, and numbered certificates of completion
(修了証) for those who attended every required session of a training."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CertificateSequence, Event, Registration, Seat


def check_in(registration: Registration, session_id: int, user, *, now=None) -> Seat:
    """Record that a registered participant came to a session; a second check-in keeps the
    first time."""
    now = now or timezone.now()
    if registration.status != Registration.Status.REGISTERED:
        raise ValidationError(
            _("%(name)s is not registered (%(status)s).")
            % {"name": registration, "status": registration.get_status_display()}
        )
    seat = Seat.objects.filter(registration=registration, session_id=session_id).first()
    if seat is None:
        raise ValidationError(
            _("%(name)s is not registered for this session.") % {"name": registration}
        )
    Seat.objects.filter(pk=seat.pk, attended_at__isnull=True).update(
        attended_at=now, checked_in_by=user
    )
    seat.refresh_from_db()
    return seat


def undo_check_in(registration: Registration, session_id: int) -> None:
    Seat.objects.filter(registration=registration, session_id=session_id).update(
        attended_at=None, checked_in_by=None
    )


def completed(event: Event):
    """Registrations that attended every required session of the event they hold a seat
    for, and no required session of the event left out."""
    missed = Seat.objects.filter(
        registration=OuterRef("pk"), session__required=True, attended_at__isnull=True
    )
    return (
        Registration.objects.filter(event=event, status=Registration.Status.REGISTERED)
        .annotate(
            required=Count("seats", filter=Q(seats__session__required=True)),
        )
        .filter(required=event.sessions.filter(required=True).count())
        .exclude(Exists(missed))
    )


def issue_certificates(event_id: int) -> int:
    """Number a certificate for every participant of a training who completed it and has
    none yet; numbers run per year of the event's end without gaps. Safe to run again."""
    event = Event.objects.get(pk=event_id)
    if event.kind != Event.Kind.TRAINING:
        raise ValidationError(_("Certificates of completion are for training only."))
    last = event.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
    if last is None or last > timezone.now():
        raise ValidationError(_("Certificates are issued once the training has ended."))
    year = timezone.localtime(last).year
    with transaction.atomic():
        sequence, _created = CertificateSequence.objects.select_for_update().get_or_create(
            year=year
        )
        # PostgreSQL locks no grouped rows (FOR UPDATE with GROUP BY): lock them by id.
        due = list(
            Registration.objects.filter(
                pk__in=completed(event).filter(certificate_number__isnull=True).values("pk")
            )
            .select_for_update(of=("self",))
            .order_by("family_name_kana", "given_name_kana", "pk")
        )
        for registration in due:
            sequence.last_number += 1
            registration.certificate_year = year
            registration.certificate_number = sequence.last_number
        Registration.objects.bulk_update(due, ["certificate_year", "certificate_number"])
        sequence.save(update_fields=["last_number"])
    return len(due)
