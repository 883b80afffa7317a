"""Applying: drafts, completeness on submission, the deadline lock, confirmation mail."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from awards import services
from awards.models import Entry
from outbox.models import Delivery

pytestmark = pytest.mark.django_db


def programme(edition):
    return edition.tracks.get(kind="programme")


def test_a_member_starts_an_entry_filled_in_from_its_organisation(edition, member, organisation):
    entry = services.start_entry(programme(edition), member)

    assert entry.status == Entry.Status.DRAFT and entry.owner == member
    assert entry.organisation == organisation
    assert entry.organisation_name == organisation.name
    assert entry.prefecture == organisation.prefecture
    assert entry.contact_name == "山田 花子" and entry.contact_email == "member@example.jp"


def test_a_non_member_starts_an_empty_entry(edition, applicant):
    entry = services.start_entry(programme(edition), applicant)
    assert entry.organisation is None and entry.organisation_name == ""
    assert entry.contact_email == applicant.email


def test_a_draft_saves_incomplete_and_submission_names_what_is_missing(client, edition, applicant):
    entry = services.start_entry(programme(edition), applicant)
    client.force_login(applicant)
    url = reverse("awards:entry", args=[entry.pk])

    response = client.post(url, {"title": "ものづくり伴走支援", "save": ""})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "ものづくり伴走支援" and entry.status == Entry.Status.DRAFT

    response = client.post(url, {"title": "ものづくり伴走支援", "submit": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "summary" in errors and "section_background" in errors and "title" not in errors
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT and entry.title == "ものづくり伴走支援"
    assert not Delivery.objects.exists()


def complete_post(entry, **extra):
    data = {
        "title": "ものづくり伴走支援",
        "organisation_name": "公益財団法人テスト財団",
        "prefecture": "17",
        "summary": "地域企業の新事業を伴走支援する。",
        "keywords": "伴走支援, ものづくり",
        "contact_name": "応募 太郎",
        "contact_email": "entry@example.jp",
        **{f"section_{s.key}": f"{s.label}について" for s in entry.track.sections.all()},
    }
    return {**data, **extra}


def test_submission_and_each_change_are_confirmed_by_mail_with_a_summary(
    client, edition, applicant, smtp_server, django_capture_on_commit_callbacks
):
    entry = services.start_entry(programme(edition), applicant)
    client.force_login(applicant)
    url = reverse("awards:entry", args=[entry.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, complete_post(entry, submit=""))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED and entry.submitted_at is not None

    (message,) = smtp_server.messages()
    assert message["To"] == "entry@example.jp"
    assert "提出" in message["Subject"]
    text = message.get_content()
    assert entry.reference in text and "ものづくり伴走支援" in text and "背景・目的" in text

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, complete_post(entry, summary="内容を更新しました。", save=""))
    assert len(smtp_server.messages()) == 2
    assert "内容を更新しました。" in smtp_server.messages()[1].get_content()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


def test_a_submitted_entry_cannot_be_emptied(edition, applicant):
    entry = services.start_entry(programme(edition), applicant)
    form = complete_post(entry)
    fields = {k: v for k, v in form.items() if not k.startswith("section_")}
    sections = {k.removeprefix("section_"): v for k, v in form.items() if k.startswith("section_")}
    services.save_entry(entry.pk, {**fields, "prefecture": 17}, sections, applicant)
    services.submit_entry(entry.pk, applicant)

    with pytest.raises(ValidationError) as error:
        services.save_entry(entry.pk, {"summary": ""}, {}, applicant)
    assert "summary" in error.value.message_dict
    assert Entry.objects.get(pk=entry.pk).summary == form["summary"]


def close_entries(edition):
    edition.nomination_deadline = edition.entry_deadline = timezone.now() - timedelta(minutes=1)
    edition.save()


def test_no_submission_or_change_after_the_deadline(client, edition, applicant):
    entry = services.start_entry(programme(edition), applicant)
    close_entries(edition)

    with translation.override("en"), pytest.raises(ValidationError, match="deadline"):
        services.submit_entry(entry.pk, applicant)
    with translation.override("en"), pytest.raises(ValidationError, match="deadline"):
        services.save_entry(entry.pk, {"title": "遅れた応募"}, {}, applicant)

    client.force_login(applicant)
    url = reverse("awards:entry", args=[entry.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["open_for_changes"]
    client.post(url, complete_post(entry, submit=""))
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT and entry.title == ""


def test_no_new_entry_before_the_call_or_after_it(edition, applicant):
    close_entries(edition)
    with pytest.raises(ValidationError):
        services.start_entry(programme(edition), applicant)
    edition.call_opens_at = edition.nomination_deadline = edition.entry_deadline = (
        timezone.now() + timedelta(days=5)
    )
    edition.save()
    with pytest.raises(ValidationError):
        services.start_entry(programme(edition), applicant)


def test_the_applicant_lists_its_entries_with_their_status(client, edition, applicant, member):
    own = services.start_entry(programme(edition), applicant)
    other = services.start_entry(programme(edition), member)
    client.force_login(applicant)
    entries = list(client.get(reverse("awards:index")).context["entries"])
    assert entries == [own] and other not in entries


def test_withdrawing_an_entry_asks_first(client, edition, applicant):
    entry = services.start_entry(programme(edition), applicant)
    client.force_login(applicant)
    url = reverse("awards:entry_withdraw", args=[entry.pk])
    # The entry page's button saves what was typed, then asks.
    response = client.post(url, {"entry_form": "1", "title": "取り下げる前の題名"})
    assert response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT and entry.title == "取り下げる前の題名"

    client.post(url, {"confirm": "1"})
    entry.refresh_from_db()
    assert entry.status == Entry.Status.WITHDRAWN
    assert (
        client.get(reverse("awards:entry", args=[entry.pk])).context["open_for_changes"] is False
    )


def test_partner_lines_naming_a_member_link_to_it(edition, applicant, organisation):
    entry = services.start_entry(programme(edition), applicant)
    services.save_entry(
        entry.pk, {"co_applicants": f"{organisation.short_name}\n地元信用金庫"}, {}, applicant
    )
    assert list(entry.co_applicant_organisations.all()) == [organisation]


def test_asking_the_secretariat_keeps_what_was_typed_in_the_form(client, edition, applicant):
    entry = services.start_entry(programme(edition), applicant)
    client.force_login(applicant)
    client.post(
        reverse("awards:entry_question", args=[entry.pk]),
        {"entry_form": "1", "title": "質問の前に書いた題名", "question": "対象になりますか。"},
    )
    entry.refresh_from_db()
    assert entry.title == "質問の前に書いた題名"
    assert entry.questions.get().question == "対象になりますか。"


def test_saving_the_draft_keeps_a_question_typed_but_not_sent(client, edition, applicant):
    entry = services.start_entry(programme(edition), applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("awards:entry", args=[entry.pk]),
        {"entry_form": "1", "title": "題名", "question": "まだ送っていない質問", "save": ""},
    )
    assert response.status_code == 200
    assert "まだ送っていない質問" in response.content.decode()
    assert not entry.questions.exists()
    entry.refresh_from_db()
    assert entry.title == "題名"
