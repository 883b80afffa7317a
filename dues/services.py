"""Writes of dues that span models: issuing and correcting invoices, the dues run,
payments and write-offs; views, the admin and the tasks call these."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from members.fiscal import fiscal_year_of
from members.models import Membership, MembershipYear
from members.services import freeze_year

from . import invoicing, selectors
from .models import (
    Allocation,
    Credit,
    DuesRun,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Issuer,
    Payment,
    WriteOff,
)


def dues_lines(year: MembershipYear) -> list[dict]:
    """The lines of a dues invoice (document text is Japanese, like the invoice itself)."""
    outside = InvoiceLine.TaxCategory.OUTSIDE
    if year.units:
        return [
            {
                "description": f"{year.fiscal_year}年度 会費（{year.membership_class.name}）",
                "quantity": year.units,
                "unit_price": year.amount_due // year.units,
                "tax_category": outside,
            }
        ]
    return [
        {
            "description": f"{year.fiscal_year}年度 負担金（{year.membership_class.name}）",
            "quantity": 1,
            "unit_price": year.amount_due,
            "tax_category": outside,
        }
    ]


def issue_dues_invoice(year: MembershipYear, *, issued_on: date, payment_days: int):
    """The dues invoice of a membership year, numbered without gaps; None if it exists.

    The fiscal year's sequence row is locked first, so concurrent runs serialise here and
    the second one sees the first one's invoice. The run notifies its invoices at the end.
    """
    with transaction.atomic():
        sequence = _locked_sequence(year.fiscal_year)
        if Invoice.objects.filter(membership_year=year, replaces__isnull=True).exists():
            return None
        return _create_invoice(
            sequence,
            year.organisation,
            dues_lines(year),
            issued_on=issued_on,
            payment_days=payment_days,
            membership_year=year,
        )


def issue_invoice(organisation, lines: list[dict], *, issued_on: date) -> Invoice:
    """An invoice of other lines than dues (e.g. event fees), numbered in the fiscal year of
    its issue, due after the issuer's days to pay; the caller notifies it."""
    with transaction.atomic():
        sequence = _locked_sequence(fiscal_year_of(issued_on))
        return _create_invoice(
            sequence,
            organisation,
            lines,
            issued_on=issued_on,
            payment_days=Issuer.objects.get().payment_days,
        )


def _create_invoice(sequence, organisation, lines, *, issued_on, payment_days, **fields):
    billing = selectors.billing_profile(organisation)
    invoice = Invoice.objects.create(
        fiscal_year=sequence.fiscal_year,
        number=_take_number(sequence),
        organisation=organisation,
        addressee=billing.addressee(),
        delivery=billing.delivery,
        postal_address=billing.postal_address(),
        with_seal=billing.with_seal,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=payment_days),
        total=invoice_total(lines),
        **fields,
    )
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=invoice, **line) for line in lines)
    return invoice


def _locked_sequence(fiscal_year: int) -> InvoiceSequence:
    """The fiscal year's numbering row, locked until the transaction ends: no gaps, no twins."""
    sequence, _created = InvoiceSequence.objects.select_for_update().get_or_create(
        fiscal_year=fiscal_year
    )
    return sequence


def _take_number(sequence: InvoiceSequence) -> int:
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def invoice_total(lines: list[dict]) -> int:
    """Yen an invoice of these lines asks for: tax computed once per rate."""
    totals = invoicing.rate_totals(
        [(line["tax_category"], line["quantity"] * line["unit_price"]) for line in lines]
    )
    return sum(rate.amount + rate.tax for rate in totals)


def correction_lines(invoice: Invoice) -> list[dict]:
    """Lines to start a correction from: the membership year's dues as they stand now
    (e.g. after the secretariat changed its units), else the invoice's own lines."""
    if invoice.membership_year_id:
        return dues_lines(invoice.membership_year)
    return list(invoice.lines.values("description", "quantity", "unit_price", "tax_category"))


@transaction.atomic
def correct_invoice(invoice: Invoice, *, addressee: str, due_on: date, lines: list[dict]):
    """Issue a new invoice correcting `invoice`, which is cancelled; it is never edited.

    Payments and write-offs on the old invoice move to the correction, so the member owes
    only the difference.
    """
    from .tasks import notify_invoices

    sequence = _locked_sequence(invoice.fiscal_year)
    old = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if old.status != Invoice.Status.ISSUED:
        raise ValidationError(
            _("Only an open invoice can be corrected; this one is %(status)s.")
            % {"status": old.get_status_display()}
        )
    if not lines:
        raise ValidationError(_("A corrected invoice needs at least one line."))
    total = invoice_total(lines)
    received = old.total - outstanding(old)
    if total < received:
        raise ValidationError(
            _(
                "The corrected total (%(total)s yen) is less than what was already received "
                "or written off (%(received)s yen)."
            )
            % {"total": f"{total:,}", "received": f"{received:,}"}
        )
    new = Invoice.objects.create(
        fiscal_year=old.fiscal_year,
        number=_take_number(sequence),
        organisation_id=old.organisation_id,
        membership_year_id=old.membership_year_id,
        replaces=old,
        addressee=addressee,
        delivery=old.delivery,
        postal_address=old.postal_address,
        with_seal=old.with_seal,
        issued_on=timezone.localdate(),
        due_on=due_on,
        total=total,
    )
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=new, **line) for line in lines)
    Allocation.objects.filter(invoice=old).update(invoice=new)
    WriteOff.objects.filter(invoice=old).update(invoice=new)
    old.status = Invoice.Status.CANCELLED
    old.save(update_fields=["status"])
    last_payment = new.allocations.aggregate(day=Max("payment__received_on"))["day"]
    _settle(new, last_payment or timezone.localdate())
    transaction.on_commit(lambda: notify_invoices.delay([new.pk]))
    return new


def check_dues_run_can_start() -> None:
    if not Issuer.objects.exists():
        raise ValidationError(_("Enter the issuer's details (name, address, bank) first."))


def start_dues_run(run: DuesRun) -> DuesRun:
    """Save the run and hand it to a worker once the transaction commits."""
    from .tasks import run_dues

    check_dues_run_can_start()
    run.save()
    transaction.on_commit(lambda: run_dues.delay(run.pk))
    return run


# The run commits (and reports its progress) every this many organisations: one commit per
# invoice would wait for the disk 10,000 times. A worker killed mid-batch loses only that
# batch, which the run issues again when it resumes (it skips what exists).
BATCH = 50


def execute_dues_run(run_id: int) -> None:
    """Invoice every invoiced membership for the run's year; safe to run again or resume."""
    run = DuesRun.objects.get(pk=run_id)
    issuer = Issuer.objects.get()
    memberships = (
        Membership.objects.current()
        .filter(membership_class__is_invoiced=True)
        .select_related("organisation__billing_profile")
        .order_by("organisation_id")
    )
    DuesRun.objects.filter(pk=run.pk).update(targeted=memberships.count(), processed=0)
    today = timezone.localdate()
    ids = list(memberships.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with transaction.atomic():
            created = 0
            for membership in memberships.filter(pk__in=chunk):
                year = freeze_year(membership.organisation, run.fiscal_year)
                if year is not None and year.amount_due:
                    invoice = issue_dues_invoice(
                        year, issued_on=today, payment_days=issuer.payment_days
                    )
                    created += int(invoice is not None)
            DuesRun.objects.filter(pk=run.pk).update(
                processed=F("processed") + len(chunk), created=F("created") + created
            )
    from .mail import notify_unnotified

    notify_unnotified(run.fiscal_year)  # this run's invoices, and any an earlier run left
    DuesRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())


def outstanding(invoice: Invoice) -> int:
    """Yen still to collect on an invoice (summed in the database)."""
    paid = invoice.allocations.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    written_off = invoice.write_offs.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    return invoice.total - paid - written_off


def _settle(invoice: Invoice, paid_on: date) -> None:
    """Mark the invoice and its membership year paid once nothing is outstanding."""
    if invoice.status != Invoice.Status.ISSUED or outstanding(invoice) > 0:
        return
    invoice.status = Invoice.Status.PAID
    invoice.paid_on = paid_on
    invoice.save(update_fields=["status", "paid_on"])
    if invoice.membership_year_id:
        MembershipYear.objects.filter(pk=invoice.membership_year_id).update(
            standing=MembershipYear.Standing.PAID
        )


@transaction.atomic
def record_payment(
    *,
    organisation,
    received_on: date,
    amount: int,
    method: str,
    invoices=None,
    payer_name: str = "",
    note: str = "",
    user=None,
) -> Payment:
    """Record money received and allocate it to `invoices` (default: the oldest open ones).

    One transfer may pay several invoices; a part payment leaves the rest outstanding; money
    beyond what is due stays unallocated on the payment for the secretariat to resolve.
    """
    payment = Payment.objects.create(
        organisation=organisation,
        received_on=received_on,
        amount=amount,
        method=method,
        payer_name=payer_name,
        note=note,
        recorded_by=user,
    )
    targets = Invoice.objects.select_for_update().filter(
        organisation=organisation, status=Invoice.Status.ISSUED
    )
    if invoices is not None:
        targets = targets.filter(pk__in=[invoice.pk for invoice in invoices])
    remaining = amount
    for invoice in targets.order_by("issued_on", "fiscal_year", "number"):
        share = min(outstanding(invoice), remaining)
        if share <= 0:
            continue
        Allocation.objects.create(payment=payment, invoice=invoice, amount=share)
        remaining -= share
        _settle(invoice, received_on)
    return payment


def check_write_off(invoice: Invoice, amount: int) -> None:
    limit = Issuer.objects.get().write_off_limit
    if amount > outstanding(invoice):
        raise ValidationError(_("That is more than is outstanding on the invoice."))
    if amount > limit:
        raise ValidationError(
            _("Only shortfalls up to %(limit)s yen can be written off.") % {"limit": f"{limit:,}"}
        )


@transaction.atomic
def write_off(invoice: Invoice, amount: int, reason: str, user) -> WriteOff:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    check_write_off(invoice, amount)
    record = WriteOff.objects.create(
        invoice=invoice, amount=amount, reason=reason, recorded_by=user
    )
    last_payment = invoice.allocations.aggregate(day=Max("payment__received_on"))["day"]
    _settle(invoice, last_payment or timezone.localdate())
    return record


@transaction.atomic
def cancel_invoice(invoice: Invoice, reason: str, user=None) -> Credit | None:
    """Cancel an invoice nothing is owed on any more (e.g. every participant it billed
    cancelled in time). What was received on it stays recorded and becomes a credit, less
    the credits already recorded on it."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == Invoice.Status.CANCELLED:
        return None
    received = invoice.allocations.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    credited = invoice.credits.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    invoice.status = Invoice.Status.CANCELLED
    invoice.save(update_fields=["status"])
    if received > credited:  # what earlier credits on it (a part cancelled) did not cover
        return record_credit(invoice, received - credited, reason, user)
    return None


def record_credit(invoice: Invoice, amount: int, reason: str, user=None) -> Credit:
    """Money received on an invoice that is no longer owed: the secretariat refunds it or
    sets it against a later invoice, and marks the credit settled."""
    if amount <= 0:
        raise ValidationError(_("A credit is a positive amount."))
    return Credit.objects.create(
        organisation_id=invoice.organisation_id,
        invoice=invoice,
        amount=amount,
        reason=reason,
        recorded_by=user,
    )
