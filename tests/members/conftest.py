"""Fixtures shared by the members tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members import fiscal
from members.models import FiscalYearSettings


@pytest.fixture
def open_units(db):
    """Units for the next fiscal year can be chosen for another 30 days."""
    return FiscalYearSettings.objects.create(
        fiscal_year=fiscal.current_fiscal_year() + 1,
        units_deadline=timezone.now() + timedelta(days=30),
    )
