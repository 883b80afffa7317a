import pytest
from django.urls import reverse

from members import fiscal
from members.models import MembershipYear, Organisation

pytestmark = pytest.mark.django_db

NEXT_FY = fiscal.current_fiscal_year() + 1


def test_member_raises_units_for_next_year(client, member, organisation, open_units):
    client.force_login(member)
    response = client.post(reverse("dues:units"), {"units": 3})
    assert response.status_code == 302
    year = MembershipYear.objects.get(organisation=organisation, fiscal_year=NEXT_FY)
    assert (year.units, year.votes, year.amount_due) == (3, 3, 150000)
    body = client.get(reverse("dues:units")).content.decode()
    assert "150,000" in body


def test_too_few_units_are_explained_next_to_the_field(client, member, open_units):
    client.force_login(member)
    response = client.post(reverse("dues:units"), {"units": 1})
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body
    assert "2" in body and "事務局" in body
    assert not MembershipYear.objects.exists()


def test_units_choice_closed_without_a_deadline(client, member):
    client.force_login(member)
    body = client.get(reverse("dues:units")).content.decode()
    assert '<form method="post" class="col-md-6"' not in body


@pytest.mark.parametrize("role", ["applicant", "judge", "secretariat_with_mfa"])
def test_only_member_contacts_choose_units(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("dues:units")).status_code == 403


def test_units_are_saved_for_the_own_organisation_only(client, member, outsider, open_units,
                                                       organisation):  # fmt: skip
    client.force_login(outsider)
    client.post(reverse("dues:units"), {"units": 5})
    year = MembershipYear.objects.get()
    assert year.organisation == Organisation.objects.get(name="公益財団法人京都高度技術研究所")
    assert not MembershipYear.objects.filter(organisation=organisation).exists()


def test_admin_changes_are_recorded_with_who(client, secretariat_with_mfa, organisation):
    year = MembershipYear.objects.create(
        organisation=organisation, fiscal_year=NEXT_FY, membership_class_id=organisation
        .memberships.get().membership_class_id, units=2, amount_due=100000, votes=2,
        standing="due",
    )  # fmt: skip
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:members_membershipyear_change", args=[year.pk])
    response = client.post(
        url,
        {
            "organisation": organisation.pk, "fiscal_year": NEXT_FY,
            "membership_class": year.membership_class_id, "units": 3, "amount_due": 150000,
            "votes": 3, "standing": "due",
        },
    )  # fmt: skip
    assert response.status_code == 302
    latest = year.history.first()
    assert (latest.units, latest.history_user, latest.history_type) == (
        3, secretariat_with_mfa, "~",
    )  # fmt: skip
    assert year.history.last().units == 2
    response = client.get(reverse("admin:members_membershipyear_history", args=[year.pk]))
    assert response.status_code == 200
    assert "office@example.jp" in response.content.decode()
