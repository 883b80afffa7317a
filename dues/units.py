"""Units changed after the year's invoice is issued.

The units (and so the dues and the votes) are the registry's (`members.MembershipYear`);
once the year's invoice is issued, a change of units goes through with a correction of that
invoice (`services.correct_invoice`, the one correction path) in the same transaction, so
that votes, invoice and collection agree, and the correction's notice goes to the billing
contact when the transaction commits. What the correction path cannot do (bill a paid
invoice again, refund or credit money received) is refused with the reason and whom to ask.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import selectors as member_selectors
from members import services as member_services
from members.models import MembershipYear

from . import services
from .models import Invoice, Issuer


def current_invoice(year: MembershipYear | None) -> Invoice | None:
    """The year's dues invoice as it stands: the last correction, never a cancelled one."""
    if year is None:
        return None
    return (
        Invoice.objects.filter(membership_year=year)
        .exclude(status=Invoice.Status.CANCELLED)
        .order_by("-number")
        .first()
    )


@dataclass
class Correction:
    """What a change of units does to the year's issued invoice (shown before confirming)."""

    invoice: Invoice
    units: int
    total: int
    received: int
    lines: list[dict]


class ConfirmationNeeded(Exception):
    """The year's invoice is issued: the member confirms its correction first."""

    def __init__(self, correction: Correction):
        super().__init__(correction.invoice.display_number)
        self.correction = correction


class CannotCorrect(Exception):
    """What the correction path cannot do; the message says why."""


def _refuse_if_paid(invoice: Invoice) -> None:
    if invoice.status != Invoice.Status.ISSUED:
        raise CannotCorrect(
            _("Invoice %(number)s for FY%(year)d is paid, and a paid invoice can't be corrected.")
            % {"number": invoice.display_number, "year": invoice.fiscal_year}
        )


def _correction(invoice: Invoice, before: list[dict], year: MembershipYear) -> Correction:
    """The corrected invoice's lines and total, or why the correction path can't issue it
    (CannotCorrect). The year's dues line is replaced; lines the secretariat added stay."""
    _refuse_if_paid(invoice)
    lines = list(invoice.lines.values("description", "quantity", "unit_price", "tax_category"))
    others = [line for line in lines if line not in before]
    if len(others) == len(lines):
        raise CannotCorrect(
            _("Invoice %(number)s no longer shows the year's dues as its units set them.")
            % {"number": invoice.display_number}
        )
    wanted = services.dues_lines(year) + others
    total = services.invoice_total(wanted)
    received = invoice.total - services.outstanding(invoice)
    if total < received:
        raise CannotCorrect(
            _(
                "%(received)s yen of invoice %(number)s has been received already, more than "
                "the dues for %(units)d units (%(total)s yen), and the portal does not refund "
                "or credit money."
            )
            % {
                "received": f"{received:,}",
                "number": invoice.display_number,
                "units": year.units or 0,
                "total": f"{total:,}",
            }
        )
    return Correction(invoice, year.units, total, received, wanted)


def correction_for(before: MembershipYear, after: MembershipYear) -> Correction | None:
    """What changing the year `before` (as stored) to `after` does to its issued invoice:
    None when there is none or the dues stay the same; CannotCorrect when the path can't."""
    invoice = current_invoice(before)
    if invoice is None or (after.units, after.amount_due) == (before.units, before.amount_due):
        return None
    return _correction(invoice, services.dues_lines(before), after)


def issue(correction: Correction) -> Invoice:
    """Issue the correction (`services.correct_invoice`): due no earlier than the old one,
    and with the issuer's days to pay from today; its notice goes out on commit."""
    invoice = correction.invoice
    days = Issuer.objects.get().payment_days
    due_on = max(invoice.due_on, timezone.localdate() + timedelta(days=days))
    return services.correct_invoice(
        invoice, addressee=invoice.addressee, due_on=due_on, lines=correction.lines
    )


@transaction.atomic
def change_units(
    organisation, fiscal_year: int, units: int, *, confirmed: tuple[int, int] | None = None
) -> Invoice | None:
    """Record the member's units for `fiscal_year` and correct the year's issued invoice.

    Without an issued invoice this is `members.services.choose_units`. With one, the change
    needs `confirmed` set to (that invoice's id, these units): the member saw the warning
    about this very correction, and no other came in between. Otherwise ConfirmationNeeded,
    and nothing is written. What the correction path can't do is refused with the reason and
    whom to ask. Returns the corrected invoice, if one was issued.
    """
    before = (
        MembershipYear.objects.select_for_update()
        .select_related("membership_class")
        .filter(organisation=organisation, fiscal_year=fiscal_year)
        .first()
    )
    invoice = current_invoice(before)
    try:
        if invoice is not None:  # locked: a payment waits, or is seen
            _refuse_if_paid(Invoice.objects.select_for_update().get(pk=invoice.pk))
        after = member_services.choose_units(organisation, fiscal_year, units)
        correction = correction_for(before, after) if before is not None else None
    except CannotCorrect as refusal:
        raise ValidationError(
            _("%(reason)s Please contact the secretariat (%(email)s) to change your units.")
            % {"reason": refusal, "email": member_selectors.secretariat_email()}
        ) from None
    if correction is None:
        return None
    if confirmed != (correction.invoice.pk, units):
        raise ConfirmationNeeded(correction)
    return issue(correction)
