"""Reads: who an issue goes to, and which issues a visitor may read in the archive."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from members.models import Membership, PersonRole
from members.permissions import can
from portal import kana

from .models import Issue, Subscriber


def active_subscribers() -> QuerySet[Subscriber]:
    """Confirmed, not unsubscribed, not stopped by bounces; member contacts still in role."""
    in_role = PersonRole.objects.current().filter(
        person=OuterRef("person"), kind=PersonRole.Kind.NEWSLETTER
    )
    return Subscriber.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True, bounced_at__isnull=True
    ).filter(Q(person__isnull=True) | Q(Exists(in_role), person__left_on__isnull=True))


def audience(issue: Issue) -> QuerySet[Subscriber]:
    """Subscribers of any of the issue's topics, narrowed by each audience filter that is set.

    A narrowing filter is about organisations or roles, so it leaves only member contacts.
    """
    topic_ids = list(issue.topics.values_list("pk", flat=True))
    wants_topic = Subscriber.topics.through.objects.filter(
        subscriber=OuterRef("pk"), topic_id__in=topic_ids
    )
    subscribers = active_subscribers().filter(Exists(wants_topic))
    class_ids = list(issue.membership_classes.values_list("pk", flat=True))
    if class_ids:
        in_class = Membership.objects.current().filter(
            organisation=OuterRef("person__organisation"), membership_class_id__in=class_ids
        )
        subscribers = subscribers.filter(Exists(in_class))
    block_ids = list(issue.blocks.values_list("pk", flat=True))
    if block_ids:
        subscribers = subscribers.filter(person__organisation__block_id__in=block_ids)
    if issue.prefectures:
        subscribers = subscribers.filter(person__organisation__prefecture__in=issue.prefectures)
    if issue.roles:
        has_role = PersonRole.objects.current().filter(
            person=OuterRef("person"), kind__in=issue.roles
        )
        subscribers = subscribers.filter(Exists(has_role))
    return subscribers


def archive(roles, *, query: str = "", topic: str = "", year: int | None = None):
    """Sent issues the visitor may read, newest first, searched in any kana or width."""
    issues = Issue.objects.published().prefetch_related("topics")
    if not can(roles, "newsletter.read_members_only"):
        issues = issues.filter(visibility=Issue.Visibility.PUBLIC)
    for word in query.split():
        issues = issues.filter(search_text__contains=kana.normalise(word))
    if topic:
        issues = issues.filter(topics__slug=topic)
    if year:
        issues = issues.filter(sent_at__year=year)
    return issues.order_by("-sent_at")


def archive_years(roles) -> list[int]:
    issues = Issue.objects.published()
    if not can(roles, "newsletter.read_members_only"):
        issues = issues.filter(visibility=Issue.Visibility.PUBLIC)
    return sorted({d.year for d in issues.dates("sent_at", "year")}, reverse=True)
