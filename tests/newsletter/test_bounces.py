"""Bounces and complaints from the provider's webhooks (django-anymail, Postmark's format)."""

import base64
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from newsletter import selectors, tokens
from newsletter.models import AddressProblem, Subscriber
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.newsletter.postmark_urls")]


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:hook-secret"}


def post(client, name, payload, secret="postmark:hook-secret"):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        reverse(name),
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def bounce(
    client, email, kind="HardBounce", details="smtp;550 5.1.1 The email account does not exist"
):
    payload = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": kind,
        "Email": email,
        "Description": "The server was unable to deliver your message",
        "Details": details,
        "BouncedAt": "2026-12-01T10:00:00Z",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    }
    return post(client, "anymail:postmark_tracking_webhook", payload)


def test_a_hard_bounce_stops_mail_and_opens_a_task(client, organisation):
    person = factories.make_person(organisation, email="old@isico.example.jp")
    subscriber = factories.make_subscriber("old@isico.example.jp", person=person)

    assert bounce(client, "old@isico.example.jp").status_code == 200

    subscriber.refresh_from_db()
    assert subscriber.bounced_at is not None and subscriber.bounce_score == Decimal(1)
    assert not selectors.active_subscribers().filter(pk=subscriber.pk).exists()
    problem = AddressProblem.objects.get()
    assert problem.subscriber == subscriber and "5.1.1" in problem.reason
    assert subscriber.events.filter(action="bounce", source="Postmark webhook").exists()


def test_soft_bounces_count_half_once_a_day_until_the_threshold(client, settings):
    settings.NEWSLETTER_BOUNCE_THRESHOLD = 1
    subscriber = factories.make_subscriber("full@example.com")

    bounce(client, "full@example.com", "SoftBounce", "smtp;452 4.2.2 Mailbox full")
    bounce(client, "full@example.com", "SoftBounce", "smtp;452 4.2.2 Mailbox full")
    subscriber.refresh_from_db()
    assert subscriber.bounce_score == Decimal("0.5") and subscriber.bounced_at is None

    Subscriber.objects.filter(pk=subscriber.pk).update(
        last_bounce_on=timezone.localdate() - timedelta(days=1)
    )
    bounce(client, "full@example.com", "SoftBounce", "smtp;452 4.2.2 Mailbox full")
    subscriber.refresh_from_db()
    assert subscriber.bounce_score == Decimal(1) and subscriber.bounced_at is not None


def test_a_complaint_unsubscribes_at_once(client):
    subscriber = factories.make_subscriber("angry@example.com")
    payload = {
        "RecordType": "SpamComplaint",
        "ID": 42,
        "Type": "SpamComplaint",
        "Email": "angry@example.com",
        "BouncedAt": "2026-12-01T10:00:00Z",
    }
    assert post(client, "anymail:postmark_tracking_webhook", payload).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert subscriber.events.filter(action="complaint").exists()


def test_a_webhook_without_the_secret_is_refused(client):
    factories.make_subscriber("reader@example.com")
    response = post(
        client,
        "anymail:postmark_tracking_webhook",
        {"RecordType": "Bounce", "Type": "HardBounce", "Email": "reader@example.com"},
        secret="postmark:wrong",
    )
    assert response.status_code == 401
    assert Subscriber.objects.get().bounced_at is None


def test_mail_to_the_unsubscribe_mailto_unsubscribes(client):
    subscriber = factories.make_subscriber("reader@example.com")
    token = tokens.unsubscribe_token(subscriber.pk, subscriber.email)
    payload = {
        "FromFull": {"Email": "reader@example.com", "Name": ""},
        "ToFull": [{"Email": "unsubscribe@localhost", "Name": ""}],
        "Subject": f"unsubscribe {token}",
        "TextBody": "",
        "Headers": [],
        "Attachments": [],
    }
    assert post(client, "anymail:postmark_inbound_webhook", payload).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert subscriber.events.filter(source="unsubscribe mail").exists()
