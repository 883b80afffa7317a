"""Dates, yen amounts and fiscal years read the Japanese way in Japanese (and naturally in
English)."""

from datetime import date

import pytest
from django.urls import reverse

from dues.models import Invoice
from members import fiscal
from members.models import MembershipClass, MembershipYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def dues_page(client, member, organisation):
    year = fiscal.current_fiscal_year()
    MembershipYear.objects.create(
        organisation=organisation,
        fiscal_year=year,
        membership_class=MembershipClass.objects.get(code="full"),
        units=2,
        amount_due=100000,
        votes=2,
        standing="due",
    )
    Invoice.objects.create(
        fiscal_year=year,
        number=1,
        organisation=organisation,
        addressee="書式確認 御中",
        issued_on=date(2026, 11, 22),
        due_on=date(2026, 12, 25),
        total=1234567,
    )
    client.force_login(member)

    def render(language):
        client.cookies["django_language"] = language
        return client.get(reverse("dues:index")).content.decode(), year

    return render


def test_japanese_dates_yen_and_fiscal_years(dues_page):
    body, year = dues_page("ja")
    assert f"{year}年度" in body
    assert "100,000円" in body
    assert "1,234,567円" in body
    assert "2026年11月22日" in body
    assert "2026年12月25日" in body


def test_english_dates_yen_and_fiscal_years(dues_page):
    body, year = dues_page("en")
    assert f"FY{year}" in body
    assert "100,000 yen" in body
    assert "Nov. 22, 2026" in body
