"""Issued PDFs are rendered once, stored with their hash and never rendered again."""

import hashlib
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.http import FileResponse, HttpResponse

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


def pdf_response(invoice: Invoice, field: str, name: str) -> FileResponse:
    """The stored PDF in `field` of `invoice` as a download named `name-<number>.pdf`."""
    return FileResponse(
        getattr(invoice, field).open("rb"),
        as_attachment=True,
        filename=f"{name}-{invoice.display_number}.pdf",
        content_type="application/pdf",
    )


def zip_response(invoices, name: str) -> HttpResponse:
    """The stored PDFs of `invoices` in one ZIP, e.g. for printing the ones sent by post."""
    response = HttpResponse(content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    with zipfile.ZipFile(response, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices.select_related(None).only("fiscal_year", "number", "pdf"):
            with invoice.pdf.open("rb") as pdf:
                archive.writestr(f"invoice-{invoice.display_number}.pdf", pdf.read())
    return response
