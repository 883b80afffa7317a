"""The mail provider's webhooks: only the configured provider's are routed, and a call
without the basic-auth secret is refused with 401, never answered with a 500."""

import base64
import json

import pytest
from anymail.urls import urlpatterns as anymail_urlpatterns
from django.urls import reverse
from django.urls.resolvers import RoutePattern

from newsletter.models import Subscriber
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "resend:hook-secret"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def auth(secret):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def resend_bounce(address):
    return {
        "type": "email.bounced",
        "created_at": "2026-12-01T10:00:00.000Z",
        "data": {
            "email_id": "4ef9a417-02e9-4d39-ad75-9611e0fcc33c",
            "to": [address],
            "bounce": {"message": "The recipient's email provider sent a hard bounce message."},
        },
    }


# Every other provider anymail knows (path() routes; Mailgun's inbound one is a regex).
OTHER_PROVIDERS = sorted(
    str(p.pattern)
    for p in anymail_urlpatterns
    if isinstance(p.pattern, RoutePattern) and not p.name.startswith("resend_")
)


@pytest.mark.parametrize("route", OTHER_PROVIDERS)
def test_other_providers_webhooks_are_not_routed(client, route):
    """Amazon SES's tracking webhook answered 500 (boto3 is not installed) before this."""
    assert client.get(f"/anymail/{route}").status_code == 404
    assert (
        client.post(f"/anymail/{route}", "{}", content_type="application/json").status_code == 404
    )


@pytest.mark.parametrize(
    "name", ["anymail:resend_tracking_webhook", "anymail:resend_inbound_webhook"]
)
@pytest.mark.parametrize("method", ["get", "head", "post", "put"])
@pytest.mark.parametrize(
    "credentials", [{}, auth("resend:wrong"), {"HTTP_AUTHORIZATION": "Bearer x"}]
)
def test_a_call_without_the_secret_is_refused(client, name, method, credentials):
    response = getattr(client, method)(reverse(name), **credentials)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_the_configured_providers_tracking_webhook_records_a_bounce(client):
    subscriber = factories.make_subscriber("gone@example.com")

    response = client.post(
        reverse("anymail:resend_tracking_webhook"),
        json.dumps(resend_bounce("gone@example.com")),
        content_type="application/json",
        **auth(SECRET),
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.bounced_at is not None
    assert Subscriber.objects.get().events.filter(source="Resend webhook").exists()
