"""Writes: subscriptions and an issue's way from draft to sent.

Every step of the workflow is a compare-and-set on the issue's status, so a double click or
two secretariat users acting at once change it once; the mailing is created in the same
transaction that marks the issue sent, so it exists exactly once.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Person, PersonRole
from outbox import engine

from . import rendering, selectors
from .models import Issue, Subscriber, SubscriptionEvent, Topic

Action = SubscriptionEvent.Action


def record(subscriber: Subscriber, action: str, source: str, detail: str = "") -> None:
    SubscriptionEvent.objects.create(
        subscriber=subscriber, action=action, source=source, detail=detail[:300]
    )


# --- Subscriptions ---------------------------------------------------------------


def sync_member_subscribers() -> int:
    """Give each current newsletter-role contact without one a subscription to every topic.

    Member contacts are subscribed by default; once the row exists their own choices (topics,
    unsubscribing) are kept. A contact whose address changed has the subscription follow
    it, with its bounce record cleared, since the secretariat fixed the address.
    """
    now = timezone.now()
    holders = Person.objects.current().filter(
        Exists(
            PersonRole.objects.current().filter(
                person=OuterRef("pk"), kind=PersonRole.Kind.NEWSLETTER
            )
        ),
        organisation__isnull=False,
    )
    moved = (
        holders.filter(subscriber__isnull=False)
        .exclude(email="")
        .exclude(subscriber__email__iexact=F("email"))
        .select_related("subscriber")
    )
    for person in moved:
        subscriber = person.subscriber
        if Subscriber.objects.filter(email__iexact=person.email).exists():
            continue
        old = subscriber.email
        subscriber.email, subscriber.bounced_at, subscriber.bounce_score = person.email, None, 0
        subscriber.save(update_fields=["email", "bounced_at", "bounce_score"])
        subscriber.problems.filter(resolved_at__isnull=True).update(resolved_at=now)
        record(subscriber, Action.SUBSCRIBE, "member contact", f"address changed from {old}")
    missing: dict[str, Person] = {}
    for person in holders.filter(subscriber__isnull=True).exclude(email="").order_by("pk"):
        missing.setdefault(person.email.lower(), person)  # one address, one subscription
    taken = dict(
        Subscriber.objects.annotate(lower=Lower("email"))
        .filter(lower__in=list(missing))
        .values_list("lower", "pk")
    )
    for email, pk in taken.items():
        # An outside reader who became a member contact: linked, their choices kept.
        Subscriber.objects.filter(pk=pk, person__isnull=True).update(person=missing.pop(email))
    created = [
        Subscriber(email=person.email, name=str(person), person=person, confirmed_at=now)
        for person in missing.values()
    ]
    if not created:
        return 0
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    try:
        with transaction.atomic():
            Subscriber.objects.bulk_create(created, batch_size=1000)
            Subscriber.topics.through.objects.bulk_create(
                [
                    Subscriber.topics.through(subscriber_id=s.pk, topic_id=t)
                    for s in created
                    for t in topic_ids
                ],
                batch_size=2000,
            )
            SubscriptionEvent.objects.bulk_create(
                [
                    SubscriptionEvent(subscriber=s, action=Action.SUBSCRIBE, source="member role")
                    for s in created
                ],
                batch_size=1000,
            )
    except IntegrityError:
        return 0  # a concurrent sync made them first
    return len(created)


def subscriber_for_person(person: Person) -> Subscriber:
    """The contact's own subscription: linked, or made with every topic if it has none yet."""
    subscriber = Subscriber.objects.filter(person=person).first()
    if subscriber is not None:
        return subscriber
    subscriber, created = Subscriber.objects.get_or_create(
        email=person.email,
        defaults={"name": str(person), "person": person, "confirmed_at": timezone.now()},
    )
    if created:
        subscriber.topics.set(Topic.objects.all())
        record(subscriber, Action.SUBSCRIBE, "profile page")
    elif subscriber.person_id is None:
        subscriber.person = person
        subscriber.save(update_fields=["person"])
    return subscriber


def set_topics(subscriber: Subscriber, topics, source: str) -> None:
    with transaction.atomic():
        subscriber.topics.set(topics)
        if not topics:
            unsubscribe(subscriber, source)
            return
        if subscriber.unsubscribed_at:
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["unsubscribed_at"])
            record(subscriber, Action.SUBSCRIBE, source)
        record(subscriber, Action.TOPICS, source, ", ".join(t.slug for t in topics))


def unsubscribe(subscriber: Subscriber, source: str, detail: str = "") -> bool:
    """Stop all newsletter mail to the address at once; False if it was already stopped."""
    changed = Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    if changed:
        record(subscriber, Action.UNSUBSCRIBE, source, detail)
    return bool(changed)


def request_subscription(email: str, name: str, topics) -> None:
    """Double opt-in: only a confirmation mail goes out; nothing is stored until confirmed."""
    from . import tokens
    from .tasks import send_confirmation

    token = tokens.confirm_token(email, name, sorted(t.pk for t in topics))
    transaction.on_commit(lambda: send_confirmation.delay(email, token))


@transaction.atomic
def confirm_subscription(data: dict) -> Subscriber:
    subscriber, created = Subscriber.objects.select_for_update().get_or_create(
        email=data["e"], defaults={"name": data["n"]}
    )
    if created:
        record(subscriber, Action.SUBSCRIBE, "public form")
    subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.name = subscriber.name or data["n"]
    subscriber.save(update_fields=["confirmed_at", "unsubscribed_at", "name"])
    subscriber.topics.set(Topic.objects.filter(pk__in=data["t"]))
    record(subscriber, Action.CONFIRM, "confirmation link")
    return subscriber


# --- The issue workflow ------------------------------------------------------------


class WorkflowError(ValidationError):
    """A step that is not allowed now; the message says why, for the secretariat."""


def _advance(issue: Issue, expected: str, **changes) -> bool:
    changed = Issue.objects.filter(pk=issue.pk, status=expected).update(**changes)
    issue.refresh_from_db()
    return bool(changed)


def request_test_send(issue: Issue, user) -> None:
    from .tasks import send_test

    if not user.email:
        raise WorkflowError(_("Your account has no email address for the test."))
    if issue.status != Issue.Status.DRAFT:
        raise WorkflowError(_("Only a draft is test-sent."))
    transaction.on_commit(lambda: send_test.delay(issue.pk, user.pk))


def approve(issue: Issue, user) -> None:
    if issue.created_by_id == user.pk:
        raise WorkflowError(_("A second secretariat user approves the issue, not its author."))
    if issue.test_sent_at is None:
        raise WorkflowError(_("Send a test to the author before approval."))
    if not issue.topics.exists():
        raise WorkflowError(_("Choose at least one topic."))
    if not _advance(
        issue,
        Issue.Status.DRAFT,
        status=Issue.Status.APPROVED,
        approved_by=user,
        approved_at=timezone.now(),
    ):
        raise WorkflowError(_("This issue is not a draft any more (someone else acted on it)."))


def back_to_draft(issue: Issue) -> None:
    """Withdraw an approval or a schedule, e.g. to correct the text; it needs approval again."""
    for status in (Issue.Status.APPROVED, Issue.Status.SCHEDULED):
        if _advance(issue, status, status=Issue.Status.DRAFT, approved_by=None, approved_at=None):
            return
    raise WorkflowError(_("Only an approved or scheduled issue goes back to draft."))


def schedule(issue: Issue, *, send_at=None) -> None:
    """Send at `send_at`, or now; the send itself starts in a worker."""
    from .tasks import start_issue

    send_at = send_at or timezone.now()
    if not _advance(issue, Issue.Status.APPROVED, status=Issue.Status.SCHEDULED, send_at=send_at):
        raise WorkflowError(_("Only an approved issue is sent (it may be on its way already)."))
    if send_at <= timezone.now():
        transaction.on_commit(lambda: start_issue.delay(issue.pk))


def start_sending(issue_id: int) -> bool:
    """Fix the recipients and start the mailing, once; False if it is not due or started."""
    with transaction.atomic():
        issue = (
            Issue.objects.select_for_update()
            .filter(pk=issue_id, status=Issue.Status.SCHEDULED, send_at__lte=timezone.now())
            .first()
        )
        if issue is None:
            return False
        sync_member_subscribers()
        recipients = (
            {"address": email, "name": name, "context": {"subscriber": pk}}
            for pk, email, name in selectors.audience(issue).values_list("pk", "email", "name")
        )
        issue.mailing = engine.start_mailing(
            issue.subject, rendering.ISSUE_RENDERER, recipients, user=issue.approved_by
        )
        issue.status, issue.sent_at = Issue.Status.SENT, timezone.now()
        issue.save(update_fields=["mailing", "status", "sent_at"])
    return True


def start_due_issues() -> int:
    due = Issue.objects.filter(status=Issue.Status.SCHEDULED, send_at__lte=timezone.now())
    return sum(start_sending(pk) for pk in due.values_list("pk", flat=True))


def mark_test_sent(issue_id: int) -> None:
    Issue.objects.filter(pk=issue_id, status=Issue.Status.DRAFT).update(
        test_sent_at=timezone.now()
    )


def recipient_count(issue: Issue) -> int:
    """Read only (the issue's page shows it on GET): saving the issue and sending it bring
    member contacts' subscriptions up to date first."""
    return selectors.audience(issue).count()
