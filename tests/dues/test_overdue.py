"""An open invoice past its due date is marked overdue wherever its status shows: computed
from the due date and today in Asia/Tokyo, never stored."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dues import services
from dues.models import Invoice, Issuer
from members import fiscal
from tests import factories

pytestmark = pytest.mark.django_db

THIS_FY = fiscal.current_fiscal_year()


@pytest.fixture
def late(organisation):
    """This year's invoice, issued 40 days ago with 30 days to pay: 10 days overdue."""
    factories.make_issuer()
    year = factories.due_membership_year(organisation, fiscal_year=THIS_FY)
    issued_on = timezone.localdate() - timedelta(days=40)
    return services.issue_dues_invoice(year, issued_on=issued_on, payment_days=30)


@pytest.fixture
def on_time(other_organisation):
    if not Issuer.objects.exists():
        factories.make_issuer()
    year = factories.due_membership_year(other_organisation, fiscal_year=THIS_FY)
    return services.issue_dues_invoice(year, issued_on=timezone.localdate(), payment_days=30)


def test_the_overdue_mark_is_computed_from_the_due_date(late):
    assert (late.is_overdue, late.days_overdue) == (True, 10)
    Invoice.objects.filter(pk=late.pk).update(due_on=timezone.localdate())
    late.refresh_from_db()
    assert (late.is_overdue, late.days_overdue) == (False, 0)  # due today: not yet


def test_the_member_sees_its_invoice_overdue(client, member, late):
    client.force_login(member)

    body = client.get(reverse("dues:index")).content.decode()

    # In the invoice list and beside the fiscal year's standing (未納).
    assert body.count("支払期限を10日超過") == 2


def test_a_paid_invoice_past_its_due_date_is_not_overdue(client, member, organisation, late):
    services.record_payment(
        organisation=organisation,
        received_on=timezone.localdate(),
        amount=100000,
        method="transfer",
    )
    client.force_login(member)

    body = client.get(reverse("dues:index")).content.decode()

    assert "超過" not in body


def test_the_admin_invoice_list_marks_and_filters_the_overdue(
    client, secretariat_with_mfa, late, on_time
):
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:dues_invoice_changelist")

    body = client.get(url).content.decode()
    overdue = client.get(url, {"overdue": "yes"}).content.decode()
    not_overdue = client.get(url, {"overdue": "no"}).content.decode()

    assert "発行済み（支払期限を10日超過）" in body
    assert late.display_number in overdue and on_time.display_number not in overdue
    assert on_time.display_number in not_overdue and late.display_number not in not_overdue
