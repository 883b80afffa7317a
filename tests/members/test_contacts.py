"""Member contacts keep their people and roles; the primary contact manages logins and the
roles that speak or pay for the organisation."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation
from members.models import Person, PersonRole
from members.services import assign_role
from tests import factories

pytestmark = pytest.mark.django_db

ADD = reverse("members:add_contact")


def contact_data(**changes):
    data = {
        "family_name": "佐藤",
        "given_name": "一郎",
        "family_name_kana": "サトウ",
        "given_name_kana": "イチロウ",
        "department": "総務課",
        "title": "課長",
        "email": "sato@example.jp",
        "phone": "076-000-0000",
    }
    return {**data, **changes}


def current_roles(person):
    return set(person.roles.current().values_list("kind", flat=True))


def test_the_primary_contact_adds_a_contact_with_roles(client, primary_contact, organisation):
    client.force_login(primary_contact)

    response = client.post(ADD, {**contact_data(), "roles": ["billing", "newsletter"]})

    assert response.status_code == 302
    person = Person.objects.get(email="sato@example.jp")
    assert person.organisation == organisation
    assert current_roles(person) == {"billing", "newsletter"}


def test_giving_a_single_holder_role_ends_the_previous_holder(
    client, primary_contact, organisation
):
    previous = factories.make_person(organisation)
    assign_role(previous, PersonRole.Kind.BILLING)
    person = factories.make_person(organisation, family_name="佐藤")
    client.force_login(primary_contact)

    client.post(
        reverse("members:edit_contact", args=[person.pk]),
        {**contact_data(email=person.email), "roles": ["billing"]},
    )

    assert current_roles(person) == {"billing"}
    assert current_roles(previous) == set()
    assert previous.roles.get(kind="billing").ends_on is not None  # ended, kept for history


def test_the_primary_role_is_handed_over_not_dropped(client, primary_contact):
    person = primary_contact.person
    client.force_login(primary_contact)

    response = client.post(
        reverse("members:edit_contact", args=[person.pk]),
        {**contact_data(email=person.email), "roles": []},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["roles"]
    assert current_roles(person) == {"primary"}


def test_members_cannot_change_the_representative_here(client, primary_contact, organisation):
    representative = factories.make_person(organisation)
    assign_role(representative, PersonRole.Kind.REPRESENTATIVE)
    client.force_login(primary_contact)

    response = client.post(
        reverse("members:edit_contact", args=[representative.pk]),
        {**contact_data(email=representative.email), "roles": ["representative"]},
    )

    assert response.status_code == 200  # not a choice: refused by the form
    assert current_roles(representative) == {"representative"}


def test_the_email_of_a_person_who_logs_in_is_not_edited_here(client, member):
    client.force_login(member)

    client.post(
        reverse("members:edit_contact", args=[member.person.pk]),
        {**contact_data(email="other@example.jp"), "roles": []},
    )

    member.person.refresh_from_db()
    assert member.person.email == "member@example.jp"
    assert member.person.family_name == "佐藤"


def test_another_organisations_contacts_are_not_found(client, primary_contact, other_organisation):
    stranger = factories.make_person(other_organisation)
    client.force_login(primary_contact)

    for name in ("members:edit_contact", "members:remove_contact", "members:invite_contact"):
        assert client.post(reverse(name, args=[stranger.pk])).status_code == 404, name
    stranger.refresh_from_db()
    assert stranger.left_on is None
    assert not Invitation.objects.exists()


def test_the_primary_contact_invites_a_colleague(
    client, primary_contact, organisation, django_capture_on_commit_callbacks
):
    colleague = factories.make_person(organisation, email="colleague@example.jp")
    client.force_login(primary_contact)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:invite_contact", args=[colleague.pk]))

    assert response.status_code == 302
    invitation = Invitation.objects.get(person=colleague)
    assert invitation.invited_by == primary_contact
    assert [m.to for m in mail.outbox] == [["colleague@example.jp"]]
    page = client.get(reverse("members:organisation")).content.decode()
    assert "Invited" in page or "招待済み" in page


def test_a_new_invitation_replaces_the_unused_one(client, primary_contact, organisation):
    colleague = factories.make_person(organisation, email="colleague@example.jp")
    client.force_login(primary_contact)

    client.post(reverse("members:invite_contact", args=[colleague.pk]))
    client.post(reverse("members:invite_contact", args=[colleague.pk]))

    assert Invitation.objects.filter(person=colleague).count() == 2
    assert Invitation.objects.usable().filter(person=colleague).count() == 1


def test_only_the_primary_contact_invites_and_removes(client, member, organisation):
    colleague = factories.make_person(organisation)
    client.force_login(member)  # a contact without the primary role

    assert client.post(reverse("members:invite_contact", args=[colleague.pk])).status_code == 403
    assert client.post(reverse("members:remove_contact", args=[colleague.pk])).status_code == 403
    assert not Invitation.objects.exists()


def test_the_primary_contact_removes_a_colleague(client, primary_contact, organisation):
    user = factories.make_user("leaving@example.jp")
    colleague = factories.make_person(organisation, email="leaving@example.jp", user=user)
    assign_role(colleague, PersonRole.Kind.VOTER)
    client.force_login(primary_contact)

    assert client.get(reverse("members:remove_contact", args=[colleague.pk])).status_code == 200
    response = client.post(reverse("members:remove_contact", args=[colleague.pk]))

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.left_on is not None and colleague.user is None
    assert current_roles(colleague) == set()
    assert "leaving@example.jp" not in client.get(reverse("members:organisation")).content.decode()
    client.force_login(user)
    assert client.get(reverse("members:organisation")).status_code == 403


def test_removing_revokes_an_open_invitation(client, primary_contact, organisation):
    colleague = factories.make_person(organisation)
    client.force_login(primary_contact)
    client.post(reverse("members:invite_contact", args=[colleague.pk]))

    client.post(reverse("members:remove_contact", args=[colleague.pk]))

    assert not Invitation.objects.usable().exists()


@pytest.mark.parametrize("who", ["self", "representative"])
def test_some_contacts_cannot_be_removed(client, primary_contact, organisation, who):
    if who == "self":
        person = primary_contact.person
    else:
        person = factories.make_person(organisation)
        assign_role(person, PersonRole.Kind.REPRESENTATIVE)
    client.force_login(primary_contact)

    response = client.post(reverse("members:remove_contact", args=[person.pk]), follow=True)

    person.refresh_from_db()
    assert person.left_on is None
    assert response.context["messages"]


def test_a_colleague_cannot_take_the_primary_contacts_roles(client, primary_contact, organisation):
    """Issue 25: a colleague gave themself the primary, voter and billing roles, then removed
    the primary contact."""
    user = factories.make_user("colleague@example.jp")
    colleague = factories.make_person(organisation, email="colleague@example.jp", user=user)
    for kind in (PersonRole.Kind.VOTER, PersonRole.Kind.BILLING):
        assign_role(primary_contact.person, kind)
    client.force_login(user)

    response = client.post(
        reverse("members:edit_contact", args=[colleague.pk]),
        {
            **contact_data(email=colleague.email),
            "roles": ["primary", "voter", "billing", "newsletter"],
        },
    )
    removal = client.post(reverse("members:remove_contact", args=[primary_contact.person.pk]))

    assert response.status_code == 200 and response.context["form"].errors["roles"]
    assert removal.status_code == 403
    assert current_roles(colleague) == set()
    assert current_roles(primary_contact.person) == {"primary", "voter", "billing"}
    client.force_login(primary_contact)
    assert client.get(reverse("members:organisation")).status_code == 200


def test_a_colleague_edits_their_own_details_and_keeps_their_roles(client, member, organisation):
    assign_role(member.person, PersonRole.Kind.BILLING)
    client.force_login(member)

    response = client.post(
        reverse("members:edit_contact", args=[member.person.pk]),
        {**contact_data(email=member.email, phone="076-111-1111"), "roles": ["newsletter"]},
    )

    assert response.status_code == 302
    member.person.refresh_from_db()
    assert member.person.phone == "076-111-1111"
    assert current_roles(member.person) == {"billing", "newsletter"}


def test_only_the_primary_contact_edits_other_contacts(client, member, primary_contact):
    """`member` is the primary contact here: a colleague without the role may not edit them."""
    user = factories.make_user("colleague@example.jp")
    factories.make_person(member.person.organisation, email="colleague@example.jp", user=user)
    client.force_login(user)

    url = reverse("members:edit_contact", args=[member.person.pk])
    assert client.get(url).status_code == 403
    data = {**contact_data(email=member.email, family_name="改竄"), "roles": []}
    assert client.post(url, data).status_code == 403
    member.person.refresh_from_db()
    assert member.person.family_name != "改竄"


def test_only_the_primary_contact_adds_contacts(client, member, organisation):
    """A colleague could add a contact but never correct it afterwards: a dead end."""
    client.force_login(member)

    page = client.get(reverse("members:organisation")).content.decode()
    refused = client.post(
        ADD, {**contact_data(email="suzuki@example.jp"), "roles": ["newsletter"]}
    )

    assert ADD not in page
    assert refused.status_code == 403
    assert not Person.objects.filter(email="suzuki@example.jp").exists()


def test_a_colleague_is_told_who_the_primary_contact_is(client, primary_contact, organisation):
    user = factories.make_user("colleague@example.jp")
    factories.make_person(organisation, email="colleague@example.jp", user=user)
    client.force_login(user)

    page = client.get(reverse("members:organisation")).content.decode()

    assert "主担当者" in page and "member@example.jp" in page
    assert "office@innonet.example" in page  # where to ask when the primary contact has left


def test_the_primary_contact_hands_the_role_over(client, primary_contact, organisation):
    successor = factories.make_person(organisation, email="next@example.jp")
    client.force_login(primary_contact)

    response = client.post(
        reverse("members:edit_contact", args=[successor.pk]),
        {**contact_data(email=successor.email), "roles": ["primary"]},
    )

    assert response.status_code == 302
    assert current_roles(successor) == {"primary"}
    assert current_roles(primary_contact.person) == set()
