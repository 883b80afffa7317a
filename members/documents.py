"""Issued PDFs are rendered once, stored with their hash and never rendered again."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from .invoice_pdf import render_invoice
from .models import Invoice, Issuer


def ensure_invoice_pdf(invoice_id: int) -> Invoice:
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("replaces")
            .prefetch_related("lines")
            .get(pk=invoice_id)
        )
        if not invoice.pdf:
            content = render_invoice(invoice, Issuer.objects.get())
            invoice.pdf_sha256 = hashlib.sha256(content).hexdigest()
            invoice.pdf.save(f"{invoice.display_number}.pdf", ContentFile(content), save=False)
            invoice.save(update_fields=["pdf", "pdf_sha256"])
    return invoice
