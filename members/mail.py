from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.mail import portal_url, send_templated

from .documents import ensure_invoice_pdf
from .models import Invoice, ReminderRule, ReminderSent
from .services import billing_email, outstanding


def send_invoice_notice(invoice_id: int) -> None:
    """Mail the billing contact, once, that the invoice (stored as issued) can be downloaded."""
    invoice = ensure_invoice_pdf(invoice_id)
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=invoice_id, notice_sent_at__isnull=True)
            .first()
        )
        if invoice is None:
            return
        recipient = billing_email(invoice.organisation)
        if not recipient:
            return  # the admin shows the notice as not sent; the secretariat adds a contact
        send_templated(
            "members/email/invoice",
            {"invoice": invoice, "url": portal_url(reverse("members:dues"))},
            recipient,
        )
        invoice.notice_sent_at = timezone.now()
        invoice.save(update_fields=["notice_sent_at"])


def _remind(rule_id: int, invoice_id: int) -> bool:
    """Send one reminder; the row is claimed in the same transaction, so it goes out once."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=invoice_id)
        )
        recipient = billing_email(invoice.organisation)
        if invoice.status != Invoice.Status.ISSUED or not recipient:
            return False
        _sent, created = ReminderSent.objects.get_or_create(
            rule_id=rule_id, invoice=invoice, defaults={"recipient": recipient}
        )
        if not created:
            return False
        send_templated(
            "members/email/reminder",
            {
                "invoice": invoice,
                "outstanding": outstanding(invoice),
                "url": portal_url(reverse("members:dues")),
            },
            recipient,
        )
    return True


def send_dues_reminders(today=None) -> int:
    """Every reminder that is due today and not sent yet; returns how many went out."""
    today = today or timezone.localdate()
    sent = 0
    for rule in ReminderRule.objects.filter(active=True):
        invoices = Invoice.objects.filter(
            status=Invoice.Status.ISSUED,
            due_on__lte=today - timedelta(days=rule.days_after_due),
        ).exclude(reminders__rule=rule)
        for invoice_id in invoices.values_list("pk", flat=True):
            sent += _remind(rule.pk, invoice_id)
    return sent
