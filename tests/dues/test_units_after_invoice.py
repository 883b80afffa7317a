"""Units changed after the year's invoice is issued: the member is warned and confirms, the
invoice is corrected through the one correction path and the billing contact is told, so
that votes, invoice and collection agree; what the path can't do is refused with the reason
and whom to ask, never left to diverge."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dues import selectors, services
from dues.models import Invoice
from members import fiscal
from members import services as member_services
from members.models import FiscalYearSettings, MembershipYear, PersonRole, UnitsException
from tests import factories

pytestmark = pytest.mark.django_db

NEXT_FY = fiscal.current_fiscal_year() + 1
URL = "/members/units/"


@pytest.fixture
def issued(organisation, settings, tmp_path):
    """Next year's units open for 30 days more, chosen at 2 (100,000 yen), and the year's
    invoice issued already (a dues run before the deadline); the billing contact has mail."""
    settings.MEDIA_ROOT = tmp_path
    FiscalYearSettings.objects.create(
        fiscal_year=NEXT_FY, units_deadline=timezone.now() + timedelta(days=30)
    )
    factories.make_issuer()
    member_services.assign_role(
        factories.make_person(organisation, family_name="会計", email="billing@example.jp"),
        PersonRole.Kind.BILLING,
    )
    year = member_services.choose_units(organisation, NEXT_FY, 2)
    return services.issue_dues_invoice(year, issued_on=timezone.localdate(), payment_days=30)


def confirmation(body: str) -> str:
    """The hidden confirmation the warning page carries."""
    return re.search(r'name="confirm_invoice" value="([^"]+)"', body).group(1)


def pay(organisation, amount: int) -> None:
    services.record_payment(
        organisation=organisation,
        received_on=timezone.localdate(),
        amount=amount,
        method="transfer",
    )


def agreement(organisation) -> tuple[int, int, int, int]:
    """Votes, amount due, the year's standing invoice and the collection's billed total."""
    year = MembershipYear.objects.get(organisation=organisation, fiscal_year=NEXT_FY)
    invoice = Invoice.objects.exclude(status="cancelled").get(membership_year=year)
    (billed,) = [row["billed"] for row in selectors.collection_summary(NEXT_FY, "class")]
    return year.votes * 50000, year.amount_due, invoice.total, billed


def test_units_after_the_invoice_are_confirmed_then_corrected_and_the_billing_contact_told(
    client, primary_contact, organisation, issued, django_capture_on_commit_callbacks
):
    client.force_login(primary_contact)
    assert issued.display_number in client.get(URL).content.decode()

    warned = client.post(URL, {"units": 3})

    body = warned.content.decode()
    assert warned.status_code == 200 and "alert-warning" in body
    assert issued.display_number in body and "150,000" in body and "100,000" in body
    assert agreement(organisation) == (100000, 100000, 100000, 100000)  # nothing changed yet
    assert Invoice.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(URL, {"units": 3, "confirm_invoice": confirmation(body)})

    assert done.status_code == 302
    corrected = Invoice.objects.get(replaces=issued)
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.CANCELLED
    assert agreement(organisation) == (150000, 150000, 150000, 150000)
    assert MembershipYear.objects.get(fiscal_year=NEXT_FY).votes == 3
    assert list(corrected.lines.values_list("quantity", "unit_price")) == [(3, 50000)]
    [notice] = mail.outbox
    assert notice.to == ["billing@example.jp"]
    assert "訂正" in notice.subject
    assert corrected.display_number in notice.body and issued.display_number in notice.body
    assert "150,000" in notice.body
    page = client.get(URL).content.decode()
    assert corrected.display_number in page and "150,000" in page


def test_a_changed_choice_on_the_warning_asks_again(client, primary_contact, organisation,
                                                    issued):  # fmt: skip
    """The confirmation holds for the units and the invoice it was shown for only."""
    client.force_login(primary_contact)
    token = confirmation(client.post(URL, {"units": 3}).content.decode())

    again = client.post(URL, {"units": 4, "confirm_invoice": token})

    assert again.status_code == 200 and "200,000" in again.content.decode()
    assert agreement(organisation) == (100000, 100000, 100000, 100000)


def test_a_partly_paid_invoice_is_corrected_for_the_difference(
    client, primary_contact, organisation, issued
):
    pay(organisation, 60000)
    client.force_login(primary_contact)
    body = client.post(URL, {"units": 3}).content.decode()
    assert "60,000" in body  # what was received counts towards the new invoice

    client.post(URL, {"units": 3, "confirm_invoice": confirmation(body)})

    corrected = Invoice.objects.get(replaces=issued)
    assert (corrected.total, services.outstanding(corrected)) == (150000, 90000)
    assert agreement(organisation) == (150000, 150000, 150000, 150000)
    collected = selectors.collection_summary(NEXT_FY, "class")[0]
    assert (collected["collected"], collected["outstanding"]) == (60000, 90000)


def test_fewer_units_than_already_received_are_refused_naming_the_secretariat(
    client, primary_contact, organisation, issued, secretariat
):
    """The correction path neither refunds nor credits: below what was received, the member
    is told why and to ask the secretariat, and nothing changes."""
    UnitsException.objects.create(
        organisation=organisation, fiscal_year=NEXT_FY, minimum_units=1, reason="減免",
        granted_by=secretariat,
    )  # fmt: skip
    pay(organisation, 60000)
    client.force_login(primary_contact)

    response = client.post(URL, {"units": 1, "confirm_invoice": f"{issued.pk}:1"})

    body = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback" in body
    assert "60,000" in body and "事務局" in body and "office@innonet.example" in body
    assert agreement(organisation) == (100000, 100000, 100000, 100000)
    assert Invoice.objects.count() == 1


def test_a_paid_invoice_refuses_a_change_naming_the_secretariat(
    client, primary_contact, organisation, issued
):
    pay(organisation, 100000)
    client.force_login(primary_contact)

    response = client.post(URL, {"units": 3, "confirm_invoice": f"{issued.pk}:3"})

    body = response.content.decode()
    assert response.status_code == 200
    assert issued.display_number in body and "事務局" in body and "office@innonet.example" in body
    assert agreement(organisation) == (100000, 100000, 100000, 100000)
    assert Invoice.objects.count() == 1


def test_lines_the_secretariat_added_stay_on_the_correction(
    client, primary_contact, organisation, issued
):
    seminar = {"description": "セミナー参加費", "quantity": 1, "unit_price": 10000,
               "tax_category": "standard"}  # fmt: skip
    first = services.correct_invoice(
        issued, addressee=issued.addressee, due_on=issued.due_on,
        lines=[*services.dues_lines(issued.membership_year), seminar],
    )  # fmt: skip
    client.force_login(primary_contact)
    body = client.post(URL, {"units": 3}).content.decode()

    client.post(URL, {"units": 3, "confirm_invoice": confirmation(body)})

    second = Invoice.objects.get(replaces=first)
    assert second.total == 150000 + 11000
    assert sorted(second.lines.values_list("description", "quantity")) == sorted(
        [(f"{NEXT_FY}年度 会費（正会員）", 3), ("セミナー参加費", 1)]
    )


def test_an_invoice_that_no_longer_shows_the_units_is_refused(
    client, primary_contact, organisation, issued
):
    """The invoice and the units diverged already (e.g. a hand correction): the portal does
    not guess, it names the invoice and the secretariat."""
    MembershipYear.objects.filter(pk=issued.membership_year_id).update(
        units=4, amount_due=200000, votes=4
    )
    client.force_login(primary_contact)

    body = client.post(URL, {"units": 3, "confirm_invoice": f"{issued.pk}:3"}).content.decode()

    assert issued.display_number in body and "事務局" in body
    assert Invoice.objects.count() == 1
    assert MembershipYear.objects.get(pk=issued.membership_year_id).units == 4


def test_units_page_with_an_invoice_within_budget(
    client, primary_contact, issued, django_assert_max_num_queries
):
    client.force_login(primary_contact)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("dues:units")).status_code == 200


def year_form(year, **changes) -> dict:
    fields = ["organisation", "fiscal_year", "membership_class", "units", "amount_due", "votes",
              "standing"]  # fmt: skip
    data = {field: getattr(year, f"{field}_id", getattr(year, field)) for field in fields}
    return {**data, **changes}


def test_the_secretariat_changing_the_units_of_an_invoiced_year_corrects_the_invoice(
    client, secretariat_with_mfa, organisation, issued, django_capture_on_commit_callbacks
):
    """The admin's membership year no longer diverges from its invoice silently."""
    year = issued.membership_year
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:members_membershipyear_change", args=[year.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, year_form(year, units=3, amount_due=150000, votes=3))

    assert response.status_code == 302
    corrected = Invoice.objects.get(replaces=issued)
    assert agreement(organisation) == (150000, 150000, 150000, 150000)
    assert corrected.total == 150000
    assert [m.to for m in mail.outbox] == [["billing@example.jp"]]


def test_the_secretariat_cannot_change_the_units_of_a_paid_year_silently(
    client, secretariat_with_mfa, organisation, issued
):
    pay(organisation, 100000)
    year = MembershipYear.objects.get(pk=issued.membership_year_id)
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:members_membershipyear_change", args=[year.pk])

    response = client.post(url, year_form(year, units=3, amount_due=150000, votes=3))

    assert response.status_code == 200
    assert issued.display_number in response.content.decode()
    assert agreement(organisation) == (100000, 100000, 100000, 100000)


def test_an_admin_correction_keeps_the_years_dues(
    client, secretariat_with_mfa, organisation, issued
):
    """A hand correction billing other units than the registry's would diverge from the
    votes: it is refused, pointing to the membership year."""
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:dues_invoice_correct", args=[issued.pk])

    response = client.post(
        url,
        {
            "addressee": issued.addressee,
            "due_on": issued.due_on.isoformat(),
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "0",
            "line-MIN_NUM_FORMS": "1",
            "line-MAX_NUM_FORMS": "1000",
            "line-0-description": f"{NEXT_FY}年度 会費（正会員）",
            "line-0-quantity": "3",
            "line-0-unit_price": "50000",
            "line-0-tax_category": "outside",
        },
    )

    assert response.status_code == 200
    assert "2 × 50,000" in response.content.decode()
    assert Invoice.objects.count() == 1
