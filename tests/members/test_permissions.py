"""The roles a user holds: one value, read in one query, on the request and not on the user."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from members.permissions import NOBODY, Roles, roles_of
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_and_inactive_users_hold_no_role(django_assert_num_queries, member):
    member.is_active = False
    with django_assert_num_queries(0):
        assert roles_of(AnonymousUser()) == NOBODY
        assert roles_of(member) == NOBODY


@pytest.mark.parametrize(
    ("role", "contact", "flags"),
    [
        ("applicant", False, {}),
        ("judge", False, {"judge": True}),
        ("secretariat", False, {"secretariat": True, "superuser": True}),
        ("member", True, {}),
        ("primary_contact", True, {"primary_contact": True}),
    ],
)
def test_each_role_is_read_in_one_query(
    request, django_assert_num_queries, organisation, role, contact, flags
):
    user = request.getfixturevalue(role)
    organisation_id = organisation.pk if contact else None
    with django_assert_num_queries(1):
        assert roles_of(user) == Roles(
            authenticated=True, organisation_id=organisation_id, **flags
        )


def test_the_designated_voter_votes_while_a_contact(organisation):
    voter = factories.make_voter(organisation)
    assert roles_of(voter) == Roles(
        authenticated=True, organisation_id=organisation.pk, voter=True
    )
    voter.person.left_on = date(2026, 3, 31)
    voter.person.save(update_fields=["left_on"])
    assert roles_of(voter) == Roles(authenticated=True)


def test_a_request_carries_its_roles_and_the_user_none(client, primary_contact, organisation):
    client.force_login(primary_contact)
    response = client.get(reverse("portal:dashboard"))
    roles = response.wsgi_request.roles
    assert (roles.organisation_id, roles.primary_contact) == (organisation.pk, True)
    user_fields = vars(response.wsgi_request.user._wrapped)
    assert not {"judge", "organisation_id", "primary_contact", "voter"} & set(user_fields)


def test_a_staff_users_model_permissions_are_read_in_the_same_query(django_assert_num_queries, db):
    """Own and group permissions, as the admin counts them; staff pages ask for them."""
    from django.contrib.auth.models import Group, Permission

    clerk = factories.make_user("clerk@example.jp", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_survey"))
    group = Group.objects.create(name="assembly desk")
    group.permissions.add(Permission.objects.get(codename="view_assembly"))
    clerk.groups.add(group)
    with django_assert_num_queries(1):
        roles = roles_of(clerk)
    assert roles.permissions == {"surveys.view_survey", "assemblies.view_assembly"}
    assert roles.has_perm("surveys.view_survey")
    assert not roles.has_perm("surveys.view_response")
