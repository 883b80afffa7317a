"""The mailing pages: only the secretariat watches, pauses and resumes, in a fixed number of
queries however many deliveries there are."""

import pytest
from django.urls import reverse

from outbox import engine
from outbox.models import Delivery, Mailing
from tests.outbox.renderers import GREETING

pytestmark = pytest.mark.django_db

OUTSIDERS = ["anonymous", "applicant", "member", "primary_contact", "judge"]


def start(n, capture):
    """A mailing of `n` deliveries that no worker sends."""
    with capture(execute=False):
        return engine.start_mailing(
            "第1号", GREETING, ({"address": f"reader{i}@example.jp"} for i in range(n))
        )


@pytest.fixture
def mailing(django_capture_on_commit_callbacks):
    return start(1, django_capture_on_commit_callbacks)


def object_urls(mailing):
    return [
        ("get", reverse("admin:outbox_mailing_change", args=[mailing.pk])),
        ("get", reverse("admin:outbox_mailing_progress", args=[mailing.pk])),
        ("post", reverse("admin:outbox_mailing_pause", args=[mailing.pk])),
        ("post", reverse("admin:outbox_mailing_resume", args=[mailing.pk])),
    ]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_but_the_secretariat_watches_pauses_or_resumes(client, request, role, mailing):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for method, url in object_urls(mailing):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING


def test_staff_without_mfa_cannot_act_either(client, secretariat, mailing):
    client.force_login(secretariat)
    for method, url in object_urls(mailing):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
    assert Mailing.objects.get().status == Mailing.Status.SENDING


def test_the_secretariat_watches_the_progress(client, secretariat_with_mfa, mailing):
    client.force_login(secretariat_with_mfa)
    assert client.get(reverse("admin:outbox_mailing_change", args=[mailing.pk])).status_code == 200
    progress = client.get(reverse("admin:outbox_mailing_progress", args=[mailing.pk])).json()
    assert progress["total"] == 1 and progress["queued"] == 1


@pytest.mark.parametrize("extra", [0, 300])
def test_pages_within_budget(
    client, secretariat_with_mfa, extra, django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    mailing = start(extra, django_capture_on_commit_callbacks)
    Delivery.objects.filter(
        mailing=mailing, pk__in=mailing.deliveries.values("pk")[: extra // 2]
    ).update(status=Delivery.Status.FAILED, error="550 no such user")
    client.force_login(secretariat_with_mfa)
    budgets = {
        reverse("admin:outbox_mailing_changelist"): 9,
        reverse("admin:outbox_mailing_change", args=[mailing.pk]): 9,
        reverse("admin:outbox_mailing_progress", args=[mailing.pk]): 5,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url
