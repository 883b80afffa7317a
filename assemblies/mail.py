"""Reminders to organisations that have not taken part, through the mail engine.

The VoterReminder rows written in the same transaction as the mailing's deliveries are the
claim: a repeated click or a retried task finds the organisations reminded already."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import PersonRole
from members.selectors import role_emails
from outbox import engine
from portal.mail import PortalMessage, portal_url, render_templated

from .models import Assembly, RollEntry, VoterReminder
from .selectors import not_taken_part

VOTER, PRIMARY = PersonRole.Kind.VOTER, PersonRole.Kind.PRIMARY
# A second reminder to the same organisation waits this long.
QUIET = timedelta(hours=12)
RENDERER = "assemblies.reminder"  # render's name with the mail engine (registered in apps.py)


def send_reminders(assembly_id: int, user=None, now=None) -> int:
    """Remind each voting organisation that has not taken part: its designated voter, or
    its primary contact (asked to designate one) when it has none. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly_id)
        if not assembly.is_open(now):
            return 0
        due = list(
            not_taken_part(assembly)
            .annotate(last=Max("reminders__sent_at"))
            .filter(Q(last__isnull=True) | Q(last__lte=now - QUIET))
            .values_list("pk", "organisation_id")
        )
        emails = role_emails({o for _pk, o in due}, [VOTER, PRIMARY])
        recipients = []
        for pk, organisation in due:
            found = emails.get(organisation, {})
            address = found.get(VOTER) or found.get(PRIMARY)
            if address:
                recipients.append(
                    {
                        "address": address,
                        "key": f"roll:{pk}:reminder",
                        "context": {"entry": pk, "designated": VOTER in found},
                    }
                )
        if not recipients:
            return 0
        VoterReminder.objects.bulk_create(
            VoterReminder(entry_id=r["context"]["entry"], sent_at=now) for r in recipients
        )
        engine.start_mailing(
            _("Voting reminders: %(title)s, %(day)s")
            % {"title": assembly.title, "day": timezone.localdate(now).isoformat()},
            RENDERER,
            recipients,
            user=user,
        )
    return len(recipients)


def render(mailing, delivery) -> PortalMessage:
    entry = RollEntry.objects.select_related("assembly", "organisation").get(
        pk=delivery.context["entry"]
    )
    values = {
        "entry": entry,
        "assembly": entry.assembly,
        "designated": delivery.context["designated"],
        "url": portal_url(reverse("assemblies:detail", args=[entry.assembly_id])),
    }
    return render_templated("assemblies/email/reminder", values, delivery.address)
