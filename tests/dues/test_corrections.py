"""Issued invoices never change: a correction is a new invoice citing the old one."""

import io
import zipfile
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from dues import documents, services
from dues.models import Invoice
from members.models import MembershipYear, PersonRole
from members.services import assign_role
from tests import factories
from tests.pdftext import text_of

pytestmark = pytest.mark.django_db

DUES_LINE = {
    "description": "2026年度 会費（正会員）",
    "quantity": 3,
    "unit_price": 50000,
    "tax_category": "outside",
}


def correct(invoice, lines=(DUES_LINE,), **fields):
    return services.correct_invoice(
        invoice,
        addressee=fields.get("addressee", invoice.addressee),
        due_on=fields.get("due_on", invoice.due_on),
        lines=list(lines),
    )


def test_a_correction_takes_the_next_number_and_cancels_the_old(invoices):
    old = invoices[1]

    new = correct(old, addressee="公益財団法人石川県産業創出支援機構 理事長 様")

    old.refresh_from_db()
    assert old.status == Invoice.Status.CANCELLED
    assert (new.fiscal_year, new.number, new.replaces) == (2026, old.number + 1, old)
    assert new.total == 150000
    assert old.total == 150000 and old.addressee.endswith("御中")  # the old one is untouched


def test_money_received_moves_to_the_correction(invoices):
    old = invoices[1]
    services.record_payment(
        organisation=old.organisation,
        received_on=date(2026, 5, 1),
        amount=100000,
        method="transfer",
        invoices=[old],
    )

    new = correct(old, [{**DUES_LINE, "quantity": 2}])

    new.refresh_from_db()
    assert new.status == Invoice.Status.PAID  # 2 units were corrected and are paid
    assert services.outstanding(new) == 0
    assert MembershipYear.objects.get(pk=new.membership_year_id).standing == "paid"


def test_a_correction_below_what_was_received_is_refused(invoices):
    old = invoices[1]
    services.record_payment(
        organisation=old.organisation,
        received_on=date(2026, 5, 1),
        amount=150000,
        method="transfer",
        invoices=[old],
    )
    old.refresh_from_db()

    with pytest.raises(ValidationError):
        correct(old, [{**DUES_LINE, "quantity": 2}])  # paid in full: nothing to correct

    assert Invoice.objects.filter(replaces=old).count() == 0


def test_only_open_invoices_are_corrected(invoices):
    correct(invoices[1])
    invoices[1].refresh_from_db()

    with pytest.raises(ValidationError):
        correct(invoices[1])


def test_the_correction_pdf_cites_the_old_number(invoices, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    new = correct(invoices[1])

    text = text_of(documents.ensure_invoice_pdf(new.pk).pdf.read())

    assert f"請求書番号{invoices[1].display_number}を訂正するものです" in text


def test_the_secretariat_corrects_in_the_admin(
    client, secretariat_with_mfa, invoices, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    old = invoices[1]
    assign_role(
        factories.make_person(old.organisation, email="billing@example.jp"),
        PersonRole.Kind.BILLING,
    )
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:dues_invoice_correct", args=[old.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["lines"].initial == [{**DUES_LINE}]  # from the membership year

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "addressee": "公益財団法人石川県産業創出支援機構 理事長 様",
                "due_on": "2026-06-30",
                "line-TOTAL_FORMS": "2",
                "line-INITIAL_FORMS": "0",
                "line-MIN_NUM_FORMS": "1",
                "line-MAX_NUM_FORMS": "1000",
                "line-0-description": "2026年度 会費（正会員）",
                "line-0-quantity": "3",
                "line-0-unit_price": "50000",
                "line-0-tax_category": "outside",
                "line-1-description": "セミナー参加費",
                "line-1-quantity": "1",
                "line-1-unit_price": "10000",
                "line-1-tax_category": "standard",
            },
        )

    new = Invoice.objects.get(replaces=old)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:dues_invoice_change", args=[new.pk])
    assert new.total == 150000 + 10000 + 1000  # 10% once on the taxable line
    assert new.addressee.endswith("理事長 様")
    assert [m.to for m in mail.outbox] == [["billing@example.jp"]]


def test_a_member_cannot_reach_the_correction(client, member, invoices):
    client.force_login(member)

    response = client.get(reverse("admin:dues_invoice_correct", args=[invoices[1].pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_posted_invoices_download_as_one_zip(client, secretariat_with_mfa, invoices, settings,
                                            tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    for invoice in invoices:
        documents.ensure_invoice_pdf(invoice.pk)
    client.force_login(secretariat_with_mfa)

    response = client.post(
        reverse("admin:dues_invoice_changelist"),
        {"action": "download_for_posting", "_selected_action": [i.pk for i in invoices]},
    )

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["invoice-2025-00001.pdf", "invoice-2026-00001.pdf"]
    assert archive.read("invoice-2026-00001.pdf").startswith(b"%PDF")
