"""Postmark's webhooks alone: the bounce logic is tested with Postmark's detailed payloads,
while the portal itself routes only MAIL_WEBHOOK_PROVIDER's (tests/outbox/test_webhooks.py)."""

from django.urls import include, path

from outbox import webhooks

urlpatterns = [path("anymail/", include((webhooks.routes("postmark"), "anymail")))]
