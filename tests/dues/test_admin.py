"""The secretariat's dues screens in the admin: documents, read-only records, invoice pickers."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dues import services
from dues.models import Invoice, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pay(organisation, amount, invoice):
    return services.record_payment(
        organisation=organisation,
        received_on=date(2026, 5, 20),
        amount=amount,
        method="transfer",
        invoices=[invoice],
    )


def body(response) -> str:
    return response.content.decode()


# --- Staff and the PDFs ------------------------------------------------------------------------


def download(response) -> bytes:
    return b"".join(response.streaming_content)


def test_staff_open_any_invoice_and_receipt_from_the_admin(
    client, organisation, invoices, secretariat_with_mfa
):
    pay(organisation, 100000, invoices[0])
    client.force_login(secretariat_with_mfa)
    page = body(client.get(reverse("admin:dues_invoice_change", args=[invoices[0].pk])))
    pdf_url = reverse("admin:dues_invoice_pdf", args=[invoices[0].pk])
    receipt_url = reverse("admin:dues_invoice_receipt", args=[invoices[0].pk])
    assert f'href="{pdf_url}"' in page
    assert f'href="{receipt_url}"' in page
    assert "/media/" not in page  # MEDIA_ROOT is not served: no link may point there

    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert download(response).startswith(b"%PDF")
    receipt = client.get(receipt_url)
    assert receipt.status_code == 200
    assert download(receipt).startswith(b"%PDF")
    assert Invoice.objects.get(pk=invoices[0].pk).receipt_sha256

    unpaid = reverse("admin:dues_invoice_receipt", args=[invoices[1].pk])
    assert client.get(unpaid).status_code == 404  # no receipt before it is paid
    changelist = body(client.get(reverse("admin:dues_invoice_changelist")))
    assert reverse("admin:dues_invoice_pdf", args=[invoices[1].pk]) in changelist


def test_the_invoice_pdf_needs_the_permission_to_view_invoices(
    client, member, invoices, staff_without_permissions
):
    url = reverse("admin:dues_invoice_pdf", args=[invoices[0].pk])
    client.force_login(staff_without_permissions)
    assert client.get(url).status_code == 403
    staff_without_permissions.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    assert client.get(url).status_code == 200

    client.force_login(member)  # a member's contact, not staff: the admin's login
    assert client.get(url)["Location"].startswith(reverse("admin:login"))


def test_the_member_url_stays_the_members_own(
    client, member, outsider, invoices, secretariat_with_mfa
):
    url = reverse("dues:invoice_pdf", args=[invoices[0].pk])
    client.force_login(member)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(secretariat_with_mfa)
    assert client.get(url).status_code == 403


def test_the_seal_image_opens_from_the_issuer_page(
    client, invoices, secretariat_with_mfa, staff_without_permissions
):
    from django.core.files.base import ContentFile

    from dues.models import Issuer
    from tests.sample_files import PNG

    issuer = Issuer.objects.get()
    issuer.seal_image.save("seal.png", ContentFile(PNG))
    seal_url = reverse("admin:dues_issuer_seal")
    client.force_login(secretariat_with_mfa)
    page = body(client.get(reverse("admin:dues_issuer_change", args=[issuer.pk])))
    assert f'href="{seal_url}"' in page
    assert "/media/" not in page
    response = client.get(seal_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG

    client.force_login(staff_without_permissions)
    assert client.get(seal_url).status_code == 403
    staff_without_permissions.user_permissions.add(Permission.objects.get(codename="view_issuer"))
    page = body(client.get(reverse("admin:dues_issuer_change", args=[issuer.pk])))
    assert f'href="{seal_url}"' in page
    assert "/media/" not in page
    assert client.get(seal_url).status_code == 200


# --- Issued and recorded things are read-only -------------------------------------------------


def test_an_issued_invoice_is_shown_read_only(
    client, organisation, invoices, secretariat_with_mfa
):
    pay(organisation, 100000, invoices[0])
    client.force_login(secretariat_with_mfa)
    for invoice in invoices:
        url = reverse("admin:dues_invoice_change", args=[invoice.pk])
        page = body(client.get(url))
        assert 'name="_save"' not in page
        assert not re.search(
            r'<(input|select|textarea)[^>]+name="(paid_on|pdf|pdf_sha256|'
            r'receipt_pdf|receipt_sha256|posted_on)"',
            page,
        )
        response = client.post(url, {"paid_on": "2026-01-01", "pdf_sha256": "0" * 64})
        assert response.status_code == 403
    paid = Invoice.objects.get(pk=invoices[0].pk)
    assert paid.paid_on == date(2026, 5, 20)
    assert paid.pdf_sha256 != "0" * 64
    issued = body(client.get(reverse("admin:dues_invoice_change", args=[invoices[1].pk])))
    assert reverse("admin:dues_invoice_correct", args=[invoices[1].pk]) in issued


def test_a_recorded_payment_is_shown_read_only(
    client, organisation, invoices, secretariat_with_mfa
):
    payment = pay(organisation, 100000, invoices[0])
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:dues_payment_change", args=[payment.pk])
    page = body(client.get(url))
    assert 'name="_save"' not in page
    assert client.post(url, {"amount": 1}).status_code == 403
    assert Payment.objects.get(pk=payment.pk).amount == 100000
