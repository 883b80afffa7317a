"""Each member's invoice paperwork: addressee with the right honorific, seal, delivery."""

from datetime import date

import pytest
from django.urls import reverse

from dues import services
from dues.invoice_pdf import render_invoice
from dues.models import BillingProfile
from members import fiscal
from members.models import MembershipYear
from tests.factories import make_issuer
from tests.pdftext import text_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "公益財団法人石川県産業創出支援機構 御中"),
        ({"department": "総務課"}, "公益財団法人石川県産業創出支援機構 総務課 御中"),
        ({"attention_title": "理事長"}, "公益財団法人石川県産業創出支援機構 理事長 様"),
        (
            {
                "addressee_name": "国立大学法人金沢大学",
                "department": "財務部",
                "attention_name": "山田太郎",
            },
            "国立大学法人金沢大学 財務部 山田太郎 様",
        ),
    ],
)
def test_addressee_uses_onchu_for_bodies_and_sama_for_persons(organisation, fields, expected):
    assert BillingProfile(organisation=organisation, **fields).addressee() == expected


def test_a_member_edits_its_billing_details(client, billing_contact, organisation):
    client.force_login(billing_contact)

    response = client.post(
        reverse("dues:billing_profile"),
        {"attention_title": "理事長", "delivery": "paper", "with_seal": "on", "postal_code": ""},
    )

    assert response.status_code == 302
    profile = organisation.billing_profile
    assert (profile.delivery, profile.with_seal) == ("paper", True)
    assert "理事長 様" in client.get(reverse("dues:index")).content.decode()


def test_a_contact_without_authority_cannot_change_the_billing_details(
    client, member, organisation
):
    """Only those who commit the organisation's money change how it is billed; the others
    see the details on the dues page and whom to ask."""
    from members.models import PersonRole
    from members.services import assign_role
    from tests.factories import make_person

    assign_role(make_person(organisation, family_name="会計"), PersonRole.Kind.BILLING)
    client.force_login(member)

    response = client.post(
        reverse("dues:billing_profile"), {"delivery": "paper", "postal_code": ""}
    )

    assert response.status_code == 403
    assert not BillingProfile.objects.exists()
    body = client.get(reverse("dues:index")).content.decode()
    assert reverse("dues:billing_profile") not in body
    assert "会計 花子 (請求先担当者)" in body


def test_a_bad_postal_code_is_explained(client, billing_contact):
    client.force_login(billing_contact)

    response = client.post(
        reverse("dues:billing_profile"), {"delivery": "pdf", "postal_code": "920-82"}
    )

    assert response.status_code == 200
    assert "7 digits" in response.content.decode() or "7桁" in response.content.decode()
    assert not BillingProfile.objects.exists()


def test_invoices_copy_the_profile_when_issued(organisation):
    organisation.postal_code, organisation.address = "9208203", "金沢市鞍月2丁目20番地"
    organisation.save()
    factory_year = MembershipYear.objects.create(
        organisation=organisation,
        fiscal_year=fiscal.current_fiscal_year(),
        membership_class=organisation.memberships.get().membership_class,
        units=2,
        amount_due=100000,
        votes=2,
        standing="due",
    )
    profile = BillingProfile.objects.create(
        organisation=organisation, attention_title="理事長", delivery="paper", with_seal=True
    )

    invoice = services.issue_dues_invoice(
        factory_year, issued_on=date(2026, 4, 1), payment_days=30
    )
    profile.attention_title = ""
    profile.save()

    invoice.refresh_from_db()
    assert invoice.addressee == "公益財団法人石川県産業創出支援機構 理事長 様"
    assert (invoice.delivery, invoice.with_seal) == ("paper", True)
    assert invoice.postal_address == "〒920-8203 石川県金沢市鞍月2丁目20番地"
    text = text_of(render_invoice(invoice, make_issuer()))
    assert (
        "〒920-8203石川県金沢市鞍月2丁目20番地公益財団法人石川県産業創出支援機構理事長様" in text
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"delivery": "pdf"}, ""),
        ({"delivery": "paper", "postal_code": "1000001", "address": "東京都千代田区千代田1-1"},
         "〒100-0001 東京都千代田区千代田1-1"),
    ],
)  # fmt: skip
def test_only_posted_invoices_carry_a_postal_address(organisation, fields, expected):
    assert BillingProfile(organisation=organisation, **fields).postal_address() == expected


def test_the_organisation_admin_page_holds_its_billing_profile(
    client, secretariat_with_mfa, organisation
):
    """The registry's page of an organisation shows its billing profile (dues adds it)."""
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    body = client.get(url).content.decode()
    assert 'name="billing_profile-0-attention_title"' in body
