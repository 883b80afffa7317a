from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dues import selectors, services
from members.models import MembershipYear, RegionalBlock
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def fy2026(secretariat):
    """Full members billed 100,000 + 150,000 + 100,000; academic 15,000 (Kinki)."""
    factories.make_issuer()
    full = factories.full_class()
    academic = factories.make_class("academic", "flat", is_invoiced=True, flat_amount=15000)
    kinki = RegionalBlock.objects.create(name="近畿")
    invoices = []
    for name, cls, units, amount, block in (
        ("A財団", full, 2, 100000, None),
        ("B財団", full, 3, 150000, None),
        ("C財団", full, 2, 100000, kinki),
        ("D大学", academic, None, 15000, kinki),
    ):
        organisation = factories.make_organisation(name, cls, block=block)
        year = MembershipYear.objects.create(
            organisation=organisation,
            fiscal_year=2026,
            membership_class=cls,
            units=units,
            amount_due=amount,
            votes=units or 0,
            standing="due",
        )
        invoices.append(
            services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)
        )
    pay = services.record_payment
    pay(
        organisation=invoices[0].organisation,
        received_on=date(2026, 5, 1),
        amount=100000,
        method="transfer",
    )
    pay(
        organisation=invoices[1].organisation,
        received_on=date(2026, 5, 1),
        amount=149340,
        method="transfer",
    )
    services.write_off(invoices[1], 660, "振込手数料", secretariat)
    pay(
        organisation=invoices[3].organisation,
        received_on=date(2026, 5, 1),
        amount=15000,
        method="transfer",
    )
    return invoices


def test_collection_by_class_on_a_hand_computed_example(fy2026):
    rows = {row["name"]: row for row in selectors.collection_summary(2026, "class")}
    assert rows["正会員"] == {
        "name": "正会員",
        "billed": 350000,
        "collected": 249340,
        "written_off": 660,
        "outstanding": 100000,
        "overdue": 100000,  # C財団's invoice was due on 2026-05-01
        "rate": Decimal("71.2"),
    }
    assert rows["academic"]["rate"] == 100


def test_collection_by_block(fy2026):
    rows = {row["name"]: row for row in selectors.collection_summary(2026, "block")}
    assert (rows["北陸"]["billed"], rows["北陸"]["outstanding"]) == (250000, 0)
    assert (rows["近畿"]["billed"], rows["近畿"]["outstanding"]) == (115000, 100000)


def test_collection_totals_and_who_is_overdue(fy2026):
    """Totals over the year in one query; overdue is what is open past the due date, today
    in Asia/Tokyo, however long ago the invoice was issued."""
    late = fy2026[2]
    assert selectors.collection_totals(2026) == {
        "billed": 365000,
        "collected": 264340,
        "written_off": 660,
        "outstanding": 100000,
        "overdue": 100000,
        "rate": Decimal("72.4"),
    }
    [overdue] = selectors.overdue_invoices(2026)
    assert (overdue.organisation.name, overdue.display_number) == ("C財団", late.display_number)
    assert overdue.amount_outstanding == 100000
    assert overdue.days_overdue == (timezone.localdate() - date(2026, 5, 1)).days


def test_an_open_invoice_not_yet_due_is_outstanding_but_not_overdue(fy2026):
    year = MembershipYear.objects.get(organisation__name="C財団")
    later = services.correct_invoice(
        fy2026[2],
        addressee=fy2026[2].addressee,
        due_on=timezone.localdate(),  # due today: not overdue until tomorrow
        lines=services.dues_lines(year),
    )
    totals = selectors.collection_totals(2026)
    assert (totals["outstanding"], totals["overdue"]) == (100000, 0)
    assert selectors.overdue_invoices(2026) == []
    assert not later.is_overdue


def test_collection_page_for_the_secretariat_only(
    client, fy2026, secretariat_with_mfa, member, django_assert_max_num_queries
):
    url = reverse("admin:dues_invoice_collection")
    client.force_login(secretariat_with_mfa)
    with django_assert_max_num_queries(14):
        response = client.get(url, {"fy": 2026})
    body = response.content.decode()
    assert "249,340" in body and "71.2%" in body
    assert "264,340" in body and "72.4%" in body  # the totals row
    overdue = body[body.index('id="overdue"') :]
    days = (timezone.localdate() - date(2026, 5, 1)).days
    assert "C財団" in overdue and fy2026[2].display_number in overdue
    assert f"<td>{days}</td>" in overdue and "100,000" in overdue
    assert "A財団" not in overdue and "B財団" not in overdue
    assert client.get(url, {"fy": "nonsense"}).status_code == 200
    client.force_login(member)
    assert client.get(url, follow=True).status_code == 403


@pytest.mark.parametrize("extra", [0, 40])
def test_collection_page_budget_does_not_grow(
    client, fy2026, secretariat_with_mfa, extra, django_assert_max_num_queries
):
    """More overdue members add rows, not queries."""
    full = factories.full_class()
    for number in range(extra):
        organisation = factories.make_organisation(f"遅延財団{number}", full)
        year = factories.due_membership_year(organisation, fiscal_year=2026)
        services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)
    client.force_login(secretariat_with_mfa)
    with django_assert_max_num_queries(16):
        body = client.get(reverse("admin:dues_invoice_collection"), {"fy": 2026}).content
    assert body.decode().count("遅延財団") == extra
