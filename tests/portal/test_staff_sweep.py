"""Staff sweep: every URL pattern of the project (the admin's included), requested by staff.

1. Without two-factor: every URL sends staff to set it up, but the few in MFA_SETUP.
2. With two-factor but no model permission: every URL refuses (403, 404, 405 or the login
   page), but the few in OPEN_TO_ANY_LOGIN, which show the public site or the user's own
   account. Staff pages ask for the model permissions the admin asks for.

Path parameters are filled with ids of real objects (`world`), so that a refusal is the
permission's and not a missing object's; a placeholder is used where nothing exists. A new
URL is held to both rules until it is listed here.
"""

import re
import uuid
from datetime import date

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import MFA_SETUP_VIEWS
from tests import factories
from tests.urlpatterns import routes

pytestmark = pytest.mark.django_db

# What a staff user without two-factor may open (accounts.middleware.MFA_SETUP_VIEWS).
MFA_SETUP = {
    "account_logout": "the way out",
    "account_reauthenticate": "allauth asks for the password before showing the TOTP secret",
    "mfa_activate_totp": "the set-up itself",
    "set_language": "the language of the set-up page",
    "healthz": "the load balancer's check, no data",
    "accounts:privacy": "the public privacy policy",
    "accounts:privacy_consent": "the login asks for the agreement to the policy first",
}

# What staff with two-factor and no model permission may open: the public site and their own
# account, as any login may; the admin index, which shows them no model.
OPEN_TO_ANY_LOGIN = {
    "portal:home": "public home page (redirects to the dashboard)",
    "portal:dashboard": "the user's own dashboard",
    "admin:index": "Django's admin shows a user without permissions an empty index",
    "admin:jsi18n": "the admin's translations for its scripts, no data",
    "admin:logout": "the way out",
    "admin:password_change": "the user's own password",
    "admin:password_change_done": "a notice, no data",
    "awards:index": "the public call for entries",
    "awards:winners": "the public archive of winners",
    "awards:nominate": "any login may nominate",
    "awards:entry_new": "any login may apply (an entry of their own)",
    "newsletter:index": "the public archive",
    "newsletter:feed": "the public archive's feed",
    "newsletter:subscribe": "anyone may subscribe",
    "newsletter:preferences": "the user's own subscription",
    "set_language": "the language cookie",
    "healthz": "no data",
    "account_logout": "the way out",
    "account_login": "allauth sends a logged-in user on (redirect)",
    "account_signup": "allauth sends a logged-in user on (redirect)",
    "account_reauthenticate": "the user's own password",
    "account_email": "the user's own addresses",
    "account_email_verification_sent": "a notice, no data",
    "account_change_password": "the user's own password",
    "account_set_password": "the user's own password (redirects to change it)",
    "account_reset_password": "the reset form, for any address",
    "account_reset_password_done": "a notice, no data",
    "account_reset_password_from_key_done": "a notice, no data",
    "account_confirm_email": "allauth's page for a bad link",
    "account_reset_password_from_key": "allauth's page for a bad link",
    "account_inactive": "a notice, no data",
    "account_confirm_login_code": "login by code is off: back to the login",
    "account_request_reauthentication_code": "login by code is off: back",
    "account_confirm_reauthentication_code": "login by code is off: back",
    "mfa_index": "the user's own authenticators",
    "mfa_authenticate": "the login stage (none): redirect",
    "mfa_reauthenticate": "the user's own TOTP code",
    "mfa_activate_totp": "already active: back to the user's own authenticators",
    "mfa_deactivate_totp": "the user's own authenticator",
    "mfa_view_recovery_codes": "the user's own recovery codes",
    "mfa_generate_recovery_codes": "the user's own recovery codes",
    "mfa_download_recovery_codes": "the user's own recovery codes",
    "accounts:invitation": "allauth-style page for an unusable invitation link",
    "newsletter:confirm": "the page for a bad link",
    "newsletter:unsubscribe": "the page for a bad link",
    "awards:consent": "the page for a bad link (404 for an unknown token)",
    "accounts:privacy": "the public privacy policy",
    "accounts:privacy_consent": "the user's own agreement to the privacy policy",
    # events (issue 21)
    "events:index": "the events page: public events to anyone, published ones to any login",
    "events:detail": "a published event's page, for any login",
    "events:register": "any login may register for an event open to the public (themself)",
    "events:mine": "the user's own registrations",
    "events:calendar": "the user's own calendar feed address",
    # proposals (issue 22): the calls and the public issues are for everyone
    "proposals:index": "the calls for issues, public",
    "proposals:call": "a call's public issues (the world's issue is for members only)",
    "proposals:search": "the search of the public issues",
    "proposals:outcomes": "the public page of the submitted proposals and their outcomes",
}

PLACEHOLDER = 987654


@pytest.fixture(autouse=True)
def _cheap(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(organisation, member):
    """At least one object behind each kind of id the URLs take."""
    from awards import judging
    from awards.models import Decision
    from dues import services as dues_services
    from events import services as event_services
    from events.models import Registration
    from newsletter.models import Issue
    from surveys.models import BankQuestion

    office = factories.make_user("world-office@example.jp", is_staff=True)
    edition = factories.make_edition(2026, phase="judging")
    stage = edition.rounds.order_by("order").first()
    entry = factories.make_entry(edition, member, organisation=organisation)
    attachment = factories.make_attachment(entry, member, name="plan.pdf")
    judging.assign(stage, [factories.make_judge(edition)], edition.entries.all(), office)
    decision = Decision.objects.create(edition=edition, prize=edition.prizes.first(), entry=entry)

    survey = factories.make_survey([{"code": "Q1", "kind": "short_text", "required": False}])
    factories.answer_survey(survey, organisation, member, {"Q1": "回答"})
    bank = BankQuestion.objects.create(code="sweep-bank", text="設問")

    assembly, entries, _voters, items = factories.voting_assembly({"A財団": 3})
    document = items["ordinary"].attachments.create(
        title="議案.pdf", file=ContentFile(b"%PDF-1.4", "x.pdf")
    )

    factories.make_issuer()
    year = factories.due_membership_year(organisation, units=2)
    invoice = dues_services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)
    factories.make_issue(office, subject="下書き")  # the admin's first: a draft, deletable
    issue = factories.make_issue(
        office,
        status=Issue.Status.SENT,
        sent_at=timezone.now(),
        visibility=Issue.Visibility.MEMBERS,
        subject="会員限定号",
    )
    # events (issue 21): an event with a registration that has a certificate number
    event = factories.make_event()
    registration = event_services.register(
        event.pk, [factories.participant(1)], registered_by=member, organisation=organisation
    )[0]
    Registration.objects.filter(pk=registration.pk).update(
        certificate_year=2026, certificate_number=1
    )
    material = event.materials.create(title="資料", file=ContentFile(b"%PDF-1.4", "x.pdf"))
    # proposals (issue 22): a members-only issue of the organisation, endorsed, with a file
    from proposals.models import Endorsement, SubmissionAttachment

    call = factories.make_call()
    submission = factories.make_submission(call, organisation, member)
    issue_file = SubmissionAttachment.objects.create(
        submission=submission,
        file=ContentFile(b"%PDF-1.4", "x.pdf"),
        name="x.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        uploaded_by=member,
    )
    endorser = factories.make_organisation("賛同財団")
    endorsement = Endorsement.objects.create(
        submission=submission, organisation=endorser, created_by=member
    )
    # proposals (issue 22, compiling): the year's draft proposal, an item and a version
    from proposals.models import ProposalVersion

    proposal = factories.make_proposal()
    item = factories.make_item(proposal, cites=[submission])
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        created_by=member,
        docx=ContentFile(b"PK", "v1.docx"),
        docx_sha256="0" * 64,
        pdf=ContentFile(b"%PDF-1.4", "v1.pdf"),
        pdf_sha256="0" * 64,
    )
    return {
        "proposals:proposal": {"pk": proposal.pk},
        "proposals:item": {"pk": item.pk},
        "proposals:comment": {"pk": item.pk},
        "proposals:version_docx": {"pk": version.pk},
        "proposals:version_pdf": {"pk": version.pk},
        "proposals": {"pk": submission.pk, "call_pk": call.pk},
        "proposals:call": {"pk": call.pk},
        "proposals:attachment": {"pk": issue_file.pk},
        "proposals:remove_attachment": {"pk": issue_file.pk},
        "proposals:unendorse": {"pk": endorsement.pk},
        "events": {"pk": event.pk, "token": registration.token},
        "events:certificate": {"pk": registration.pk},
        "events:cancel": {"pk": registration.pk},
        "events:confirm": {"pk": registration.pk},
        "events:material": {"pk": material.pk},
        "awards": {
            "pk": entry.pk,
            "track_id": entry.track_id,
            "round_id": stage.pk,
            "entry_id": entry.pk,
            "token": uuid.uuid4(),
        },
        "awards:attachment": {"pk": attachment.pk},
        "awards:attachment_remove": {"pk": attachment.pk},
        "awards:winner": {"pk": decision.pk},
        "surveys": {
            "pk": survey.pk,
            "question_id": survey.questions.get().pk,
            "fmt": "csv",
            "code": bank.code,
        },
        "assemblies": {"pk": assembly.pk, "entry_id": entries["A財団"].pk, "fmt": "xlsx"},
        "assemblies:attachment": {"pk": document.pk},
        "members": {"pk": member.person.pk},
        "dues": {"pk": invoice.pk},
        "newsletter": {"pk": issue.pk, "token": "not-a-token"},
        "": {"token": "not-a-token", "key": "not-a-key", "uidb36": "0", "step": "approve"},
    }


def _admin_object(route: str):
    """The first object of the model an admin route is about, or None."""
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if match is None:
        return None
    try:
        model = apps.get_model(match[1], match[2])
    except LookupError:
        return None
    return model._default_manager.order_by("pk").first()


def _url(route, world) -> tuple[str, bool]:
    """The route's URL with its parameters filled in, and whether a placeholder was used."""
    namespace = route.name.split(":")[0] if ":" in route.name else ""
    values = {**world[""], **world.get(namespace, {}), **world.get(route.name, {})}
    placeholder = False
    if route.route.startswith("admin/"):
        obj = _admin_object(route.route)
        placeholder = obj is None
        history = getattr(obj, "history", None)
        entry = history.order_by("pk").first() if history is not None else None
        values.update(
            object_id=getattr(obj, "pk", PLACEHOLDER),
            pk=getattr(obj, "pk", PLACEHOLDER),
            id=getattr(obj, "pk", PLACEHOLDER),
            history_id=getattr(entry, "history_id", PLACEHOLDER),
            app_label="surveys",
            url="nothing-here/",
        )
        if route.name == "admin:view_on_site":
            organisation = apps.get_model("members", "Organisation").objects.first()
            ct = ContentType.objects.get_for_model(organisation)
            values.update(content_type_id=ct.pk, object_id=organisation.pk)
            placeholder = False
    path = route.route.replace("^", "").replace("$", "")
    path = re.sub(r"\(([^?)][^)]*)\)\?", "", path)  # an optional group: left out
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), path)
    positional = iter([values.get("object_id"), values.get("history_id")])
    path = re.sub(r"\([^)]*\)", lambda m: str(next(positional)), path)
    return "/" + path, placeholder


def _every_url(world):
    return sorted({(route.name, *_url(route, world)) for route in routes()})


def test_the_allow_list_is_the_middlewares():
    assert set(MFA_SETUP) == MFA_SETUP_VIEWS


def test_every_url_sends_staff_without_two_factor_to_set_it_up(client, secretariat, world):
    """A superuser's password alone opens nothing: not the admin, not a staff page outside
    it, not a URL nobody thought of."""
    setup = reverse("mfa_activate_totp")
    urls = _every_url(world)
    assert len(urls) > 400
    client.force_login(secretariat)
    for name, url, _placeholder in urls:
        if name in MFA_SETUP:
            continue
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code == 404:
                continue  # e.g. the admin's catch-all: nothing there
            assert response.status_code == 302, f"{method.__name__} {url} ({name})"
            assert response["Location"] == setup, f"{method.__name__} {url} ({name})"
    for name in MFA_SETUP:
        response = client.get(reverse(name))
        assert response.get("Location") != setup, name
        assert response.status_code < 400 or response.status_code == 405, name


def test_every_staff_url_needs_its_model_permission(client, world):
    """Staff with two-factor but no permission: refused everywhere, not only in the admin."""
    plain = factories.make_user("plain-office@example.jp", is_staff=True)
    factories.add_totp(plain)
    logins = (reverse("account_login"), reverse("admin:login"))
    admin_index = reverse("admin:index")
    client.force_login(plain)
    let_through = []
    for name, url, placeholder in _every_url(world):
        if name in OPEN_TO_ANY_LOGIN or name.startswith("anymail:"):
            continue  # the webhooks need the provider's basic-auth secret, not a session
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        location = response.get("Location", "")
        refused = (
            response.status_code in (403, 404, 405)
            or (response.status_code == 302 and location.startswith(logins))
            # the admin's "no such object" for a model nothing in the world made
            or (placeholder and response.status_code == 302 and location == admin_index)
            # the admin's old object URL, on to the change page (swept itself)
            or (not name and response.status_code == 302 and location == f"{url}change/")
        )
        if not refused:
            let_through.append(f"{url} ({name}): {response.status_code} {location}")
    assert let_through == [], "\n".join(let_through)


def test_the_open_list_names_existing_urls():
    names = {route.name for route in routes()}
    assert set(OPEN_TO_ANY_LOGIN) - names == set()
    assert set(MFA_SETUP) - names == set()
