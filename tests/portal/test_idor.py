"""IDOR sweep: every URL pattern that takes an id, a key or a token, requested for
organisation A's object by somebody who is not entitled to it (a contact of another
organisation, another applicant, another judge, the voter of another organisation).

`SWEEP` maps each such pattern to a builder that creates A's object and returns the cases to
request; `test_every_id_pattern_is_in_the_sweep` fails when a pattern with an id appears that
the table does not know, so a new view cannot be added without saying who may open it.

The admin (namespace "admin") is left out of the per-object sweep: the secretariat (staff)
may open every object there, so there is no "other organisation" to be kept out. What is
checked instead is that nobody who is not staff reaches any of its object URLs
(`test_admin_object_urls_are_for_staff_only`); which staff screens exist is in
tests/portal/test_authorization.py.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import int_to_base36

from tests import factories
from tests.sample_files import PDF

pytestmark = pytest.mark.django_db

# --- What is expected ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    label: str
    get: frozenset[int]
    post: frozenset[int] | None  # None: not posted (see the case's reason)


def _expect(label, get, post):
    return Expect(label, frozenset(get), None if post is None else frozenset(post))


# Refused: 404 (the object does not exist for this user) or 403 (the role may not).
DENY = _expect("deny", {403, 404}, {403, 404})
# The same for a view that only accepts POST: a GET is "method not allowed" before anything.
DENY_POST = _expect("deny", {405}, {403, 404})
# A forged or tampered link: refused (400 bad link, 404, 410 gone), or allauth's page saying
# the link is invalid (200) — never A's data, never a change.
BAD_LINK = _expect("bad link", {200, 400, 404, 410}, {200, 400, 404, 410})
# The id names something shared by all members (a survey, an assembly): the page is about the
# requester's own organisation (200, or a redirect back to it after saving its own part).
OWN = _expect("own part", {200}, {200, 302})
OWN_POST = _expect("own part", {405}, {200, 302})
# Public to everyone (or to every member) by design: see the case's reason. Not posted.
PUBLIC = _expect("public", {200}, None)


@dataclass
class Case:
    """One request pair (GET, POST) for A's object by `user`."""

    kwargs: dict
    user: object  # the requester, never one entitled to the object
    expect: Expect
    data: dict = field(default_factory=dict)  # what the POST sends
    watch: tuple[QuerySet, ...] = ()  # A's rows the POST must leave as they were
    secret: str = ""  # a text of A's that no response to this user may contain
    reason: str = ""  # why a 200 is right (PUBLIC, OWN)
    hidden: tuple = ()  # A's objects that must not be in a page's template context

    def __post_init__(self):
        if self.expect in (PUBLIC, OWN, OWN_POST):
            assert self.reason, "a case answered with 200 needs a written reason"


def _snapshot(querysets) -> list:
    return [list(qs.order_by("pk").values()) for qs in querysets]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# --- The people and A's objects --------------------------------------------------------------

SECRET = "機密A-7f3c"  # appears in A's objects only


class World:
    """Organisation A (`organisation`, contact `member`) and B (`other_organisation`, contact
    `outsider`), with helpers that make only what a pattern needs."""

    def __init__(self, organisation, member, other_organisation, outsider):
        self.a, self.member = organisation, member
        self.b, self.outsider = other_organisation, outsider
        self._staff = None

    @property
    def staff(self):
        if self._staff is None:
            self._staff = factories.make_user("idor-office@example.jp", is_staff=True)
        return self._staff

    def primary_outsider(self):
        """B's primary contact: passes the "manage logins" rule, so the object is looked up."""
        from members.models import PersonRole
        from members.services import assign_role

        assign_role(self.outsider.person, PersonRole.Kind.PRIMARY)
        return get_user_model().objects.get(pk=self.outsider.pk)

    def a_contact(self):
        return factories.make_person(
            self.a, family_name=SECRET, given_name="太郎", email="secret-contact@example.jp"
        )


def _contact(w: World, view: str):
    person = w.a_contact()
    user = w.primary_outsider() if view != "edit" else w.outsider
    from accounts.models import Invitation

    data = {"family_name": "改竄", "given_name": "次郎", "email": "x@example.jp"}
    watch = (
        type(person).objects.filter(pk=person.pk),
        person.roles.all(),
        Invitation.objects.filter(person=person),
    )
    expect = DENY_POST if view == "invite" else DENY
    return [Case({"pk": person.pk}, user, expect, data, watch, SECRET)]


def _invoice(w: World, *, paid: bool):
    from dues import services
    from dues.models import Invoice

    factories.make_issuer()
    year = factories.due_membership_year(w.a, units=2)
    invoice = services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)
    if paid:
        Invoice.objects.filter(pk=invoice.pk).update(status="paid", paid_on=date(2026, 4, 20))
    watch = (Invoice.objects.filter(pk=invoice.pk),)
    return [Case({"pk": invoice.pk}, w.outsider, DENY, {}, watch)]


# --- Award ----------------------------------------------------------------------------------


def _a_entry(w: World, edition=None, **fields):
    edition = edition or factories.make_edition()
    return factories.make_entry(
        edition,
        w.member,
        organisation=w.a,
        title=f"{SECRET}プログラム",
        **{"status": "draft", **fields},
    )


def _entry_watch(entry):
    from awards.models import Attachment, EligibilityQuestion, Entry

    return (
        Entry.objects.filter(pk=entry.pk),
        Attachment.objects.filter(entry=entry),
        EligibilityQuestion.objects.filter(entry=entry),
    )


def _entry_case(w: World, expect=DENY, **data):
    entry = _a_entry(w)
    return [Case({"pk": entry.pk}, w.outsider, expect, data, _entry_watch(entry), SECRET)]


def _entry_attach(w: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    entry = _a_entry(w)
    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    data = {"file": upload, "entry_form": "1", "title": "改竄"}  # the typed draft comes along
    return [Case({"pk": entry.pk}, w.outsider, DENY_POST, data, _entry_watch(entry))]


def _attachment(w: World, expect, **data):
    from awards.models import Attachment

    entry = _a_entry(w)
    attachment = factories.make_attachment(entry, w.member, name=f"{SECRET}.pdf")
    watch = (Attachment.objects.filter(pk=attachment.pk),)
    other_judge = factories.make_judge(entry.edition).user  # of the edition, not assigned
    return [
        Case({"pk": attachment.pk}, user, expect, data, watch, SECRET)
        for user in (w.outsider, other_judge)
    ]


def _entry_new(w: World):
    edition = factories.make_edition()
    track = edition.tracks.get(kind="programme")
    entry = _a_entry(w, edition)
    reason = (
        "a track is part of the public call (the award page lists it to everyone); "
        "starting an entry makes one of the requester's own, A's stays as it was"
    )
    return [
        Case({"track_id": track.pk}, w.outsider, OWN_POST, {}, _entry_watch(entry), reason=reason)
    ]


def _consent(w: World):
    from awards.models import Entry, Nomination

    edition = factories.make_edition()
    entry = _a_entry(w, edition, status=Entry.Status.INVITED)
    nomination = Nomination.objects.create(
        entry=entry,
        nominator=w.member,
        nominator_organisation=str(w.a),
        reason=SECRET,
        nominee_name="被推薦 花子",
        nominee_email="nominee@example.jp",
    )
    watch = (Nomination.objects.filter(pk=nomination.pk), Entry.objects.filter(pk=entry.pk))
    return [
        Case({"token": uuid.uuid4()}, w.outsider, DENY, {}, watch, SECRET),
        Case(
            {"token": nomination.token},
            w.outsider,
            PUBLIC,
            reason="the consent link is a random UUID mailed to the nominee alone; whoever "
            "holds it answers for the nominee (a nominee may log in with another address)",
        ),
    ]


def _judging(w: World):
    """A's submitted entry in the open first round, assigned to one judge; another judge of
    the same edition, and a chair of another edition, are the requesters."""
    from awards import judging

    edition = factories.make_edition(2026, phase="judging")
    stage = edition.rounds.order_by("order").first()
    entry = _a_entry(w, edition, status="submitted")
    assigned = factories.make_judge(edition)
    judging.assign(stage, [assigned], edition.entries.filter(pk=entry.pk), w.staff)
    other = factories.make_judge(edition).user
    elsewhere = factories.make_judge(
        factories.make_edition(2025, phase="announced"), is_chair=True
    )
    return edition, stage, entry, other, elsewhere.user


def _review(w: World, expect):
    from awards.models import Assignment, Conflict, Score

    _edition, stage, entry, other, elsewhere = _judging(w)
    watch = (
        Assignment.objects.filter(entry=entry),
        Score.objects.filter(assignment__entry=entry),
        Conflict.objects.filter(entry=entry),
    )
    data = {"comment": "改竄", "kind": "personal", "note": "x"}
    kwargs = {"round_id": stage.pk, "entry_id": entry.pk}
    return [Case(kwargs, user, expect, data, watch, SECRET) for user in (other, elsewhere)]


def _results(w: World):
    _edition, stage, _entry, other, elsewhere = _judging(w)
    return [
        Case({"round_id": stage.pk}, user, DENY, {}, (), SECRET) for user in (other, elsewhere)
    ]


def _winner(w: World):
    from awards.models import Decision

    cases = []
    for year, phase, expect in ((2026, "judging", DENY), (2025, "announced", PUBLIC)):
        edition = factories.make_edition(year, phase=phase)
        entry = _a_entry(w, edition, status="submitted")
        decision = Decision.objects.create(
            edition=edition, prize=edition.prizes.first(), entry=entry, reason=SECRET
        )
        reason = "the winners of an announced edition are the public archive"
        cases.append(
            Case(
                {"pk": decision.pk},
                w.outsider,
                expect,
                watch=(Decision.objects.filter(pk=decision.pk),),
                secret=SECRET if expect is DENY else "",
                reason=reason if expect is PUBLIC else "",
            )
        )
    return cases


# --- Newsletter -----------------------------------------------------------------------------


def _issue(w: World):
    from newsletter.models import Issue

    draft = factories.make_issue(w.staff, subject=f"{SECRET} 下書き")
    members_only = factories.make_issue(
        w.staff,
        subject=f"{SECRET} 会員限定",
        status=Issue.Status.SENT,
        sent_at=timezone.now(),
        visibility=Issue.Visibility.MEMBERS,
    )
    public = factories.make_issue(
        w.staff, status=Issue.Status.SENT, sent_at=timezone.now(), subject="公開号"
    )
    non_member = factories.make_user("idor-applicant@example.jp")
    watch = (Issue.objects.all(),)
    return [
        Case({"pk": draft.pk}, w.outsider, DENY, {}, watch, SECRET),
        Case({"pk": members_only.pk}, non_member, DENY, {}, watch, SECRET),
        Case(
            {"pk": public.pk},
            non_member,
            PUBLIC,
            reason="a sent issue with public visibility is the public newsletter archive",
        ),
    ]


def _a_subscriber(w: World):
    person = w.a_contact()
    return factories.make_subscriber(person.email, person=person, name=SECRET)


def _confirm(w: World):
    from newsletter import tokens
    from newsletter.models import Subscriber

    token = tokens.confirm_token("secret-contact@example.jp", SECRET, [])
    forged = signing.dumps(
        {"e": "secret-contact@example.jp", "n": SECRET, "t": []},
        key="not-the-secret-key",
        salt=tokens.CONFIRM_SALT,
    )
    return [
        Case({"token": forged}, w.outsider, BAD_LINK, {}, (Subscriber.objects.all(),), SECRET),
        Case(
            {"token": token},
            w.outsider,
            PUBLIC,
            reason="the confirmation link is signed and mailed to the address that asked; "
            "it carries the request itself and names no stored object",
        ),
    ]


def _unsubscribe(w: World):
    from newsletter import tokens
    from newsletter.models import Subscriber

    subscriber = _a_subscriber(w)
    watch = (Subscriber.objects.filter(pk=subscriber.pk), subscriber.topics.all())
    return [
        Case({"token": f"{subscriber.pk}-{'0' * 32}"}, w.outsider, BAD_LINK, {}, watch, SECRET),
        Case({"token": str(subscriber.pk)}, w.outsider, BAD_LINK, {}, watch, SECRET),
        Case(
            {"token": tokens.unsubscribe_token(subscriber.pk, subscriber.email)},
            w.outsider,
            PUBLIC,
            reason="the unsubscribe token is an HMAC of the subscriber and address, sent in "
            "that reader's mail: it belongs to whoever holds the link (RFC 8058 one-click)",
        ),
    ]


# --- Accounts (ours and allauth's) ----------------------------------------------------------


def _invitation(w: World):
    from accounts import services
    from accounts.models import Invitation

    person = w.a_contact()
    invitation = Invitation.objects.create(
        person=person,
        email=person.email,
        expires_at=timezone.now() + timedelta(days=7),
    )
    wrong_nonce = signing.dumps([invitation.pk, "guessed"], salt=services._SALT, compress=True)
    wrong_key = signing.dumps(
        [invitation.pk, invitation.nonce], key="not-the-secret-key", salt=services._SALT
    )
    watch = (
        Invitation.objects.filter(pk=invitation.pk),
        type(person).objects.filter(pk=person.pk),
        get_user_model().objects.filter(email=person.email),
    )
    data = {"password1": factories.PASSWORD, "password2": factories.PASSWORD}
    return [
        Case({"token": wrong_nonce}, w.outsider, BAD_LINK, data, watch, SECRET),
        Case({"token": wrong_key}, w.outsider, BAD_LINK, data, watch, SECRET),
        Case(
            {"token": services.token_for(invitation)},
            w.outsider,
            PUBLIC,
            reason="the invitation link is signed, single-use and mailed to the invitee: "
            "whoever holds it may accept (an existing account must be logged in to take it)",
        ),
    ]


def _confirm_email(w: World):
    address = EmailAddress.objects.create(
        user=w.member, email="secret-second@example.jp", verified=False, primary=False
    )
    forged = signing.dumps(address.pk, key="not-the-secret-key", salt="account")
    watch = (EmailAddress.objects.filter(user=w.member),)
    return [
        Case({"key": forged}, w.outsider, BAD_LINK, {}, watch, "secret-second@example.jp"),
        Case(
            {"key": EmailConfirmationHMAC(address).key},
            w.outsider,
            PUBLIC,
            reason="allauth's confirmation key is an HMAC mailed to that address: the "
            "link's holder confirms it",
        ),
    ]


def _reset_password(w: World):
    from django.contrib.auth.tokens import default_token_generator

    stale = default_token_generator.make_token(w.outsider)  # valid, but for another user
    watch = (get_user_model().objects.filter(pk=w.member.pk),)
    data = {"password1": "Another-horse-battery-43", "password2": "Another-horse-battery-43"}
    uid = int_to_base36(w.member.pk)
    # A genuine key is the reset mail's, for its holder; allauth then moves it to the session.
    return [
        Case({"uidb36": uid, "key": key}, w.outsider, BAD_LINK, data, watch, "member@example.jp")
        for key in (stale, "set-password", "0-0")
    ]


# --- Surveys --------------------------------------------------------------------------------

TEXT_QUESTIONS = [{"code": "Q1", "kind": "short_text", "required": False}]


def _a_response(w: World, *, submit=False, **survey_fields):
    from surveys.models import Answer, Response

    survey = factories.make_survey(TEXT_QUESTIONS, **survey_fields)
    response = factories.answer_survey(survey, w.a, w.member, {"Q1": SECRET}, submit=submit)
    watch = (
        Response.objects.filter(pk=response.pk),
        Answer.objects.filter(response=response),
    )
    return survey, watch, response


SURVEY_REASON = (
    "the survey is asked of every member: the page and the save are about the requester's "
    "own institution's response, never A's"
)


def _answer(w: World, expect, *, submit=False):
    survey, watch, response = _a_response(w, submit=submit)
    data = {"version": "0", **factories.survey_values(survey, {"Q1": "B機構の回答"})}
    cases = [
        Case(
            {"pk": survey.pk},
            w.outsider,
            expect,
            data,
            watch,
            SECRET,
            SURVEY_REASON,
            hidden=(response,),
        )
    ]
    # An institution the survey does not ask gets nothing at all.
    not_asked = factories.make_class("idor-other", "flat", flat_amount=1)
    stranger = factories.make_organisation("非対象財団", membership_class=not_asked)
    user = factories.make_user("idor-stranger@example.jp")
    factories.make_person(stranger, user=user)
    deny = DENY_POST if expect is OWN_POST else DENY
    cases.append(Case({"pk": survey.pk}, user, deny, data, watch, SECRET))
    return cases


def _survey_results(w: World, *, texts=False):
    survey, watch, _response = _a_response(w, submit=True)
    published, _watch, _response = _a_response(
        w, submit=True, results_published_at=timezone.now() - timedelta(minutes=1)
    )
    question = survey.questions.get()

    def kwargs(of, q=question):
        return {"pk": of.pk, "question_id": q.pk} if texts else {"pk": of.pk}

    cases = [Case(kwargs(survey), w.outsider, DENY, {}, watch, SECRET)]
    if texts:
        # A published survey's id with an unpublished survey's question: no mix-ups.
        cases.append(Case(kwargs(published), w.outsider, DENY, {}, watch, SECRET))
    cases.append(
        Case(
            kwargs(published, published.questions.get()),
            w.outsider,
            PUBLIC,
            reason="published results are for every member (without institutions' names; "
            "anonymous surveys hide small groups)",
        )
    )
    return cases


def _survey_staff(w: World, **extra):
    survey, watch, _response = _a_response(w, submit=True)
    return [Case({"pk": survey.pk, **extra}, w.outsider, DENY, {}, watch, SECRET)]


def _survey_chart(w: World):
    """A's answer to a choice question: its chart is the results page's, for the same readers."""
    from surveys.models import Response

    def survey_with_a_response(**fields):
        survey = factories.make_survey(
            [{"code": "Q1", "kind": "single", "options": ["はい", "いいえ"]}], **fields
        )
        response = factories.answer_survey(survey, w.a, w.member, {"Q1": "はい"}, submit=True)
        return survey, (Response.objects.filter(pk=response.pk),)

    survey, watch = survey_with_a_response()
    published, _watch = survey_with_a_response(
        results_published_at=timezone.now() - timedelta(minutes=1)
    )
    return [
        Case({"pk": survey.pk, "question_id": survey.questions.get().pk}, w.outsider, DENY,
             {}, watch),
        # A published survey's id with an unpublished survey's question: no mix-ups.
        Case({"pk": published.pk, "question_id": survey.questions.get().pk}, w.outsider, DENY,
             {}, watch),
        Case(
            {"pk": published.pk, "question_id": published.questions.get().pk},
            w.outsider,
            PUBLIC,
            reason="published results, and so their charts, are for every member",
        ),
    ]  # fmt: skip


def _bank(w: World):
    from surveys.models import BankQuestion

    bank = BankQuestion.objects.create(code="idor-bank", text=SECRET)
    return [Case({"code": bank.code}, w.outsider, DENY, {}, (), SECRET)]


# --- General assembly ------------------------------------------------------------------------


def _assembly(w: World, *, opened=True, closed=False):
    """A and B on the roll of an assembly, each with its designated voter; A has voted
    against the ordinary item and given nothing else."""
    from assemblies import services
    from assemblies.models import (
        AgendaAttachment,
        AgendaItem,
        Assembly,
        AuditEvent,
        Ballot,
        Participation,
        RollEntry,
    )

    assembly, entries, voters, items = factories.voting_assembly({"A財団": 3, "B財団": 2})
    a_entry = entries["A財団"]
    ordinary = items["ordinary"]
    services.cast(a_entry.pk, {ordinary.pk: "against"}, voters["A財団"])
    document = AgendaAttachment.objects.create(
        item=ordinary, title=f"{SECRET}.pdf", file=ContentFile(b"%PDF-1.4", "x.pdf")
    )
    changes = {}
    if not opened:
        changes["opened_at"] = None
    if closed:
        changes["closed_at"] = timezone.now()
    if changes:
        Assembly.objects.filter(pk=assembly.pk).update(**changes)
    watch = (
        Assembly.objects.filter(pk=assembly.pk),
        RollEntry.objects.filter(pk=a_entry.pk),
        Participation.objects.filter(entry=a_entry),
        Ballot.objects.filter(voter=a_entry),
        AgendaItem.objects.filter(assembly=assembly),
        AuditEvent.objects.filter(entry=a_entry),
    )
    return {
        "assembly": assembly,
        "entry": a_entry,
        "voter_b": voters["B財団"],
        "item": ordinary,
        "document": document,
        "watch": watch,
    }


ASSEMBLY_REASON = (
    "the assembly is every member's; the page and the vote are about the requester's own "
    "organisation on the roll (services check the designated voter again), never A's"
)


def _assembly_member(w: World, expect):
    """The voter pages: B's voter on an opened assembly acts for B only; nobody sees an
    assembly before it is opened."""
    cases = []
    for opened, outcome in ((True, expect), (False, DENY_POST if expect is OWN_POST else DENY)):
        s = _assembly(w, opened=opened)
        data = {f"item_{s['item'].pk}": "for", "holder": "chair"}
        cases.append(
            Case(
                {"pk": s["assembly"].pk},
                s["voter_b"],
                outcome,
                data,
                s["watch"],
                reason=ASSEMBLY_REASON if outcome in (OWN, OWN_POST) else "",
                hidden=(s["entry"],),
            )
        )
    return cases


def _assembly_results(w: World):
    open_vote = _assembly(w)
    closed = _assembly(w, closed=True)
    return [
        Case({"pk": open_vote["assembly"].pk}, open_vote["voter_b"], DENY, {}, open_vote["watch"]),
        Case(
            {"pk": closed["assembly"].pk},
            closed["voter_b"],
            PUBLIC,
            reason="the results of a closed vote are published to every member",
        ),
    ]


def _assembly_attachment(w: World):
    unopened = _assembly(w, opened=False)
    opened = _assembly(w)
    return [
        Case({"pk": unopened["document"].pk}, unopened["voter_b"], DENY, {}, (), SECRET),
        Case(
            {"pk": opened["document"].pk},
            opened["voter_b"],
            PUBLIC,
            reason="an opened assembly's agenda documents are for every member",
        ),
    ]


def _assembly_staff(w: World, expect=DENY, *, entry=False, **extra):
    """The secretariat's pages: a voter or contact of another organisation gets 403."""
    s = _assembly(w)
    kwargs = {"pk": s["assembly"].pk, **extra}
    if entry:
        kwargs["entry_id"] = s["entry"].pk
    data = {
        f"item_{s['item'].pk}": "for",
        "votes": 9,
        "eligible": "on",
        "counts_for_headcount": "on",
        "reason": "改竄",
    }
    return [Case(kwargs, user, expect, data, s["watch"]) for user in (s["voter_b"], w.outsider)]


# --- Events: the members' and the public's pages ----------------------------------------


def _event_of_a(w: World, **fields):
    """A published event with A's registration (its contact, named SECRET)."""
    from events import services

    event = factories.make_event(**fields)
    registration = services.register(
        event.pk,
        [factories.participant(1, family_name=SECRET, user=w.member, email=w.member.email)],
        registered_by=w.member,
        organisation=w.a,
        member=True,
    )[0]
    return event, registration


def _event_page(w: World, expect):
    """An event's page and registration form: open to every login, never showing A's
    registration; an unpublished event is not there at all."""
    from events.models import Registration

    event, registration = _event_of_a(w)
    draft = factories.make_event(published=False, title=SECRET)
    watch = (Registration.objects.filter(event=event),)
    reason = (
        "a published event is for every login (its registration form registers the "
        "requester's own organisation); A's registration is not on it"
    )
    return [
        Case({"pk": event.pk}, w.outsider, expect, {}, watch, SECRET, reason, (registration,)),
        Case({"pk": draft.pk}, w.outsider, DENY, {}, (), SECRET),
    ]


def _event_registration(w: World, expect):
    """A's registration: cancelled or confirmed only by its participant, whoever registered
    it and A's contacts."""
    from events.models import Registration

    _event, registration = _event_of_a(w)
    watch = (Registration.objects.filter(pk=registration.pk),)
    return [Case({"pk": registration.pk}, w.outsider, expect, {}, watch, SECRET)]


def _event_material(w: World):
    from events.models import Material

    event, _registration = _event_of_a(w)
    material = Material.objects.create(
        event=event,
        title=SECRET,
        file=ContentFile(PDF, "x.pdf"),
        file_name=f"{SECRET}.pdf",
        content_type="application/pdf",
    )
    return [Case({"pk": material.pk}, w.outsider, DENY, {}, (), SECRET)]


def _event_ics(w: World):
    event, _registration = _event_of_a(w, title=SECRET)
    return [Case({"pk": event.pk}, w.outsider, DENY, {}, (), SECRET)]


def _event_feed(w: World):
    """A's contact's calendar feed: the token is the key; a near miss finds nothing."""
    from events.models import CalendarFeed

    _event_of_a(w, title=SECRET)
    feed = CalendarFeed.objects.create(user=w.member, token="A" * 42 + "a")
    watch = (CalendarFeed.objects.filter(pk=feed.pk),)
    return [Case({"token": "A" * 42 + "b"}, w.outsider, DENY, {}, watch, SECRET)]


# --- The table ------------------------------------------------------------------------------

Builder = Callable[[World], list[Case]]

SWEEP: dict[str, Builder] = {
    # accounts and allauth: links mailed to one person
    "accounts:invitation": _invitation,
    "account_confirm_email": _confirm_email,
    "account_reset_password_from_key": _reset_password,
    # members: A's contacts
    "members:edit_contact": lambda w: _contact(w, "edit"),
    "members:invite_contact": lambda w: _contact(w, "invite"),
    "members:remove_contact": lambda w: _contact(w, "remove"),
    # dues: A's invoices and receipts
    "dues:invoice_pdf": lambda w: _invoice(w, paid=False),
    "dues:receipt_pdf": lambda w: _invoice(w, paid=True),
    # awards: A's entry, its files, its judging and its prize
    "awards:entry_new": _entry_new,
    "awards:entry": lambda w: _entry_case(w, title="改竄", summary="改竄", save="1"),
    "awards:entry_attach": _entry_attach,
    "awards:entry_question": lambda w: _entry_case(w, DENY_POST, question="改竄?"),
    "awards:entry_withdraw": lambda w: _entry_case(w, DENY, confirm="1"),
    "awards:attachment": lambda w: _attachment(w, DENY),
    "awards:attachment_remove": lambda w: _attachment(w, DENY, confirm="1"),
    "awards:consent": _consent,
    "awards:review": lambda w: _review(w, DENY),
    "awards:declare_conflict": lambda w: _review(w, DENY_POST),
    "awards:results": _results,
    "awards:winner": _winner,
    # newsletter
    "newsletter:issue": _issue,
    "newsletter:confirm": _confirm,
    "newsletter:unsubscribe": _unsubscribe,
    # surveys: A's response, results before publication, the secretariat's pages
    "surveys:answer": lambda w: _answer(w, OWN),
    "surveys:autosave": lambda w: _answer(w, OWN_POST),
    "surveys:reopen": lambda w: _answer(w, OWN_POST, submit=True),
    "surveys:results": _survey_results,
    "surveys:texts": lambda w: _survey_results(w, texts=True),
    "surveys:rate": _survey_staff,
    "surveys:invite": _survey_staff,
    "surveys:chart": _survey_chart,
    "surveys:export": lambda w: _survey_staff(w, fmt="xlsx"),
    "surveys:bank": _bank,
    # general assembly: A's vote and roll entry
    "assemblies:detail": lambda w: _assembly_member(w, OWN),
    "assemblies:vote": lambda w: _assembly_member(w, OWN_POST),
    "assemblies:proxy": lambda w: _assembly_member(w, OWN_POST),
    "assemblies:withdraw": lambda w: _assembly_member(w, OWN_POST),
    "assemblies:results": _assembly_results,
    "assemblies:attachment": _assembly_attachment,
    "assemblies:live": _assembly_staff,
    "assemblies:open": lambda w: _assembly_staff(w, DENY_POST),
    "assemblies:close": lambda w: _assembly_staff(w, DENY_POST),
    "assemblies:chair": lambda w: _assembly_staff(w, DENY_POST),
    "assemblies:remind": lambda w: _assembly_staff(w, DENY_POST),
    "assemblies:roll": _assembly_staff,
    "assemblies:entry": lambda w: _assembly_staff(w, entry=True),
    "assemblies:attend": lambda w: _assembly_staff(w, DENY_POST, entry=True),
    "assemblies:in_person_vote": lambda w: _assembly_staff(w, DENY_POST, entry=True),
    "assemblies:minutes": lambda w: _assembly_staff(w, fmt="pdf"),
    # events: the members' and the public's pages; A's registrations, materials and feed
    "events:detail": lambda w: _event_page(w, PUBLIC),
    "events:register": lambda w: _event_page(w, OWN),
    "events:cancel": lambda w: _event_registration(w, DENY),
    "events:confirm": lambda w: _event_registration(w, DENY_POST),
    "events:material": _event_material,
    "events:ics": _event_ics,
    "events:feed": _event_feed,
}


# --- Events (issue 21): A's participant, the secretariat's pages on an event -----------------


def _a_registration(w: World, *, certificate=False):
    from events import services
    from events.models import Registration

    event = factories.make_event(title="研修")
    registration = services.register(
        event.pk,
        [factories.participant(1, family_name=SECRET, given_name="太郎")],
        registered_by=w.member,
        organisation=w.a,
        member=True,
    )[0]
    if certificate:
        Registration.objects.filter(pk=registration.pk).update(
            certificate_year=2026, certificate_number=1
        )
    return registration


def _event_staff(w: World, *, by_token=False, post=True):
    """The secretariat's pages on an event or a participant: a contact of another
    organisation (B's primary contact too) is refused, and no seat changes."""
    from events.models import Seat

    registration = _a_registration(w)
    session = registration.event.sessions.get()
    kwargs = {"token": registration.token} if by_token else {"pk": registration.event_id}
    data = {"registration": registration.pk, "session": session.pk, "action": "check_in"}
    expect = DENY if post else _expect("deny", {403, 404}, None)
    watch = (Seat.objects.filter(registration=registration),)
    return [
        Case(kwargs, user, expect, data, watch, SECRET)
        for user in (w.outsider, w.primary_outsider())
    ]


def _certificate(w: World):
    from events.models import Registration

    registration = _a_registration(w, certificate=True)
    watch = (Registration.objects.filter(pk=registration.pk),)
    return [Case({"pk": registration.pk}, w.outsider, DENY, {}, watch, SECRET)]


SWEEP.update(
    {
        "events:check_in": _event_staff,
        "events:check_in_code": lambda w: _event_staff(w, by_token=True),
        "events:sign_in_sheet": lambda w: _event_staff(w, post=False),
        "events:report": lambda w: _event_staff(w, post=False),
        "events:certificate": _certificate,
    }
)


# --- Regional issues (issue 22): A's drafts, files and endorsements ---------------------------


def _a_issue(w: World, status="draft", **fields):
    from proposals.models import Endorsement, Submission, SubmissionAttachment

    call = factories.make_call()
    submission = factories.make_submission(
        call, w.a, w.member, status=status, title=f"{SECRET}の課題", **fields
    )
    attachment = SubmissionAttachment.objects.create(
        submission=submission,
        file=ContentFile(PDF, "x.pdf"),
        name=f"{SECRET}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=w.member,
    )
    watch = (
        Submission.objects.filter(pk=submission.pk),
        SubmissionAttachment.objects.filter(submission=submission),
        Endorsement.objects.filter(submission=submission),
    )
    return submission, attachment, watch


def _issue_case(w: World, expect, status="draft", **data):
    submission, _attachment, watch = _a_issue(w, status)
    return [Case({"pk": submission.pk}, w.outsider, expect, data, watch, SECRET)]


def _issue_page(w: World):
    draft, _attachment, watch = _a_issue(w)
    members_only, _attachment, more = _a_issue(w, "submitted")
    applicant = factories.make_user("idor-applicant@example.jp")
    return [
        Case({"pk": draft.pk}, w.outsider, DENY, {}, watch, SECRET),
        Case({"pk": members_only.pk}, applicant, DENY, {}, more, SECRET),
    ]


def _issue_file(w: World, expect, **data):
    _submission, attachment, watch = _a_issue(w)
    return [Case({"pk": attachment.pk}, w.outsider, expect, data, watch, SECRET)]


def _call_page(w: World):
    submission, _attachment, _watch = _a_issue(w)
    return [
        Case(
            {"pk": submission.call_id},
            w.outsider,
            PUBLIC,
            secret=SECRET,
            reason="a call and its submitted issues are for every member; A's draft is not",
        )
    ]


def _issue_new(w: World):
    submission, _attachment, watch = _a_issue(w)
    data = {"theme": submission.theme_id, "title": "改竄", "visibility": "public", "save": "1"}
    return [
        Case(
            {"call_pk": submission.call_id},
            w.outsider,
            OWN,
            data,
            watch,
            SECRET,
            reason="a call is open to every eligible member: the form writes a draft of the "
            "requester's own institution, A's stays as it was",
        )
    ]


def _endorsement(w: World):
    from proposals import services
    from proposals.models import Endorsement

    third = factories.make_organisation("第三財団")
    author = factories.make_user("third@example.jp")
    factories.make_person(third, user=author)
    submission = factories.make_submission(factories.make_call(), third, author)
    endorsement = services.endorse(submission.pk, w.member, SECRET)
    watch = (Endorsement.objects.filter(pk=endorsement.pk),)
    return [Case({"pk": endorsement.pk}, w.outsider, DENY_POST, {}, watch)]


# --- The year's proposal (issue 22, compiling): the secretariat's draft is nobody else's ------


def _draft_proposal(w: World):
    """A draft proposal (the secretariat's alone) citing A's issue, with an item, a comment
    of A's and a version: the outsider, a member, sees none of it."""
    from proposals.models import DraftComment, ProposalVersion

    submission, _attachment, _watch = _a_issue(w, "submitted")
    proposal = factories.make_proposal(title=f"{SECRET}の提言")
    item = factories.make_item(proposal, title=f"{SECRET}の項目", cites=[submission])
    DraftComment.objects.create(item=item, organisation=w.a, user=w.member, text=SECRET)
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        created_by=w.member,
        docx=ContentFile(SECRET.encode(), "v1.docx"),
        docx_sha256="0" * 64,
        pdf=ContentFile(SECRET.encode(), "v1.pdf"),
        pdf_sha256="0" * 64,
    )
    watch = (DraftComment.objects.filter(item=item),)
    return proposal, item, version, watch


def _proposal_case(w: World, which: str, expect=DENY, **data):
    proposal, item, version, watch = _draft_proposal(w)
    pk = {"proposal": proposal.pk, "item": item.pk, "version": version.pk}[which]
    return [Case({"pk": pk}, w.outsider, expect, data, watch, SECRET)]


SWEEP.update(
    {
        "proposals:proposal": lambda w: _proposal_case(w, "proposal"),
        "proposals:item": lambda w: _proposal_case(w, "item"),
        "proposals:comment": lambda w: _proposal_case(w, "item", DENY_POST, text="改竄"),
        "proposals:version_docx": lambda w: _proposal_case(w, "version"),
        "proposals:version_pdf": lambda w: _proposal_case(w, "version"),
    }
)


SWEEP.update(
    {
        "proposals:call": _call_page,
        "proposals:new": _issue_new,
        "proposals:submission": _issue_page,
        "proposals:edit": lambda w: _issue_case(
            w, DENY, theme="", title="改竄", visibility="public", save="1"
        ),
        "proposals:submit": lambda w: _issue_case(w, DENY_POST),
        "proposals:withdraw": lambda w: _issue_case(w, DENY_POST, "submitted"),
        "proposals:discard": lambda w: _issue_case(w, DENY_POST),
        "proposals:endorse": lambda w: _issue_case(w, DENY_POST, comment="改竄"),
        "proposals:unendorse": _endorsement,
        "proposals:attachment": lambda w: _issue_file(w, DENY),
        "proposals:remove_attachment": lambda w: _issue_file(w, DENY_POST),
    }
)


# --- Walking the URLconf ---------------------------------------------------------------------


def _walk(resolver, prefix="", namespace="", inherited=0):
    """(name, route, takes arguments) for every pattern, the admin's subtree marked."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        groups = inherited + entry.pattern.regex.groups
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, route, inner, groups)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed: {route}>"
            yield name, route, groups > 0


def _is_admin(name: str, route: str) -> bool:
    return name.startswith("admin:") or route.startswith("admin/")


def id_patterns() -> set[str]:
    return {
        name
        for name, route, takes in _walk(get_resolver())
        if takes and not _is_admin(name, route)
    }


def test_every_id_pattern_is_in_the_sweep():
    """A new pattern with an id fails here until it has a row (and a builder) in SWEEP."""
    found = id_patterns()
    assert found - SWEEP.keys() == set(), "patterns with an id missing from SWEEP"
    assert SWEEP.keys() - found == set(), "SWEEP rows for patterns that no longer exist"


# --- The sweep -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _cheap(settings, tmp_path):
    """Files in a temporary directory; a fast hasher, as the sweep makes many logins (the
    login itself is not under test here)."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(organisation, member, other_organisation, outsider):
    return World(organisation, member, other_organisation, outsider)


def _check(response, allowed, case, method, url):
    what = f"{method} {url} as {case.user} ({case.expect.label})"
    assert response.status_code < 500, what
    assert response.status_code in allowed, f"{what}: {response.status_code}"
    if response.status_code in (301, 302, 303, 307, 308):
        # Only a page of the requester's own (OWN): never on to an object of A's.
        assert case.expect in (OWN, OWN_POST), what
    if case.secret:
        assert case.secret not in _body(response), f"{what}: A's data in the response"
    contexts = response.context or []
    if not isinstance(contexts, list):  # one template rendered: the test client gives its Context
        contexts = [contexts]
    for context in contexts:
        for key, value in context.flatten().items():
            assert value not in case.hidden, f"{what}: A's {key} in the page"


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_no_object_of_another_organisation(client, world, name):
    cases = SWEEP[name](world)
    assert cases
    for case in cases:
        url = reverse(name, kwargs=case.kwargs)
        client.force_login(case.user)
        before = _snapshot(case.watch)
        _check(client.get(url), case.expect.get, case, "GET", url)
        if case.expect.post is not None:
            _check(client.post(url, case.data), case.expect.post, case, "POST", url)
        assert _snapshot(case.watch) == before, f"{url} changed A's data"


def test_an_assembly_page_shows_the_requesters_own_entry(client, world):
    s = _assembly(world)
    client.force_login(s["voter_b"])
    response = client.get(reverse("assemblies:detail", args=[s["assembly"].pk]))
    assert response.context["entry"].organisation.name == "B財団"
    client.post(
        reverse("assemblies:vote", args=[s["assembly"].pk]),
        {f"item_{s['item'].pk}": "for", "confirm_unmarked": "1"},
    )
    from assemblies.models import Ballot

    assert Ballot.objects.get(voter=s["entry"]).choice == "against"
    assert Ballot.objects.get(voter__organisation__name="B財団").choice == "for"


def test_a_survey_page_shows_the_requesters_own_response(client, world):
    survey, _watch, _response = _a_response(world)
    client.force_login(world.outsider)
    response = client.get(reverse("surveys:answer", args=[survey.pk]))
    assert response.context["response"].organisation == world.b


# --- The admin: staff only ------------------------------------------------------------------


def _admin_urls():
    import re

    for name, route, takes in _walk(get_resolver()):
        if takes and _is_admin(name, route) and "(?P<" not in route:
            yield "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)


def test_admin_object_urls_are_for_staff_only(client, world):
    """Staff see every object in the admin; anybody else is sent to its login page first,
    whatever the id (GET and POST)."""
    login = reverse("admin:login")
    urls = sorted(set(_admin_urls()))
    assert len(urls) > 50
    client.force_login(world.primary_outsider())
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(login), url
