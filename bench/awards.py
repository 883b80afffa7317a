"""The award's results view at 500 entries × 10 judges (5,000 reviews), through the full
stack as the secretariat opens it; prints p95 wall time and the page's query count."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from bench.common import check, page_figures, progress
from tests.factories import bulk_judging, make_edition

ENTRIES = 500
JUDGES = 10
REQUESTS = 50


def bench_results() -> str:
    progress(f"award: {ENTRIES} entries × {JUDGES} judges")
    with transaction.atomic():
        edition = make_edition(2099, phase="judging")
        stage = edition.rounds.order_by("order").first()
        bulk_judging(edition, stage, entries=ENTRIES, judges=JUDGES, prefix="bench")
    reviews = stage.assignments.filter(scored_at__isnull=False).count()
    check(reviews == ENTRIES * JUDGES, f"{reviews} reviews, expected {ENTRIES * JUDGES}.")
    office = get_user_model().objects.get(email="office@bench.example")
    client = Client()
    client.force_login(office)
    url = reverse("awards:results", args=[stage.pk])

    def get():
        response = client.get(url)
        check(response.status_code == 200, f"GET {url} answered {response.status_code}.")
        return response

    listed = get().content.decode().count("benchプログラム")  # once per row
    check(listed == ENTRIES, f"the results list {listed} entries, expected {ENTRIES}.")
    progress(f"award results: {REQUESTS} requests")
    p95, queries = page_figures(get, REQUESTS)
    return (
        f"awards.results entries={ENTRIES} judges={JUDGES} scores={reviews} "
        f"p95_ms={p95:.1f} queries={queries}"
    )
