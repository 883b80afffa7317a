"""Attachments are judged by their bytes, never by their name, and served only to those
allowed to read the entry."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from awards import judging
from awards.models import Attachment
from portal.uploads import check_attachment
from tests import factories
from tests.sample_files import JPEG, PDF, PNG, another_pdf, attach, office

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(edition, applicant):
    return factories.make_entry(edition, applicant, status="draft")


def upload(client, entry, name, content):
    return attach(client, entry, name, content, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_name"),
    [
        ("計画書.pdf", PDF, "application/pdf", "計画書.pdf"),
        ("写真.PNG", PNG, "image/png", "写真.PNG"),
        ("scan", JPEG, "image/jpeg", "scan.jpg"),
        (
            "実績.docx",
            office(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "実績.docx",
        ),
        (
            "予算.xlsx",
            office("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "予算.xlsx",
        ),
        ("mislabelled.docx", PDF, "application/pdf", "mislabelled.pdf"),
    ],
)
def test_accepted_files_are_typed_by_content(
    client, applicant, entry, name, content, content_type, stored_name
):
    client.force_login(applicant)
    response = upload(client, entry, name, content)
    attachment = Attachment.objects.get(entry=entry)
    assert attachment.content_type == content_type and attachment.name == stored_name
    assert attachment.size == len(content)
    assert any(stored_name in m for m in messages_of(response))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 this is a Windows program", "content is not an accepted type"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "content is not an accepted type"),
        ("archive.docx", office("payload/evil.exe"), "A ZIP archive is not accepted"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "This file is damaged"),
    ],
)
def test_wrong_types_are_refused_with_a_clear_message(
    client, applicant, entry, name, content, message
):
    with translation.override("en"), pytest.raises(ValidationError, match=message) as refused:
        check_attachment(SimpleUploadedFile(name, content))
    client.force_login(applicant)
    response = upload(client, entry, name, content)
    assert not Attachment.objects.exists()
    with translation.override("ja"):
        shown = check_attachment_message(name, content)
    assert shown in messages_of(response) and shown != refused.value.messages[0]


def test_an_empty_file_is_refused_with_a_message(client, applicant, entry):
    client.force_login(applicant)
    response = upload(client, entry, "empty.pdf", b"")
    assert not Attachment.objects.exists() and messages_of(response)
    with translation.override("en"), pytest.raises(ValidationError, match="empty"):
        check_attachment(SimpleUploadedFile("empty.pdf", b""))


def check_attachment_message(name, content) -> str:
    try:
        check_attachment(SimpleUploadedFile(name, content))
    except ValidationError as error:
        return error.messages[0]
    raise AssertionError("accepted")


def test_too_large_is_refused(client, applicant, entry, settings):
    settings.AWARD_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(applicant)
    response = upload(client, entry, "big.pdf", PDF + b"0" * 2000)
    assert not Attachment.objects.exists()
    assert any("1.0" in m for m in messages_of(response))


def test_a_zip_bomb_in_an_office_file_is_refused(client, applicant, entry, settings):
    settings.AWARD_ATTACHMENT_MAX_INFLATED_BYTES = 1024 * 1024
    bomb = office(extra=[("word/media/zeros.bin", b"\x00" * (8 * 1024 * 1024))])
    assert len(bomb) < 64 * 1024  # a small file that unpacks to 8 MB
    client.force_login(applicant)
    upload(client, entry, "bomb.docx", bomb)
    assert not Attachment.objects.exists()


def test_path_tricks_in_names_are_dropped_and_storage_names_are_random(client, applicant, entry):
    client.force_login(applicant)
    upload(client, entry, "../../etc/passwd.pdf", PDF)
    upload(client, entry, "..\\..\\boot.ini\x00.pdf", another_pdf(1))
    names = sorted(Attachment.objects.values_list("name", flat=True))
    assert names == ["boot.ini.pdf", "passwd.pdf"]
    for attachment in Attachment.objects.all():
        assert attachment.file.name.startswith("awards/attachments/")
        assert attachment.name not in attachment.file.name and ".." not in attachment.file.name


def test_at_most_the_configured_number_of_attachments(client, applicant, entry, settings):
    settings.AWARD_ATTACHMENTS_PER_ENTRY = 2
    client.force_login(applicant)
    for n in range(3):
        response = upload(client, entry, f"{n}.pdf", another_pdf(n))
    assert Attachment.objects.count() == 2
    assert any("2" in m for m in messages_of(response))


def test_downloads_go_to_the_owner_the_secretariat_and_assigned_judges_only(
    client,
    applicant,
    outsider,
    secretariat_with_mfa,
    staff_without_permissions,
    judge,
    entry,
    first_round,
    judging_edition,
):
    client.force_login(applicant)
    upload(client, entry, "計画書.pdf", PDF)
    attachment = Attachment.objects.get()
    url = reverse("awards:attachment", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment;" in response["Content-Disposition"]

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(staff_without_permissions)  # staff, but not allowed to see entries
    assert client.get(url).status_code == 404
    client.force_login(secretariat_with_mfa)
    assert client.get(url).status_code == 200

    # A judge of a round this entry is not in gets nothing; once assigned, the file.
    judgeship = factories.make_judge(judging_edition, judge)
    client.force_login(judge)
    assert client.get(url).status_code == 404
    entry.edition, entry.track = judging_edition, judging_edition.tracks.get(kind="programme")
    entry.status = "submitted"
    entry.save()
    judging.assign(first_round, [judgeship], judging_edition.entries.all(), secretariat_with_mfa)
    assert client.get(url).status_code == 200
    judging.declare_conflict(judgeship, entry, "personal", "", judge)
    assert client.get(url).status_code == 404


def test_removing_an_attachment(client, applicant, outsider, entry):
    client.force_login(applicant)
    upload(client, entry, "計画書.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(outsider)
    assert (
        client.post(reverse("awards:attachment_remove", args=[attachment.pk])).status_code == 404
    )
    client.force_login(applicant)
    client.post(reverse("awards:attachment_remove", args=[attachment.pk]), {"confirm": "1"})
    assert not Attachment.objects.exists()


def typed(entry, **fields) -> dict:
    """What the entry page's one form posts: the marker, the draft as typed, `fields`."""
    return {"entry_form": "1", "title": entry.title, "summary": entry.summary, **fields}


def attach_typed(client, entry, *, follow=False, **fields):
    """The entry page's Attach button: the file posted with the draft as typed."""
    upload = SimpleUploadedFile("計画書.pdf", PDF, content_type="application/pdf")
    return client.post(
        reverse("awards:entry_attach", args=[entry.pk]),
        typed(entry, file=upload, **fields),
        follow=follow,
    )


def test_attaching_a_file_keeps_what_was_typed_in_the_form(client, applicant, entry):
    client.force_login(applicant)
    response = attach_typed(
        client, entry, title="書きかけの題名", summary="添付の前に書いた概要", follow=True
    )
    entry.refresh_from_db()
    assert (entry.title, entry.summary) == ("書きかけの題名", "添付の前に書いた概要")
    assert Attachment.objects.get(entry=entry).name == "計画書.pdf"
    assert response.context["form"]["summary"].value() == "添付の前に書いた概要"


def test_a_form_that_cannot_be_saved_attaches_nothing_and_keeps_the_typing(
    client, applicant, entry
):
    client.force_login(applicant)
    response = attach_typed(client, entry, summary="残したい文章", contact_email="not an address")
    assert response.status_code == 200
    assert "contact_email" in response.context["form"].errors
    assert "残したい文章" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_same_file_twice_is_refused_naming_the_first(client, applicant, entry):
    client.force_login(applicant)
    upload(client, entry, "計画書.pdf", PDF)
    response = upload(client, entry, "計画書（再送）.pdf", PDF)
    assert Attachment.objects.filter(entry=entry).count() == 1
    assert messages_of(response) == [
        gettext("This file is attached already, as %(name)s.") % {"name": "計画書.pdf"}
    ]
    upload(client, entry, "別紙.pdf", another_pdf(1))  # another file is welcome
    assert Attachment.objects.filter(entry=entry).count() == 2


def test_removing_a_file_asks_first_and_keeps_the_typing(client, applicant, entry):
    client.force_login(applicant)
    upload(client, entry, "計画書.pdf", PDF)
    attachment = Attachment.objects.get()
    url = reverse("awards:attachment_remove", args=[attachment.pk])

    # The entry page's remove button: the typed draft is saved, then the question.
    response = client.post(url, typed(entry, summary="消す前に書いた概要"))
    assert response.status_code == 302 and response["Location"] == url
    entry.refresh_from_db()
    assert entry.summary == "消す前に書いた概要" and Attachment.objects.exists()
    page = client.get(url)
    assert page.status_code == 200 and "計画書.pdf" in page.content.decode()
    assert 'name="confirm"' in page.content.decode()
    assert Attachment.objects.exists()  # asking removes nothing

    response = client.post(url, {"confirm": "1"})
    assert response["Location"] == reverse("awards:entry", args=[entry.pk])
    assert not Attachment.objects.exists()


def test_merging_keeps_one_copy_of_a_file_both_entries_hold(
    applicant, edition, entry, secretariat
):
    from awards import services

    twin = factories.make_entry(edition, applicant, status="draft")
    limit = 5
    services.add_attachment(entry.pk, SimpleUploadedFile("a.pdf", PDF), applicant, limit)
    services.add_attachment(twin.pk, SimpleUploadedFile("b.pdf", PDF), applicant, limit)
    services.add_attachment(twin.pk, SimpleUploadedFile("c.pdf", another_pdf(1)), applicant, limit)
    services.merge_entries(entry.pk, twin.pk, secretariat)
    assert sorted(entry.attachments.values_list("name", flat=True)) == ["a.pdf", "c.pdf"]
