"""Issued PDFs are rendered once, stored with their hash and never rendered again."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum

from .invoice_pdf import render_invoice, render_receipt
from .models import Invoice, Issuer


def _ensure(invoice_id: int, field: str, hash_field: str, render, prefix: str, **filters):
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("replaces")
            .prefetch_related("lines")
            .get(pk=invoice_id, **filters)
        )
        stored = getattr(invoice, field)
        if not stored:
            content = render(invoice, Issuer.objects.get())
            setattr(invoice, hash_field, hashlib.sha256(content).hexdigest())
            stored.save(f"{prefix}{invoice.display_number}.pdf", ContentFile(content), save=False)
            invoice.save(update_fields=[field, hash_field])
    return invoice


def ensure_invoice_pdf(invoice_id: int) -> Invoice:
    return _ensure(invoice_id, "pdf", "pdf_sha256", render_invoice, "")


def _render_paid_receipt(invoice: Invoice, issuer: Issuer) -> bytes:
    received = invoice.allocations.aggregate(total=Sum("amount"))["total"] or 0
    return render_receipt(invoice, issuer, invoice.paid_on, received)


def ensure_receipt_pdf(invoice_id: int) -> Invoice:
    """The receipt of an invoice paid in full (Invoice.DoesNotExist otherwise)."""
    return _ensure(
        invoice_id,
        "receipt_pdf",
        "receipt_sha256",
        _render_paid_receipt,
        "R-",
        status=Invoice.Status.PAID,
    )
