"""The dashboard marks the organisation's overdue invoices, as the dues page does."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dues import services
from members import fiscal
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("others", [0, 20])
def test_the_dashboard_marks_overdue_invoices(
    client, member, organisation, others, django_assert_max_num_queries
):
    factories.make_issuer()
    year = factories.due_membership_year(organisation, fiscal_year=fiscal.current_fiscal_year())
    late = services.issue_dues_invoice(
        year, issued_on=timezone.localdate() - timedelta(days=33), payment_days=30
    )
    for number in range(others):  # other members' overdue invoices add no query, and don't show
        other = factories.make_organisation(f"他財団{number}")
        services.issue_dues_invoice(
            factories.due_membership_year(other, fiscal_year=year.fiscal_year),
            issued_on=timezone.localdate() - timedelta(days=60),
            payment_days=30,
        )
    client.force_login(member)

    with django_assert_max_num_queries(9):
        body = client.get(reverse("portal:dashboard")).content.decode()

    assert late.display_number in body and "支払期限を3日超過" in body
    assert body.count("日超過") == 1
