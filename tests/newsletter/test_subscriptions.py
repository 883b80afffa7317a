"""Double opt-in, one-click unsubscribe (POST, not GET), signed links, the topics page."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from members.models import PersonRole
from members.services import assign_role
from newsletter import tokens
from newsletter.models import Subscriber, SubscriptionEvent, Topic
from tests import factories

pytestmark = pytest.mark.django_db


def link_in(message):
    return re.search(r"https?://\S+", message.body).group()


def path_of(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_double_opt_in(client, django_capture_on_commit_callbacks):
    factories.make_subscriber("someone@example.com", confirmed=False)  # flush of defaults
    Subscriber.objects.all().delete()
    events, policy = Topic.objects.get(slug="events"), Topic.objects.get(slug="policy")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("newsletter:subscribe"),
            {"email": "Reader@Example.com", "name": "読者", "topics": [events.pk, policy.pk]},
        )
    assert response.status_code == 200
    assert Subscriber.objects.count() == 0  # nothing stored before the confirmation
    (message,) = mail.outbox
    assert message.to == ["reader@example.com"]

    confirm = path_of(link_in(message))
    assert client.get(confirm).status_code == 200
    assert Subscriber.objects.count() == 0  # a scanner following the link confirms nothing

    client.post(confirm)
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com" and subscriber.confirmed_at is not None
    assert set(subscriber.topics.all()) == {events, policy}
    assert list(subscriber.events.values_list("action", "source")) == [
        ("confirm", "confirmation link"),
        ("subscribe", "public form"),
    ]


def test_the_form_needs_a_topic_and_a_valid_address(client):
    response = client.post(reverse("newsletter:subscribe"), {"email": "not-an-address"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "topics"}
    assert mail.outbox == []


def test_a_second_request_within_minutes_sends_no_second_mail(
    client, django_capture_on_commit_callbacks
):
    factories.make_subscriber("x@example.com")
    data = {"email": "victim@example.com", "topics": [Topic.objects.first().pk]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:subscribe"), data)
        client.post(reverse("newsletter:subscribe"), data)
    assert len(mail.outbox) == 1


def test_a_tampered_confirmation_link_is_refused(client):
    token = tokens.confirm_token("reader@example.com", "", [1])
    response = client.post(reverse("newsletter:confirm", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


@pytest.fixture
def subscriber(db):
    return factories.make_subscriber("reader@example.com")


def unsubscribe_url(subscriber):
    return reverse(
        "newsletter:unsubscribe", args=[tokens.unsubscribe_token(subscriber.pk, subscriber.email)]
    )


def test_get_only_asks_and_one_click_post_unsubscribes(client, subscriber):
    url = unsubscribe_url(subscriber)

    response = client.get(url)
    assert response.status_code == 200 and b'<form method="post"' in response.content
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None

    client.post(url, {"List-Unsubscribe": "One-Click"})  # no CSRF token: as a mail client does
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    event = subscriber.events.get(action=SubscriptionEvent.Action.UNSUBSCRIBE)
    assert event.source == "one-click header"

    client.post(url, {"List-Unsubscribe": "One-Click"})  # again: nothing more happens
    assert subscriber.events.filter(action=SubscriptionEvent.Action.UNSUBSCRIBE).count() == 1


def test_forged_or_foreign_tokens_are_refused(client, subscriber):
    other = factories.make_subscriber("other@example.com")
    own = tokens.unsubscribe_token(subscriber.pk, subscriber.email)
    mac = own.split("-", 1)[1]
    forged = [
        f"{other.pk}-{mac}",  # my signature, someone else's id
        tokens.unsubscribe_token(other.pk, subscriber.email),  # someone else's id, my address
        f"{subscriber.pk}-{'0' * 32}",
        "garbage",
    ]
    for token in forged:
        response = client.post(reverse("newsletter:unsubscribe", args=[token]))
        assert response.status_code == 400, token
    assert not Subscriber.objects.filter(unsubscribed_at__isnull=False).exists()


def test_links_sent_before_a_key_rotation_keep_working_while_the_old_key_is_a_fallback(
    client, subscriber, settings
):
    old_link = unsubscribe_url(subscriber)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "new-" + "r0tated" * 8
    assert client.get(old_link).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []  # the fallback removed: the old links end
    assert client.get(old_link).status_code == 400


def test_a_token_stops_working_when_the_address_changes(client, subscriber):
    url = unsubscribe_url(subscriber)
    subscriber.email = "new@example.com"
    subscriber.save()
    assert client.post(url).status_code == 400


def test_member_contact_chooses_topics_on_the_preferences_page(client, member):
    person = member.person
    assign_role(person, PersonRole.Kind.NEWSLETTER)
    client.force_login(member)
    events = Topic.objects.get(slug="events")

    response = client.get(reverse("newsletter:preferences"))
    assert response.status_code == 200
    assert set(response.context["form"].initial["topics"]) == set(Topic.objects.all())

    client.post(reverse("newsletter:preferences"), {"topics": [events.pk]})
    subscriber = Subscriber.objects.get(person=person)
    assert list(subscriber.topics.all()) == [events]

    client.post(reverse("newsletter:preferences"), {})  # no topic: unsubscribed
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    client.post(reverse("newsletter:preferences"), {"topics": [events.pk]})
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


def test_a_contact_without_the_role_is_told_how_to_get_it(client, member):
    client.force_login(member)
    response = client.get(reverse("newsletter:preferences"))
    assert response.status_code == 200 and response.context["form"] is None
    assert reverse("members:organisation").encode() in response.content
    assert not Subscriber.objects.exists()
