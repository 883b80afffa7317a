"""Wording on pages and admin screens: English pages in English, dates without doubled
periods, admin headers translated, success messages naming what they are about, addresses
left as typed, the admin's favicon, and intended refusals logged as one line."""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone, translation

from tests import factories

pytestmark = pytest.mark.django_db


def _page(client, url, language="ja"):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_english_assembly_pages_name_thresholds_in_english(client):
    assembly, _entries, voters, _items = factories.voting_assembly({"A財団": 3})
    client.force_login(voters["A財団"])
    url = reverse("assemblies:detail", args=[assembly.pk])
    english = _page(client, url, "en")
    assert "普通決議" not in english and "特別決議" not in english
    assert "more than 1/2 of the votes exercised" in english
    assert "at least 2/3 of the votes exercised and at least 1/2 of the voting members" in english
    assert "Held on" in english and "held on" not in english
    assert "p.m." not in english and "a.m." not in english
    japanese = _page(client, url, "ja")
    assert "普通決議" in japanese and "特別決議" in japanese


def test_english_times_are_on_the_24_hour_clock_with_no_doubled_period():
    moment = datetime(2026, 12, 7, 13, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    with translation.override("en"):
        text = formats.date_format(moment, "DATETIME_FORMAT")
        assert text == "Dec. 7, 2026, 13:00"
        assert not f"Voting closes on {text}.".endswith("..")
    with translation.override("ja"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2026年12月7日13:00"


def test_the_address_has_a_comma_after_the_prefecture_in_english(client, member, organisation):
    organisation.postal_code, organisation.address = "9208203", "金沢市鞍月2-20"
    organisation.save()
    client.force_login(member)
    url = reverse("members:organisation")
    assert "〒920-8203 Ishikawa, 金沢市鞍月2-20" in _page(client, url, "en")
    assert "〒920-8203 石川県金沢市鞍月2-20" in _page(client, url, "ja")


def test_admin_column_headers_are_translated(client, secretariat_with_mfa, organisation):
    from dues import services as dues_services

    factories.make_issuer()
    year = factories.due_membership_year(organisation)
    dues_services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)
    factories.make_entry(factories.make_edition())
    client.force_login(secretariat_with_mfa)
    invoices = _page(client, reverse("admin:dues_invoice_changelist"))
    assert "請求書番号" in invoices and "Display number" not in invoices
    entries = _page(client, reverse("admin:awards_entry_changelist"))
    assert "受付番号" in entries and ">Reference<" not in entries


# Column headers that read the same in Japanese.
ASCII_HEADERS = {"ID", "SHA-256", "URL", "PDF"}


def test_every_admin_list_column_and_read_only_field_has_a_translated_label():
    """label_for_field under Japanese: an English word left means a short_description or
    @admin.display without gettext_lazy, or a property the admin shows under its name."""
    untranslated = []
    with translation.override("ja"):
        for model, model_admin in admin.site._registry.items():
            names = [*model_admin.list_display, *model_admin.readonly_fields]
            for name in names:
                if not isinstance(name, str) or name in ("__str__", "action_checkbox"):
                    continue
                label = str(label_for_field(name, model, model_admin))
                if label.isascii() and label not in ASCII_HEADERS:
                    untranslated.append(f"{model._meta.label}.{name}: {label}")
    assert untranslated == []


def test_every_model_in_the_admin_has_its_own_str():
    """The admin names an object in its messages (「入出金明細 "…" を追加しました」) by str()."""
    default = [
        model._meta.label
        for model in admin.site._registry
        if model.__str__ is models.Model.__str__
    ]
    assert default == []


def test_the_statement_upload_message_names_the_file(client, secretariat_with_mfa):
    from dues.bankfiles import build_zengin

    factories.make_issuer()
    data = build_zengin(
        [(date(2026, 5, 21), 150000, "ｷﾖｳﾄｼｶｲｹｲｶﾝﾘｼﾔ", "2")], created_on=date(2026, 5, 31)
    )
    client.force_login(secretariat_with_mfa)
    response = client.post(
        reverse("admin:dues_statementimport_add"),
        {"upload": SimpleUploadedFile("may.txt", data)},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("may.txt" in m for m in messages), messages
    assert not any('""' in m or "“”" in m for m in messages), messages


def test_a_message_starting_with_an_address_keeps_it_as_typed(client, secretariat_with_mfa):
    issue = factories.make_issue(secretariat_with_mfa)
    client.force_login(secretariat_with_mfa)
    response = client.post(
        reverse("admin:newsletter_issue_workflow", args=[issue.pk, "test"]), follow=True
    )
    page = response.content.decode()
    assert "office@example.jp にテストを送信します" in page
    assert "Office@example.jp" not in page


def test_a_sent_issue_shows_its_prefectures_and_roles_by_name(client, secretariat_with_mfa):
    from newsletter.models import Issue

    issue = factories.make_issue(
        secretariat_with_mfa,
        status=Issue.Status.SENT,
        sent_at=timezone.now(),
        prefectures=[17, 18],
        roles=["representative"],
    )
    client.force_login(secretariat_with_mfa)
    response = client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    page = response.content.decode()
    assert "石川県, 福井県" in page and "代表者" in page
    form = response.context["adminform"].form
    assert "prefectures" not in form.fields and "roles" not in form.fields  # nothing to post
    assert "[17, 18]" not in page and "[&quot;representative&quot;]" not in page


def test_the_admin_has_a_favicon(client, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    page = _page(client, reverse("admin:index"))
    assert 'rel="icon"' in page and "img/favicon.svg" in page


def test_the_totp_secret_is_shown_in_a_full_width_box(client, secretariat):
    client.force_login(secretariat)
    client.cookies["django_language"] = "ja"
    response = client.get(reverse("mfa_activate_totp"))  # the password first, then the secret
    response = client.post(response["Location"], {"password": factories.PASSWORD}, follow=True)
    assert response.templates[0].name == "mfa/totp/activate_form.html"
    page = response.content.decode()
    secret = page.index('id="authenticator_secret"')
    assert 'class="form-control font-monospace"' in page[secret - 300 : secret]


def test_an_intended_refusal_is_logged_as_one_line(client, applicant, caplog):
    client.force_login(applicant)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("members:organisation"))
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.status_code == 403 and record.exc_info is None
    assert "Traceback" not in caplog.text
