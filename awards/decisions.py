"""Decisions, the announcement and the result notifications.

Decisions are the committee's, recorded by the secretariat with the committee's reason;
nobody else sees them before the edition is announced. Notifications are texts the
secretariat checks first, then one mailing per outcome through the mail engine.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox import engine
from portal.mail import PortalMessage

from . import audit
from .models import Decision, Edition, Entry, Notification, Prize

PLACEHOLDERS = ("title", "organisation", "prizes")
# render_notification's name with the mail engine (registered in apps.py).
NOTIFICATION_RENDERER = "awards.notification"
DEFAULT_TEXTS = {
    Notification.Outcome.WINNER: (
        gettext_lazy("Result of %(edition)s"),
        gettext_lazy(
            "{organisation}\n\nThank you for entering {title}.\n\n"
            "We are pleased to tell you that the judging committee has awarded it:\n"
            "{prizes}\n\nThe secretariat will contact you about the ceremony."
        ),
    ),
    Notification.Outcome.OTHER: (
        gettext_lazy("Result of %(edition)s"),
        gettext_lazy(
            "{organisation}\n\nThank you for entering {title}.\n\n"
            "After careful judging, the committee has not selected it for a prize this "
            "time. We hope you will enter again."
        ),
    ),
}


def check_decision(prize: Prize, entry: Entry, *, reason: str, override: str = "") -> None:
    """One entry wins one prize, and a prize has its number of winners, unless the
    committee's override reason says otherwise."""
    if not reason.strip():
        raise ValidationError({"reason": _("Record the committee's reason.")})
    if entry.edition_id != prize.edition_id or entry.status != Entry.Status.SUBMITTED:
        raise ValidationError({"entry": _("Only a submitted entry of this edition can win.")})
    if override.strip():
        return
    other = Decision.objects.filter(entry=entry).exclude(prize=prize).first()
    if other is not None:
        raise ValidationError(
            {
                "override_reason": _(
                    "This entry already wins %(prize)s; an entry wins one prize unless the "
                    "committee gives a reason."
                )
                % {"prize": other.prize}
            }
        )
    winners = Decision.objects.filter(prize=prize).exclude(entry=entry).count()
    if winners >= prize.winners:
        raise ValidationError(
            {
                "override_reason": _(
                    "%(prize)s has %(count)d winner(s) already; give a reason to add one."
                )
                % {"prize": prize, "count": winners}
            }
        )


def decide(prize: Prize, entry: Entry, by, *, reason: str, comment: str = "", override=""):
    """Record a winner; checked again under the prize's lock, so two at once cannot both
    take a prize's last place."""
    with transaction.atomic():
        Prize.objects.select_for_update().get(pk=prize.pk)
        check_decision(prize, entry, reason=reason, override=override)
        decision, _created = Decision.objects.update_or_create(
            prize=prize,
            entry=entry,
            defaults={
                "edition_id": prize.edition_id,
                "reason": reason,
                "comment": comment,
                "override_reason": override,
                "decided_by": by,
            },
        )
        audit.record(
            prize.edition_id, by, "decided", entry=entry, prize=prize.name, override=override
        )
    return decision


def revoke(decision: Decision, by) -> None:
    with transaction.atomic():
        audit.record(
            decision.edition_id, by, "decision_revoked", entry=decision.entry,
            prize=decision.prize.name,
        )  # fmt: skip
        decision.delete()


def announce(edition_id: int, by) -> bool:
    now = timezone.now()
    with transaction.atomic():
        done = (
            Edition.objects.filter(pk=edition_id, entry_deadline__lte=now)
            .exclude(announced_at__lte=now)
            .update(announced_at=now)
        )
        if done:
            audit.record(edition_id, by, "announced")
    return bool(done)


def prepare_notifications(edition: Edition) -> list[Notification]:
    """The two texts (winners, others), drafted from the defaults if not there yet."""
    drafted = []
    for outcome, (subject, body) in DEFAULT_TEXTS.items():
        notification, _created = Notification.objects.get_or_create(
            edition=edition,
            outcome=outcome,
            defaults={"subject": subject % {"edition": edition.name}, "body": str(body)},
        )
        drafted.append(notification)
    return drafted


def check_placeholders(body: str) -> None:
    try:
        body.format(**dict.fromkeys(PLACEHOLDERS, ""))
    except (KeyError, IndexError, ValueError) as error:
        raise ValidationError(
            _("Only {title}, {organisation} and {prizes} may appear in braces.")
        ) from error


def recipients(notification: Notification) -> list[dict]:
    winners = set(
        Decision.objects.filter(edition=notification.edition_id).values_list("entry_id", flat=True)
    )
    entries = Entry.objects.filter(
        edition=notification.edition_id, status=Entry.Status.SUBMITTED
    ).exclude(contact_email="")
    if notification.outcome == Notification.Outcome.WINNER:
        entries = entries.filter(pk__in=winners)
    else:
        entries = entries.exclude(pk__in=winners)
    return [
        {"address": email, "key": f"entry:{pk}", "context": {"entry": pk}}
        for pk, email in entries.values_list("pk", "contact_email")
    ]


def send_notification(notification_id: int, by) -> int:
    """Start the notification's mailing once; a second press finds it started."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.mailing_id:
            return 0
        if not Decision.objects.filter(edition=notification.edition_id).exists():
            raise ValidationError(_("Record the decisions before notifying anyone."))
        listed = recipients(notification)
        notification.mailing = engine.start_mailing(
            str(notification), NOTIFICATION_RENDERER, listed, user=by
        )
        notification.save(update_fields=["mailing"])
        audit.record(
            notification.edition_id, by, "notified", outcome=notification.outcome,
            recipients=len(listed),
        )  # fmt: skip
    return len(listed)


def render_notification(mailing, delivery) -> PortalMessage:
    notification = Notification.objects.get(mailing=mailing)
    entry = Entry.objects.get(pk=delivery.context["entry"])
    prizes = Decision.objects.filter(entry=entry).select_related("prize")
    body = notification.body.format(
        title=entry.title,
        organisation=entry.organisation_name,
        prizes="\n".join(f"・{decision.prize.name}" for decision in prizes),
    )
    return PortalMessage(notification.subject, body, to=[delivery.address])
