import pytest
from django.urls import reverse

from members import fiscal
from members.models import MembershipYear, Organisation, PersonRole
from members.services import assign_role
from tests import factories

pytestmark = pytest.mark.django_db

NEXT_FY = fiscal.current_fiscal_year() + 1


@pytest.mark.parametrize("role", ["representative", "primary_contact", "billing_contact"])
def test_member_raises_units_for_next_year(client, request, role, organisation, open_units):
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("dues:units"), {"units": 3})
    assert response.status_code == 302
    year = MembershipYear.objects.get(organisation=organisation, fiscal_year=NEXT_FY)
    assert (year.units, year.votes, year.amount_due) == (3, 3, 150000)
    body = client.get(reverse("dues:units")).content.decode()
    assert "150,000" in body


def test_too_few_units_are_explained_next_to_the_field(client, billing_contact, open_units):
    client.force_login(billing_contact)
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
    assign_role(outsider.person, PersonRole.Kind.BILLING)
    client.force_login(outsider)
    client.post(reverse("dues:units"), {"units": 5})
    year = MembershipYear.objects.get()
    assert year.organisation == Organisation.objects.get(name="公益財団法人京都高度技術研究所")
    assert not MembershipYear.objects.filter(organisation=organisation).exists()


def test_a_contact_without_authority_sees_the_units_and_who_may_change_them(
    client, member, organisation, open_units
):
    """A newsletter recipient sees the figure and the names of those who commit the
    organisation's money, gets no form, and a POST is refused without writing."""
    assign_role(member.person, PersonRole.Kind.NEWSLETTER)
    for kind, family in (("representative", "代表"), ("billing", "会計"), ("voter", "投票")):
        assign_role(factories.make_person(organisation, family_name=family), kind)
    MembershipYear.objects.create(
        organisation=organisation, fiscal_year=NEXT_FY, membership_class=factories.full_class(),
        units=2, amount_due=100000, votes=2, standing="due",
    )  # fmt: skip
    client.force_login(member)

    body = client.get(reverse("dues:units")).content.decode()

    assert "100,000" in body
    assert '<form method="post" class="col-md-6"' not in body
    assert "代表 花子 (代表者)" in body and "会計 花子 (請求先担当者)" in body
    assert "投票 花子" not in body  # the voter commits no money
    response = client.post(reverse("dues:units"), {"units": 5})
    assert response.status_code == 403
    assert MembershipYear.objects.get().units == 2


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
