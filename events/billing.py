"""Participants' fees as invoice lines. 参加費 is a taxable sale at 10%, unlike dues, so its
lines are `standard`; the invoice's tax is computed once per rate by `dues`. Invoices are
issued, corrected and cancelled only through `dues.services`, so payments, statements,
reminders and receipts follow as for dues."""

import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dues import services as dues
from dues.models import Invoice, InvoiceLine
from portal import names

from .models import Event, Registration

logger = logging.getLogger(__name__)

BILLABLE = (Registration.Status.REGISTERED, Registration.Status.CANCELLED)


def fee_line(registration: Registration) -> dict:
    """One participant's line (document text is Japanese, like the invoice)."""
    person = names.person_name(registration.family_name, registration.given_name, language="ja")
    what = "参加費" if registration.status == Registration.Status.REGISTERED else "キャンセル料"
    return {
        "description": f"{registration.event.title} {what}（{person} 様）",
        "quantity": 1,
        "unit_price": registration.charge,
        "tax_category": InvoiceLine.TaxCategory.STANDARD,
    }


def to_invoice(event: Event):
    """Registrations owing a fee not yet invoiced, with an institution to bill."""
    return Registration.objects.filter(
        event=event, status__in=BILLABLE, charge__gt=0, invoice__isnull=True
    )


def without_organisation(event: Event):
    """Fees owed that cannot be invoiced yet: no institution to bill (a non-member not yet
    linked to one). The secretariat sets the organisation, and the next run bills them."""
    return to_invoice(event).filter(organisation__isnull=True)


def issue_fee_invoices(event_id: int, *, today=None) -> list[int]:
    """Invoice every fee owed and not invoiced: one invoice per participant, or one per
    institution for the participants whose institution asked for it. Safe to run again:
    a registration is invoiced under its row lock, once. Registrations without an
    institution are left and reported (logged; `without_organisation` lists them).
    Returns the new invoices' ids."""
    today = today or timezone.localdate()
    event = Event.objects.get(pk=event_id)
    left = list(without_organisation(event).values_list("pk", flat=True))
    if left:  # ids only: no names or addresses in the logs
        logger.warning(
            "Event %s: %d fee(s) not invoiced, no organisation to bill: registrations %s",
            event.pk,
            len(left),
            ", ".join(str(pk) for pk in left),
            extra={"event_id": event.pk, "registrations": left},
        )
    groups: dict[tuple, list[int]] = defaultdict(list)
    pending = to_invoice(event).filter(organisation__isnull=False)
    for pk, organisation, combined in pending.values_list(
        "pk", "organisation_id", "one_invoice_per_institution"
    ):
        groups[(organisation, pk if not combined else None)].append(pk)
    issued = []
    for ids in groups.values():
        with transaction.atomic():
            registrations = list(
                to_invoice(event)
                .filter(pk__in=ids)
                .select_for_update(of=("self",))
                .select_related("event", "organisation")
                .order_by("family_name_kana", "given_name_kana", "pk")
            )
            if not registrations:
                continue
            invoice = dues.issue_invoice(
                registrations[0].organisation,
                [fee_line(r) for r in registrations],
                issued_on=today,
            )
            Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
                invoice=invoice
            )
            issued.append(invoice.pk)
    if issued:
        from dues.tasks import notify_invoices

        transaction.on_commit(lambda: notify_invoices.delay(issued))
    return issued


def _credited(invoice: Invoice) -> int:
    return invoice.credits.aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def _paid(invoice: Invoice) -> int:
    return invoice.allocations.aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def reprice(invoice_id: int) -> Invoice | None:
    """Bring an invoice in line with its participants' charges after one cancelled: an
    open invoice is corrected (a late cancellation's line becomes キャンセル料, one cancelled in
    time goes) or cancelled when nothing is left to bill; money received beyond what is now
    owed, tax included, becomes a credit, counting the credits already recorded on it.
    Returns the invoice that now holds them (None when cancelled)."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.status == Invoice.Status.CANCELLED:
            return invoice
        registrations = list(
            Registration.objects.filter(invoice=invoice)
            .select_related("event")
            .order_by("family_name_kana", "given_name_kana", "pk")
        )
        lines = [fee_line(r) for r in registrations if r.charge > 0]
        current = list(
            invoice.lines.order_by("pk").values(
                "description", "quantity", "unit_price", "tax_category"
            )
        )
        if lines == current:
            return invoice
        total = dues.invoice_total(lines)
        reason = _("Participation fee cancelled: %(event)s") % {
            "event": registrations[0].event.title if registrations else ""
        }
        if not lines:
            dues.cancel_invoice(invoice, reason)
            return None
        received = invoice.total - dues.outstanding(invoice)  # paid or written off
        if invoice.status == Invoice.Status.ISSUED and total >= received:
            new = dues.correct_invoice(
                invoice, addressee=invoice.addressee, due_on=invoice.due_on, lines=lines
            )
            Registration.objects.filter(invoice=invoice).update(invoice=new)
            return new
        if invoice.status == Invoice.Status.ISSUED:
            # Paid in part beyond the new total, which a correction may not ask for less
            # than: the invoice is cancelled (what was received becomes a credit, to set
            # against the new one or refund) and the remaining lines invoiced afresh.
            dues.cancel_invoice(invoice, reason)
            new = dues.issue_invoice(invoice.organisation, lines, issued_on=timezone.localdate())
            Registration.objects.filter(invoice=invoice).update(invoice=new)
            from dues.tasks import notify_invoices

            transaction.on_commit(lambda: notify_invoices.delay([new.pk]))
            return new
        # Paid: the document stays as it is; what is no longer owed is credited.
        owed_back = _paid(invoice) - total - _credited(invoice)
        if owed_back > 0:
            dues.record_credit(invoice, owed_back, reason)
        return invoice
