"""The feedback survey after an event: the event's `feedback_survey` is a survey of the
survey app, and its requests go out through that app (`surveys.mail.invite`), narrowed to
the member institutions of those who came, and written to those who came as well as to
their institution's primary contact. The respondent is the institution, as for every
survey: its own pages, reminders and results apply, nothing is copied here."""

from surveys import mail as survey_mail

from .models import Event, Registration


def attendees(event: Event) -> dict[int, set[str]]:
    """The addresses of the participants checked in, by their institution."""
    rows = (
        Registration.objects.filter(
            event=event,
            status=Registration.Status.REGISTERED,
            organisation__isnull=False,
            seats__attended_at__isnull=False,
        )
        .values_list("organisation_id", "email")
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for organisation, email in rows:
        found.setdefault(organisation, set()).add(email)
    return found


def invite_attendees(event_id: int) -> int:
    """Ask the attendees' institutions not asked yet to answer the event's survey (those
    the survey targets, while it is open); returns how many were invited. Safe to run
    again: the survey app claims each invitation once."""
    event = Event.objects.get(pk=event_id)
    if event.feedback_survey_id is None:
        return 0
    came = attendees(event)
    if not came:
        return 0
    return survey_mail.invite(event.feedback_survey_id, organisations=list(came), addresses=came)
