"""Each role against each view: the expected answer, and no other organisation's data."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the login page
MFA = "mfa"  # a redirect to two-factor setup

VIEWS = [
    "portal:home", "portal:dashboard", "members:organisation", "members:edit_organisation",
    "members:add_contact", "dues:index", "dues:billing_profile", "members:units",
    "members:directory",
    "awards:index", "newsletter:index", "newsletter:subscribe", "newsletter:preferences",
    "surveys:index", "assemblies:index", "admin:index",
]  # fmt: skip

MATRIX = {
    # home dashboard org edit contact dues billing units directory award news subscribe topics
    # surveys assembly admin
    "anonymous":   [200, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200, 200, 200,
                    LOGIN, LOGIN, LOGIN, LOGIN],
    "applicant":   [302, 200, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403,
                    403],
    "member":      [302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                    403],
    "primary_contact": [302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                        200, 403],
    "judge":       [302, 200, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403,
                    403],
    "secretariat": [302, 200, 403, 403, 403, 403, 403, 403, 200, 200, 200, 200, 403, MFA, MFA,
                    MFA],
    "secretariat_with_mfa": [302, 200, 403, 403, 403, 403, 403, 403, 200, 200, 200, 200, 403,
                             200, 200, 200],
}  # fmt: skip

# Views on one contact or invoice: (url name, method). Who may not is refused before the
# object is looked up; a member contact of another organisation gets 404 (tests/members).
OBJECT_VIEWS = [
    ("members:edit_contact", "get"),
    ("members:invite_contact", "post"),
    ("members:remove_contact", "get"),
]
OBJECT_MATRIX = {
    #                  edit   invite remove
    "anonymous":       [LOGIN, LOGIN, LOGIN],
    "applicant":       [403, 403, 403],
    "member":          [403, 403, 403],
    "primary_contact": [200, 302, 200],
    "judge":           [403, 403, 403],
    "secretariat_with_mfa": [403, 403, 403],
}  # fmt: skip

# Every member-side write (a POST), by a contact without the primary role ("member") and
# by the primary contact; "colleague" is another contact of the organisation, "own" the
# contact's own record. An empty form answers 200 (its errors shown) where the write is
# allowed; a refusal is 403 and writes nothing. Surveys and votes: tests/surveys, tests/assemblies.
WRITES = [
    ("members:edit_organisation", None),
    ("members:add_contact", None),
    ("members:edit_contact", "own"),
    ("members:edit_contact", "colleague"),
    ("members:invite_contact", "colleague"),
    ("members:remove_contact", "colleague"),
    ("members:units", None),
    ("dues:billing_profile", None),
    ("newsletter:preferences", None),
    ("newsletter:subscribe", None),
]
WRITE_MATRIX = {
    #        profile add own  colleague invite remove units billing topics subscribe
    "member":          [200, 200, 200, 403, 403, 403, 200, 200, 200, 200],
    "primary_contact": [200, 200, 200, 200, 302, 302, 200, 200, 200, 200],
    "outsider":        [200, 200, 200, 404, 403, 403, 200, 200, 200, 200],
}  # fmt: skip


@pytest.mark.parametrize("role", WRITE_MATRIX)
def test_each_contact_role_against_each_member_write(client, request, organisation, role):
    from tests import factories

    user = request.getfixturevalue(role)
    colleague = factories.make_person(organisation, email="colleague@example.jp")
    client.force_login(user)
    for (view, target), expected in zip(WRITES, WRITE_MATRIX[role], strict=True):
        args = {"own": [user.person.pk], "colleague": [colleague.pk], None: []}[target]
        response = client.post(reverse(view, args=args), {})
        assert response.status_code == expected, (view, target)
    colleague.refresh_from_db()
    assert colleague.left_on is None or role == "primary_contact"


# The secretariat's own screens in the admin: everyone else is sent to the admin login.
ADMIN_VIEWS = [
    "admin:dues_invoice_collection",
    "admin:members_organisationimport_add",
    "admin:members_organisationimport_template",
    "admin:dues_statementimport_add",
    "admin:dues_duesrun_add",
    "admin:members_changerequest_changelist",
    "admin:newsletter_issue_changelist",
    "admin:newsletter_issue_add",
    "admin:outbox_mailing_changelist",
    "admin:newsletter_addressproblem_changelist",
    "admin:newsletter_masthead_changelist",
    "admin:awards_edition_changelist",
    "admin:awards_edition_import",
    "admin:awards_entry_changelist",
    "admin:awards_round_changelist",
    "admin:awards_judge_changelist",
    "admin:awards_assignment_changelist",
    "admin:awards_conflict_changelist",
    "admin:awards_decision_changelist",
    "admin:awards_decision_add",
    "admin:awards_notification_changelist",
    "admin:awards_auditevent_changelist",
    "admin:surveys_survey_changelist",
    "admin:surveys_survey_add",
    "admin:surveys_question_changelist",
    "admin:surveys_response_changelist",
    "admin:surveys_otheranswer_changelist",
    "admin:surveys_bankquestion_changelist",
    "admin:assemblies_assembly_changelist",
    "admin:assemblies_threshold_changelist",
    "admin:assemblies_rollentry_changelist",
    "admin:assemblies_agendaitem_changelist",
    "admin:assemblies_auditevent_changelist",
    "admin:portal_failedtask_changelist",
]


@pytest.mark.parametrize("role", MATRIX)
def test_each_role_against_each_view(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for view, expected in zip(VIEWS, MATRIX[role], strict=True):
        response = client.get(reverse(view))
        if response.get("Location", "").startswith(reverse("admin:login")):
            # The admin sends visitors through its own login URL first: follow that hop.
            response = client.get(response["Location"])
        status, location = response.status_code, response.get("Location", "")
        if expected == LOGIN:
            assert status == 302, view
            assert location.startswith(reverse("account_login")), view
        elif expected == MFA:
            assert status == 302, view
            assert location == reverse("mfa_activate_totp"), view
        else:
            assert status == expected, view


@pytest.mark.parametrize("role", OBJECT_MATRIX)
def test_each_role_against_each_contact_view(client, request, organisation, role):
    from tests import factories

    colleague = factories.make_person(organisation)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for (view, method), expected in zip(OBJECT_VIEWS, OBJECT_MATRIX[role], strict=True):
        response = getattr(client, method)(reverse(view, args=[colleague.pk]))
        if expected == LOGIN:
            assert response.status_code == 302, view
            assert response["Location"].startswith(reverse("account_login")), view
        else:
            assert response.status_code == expected, view


@pytest.mark.parametrize("role", ["anonymous", "applicant", "member", "primary_contact", "judge"])
def test_only_the_secretariat_reaches_its_admin_screens(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for view in ADMIN_VIEWS:
        response = client.get(reverse(view))
        assert response.status_code == 302, view
        assert response["Location"].startswith(reverse("admin:login")), view


def test_the_secretariat_reaches_its_admin_screens(client, secretariat_with_mfa):
    from tests import factories

    factories.make_issuer()
    client.force_login(secretariat_with_mfa)
    for view in ADMIN_VIEWS:
        assert client.get(reverse(view)).status_code == 200, view


@pytest.mark.parametrize(
    "view",
    [
        "portal:dashboard",
        "members:organisation",
        "members:edit_organisation",
        "members:add_contact",
        "dues:index",
        "dues:billing_profile",
        "members:units",
    ],
)
def test_a_member_sees_only_its_own_organisation(client, member, outsider, view):
    client.force_login(outsider)
    body = client.get(reverse(view)).content.decode()
    assert "公益財団法人京都高度技術研究所" in body
    assert "公益財団法人石川県産業創出支援機構" not in body
    assert "member@example.jp" not in body
