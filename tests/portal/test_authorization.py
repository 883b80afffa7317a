"""Each role against each view: the expected answer, and no other organisation's data."""

from datetime import date

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the login page
MFA = "mfa"  # a redirect to two-factor setup

VIEWS = [
    "portal:home", "portal:dashboard", "members:organisation", "members:edit_organisation",
    "members:add_contact", "dues:index", "dues:billing_profile", "dues:units",
    "members:directory",
    "awards:index", "newsletter:index", "newsletter:subscribe", "newsletter:preferences",
    "surveys:index", "assemblies:index", "admin:index", "accounts:privacy",
    "accounts:privacy_consent",
]  # fmt: skip

MATRIX = {
    # home dashboard org edit contact dues billing units directory award news subscribe topics
    # surveys assembly admin privacy consent (a user who agreed already is sent on: 302)
    "anonymous":   [200, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200, 200, 200,
                    LOGIN, LOGIN, LOGIN, LOGIN, 200, LOGIN],
    "applicant":   [302, 200, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403,
                    403, 200, 302],
    # A contact without a role sees the units (read-only) but not the billing form.
    "member":      [302, 200, 200, 200, 403, 200, 403, 200, 200, 200, 200, 200, 200, 200, 200,
                    403, 200, 302],
    "billing_contact": [302, 200, 200, 200, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                        200, 403, 200, 302],
    "representative": [302, 200, 200, 200, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                       200, 403, 200, 302],
    "primary_contact": [302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                        200, 403, 200, 302],
    "judge":       [302, 200, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403,
                    403, 200, 302],
    # Without two-factor, staff open nothing but its set-up (tests/portal/test_staff_sweep.py)
    # and the privacy policy, which a login may ask them to agree to first.
    "secretariat": [MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA,
                    MFA, 200, 302],
    # Staff without model permissions see what any login sees, and an empty admin index.
    "staff_without_permissions": [302, 200, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200,
                                  403, 403, 403, 200, 200, 302],
    "secretariat_with_mfa": [302, 200, 403, 403, 403, 403, 403, 403, 200, 200, 200, 200, 403,
                             200, 200, 200, 200, 302],
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
    "staff_without_permissions": [403, 403, 403],
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
    ("dues:units", None),
    ("dues:billing_profile", None),
    ("newsletter:preferences", None),
    ("newsletter:subscribe", None),
]
WRITE_MATRIX = {
    #        profile add own  colleague invite remove units billing topics subscribe
    # Units and billing details commit the organisation's money: representative, primary
    # and billing contact only (members.models.DUES_AUTHORITY_ROLES).
    "member":          [200, 403, 200, 403, 403, 403, 403, 403, 200, 200],
    "billing_contact": [200, 403, 200, 403, 403, 403, 200, 200, 200, 200],
    "representative":  [200, 403, 200, 403, 403, 403, 200, 200, 200, 200],
    "primary_contact": [200, 200, 200, 200, 302, 302, 200, 200, 200, 200],
    "outsider":        [200, 403, 200, 404, 403, 403, 403, 403, 200, 200],
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
        "dues:index",
        "dues:billing_profile",
        "dues:units",
    ],
)
def test_a_member_sees_only_its_own_organisation(client, member, outsider, view):
    from members.services import assign_role

    assign_role(outsider.person, "billing")  # opens the billing form too
    client.force_login(outsider)
    body = client.get(reverse(view)).content.decode()
    assert "公益財団法人京都高度技術研究所" in body
    assert "公益財団法人石川県産業創出支援機構" not in body
    assert "member@example.jp" not in body


# The secretariat's pages outside the admin (and its dues collection screen): (url name, the
# model permission each asks for, as the admin would). Built on real objects by `staff_pages`.
STAFF_PAGES = [
    ("surveys:export", "surveys.view_response"),
    ("assemblies:live", "assemblies.view_assembly"),
    ("assemblies:roll", "assemblies.view_rollentry"),
    ("assemblies:entry", "assemblies.view_rollentry"),
    ("assemblies:minutes", "assemblies.view_assembly"),
    ("awards:results", "awards.view_round"),
    ("awards:attachment", "awards.view_entry"),
    ("admin:dues_invoice_collection", "dues.view_invoice"),
    ("admin:dues_invoice_pdf", "dues.view_invoice"),
    ("admin:dues_invoice_receipt", "dues.view_invoice"),
    ("admin:dues_invoice_open", "dues.view_invoice"),
]
STAFF_MATRIX = {
    #              export live roll entry minutes results attachment collection invoice-pdf
    #              receipt-pdf open-invoices
    "outsider":    [403, 403, 403, 403, 403, 403, 404, 403, 403, 403, 403],
    "judge":       [403, 403, 403, 403, 403, 404, 404, 403, 403, 403, 403],
    "secretariat": [MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA, MFA],
    "staff_without_permissions": [403, 403, 403, 403, 403, 403, 404, 403, 403, 403, 403],
    "secretariat_with_mfa": [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
}  # fmt: skip


@pytest.fixture
def staff_pages(member, organisation, settings, tmp_path):
    """The URL of each staff page, about real objects: a survey with an answer, an opened
    assembly with its roll, a judged round and an applicant's attachment."""

    from awards import judging
    from dues import services as dues_services
    from tests import factories

    settings.MEDIA_ROOT = tmp_path
    survey = factories.make_survey([{"code": "Q1", "kind": "short_text", "required": False}])
    factories.answer_survey(survey, organisation, member, {"Q1": "石川の回答"})
    assembly, entries, _voters, _items = factories.voting_assembly(
        {"A財団": 3}, secret_ballot=False
    )
    edition = factories.make_edition(2026, phase="judging")
    stage = edition.rounds.order_by("order").first()
    entry = factories.make_entry(edition, member, organisation=organisation)
    judging.assign(stage, [factories.make_judge(edition)], edition.entries.all(), member)
    attachment = factories.make_attachment(entry, member, name="plan.pdf")
    factories.make_issuer()
    invoice = dues_services.issue_dues_invoice(
        factories.due_membership_year(organisation), issued_on=date(2026, 4, 1), payment_days=30
    )
    dues_services.record_payment(
        organisation=organisation,
        received_on=date(2026, 4, 20),
        amount=invoice.total,
        method="transfer",
        invoices=[invoice],
    )
    args = {
        "surveys:export": [survey.pk, "csv"],
        "assemblies:live": [assembly.pk],
        "assemblies:roll": [assembly.pk],
        "assemblies:entry": [assembly.pk, entries["A財団"].pk],
        "assemblies:minutes": [assembly.pk, "xlsx"],
        "awards:results": [stage.pk],
        "awards:attachment": [attachment.pk],
        "admin:dues_invoice_collection": [],
        "admin:dues_invoice_pdf": [invoice.pk],
        "admin:dues_invoice_receipt": [invoice.pk],
        "admin:dues_invoice_open": [],
    }
    urls = {name: reverse(name, args=args[name]) for name, _perm in STAFF_PAGES}
    urls["admin:dues_invoice_open"] += f"?organisation={organisation.pk}"
    urls["awards:results"] += "?export=xlsx"
    return urls


def _outcome(client, url):
    response = client.get(url)
    if response.get("Location", "").startswith(reverse("admin:login")):
        response = client.get(response["Location"])
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("account_login")):
        return LOGIN
    if response.status_code == 302 and location == reverse("mfa_activate_totp"):
        return MFA
    return response.status_code


@pytest.mark.parametrize("role", STAFF_MATRIX)
def test_each_role_against_each_staff_page(client, request, staff_pages, role):
    client.force_login(request.getfixturevalue(role))
    found = [_outcome(client, staff_pages[name]) for name, _perm in STAFF_PAGES]
    assert found == STAFF_MATRIX[role]


@pytest.mark.parametrize(("name", "perm"), STAFF_PAGES)
def test_a_staff_page_opens_with_its_model_permission_alone(
    client, staff_without_permissions, staff_pages, name, perm
):
    from django.contrib.auth.models import Permission

    app_label, codename = perm.split(".")
    staff_without_permissions.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    client.force_login(staff_without_permissions)
    assert _outcome(client, staff_pages[name]) == 200


def test_staff_without_permission_change_no_roll_entry(
    client, staff_without_permissions, staff_pages
):
    """Viewing the roll is not correcting it: a POST needs the change permission."""
    from django.contrib.auth.models import Permission

    from assemblies.models import RollEntry

    staff_without_permissions.user_permissions.add(
        Permission.objects.get(codename="view_rollentry")
    )
    client.force_login(staff_without_permissions)
    before = list(RollEntry.objects.values())
    data = {"votes": 9, "eligible": "on", "counts_for_headcount": "on", "reason": "改竄"}
    assert client.post(staff_pages["assemblies:entry"], data).status_code == 403
    assert list(RollEntry.objects.values()) == before


# The secretariat's event pages (issue 21): check-in on the day asks what the admin asks to
# change a seat; the sign-in sheet, the report and the certificates what it asks to view
# registrations. A certificate is also its participant's, whoever registered them and their
# institution's contacts' (tests/events/test_documents.py); anyone else gets 404.
EVENTS_STAFF_PAGES = [
    ("events:check_in", "events.change_seat"),
    ("events:check_in_code", "events.change_seat"),
    ("events:sign_in_sheet", "events.view_registration"),
    ("events:report", "events.view_registration"),
    ("events:certificate", "events.view_registration"),
]
EVENTS_STAFF_MATRIX = {
    #              check-in code sheet report certificate
    "anonymous":   [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN],
    "member":      [403, 403, 403, 403, 200],  # registered the participant
    "outsider":    [403, 403, 403, 403, 404],
    "judge":       [403, 403, 403, 403, 404],
    "secretariat": [MFA, MFA, MFA, MFA, MFA],
    "staff_without_permissions": [403, 403, 403, 403, 404],
    "secretariat_with_mfa": [200, 200, 200, 200, 200],
}  # fmt: skip


@pytest.fixture
def events_staff_pages(member, organisation, settings, tmp_path):
    """A finished training with a participant of `organisation`, registered by `member`,
    who holds a certificate number."""
    from events import services as events_services
    from events.models import Registration
    from tests import factories

    settings.MEDIA_ROOT = tmp_path
    factories.make_issuer()
    event = factories.make_event()
    registration = events_services.register(
        event.pk,
        [factories.participant(1)],
        registered_by=member,
        organisation=organisation,
        member=True,
    )[0]
    Registration.objects.filter(pk=registration.pk).update(
        certificate_year=2026, certificate_number=1
    )
    args = {
        "events:check_in": [event.pk],
        "events:check_in_code": [registration.token],
        "events:sign_in_sheet": [event.pk],
        "events:report": [event.pk],
        "events:certificate": [registration.pk],
    }
    return {name: reverse(name, args=args[name]) for name, _perm in EVENTS_STAFF_PAGES}


@pytest.mark.parametrize("role", EVENTS_STAFF_MATRIX)
def test_each_role_against_each_event_staff_page(client, request, events_staff_pages, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    found = [_outcome(client, events_staff_pages[name]) for name, _perm in EVENTS_STAFF_PAGES]
    assert found == EVENTS_STAFF_MATRIX[role]


@pytest.mark.parametrize(("name", "perm"), EVENTS_STAFF_PAGES)
def test_an_event_staff_page_opens_with_its_model_permission_alone(
    client, staff_without_permissions, events_staff_pages, name, perm
):
    from django.contrib.auth.models import Permission

    app_label, codename = perm.split(".")
    staff_without_permissions.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    client.force_login(staff_without_permissions)
    assert _outcome(client, events_staff_pages[name]) == 200


# Regional issues (issue 22): the calls, the search and a call's page are public; a member
# institution's contacts write issues to a call that asks their class (a call for full
# members only refuses an academic member, 403); the secretariat reads and moderates in
# the admin (tests/proposals/test_admin.py), not as a member.
PROPOSALS_PAGES = ["index", "search", "mine", "call", "new", "new_full_only"]
PROPOSALS_MATRIX = {
    #                  index search mine call  new   new (full members only)
    "anonymous":       [200, 200, LOGIN, 200, LOGIN, LOGIN],
    "applicant":       [200, 200, 403, 200, 403, 403],
    "member":          [200, 200, 200, 200, 200, 200],
    "academic_member": [200, 200, 200, 200, 200, 403],
    "outsider":        [200, 200, 200, 200, 200, 200],
    "judge":           [200, 200, 403, 200, 403, 403],
    "secretariat":     [MFA, MFA, MFA, MFA, MFA, MFA],
    "staff_without_permissions": [200, 200, 403, 200, 403, 403],
    "secretariat_with_mfa": [200, 200, 403, 200, 403, 403],
}  # fmt: skip


@pytest.fixture
def academic_member(db):
    """A contact of an academic member (学術機関会員)."""
    from tests import factories

    university = factories.make_organisation(
        "国立大学法人金沢大学", membership_class=factories.academic_class()
    )
    user = factories.make_user("academic@example.jp")
    factories.make_person(university, user=user, email="academic@example.jp")
    return user


@pytest.fixture
def proposals_pages(member, organisation):
    from tests import factories

    call = factories.make_call()
    full_only = factories.make_call(classes=[factories.full_class()], title="正会員のみの募集")
    factories.make_submission(call, organisation, member, title="会員限定の課題")
    return {
        "index": reverse("proposals:index"),
        "search": reverse("proposals:search"),
        "mine": reverse("proposals:mine"),
        "call": reverse("proposals:call", args=[call.pk]),
        "new": reverse("proposals:new", args=[call.pk]),
        "new_full_only": reverse("proposals:new", args=[full_only.pk]),
    }


@pytest.mark.parametrize("role", PROPOSALS_MATRIX)
def test_each_role_against_each_proposals_page(client, request, proposals_pages, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    found = [_outcome(client, proposals_pages[name]) for name in PROPOSALS_PAGES]
    assert found == PROPOSALS_MATRIX[role]
    # A members-only issue is listed to member institutions and the secretariat alone.
    listed = "会員限定の課題" in client.get(proposals_pages["call"]).content.decode()
    assert listed == (role in ("member", "academic_member", "outsider", "secretariat_with_mfa"))


# The year's proposal (issue 22, compiling): the public page of outcomes and a submitted
# proposal (with its versions) are for everyone; a proposal out for comments or final is
# for member institutions; a draft for the secretariat alone (404 to anyone else).
COMPILING_PAGES = ["outcomes", "draft", "commenting", "item", "submitted", "final_docx",
                   "submitted_pdf"]  # fmt: skip
_PUBLIC_ONLY = [200, 404, 404, 404, 200, 404, 200]
_MEMBER = [200, 404, 200, 200, 200, 200, 200]
COMPILING_MATRIX = {
    "anonymous": _PUBLIC_ONLY,
    "applicant": _PUBLIC_ONLY,
    "member": _MEMBER,
    "academic_member": _MEMBER,
    "outsider": _MEMBER,
    "judge": _PUBLIC_ONLY,
    "secretariat": [MFA] * 7,
    "staff_without_permissions": _PUBLIC_ONLY,
    "secretariat_with_mfa": [200] * 7,
}


@pytest.fixture
def compiling_pages(db, settings, tmp_path):
    from django.core.files.base import ContentFile

    from proposals.models import ProposalVersion
    from tests import factories

    settings.MEDIA_ROOT = tmp_path
    draft = factories.make_proposal(fiscal_year=2027)
    commenting = factories.make_proposal(fiscal_year=2026, comments_open=True)
    item = factories.make_item(commenting)
    final = factories.make_proposal(fiscal_year=2025, status="final")
    submitted = factories.make_proposal(fiscal_year=2024, status="submitted")

    def version(proposal):
        return ProposalVersion.objects.create(
            proposal=proposal,
            number=1,
            created_by=factories.make_user(f"v{proposal.pk}@example.jp"),
            docx=ContentFile(b"PK", "v.docx"),
            docx_sha256="0" * 64,
            pdf=ContentFile(b"%PDF-1.4", "v.pdf"),
            pdf_sha256="0" * 64,
        )

    return {
        "outcomes": reverse("proposals:outcomes"),
        "draft": reverse("proposals:proposal", args=[draft.pk]),
        "commenting": reverse("proposals:proposal", args=[commenting.pk]),
        "item": reverse("proposals:item", args=[item.pk]),
        "submitted": reverse("proposals:proposal", args=[submitted.pk]),
        "final_docx": reverse("proposals:version_docx", args=[version(final).pk]),
        "submitted_pdf": reverse("proposals:version_pdf", args=[version(submitted).pk]),
    }


@pytest.mark.parametrize("role", COMPILING_MATRIX)
def test_each_role_against_each_compiling_page(client, request, compiling_pages, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    found = [_outcome(client, compiling_pages[name]) for name in COMPILING_PAGES]
    assert found == COMPILING_MATRIX[role]
