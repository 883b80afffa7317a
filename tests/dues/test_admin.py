"""The secretariat's dues screens in the admin: documents, read-only records, invoice pickers."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dues import services
from dues.models import Invoice, Payment, StatementEntry, StatementImport, WriteOff
from tests import factories

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


# --- Choosing organisations and their open invoices ---------------------------------------------


@pytest.fixture
def other_invoice(other_organisation, invoices):
    """An open invoice of the other organisation (FY2026, 50,000 yen)."""
    year = factories.due_membership_year(other_organisation, units=1)
    return services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)


def checkbox_labels(page: str, name: str) -> list[str]:
    found = re.findall(
        rf'<label[^>]*><input type="checkbox" name="{name}" value="(\d+)"[^>]*>\s*([^<]+)</label>',
        page,
    )
    return [(int(pk), label.strip()) for pk, label in found]


def test_the_review_queue_searches_organisations_and_offers_their_open_invoices(
    client, organisation, other_organisation, invoices, other_invoice, secretariat_with_mfa
):
    from dues import reconciliation
    from dues.bankfiles import build_zengin

    data = build_zengin([(date(2026, 5, 21), 150000, "ｷﾖｳﾄｼｶｲｹｲｶﾝﾘｼﾔ", "2")])
    reconciliation.import_statement(data, "may.txt", secretariat_with_mfa)
    entry = StatementEntry.objects.get()
    entry.invoices.clear()
    StatementEntry.objects.update(organisation=None, status=StatementEntry.Status.UNMATCHED)
    url = reverse("admin:dues_statemententry_change", args=[entry.pk])
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"

    page = body(client.get(url))
    assert "vForeignKeyRawIdAdminField" not in page  # no internal ids to type
    assert re.search(r'<select name="organisation"[^>]*class="[^"]*admin-autocomplete', page)
    assert checkbox_labels(page, "invoices") == []  # no organisation chosen yet

    search = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "石川",
            "app_label": "dues",
            "model_name": "statemententry",
            "field_name": "organisation",
        },
    )
    assert [r["text"] for r in search.json()["results"]] == [str(organisation)]

    response = client.post(
        url, {"organisation": organisation.pk, "note": "", "_continue": "1"}, follow=True
    )
    assert response.status_code == 200
    labels = checkbox_labels(body(response), "invoices")
    assert [pk for pk, _label in labels] == [invoices[0].pk, invoices[1].pk]
    assert labels[0][1].startswith(f"{organisation.name} · 2025-00001 · 100,000 yen · due ")

    refused = client.post(
        url, {"organisation": organisation.pk, "invoices": [other_invoice.pk], "note": ""}
    )
    assert refused.status_code == 200
    assert "Choose among the open invoices of the organisation chosen above." in body(refused)
    client.post(url, {"organisation": organisation.pk, "invoices": [invoices[1].pk], "note": ""})
    assert list(StatementEntry.objects.get().invoices.all()) == [invoices[1]]


def test_the_open_invoices_of_an_organisation_for_the_pickers_script(
    client, organisation, invoices, other_invoice, secretariat_with_mfa, staff_without_permissions
):
    pay(organisation, 100000, invoices[0])
    url = reverse("admin:dues_invoice_open")
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    found = client.get(url, {"organisation": organisation.pk}).json()["invoices"]
    assert [invoice["id"] for invoice in found] == [invoices[1].pk]  # the paid one is not open
    assert found[0]["label"].startswith(f"{organisation.name} · 2026-00001 · 150,000 yen · due")
    assert client.get(url).json() == {"invoices": []}
    client.force_login(staff_without_permissions)
    assert client.get(url, {"organisation": organisation.pk}).status_code == 403


def test_a_write_off_picks_the_invoice_by_organisation(
    client, organisation, invoices, other_invoice, secretariat_with_mfa
):
    pay(organisation, 100000 - 660, invoices[0])
    add = reverse("admin:dues_writeoff_add")
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    page = body(client.get(add))
    assert "vForeignKeyRawIdAdminField" not in page
    assert re.search(r'<select name="organisation"[^>]*class="[^"]*admin-autocomplete', page)
    assert 'data-open-invoices="' in page
    assert 'src="/static/js/open-invoices.js"' in page

    chosen = client.post(add, {"organisation": organisation.pk, "amount": 660, "reason": "手数料"})
    assert chosen.status_code == 200  # the invoice is still to choose: now among its own
    options = re.findall(r'<option value="(\d+)">([^<]+)</option>', body(chosen))
    assert [int(pk) for pk, _label in options] == [invoices[0].pk, invoices[1].pk]
    assert f"{organisation.name} · 2025-00001" in options[0][1]

    other = {"organisation": organisation.pk, "invoice": other_invoice.pk}
    assert client.post(add, {**other, "amount": 660, "reason": "手数料"}).status_code == 200
    assert not WriteOff.objects.exists()

    done = {"organisation": organisation.pk, "invoice": invoices[0].pk}
    response = client.post(add, {**done, "amount": 660, "reason": "振込手数料"})
    assert response.status_code == 302
    assert Invoice.objects.get(pk=invoices[0].pk).status == "paid"


def test_a_payment_picks_the_organisation_by_name_and_its_open_invoices(
    client, organisation, invoices, other_invoice, secretariat_with_mfa
):
    add = reverse("admin:dues_payment_add")
    client.force_login(secretariat_with_mfa)
    page = body(client.get(add))
    assert "vForeignKeyRawIdAdminField" not in page
    assert checkbox_labels(page, "invoices") == []  # none before an organisation is chosen
    data = {
        "organisation": organisation.pk,
        "received_on": "2026-05-20",
        "amount": 150000,
        "method": "transfer",
        "payer_name": "",
        "note": "",
    }
    shown = client.post(add, {**data, "invoices": [other_invoice.pk]})
    assert [pk for pk, _ in checkbox_labels(body(shown), "invoices")] == [
        invoices[0].pk,
        invoices[1].pk,
    ]
    assert not Payment.objects.exists()
    assert client.post(add, {**data, "invoices": [invoices[1].pk]}).status_code == 302
    assert Invoice.objects.get(pk=invoices[1].pk).status == "paid"


def test_the_statement_page_shows_the_lines_seen_before(client, secretariat_with_mfa, invoices):
    statement = StatementImport.objects.create(
        file_name="june.txt",
        file_sha256="1" * 64,
        file_format="zengin",
        uploaded_by=secretariat_with_mfa,
        skipped_lines=5,
    )
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    page = body(client.get(reverse("admin:dues_statementimport_change", args=[statement.pk])))
    assert re.search(r"lines seen before:?</label>\s*<div[^>]*>5</div>", page, re.IGNORECASE)
