"""Who an issue goes to: topic subscribers, narrowed by class, block, prefecture and role."""

import pytest
from django.utils import timezone

from members.models import PersonRole, RegionalBlock
from members.services import assign_role
from newsletter import selectors, services
from newsletter.models import Subscriber, SubscriptionEvent, Topic
from tests import factories

pytestmark = pytest.mark.django_db


def addresses(issue):
    services.sync_member_subscribers()
    return set(selectors.audience(issue).values_list("email", flat=True))


def newsletter_contact(organisation, email, *roles):
    person = factories.make_person(organisation, email=email)
    for role in (PersonRole.Kind.NEWSLETTER, *roles):
        assign_role(person, role)
    return person


@pytest.fixture
def issue(secretariat):
    return factories.make_issue(secretariat, topics=Topic.objects.filter(slug="events"))


def test_topic_subscribers_who_are_confirmed_and_not_stopped(issue):
    events = Topic.objects.filter(slug="events")
    factories.make_subscriber("reader@example.com", events)
    factories.make_subscriber("other-topic@example.com", Topic.objects.filter(slug="policy"))
    factories.make_subscriber("unconfirmed@example.com", events, confirmed=False)
    factories.make_subscriber("left@example.com", events, unsubscribed_at=timezone.now())
    factories.make_subscriber("bounced@example.com", events, bounced_at=timezone.now())

    assert addresses(issue) == {"reader@example.com"}


def test_member_contacts_with_the_newsletter_role_get_every_topic_by_default(issue, organisation):
    newsletter_contact(organisation, "news@isico.example.jp")
    factories.make_person(organisation, email="no-role@isico.example.jp")

    assert addresses(issue) == {"news@isico.example.jp"}
    subscriber = Subscriber.objects.get(email="news@isico.example.jp")
    assert subscriber.topics.count() == Topic.objects.count()
    assert subscriber.events.get().action == SubscriptionEvent.Action.SUBSCRIBE
    assert services.sync_member_subscribers() == 0  # once only


def test_a_contact_who_lost_the_role_or_left_gets_nothing(issue, organisation):
    kept = newsletter_contact(organisation, "kept@isico.example.jp")
    gone = newsletter_contact(organisation, "gone@isico.example.jp")
    services.sync_member_subscribers()
    gone.roles.update(ends_on=timezone.localdate())
    kept.left_on = timezone.localdate()
    kept.save()

    assert addresses(issue) == set()


def test_narrowed_by_class_block_prefecture_and_role(issue, organisation, other_organisation):
    academic = factories.make_class("academic", "flat", flat_amount=15000)
    kinki = RegionalBlock.objects.create(name="近畿", name_en="Kinki")
    university = factories.make_organisation(
        "国立大学法人京都大学", membership_class=academic, block=kinki, prefecture=26
    )
    other_organisation.block = kinki
    other_organisation.prefecture = 26
    other_organisation.save()
    newsletter_contact(organisation, "isico@example.jp", PersonRole.Kind.REPRESENTATIVE)
    newsletter_contact(other_organisation, "astem@example.jp")
    newsletter_contact(university, "kyoto-u@example.jp", PersonRole.Kind.REPRESENTATIVE)
    factories.make_subscriber("outside@example.com")
    everyone = {
        "isico@example.jp",
        "astem@example.jp",
        "kyoto-u@example.jp",
        "outside@example.com",
    }
    assert addresses(issue) == everyone

    issue.membership_classes.set([academic])
    assert addresses(issue) == {"kyoto-u@example.jp"}
    issue.membership_classes.clear()

    issue.blocks.set([kinki])
    assert addresses(issue) == {"astem@example.jp", "kyoto-u@example.jp"}
    issue.blocks.clear()

    issue.prefectures = [17]
    assert addresses(issue) == {"isico@example.jp"}
    issue.prefectures = []

    issue.roles = [PersonRole.Kind.REPRESENTATIVE]
    assert addresses(issue) == {"isico@example.jp", "kyoto-u@example.jp"}

    issue.blocks.set([kinki])
    assert addresses(issue) == {"kyoto-u@example.jp"}


def test_an_outside_reader_who_becomes_a_contact_keeps_their_choices(issue, organisation):
    reader = factories.make_subscriber("reader@example.com", Topic.objects.filter(slug="policy"))
    newsletter_contact(organisation, "reader@example.com")

    assert addresses(issue) == set()  # still only the policy topic
    reader.refresh_from_db()
    assert reader.person is not None


def test_a_corrected_address_takes_the_subscription_along(issue, organisation):
    person = newsletter_contact(organisation, "old@isico.example.jp")
    services.sync_member_subscribers()
    Subscriber.objects.filter(person=person).update(bounced_at=timezone.now(), bounce_score=1)
    person.email = "new@isico.example.jp"
    person.save()

    assert addresses(issue) == {"new@isico.example.jp"}


def test_one_subscription_for_an_address_shared_by_two_contacts(
    issue, organisation, other_organisation
):
    newsletter_contact(organisation, "Shared@Example.jp")
    newsletter_contact(other_organisation, "shared@example.jp")
    factories.make_subscriber("reader@example.com")

    assert addresses(issue) == {"Shared@Example.jp", "reader@example.com"}
    assert Subscriber.objects.count() == 2
