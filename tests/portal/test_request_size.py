"""Request bodies over the limits: refused with a page or a 400, never read whole nor a 500."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation

from awards.models import Attachment
from tests import factories
from tests.sample_files import PDF, attach

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(applicant):
    return factories.make_entry(factories.make_edition(), applicant, status="draft")


def test_the_limit_is_the_proxys():
    runbook = (Path(settings.BASE_DIR) / "docs" / "runbook.md").read_text(encoding="utf-8")
    assert "client_max_body_size 20m;" in runbook
    assert settings.REQUEST_MAX_BYTES == 20 * 1024 * 1024


def test_a_body_over_the_limit_is_refused_with_413(client, applicant, entry, settings):
    settings.REQUEST_MAX_BYTES = 4096
    client.force_login(applicant)
    response = attach(client, entry, "計画書.pdf", PDF + b"\n" * 5000)
    assert response.status_code == 413
    page = response.content.decode()
    with translation.override("ja"):
        assert "送信内容が大きすぎます" in page and filesizeformat(4096) in page
    assert not Attachment.objects.exists()
    assert attach(client, entry, "計画書.pdf", PDF).status_code == 302  # under it: accepted


@pytest.mark.parametrize(
    ("setting", "data"),
    [
        ("DATA_UPLOAD_MAX_MEMORY_SIZE", {"note": "x" * 2000}),
        ("DATA_UPLOAD_MAX_NUMBER_FIELDS", {f"field{n}": "x" for n in range(20)}),
    ],
)
def test_too_many_or_too_large_fields_are_a_400(client, applicant, entry, settings, setting, data):
    setattr(settings, setting, 1000 if setting == "DATA_UPLOAD_MAX_MEMORY_SIZE" else 10)
    client.force_login(applicant)
    response = client.post(reverse("awards:entry_attach", args=[entry.pk]), data)
    assert response.status_code == 400
