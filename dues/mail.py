"""Dues mail, sent through the mail engine (outbox/engine.py).

Which invoices are notified or reminded is claimed in the same transaction that fixes the
mailing's deliveries, so each notice and each reminder goes out once, whatever is retried.
"""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.selectors import billing_emails
from outbox import engine
from portal.mail import PortalMessage, portal_url, render_templated

from .documents import ensure_invoice_pdf
from .models import Invoice, ReminderRule, ReminderSent
from .services import outstanding

# The renderers' names with the mail engine (registered in apps.py).
INVOICE_NOTICE, DUES_REMINDER = "dues.invoice_notice", "dues.reminder"


def notify_invoices(invoice_ids) -> int:
    """Mail the billing contacts that these invoices can be downloaded; once per invoice.

    An invoice whose organisation has no contact with an address is left unnotified: the
    admin shows it, and the next call (after a contact is added) picks it up.
    """
    with transaction.atomic():
        invoices = list(
            Invoice.objects.select_for_update()
            .filter(pk__in=list(invoice_ids), notice_sent_at__isnull=True)
            .values_list("pk", "organisation_id", "fiscal_year")
        )
        emails = billing_emails({organisation for _pk, organisation, _fy in invoices})
        recipients = [
            {"address": emails[organisation], "key": f"invoice:{pk}", "context": {"invoice": pk}}
            for pk, organisation, _fy in invoices
            if organisation in emails
        ]
        if not recipients:
            return 0
        Invoice.objects.filter(pk__in=[r["context"]["invoice"] for r in recipients]).update(
            notice_sent_at=timezone.now()
        )
        years = sorted({fy for _pk, _organisation, fy in invoices})
        name = _("Invoice notices, FY%(years)s") % {"years": ", ".join(map(str, years))}
        engine.start_mailing(name, INVOICE_NOTICE, recipients)
    return len(recipients)


def notify_unnotified(fiscal_year: int) -> int:
    """Catch up on every open invoice of the year without a notice (e.g. after a crash)."""
    pending = Invoice.objects.filter(
        fiscal_year=fiscal_year, status=Invoice.Status.ISSUED, notice_sent_at__isnull=True
    )
    return notify_invoices(pending.values_list("pk", flat=True))


def send_dues_reminders(today=None) -> int:
    """Every reminder due today and not sent yet, one mailing per rule; returns how many."""
    today = today or timezone.localdate()
    queued = 0
    for rule in ReminderRule.objects.filter(active=True):
        with transaction.atomic():
            invoices = list(
                Invoice.objects.select_for_update()
                .filter(
                    status=Invoice.Status.ISSUED,
                    due_on__lte=today - timedelta(days=rule.days_after_due),
                )
                .exclude(reminders__rule=rule)
                .values_list("pk", "organisation_id")
            )
            emails = billing_emails({organisation for _pk, organisation in invoices})
            due = [(pk, emails[org]) for pk, org in invoices if org in emails]
            if not due:
                continue
            ReminderSent.objects.bulk_create(
                ReminderSent(rule=rule, invoice_id=pk, recipient=email) for pk, email in due
            )
            engine.start_mailing(
                _("Dues reminders, %(days)s days after the due date, %(day)s")
                % {"days": rule.days_after_due, "day": today.isoformat()},
                DUES_REMINDER,
                (
                    {"address": email, "key": f"invoice:{pk}", "context": {"invoice": pk}}
                    for pk, email in due
                ),
            )
        queued += len(due)
    return queued


def render_invoice_notice(mailing, delivery) -> PortalMessage:
    invoice = ensure_invoice_pdf(delivery.context["invoice"])
    context = {"invoice": invoice, "url": portal_url(reverse("dues:index"))}
    return render_templated("dues/email/invoice", context, delivery.address)


def render_reminder(mailing, delivery) -> PortalMessage:
    invoice = Invoice.objects.select_related("organisation").get(pk=delivery.context["invoice"])
    context = {
        "invoice": invoice,
        "outstanding": outstanding(invoice),
        "url": portal_url(reverse("dues:index")),
    }
    return render_templated("dues/email/reminder", context, delivery.address)
