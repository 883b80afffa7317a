"""Fixtures shared by the dues tests."""

from datetime import date

import pytest

from dues import services
from members.models import MembershipYear
from tests import factories


@pytest.fixture
def invoices(organisation):
    """Two open dues invoices of `organisation`: FY2025 (100,000) and FY2026 (150,000)."""
    factories.make_issuer()
    full = factories.full_class()
    made = []
    for fiscal_year, units in ((2025, 2), (2026, 3)):
        year = MembershipYear.objects.create(
            organisation=organisation,
            fiscal_year=fiscal_year,
            membership_class=full,
            units=units,
            amount_due=units * 50000,
            votes=units,
            standing="due",
        )
        made.append(
            services.issue_dues_invoice(year, issued_on=date(fiscal_year, 4, 1), payment_days=30)
        )
    return made
