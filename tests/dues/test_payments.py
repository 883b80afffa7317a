from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dues import services
from dues.models import Invoice, Payment

pytestmark = pytest.mark.django_db


def pay(organisation, amount, **kwargs):
    return services.record_payment(
        organisation=organisation,
        received_on=date(2026, 5, 20),
        amount=amount,
        method="transfer",
        **kwargs,
    )


def test_full_payment_settles_invoice_and_standing(organisation, invoices):
    pay(organisation, 100000, invoices=[invoices[0]])
    first = Invoice.objects.get(pk=invoices[0].pk)
    assert (first.status, first.paid_on) == ("paid", date(2026, 5, 20))
    assert first.membership_year.standing == "paid"
    assert Invoice.objects.get(pk=invoices[1].pk).status == "issued"


def test_partial_payment_leaves_the_rest_outstanding(organisation, invoices):
    pay(organisation, 60000, invoices=[invoices[0]])
    invoice = Invoice.objects.get(pk=invoices[0].pk)
    assert invoice.status == "issued"
    assert services.outstanding(invoice) == 40000
    pay(organisation, 40000, invoices=[invoices[0]])
    assert Invoice.objects.get(pk=invoices[0].pk).status == "paid"


def test_one_transfer_pays_several_invoices_oldest_first(organisation, invoices):
    payment = pay(organisation, 250000)
    assert sorted(payment.allocations.values_list("invoice__fiscal_year", "amount")) == [
        (2025, 100000),
        (2026, 150000),
    ]
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid"}


def test_overpayment_stays_unallocated(organisation, invoices):
    payment = pay(organisation, 300000)
    assert sum(payment.allocations.values_list("amount", flat=True)) == 250000


def test_bank_fee_shortfall_is_written_off_with_a_reason(organisation, invoices, secretariat):
    pay(organisation, 100000 - 660, invoices=[invoices[0]])
    invoice = Invoice.objects.get(pk=invoices[0].pk)
    assert invoice.status == "issued"
    services.write_off(invoice, 660, "振込手数料差引", secretariat)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == ("paid", date(2026, 5, 20))
    assert invoice.write_offs.get().reason == "振込手数料差引"


def test_write_offs_are_limited(organisation, invoices, secretariat):
    pay(organisation, 90000, invoices=[invoices[0]])
    invoice = Invoice.objects.get(pk=invoices[0].pk)
    with pytest.raises(ValidationError):
        services.write_off(invoice, 10000, "too much", secretariat)  # over the 1,000 yen limit
    with pytest.raises(ValidationError):
        services.check_write_off(invoices[1], 150001)  # over what is outstanding
    assert Invoice.objects.get(pk=invoice.pk).status == "issued"


def test_secretariat_records_a_payment_in_the_admin(
    client, organisation, invoices, secretariat_with_mfa
):
    client.force_login(secretariat_with_mfa)
    response = client.post(
        reverse("admin:dues_payment_add"),
        {
            "organisation": organisation.pk,
            "received_on": "2026-05-20",
            "amount": 150000,
            "method": "transfer",
            "payer_name": "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ",
            "note": "",
            "invoices": [invoices[1].pk],
        },
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.recorded_by == secretariat_with_mfa
    assert Invoice.objects.get(pk=invoices[1].pk).status == "paid"
    assert Invoice.objects.get(pk=invoices[0].pk).status == "issued"


def test_admin_refuses_an_invoice_of_another_organisation(
    client, organisation, invoices, other_organisation, secretariat_with_mfa
):
    client.force_login(secretariat_with_mfa)
    response = client.post(
        reverse("admin:dues_payment_add"),
        {
            "organisation": other_organisation.pk,
            "received_on": "2026-05-20",
            "amount": 150000,
            "method": "transfer",
            "payer_name": "",
            "note": "",
            "invoices": [invoices[1].pk],
        },
    )
    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_receipt_only_when_paid_and_only_for_the_own_organisation(
    client, member, outsider, organisation, invoices
):
    url = reverse("dues:receipt_pdf", args=[invoices[0].pk])
    client.force_login(member)
    assert client.get(url).status_code == 404  # not paid yet
    pay(organisation, 100000, invoices=[invoices[0]])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert Invoice.objects.get(pk=invoices[0].pk).receipt_sha256
    assert (
        reverse("dues:receipt_pdf", args=[invoices[0].pk])
        in client.get(reverse("dues:index")).content.decode()
    )
    client.force_login(outsider)
    assert client.get(url).status_code == 404
