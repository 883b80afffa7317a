"""Survey invitations and reminders, through the mail engine.

Who is invited or reminded is claimed (Response.invited_at, Reminder rows) in the same
transaction that fixes the mailing's deliveries, so each mail goes out once, whatever
is retried or run twice.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import PersonRole
from members.selectors import role_emails
from outbox import engine
from portal.mail import PortalMessage, portal_url, render_templated

from .models import Reminder, Response, Survey
from .services import create_responses, invitees

PRIMARY, REPRESENTATIVE = PersonRole.Kind.PRIMARY, PersonRole.Kind.REPRESENTATIVE
RENDERER = "surveys.mail"  # render's name with the mail engine (registered in apps.py)


def invite(
    survey_id: int, classes=None, blocks=None, roles=None, organisations=None, addresses=None
) -> int:
    """Invite the targeted institutions not invited yet (of these class and block ids, if
    the secretariat narrowed them, and of these organisation ids if given: an event's
    attendees), writing to the holders of these roles (the primary contact by default) and
    to `addresses` ({organisation id: addresses}, e.g. the staff who attended); returns how
    many institutions were invited."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey_id)
        if not survey.is_open():  # a link that opens nothing yet, or nothing any more
            return 0
        narrowed = {"classes": classes, "blocks": blocks, "organisations": organisations}
        create_responses(survey, **narrowed)
        asked = invitees(survey, **narrowed).values("organisation_id")
        pending = list(
            Response.objects.select_for_update(of=("self",))
            .filter(survey=survey, invited_at__isnull=True, organisation__in=asked)
            .values_list("pk", "organisation_id")
        )
        emails = role_emails({o for _pk, o in pending}, roles or [PRIMARY])
        extra = addresses or {}
        recipients = [
            {
                "address": address,
                "key": f"response:{pk}:invitation",
                "context": {"response": pk, "template": "invitation"},
            }
            for pk, organisation in pending
            for address in sorted(
                set(emails.get(organisation, {}).values()) | set(extra.get(organisation, ()))
            )
        ]
        if not recipients:
            return 0
        invited = {r["context"]["response"] for r in recipients}
        Response.objects.filter(pk__in=invited).update(invited_at=timezone.now())
        engine.start_mailing(
            _("Survey invitations: %(title)s") % {"title": survey.title},
            RENDERER,
            recipients,
        )
    return len(invited)


def due_reminders(survey: Survey, now):
    """Invited, not yet answered, fewer reminders than the limit, and quiet long enough."""
    quiet_since = now - timedelta(days=survey.reminder_interval_days)
    return (
        Response.objects.filter(
            survey=survey, submitted_at__isnull=True, invited_at__lte=quiet_since
        )
        .annotate(sent=Count("reminders"), last=Max("reminders__sent_at"))
        .filter(sent__lt=survey.reminder_limit)
        .filter(Q(last__isnull=True) | Q(last__lte=quiet_since))
    )


def send_reminders(survey_id: int, now=None) -> int:
    """The reminders due for one survey; the last one also goes to the representative."""
    now = now or timezone.now()
    with transaction.atomic():
        # The survey's row lock makes concurrent runs take turns; the second finds the
        # reminders of the first.
        survey = Survey.objects.select_for_update().get(pk=survey_id)
        if not survey.is_open(now):
            return 0
        due = list(due_reminders(survey, now).values_list("pk", "organisation_id", "sent"))
        emails = role_emails({o for _pk, o, _n in due}, [PRIMARY, REPRESENTATIVE])
        reminders, recipients = [], []
        for pk, organisation, sent in due:
            number = sent + 1
            last = number == survey.reminder_limit
            kinds = [PRIMARY, REPRESENTATIVE] if last else [PRIMARY]
            addresses = {emails.get(organisation, {}).get(kind) for kind in kinds} - {None}
            if not addresses:
                continue
            reminders.append(Reminder(response_id=pk, number=number, sent_at=now, escalated=last))
            recipients += [
                {
                    "address": address,
                    "key": f"response:{pk}:reminder:{number}",
                    "context": {"response": pk, "template": "reminder", "last": last},
                }
                for address in sorted(addresses)
            ]
        if not reminders:
            return 0
        Reminder.objects.bulk_create(reminders)
        engine.start_mailing(
            _("Survey reminders: %(title)s, %(day)s")
            % {"title": survey.title, "day": timezone.localdate(now).isoformat()},
            RENDERER,
            recipients,
        )
    return len(reminders)


def send_all_reminders(now=None) -> int:
    now = now or timezone.now()
    open_surveys = Survey.objects.filter(
        opens_at__lte=now, closes_at__gt=now, reminder_limit__gt=0
    ).values_list("pk", flat=True)
    return sum(send_reminders(pk, now) for pk in open_surveys)


def render(mailing, delivery) -> PortalMessage:
    context = delivery.context
    response = Response.objects.select_related("survey", "organisation").get(
        pk=context["response"]
    )
    values = {
        "response": response,
        "survey": response.survey,
        "last": context.get("last", False),
        "url": portal_url(reverse("surveys:answer", args=[response.survey_id])),
    }
    return render_templated(f"surveys/email/{context['template']}", values, delivery.address)
