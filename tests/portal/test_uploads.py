"""Upload hardening across the portal, beyond tests/awards/test_attachments.py: names with
path tricks, Windows' reserved names, ZIP archives of too many parts, the assembly's agenda
documents and the secretariat's imports (type, size, zip bombs, storage names), and no
uploaded file under a URL anybody could open or a server could run."""

import io
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext

from awards.models import Attachment
from portal.uploads import Checked, check_attachment, safe_name, typed_name
from tests import factories
from tests.sample_files import JPEG, PDF, PNG, another_pdf, attach, declaring, office

pytestmark = pytest.mark.django_db


def bomb(kind="word/document.xml"):
    return office(kind, extra=[("word/media/zeros.bin", b"\x00" * (8 * 1024 * 1024))])


def lying_bomb(archive: bytes) -> bytes:
    """`archive` with 8 MiB of zeros (8 KB deflated) that the archive says are 1,000 bytes."""
    buffer = io.BytesIO(archive)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as grown:
        grown.writestr("xl/media/zeros.bin", b"\x00" * (8 * 1024 * 1024))
    return declaring(buffer.getvalue(), "xl/media/zeros.bin", 1000)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Windows\\System32\\drivers.pdf", "drivers.pdf"),
        ("C:evil.pdf", "evil.pdf"),
        ("\\\\server\\share\\計画書.pdf", "計画書.pdf"),
        ("../../../../tmp/x.pdf", "x.pdf"),
        ("..", "attachment"),
        ("report\x00.exe.pdf", "report.exe.pdf"),
        ("\u202efdp.exe", "fdp.exe"),  # right-to-left override: shown as "exe.pdf"
        ("CON.pdf", "_CON.pdf"),
        ("nul", "_nul"),
        ("com1.docx", "_com1.docx"),
        ("LPT9 .xlsx", "_LPT9 .xlsx"),
        ("console.pdf", "console.pdf"),  # only the exact device names are reserved
        ('a<b>c:"d"|e?f*.pdf', "_d__e_f_.pdf"),
        ("trailing dots. . .", "trailing dots"),
        ("x" * 300 + ".pdf", "x" * 150),
    ],
)
def test_names_lose_directories_devices_and_characters_windows_refuses(given, kept):
    assert safe_name(given) == kept


@pytest.fixture
def entry(applicant):
    return factories.make_entry(factories.make_edition(), applicant, status="draft")


def test_a_reserved_or_absolute_name_is_stored_safely_and_downloads_under_it(
    client, applicant, entry
):
    client.force_login(applicant)
    attach(client, entry, "/var/www/CON.pdf", PDF)
    attachment = Attachment.objects.get()
    assert attachment.name == "_CON.pdf"
    response = client.get(reverse("awards:attachment", args=[attachment.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="_CON.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "type"),
        (b"GIF89a" + b"\x00" * 16, "type"),
        (b"#!/bin/sh\nrm -rf /\n", "type"),
        (b"<?php system($_GET['c']); ?>", "type"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 16, "type"),
        (office(extra=[(f"word/p{n}.xml", "") for n in range(30)]), "unpacks"),
    ],
)
def test_content_that_could_run_or_too_many_zip_parts_is_refused(settings, content, message):
    settings.AWARD_ATTACHMENT_MAX_ZIP_MEMBERS = 20
    with pytest.raises(ValidationError):
        check_attachment(SimpleUploadedFile("harmless.pdf", content))


# --- Storage and serving ----------------------------------------------------------------------


def test_stored_files_have_random_names_without_extension_and_no_execute_bit(
    client, applicant, entry, tmp_path
):
    client.force_login(applicant)
    attach(client, entry, "run.sh.pdf", PDF)
    attach(client, entry, "計画書.pdf", another_pdf(1))
    stored = [a.file.name for a in Attachment.objects.all()]
    assert len(set(stored)) == 2
    for name in stored:
        directory, base = name.rsplit("/", 1)
        assert directory == "awards/attachments"
        assert len(base) == 32 and "." not in base  # a UUID: nothing to guess, no extension
        mode = (tmp_path / name).stat().st_mode
        assert not mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.mark.parametrize("debug", [False, True])
def test_media_is_never_served_by_url(client, applicant, entry, settings, debug):
    settings.DEBUG = debug
    client.force_login(applicant)
    attach(client, entry, "計画書.pdf", PDF)
    stored = Attachment.objects.get().file.name
    for path in (
        f"/{settings.MEDIA_URL}{stored}",
        f"/media/{stored}",
        f"/static/../media/{stored}",
    ):
        with pytest.raises(Resolver404):
            resolve(path)
        assert client.get(path).status_code == 404, path


def test_media_root_lies_outside_what_whitenoise_serves():
    media = Path(settings.MEDIA_ROOT).resolve()
    served = [Path(settings.STATIC_ROOT)] + [
        Path(d[1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS
    ]
    for root in served:
        root = root.resolve()
        assert not media.is_relative_to(root) and not root.is_relative_to(media), root
    assert getattr(settings, "WHITENOISE_ROOT", None) is None


# --- The assembly's agenda documents ----------------------------------------------------------


def _attachment_form(name, content):
    from assemblies.admin import AgendaAttachmentForm

    return AgendaAttachmentForm(
        data={"title": "第1号議案資料"}, files={"file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("議案.pdf", b"MZ\x90\x00 a Windows program"),
        ("議案.pdf", b"<html><script>alert(1)</script></html>"),
        ("議案.docx", office("payload/evil.exe")),
        ("議案.docx", bomb()),
        ("議案.pdf", b""),
    ],
)
def test_agenda_documents_are_typed_by_content_in_the_admin(name, content, settings):
    settings.AWARD_ATTACHMENT_MAX_INFLATED_BYTES = 1024 * 1024
    form = _attachment_form(name, content)
    assert not form.is_valid() and "file" in form.errors


def test_an_oversized_agenda_document_is_refused(settings):
    settings.AWARD_ATTACHMENT_MAX_BYTES = 1024
    assert not _attachment_form("議案.pdf", PDF + b"0" * 2000).is_valid()
    assert _attachment_form("議案.pdf", PDF).is_valid()


def _agenda_document(title, content):
    from assemblies.models import AgendaAttachment

    _assembly, _entries, voters, items = factories.voting_assembly({"A財団": 1})
    document = AgendaAttachment.objects.create(
        item=items["ordinary"], title=title, file=ContentFile(content, "upload.bin")
    )
    return document, voters["A財団"]


@pytest.mark.parametrize(
    ("title", "content", "filename", "content_type"),
    [
        (
            "事業計画書",
            PDF,
            "%E4%BA%8B%E6%A5%AD%E8%A8%88%E7%94%BB%E6%9B%B8.pdf",
            "application/pdf",
        ),
        (
            "../予算.xlsx",
            office("xl/workbook.xml"),
            "%E4%BA%88%E7%AE%97.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("AUX", b"legacy bytes", "_AUX", "application/octet-stream"),
    ],
)
def test_agenda_documents_download_under_a_safe_name_typed_by_content(
    client, title, content, filename, content_type
):
    document, voter = _agenda_document(title, content)
    client.force_login(voter)
    response = client.get(reverse("assemblies:attachment", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and filename in disposition
    assert b"".join(response.streaming_content) == content  # whole, from the first byte
    assert document.file.name.startswith("assemblies/attachments/")
    assert "." not in document.file.name.rsplit("/", 1)[1]


# --- The secretariat's imports ----------------------------------------------------------------


def test_a_member_list_is_stored_under_a_random_name(secretariat):
    from members import imports

    job = imports.queue(SimpleUploadedFile("../../会員名簿.csv", b"a,b\n"), secretariat)
    assert job.file_name == "会員名簿.csv"
    directory, base = job.upload.name.rsplit("/", 1)
    assert directory.startswith("imports/") and len(base) == 32 and "." not in base


def test_oversized_imports_are_refused_before_they_are_read(monkeypatch, secretariat):
    from dues.admin import StatementUploadForm
    from members.admin import OrganisationImportForm

    monkeypatch.setattr("portal.tabular.MAX_BYTES", 100)
    big = b"0" * 101
    statement = StatementUploadForm(
        data={}, files={"upload": SimpleUploadedFile("may.txt", big)}, user=secretariat
    )
    assert not statement.is_valid() and statement.imported is None
    members = OrganisationImportForm(data={}, files={"upload": SimpleUploadedFile("a.csv", big)})
    assert not members.is_valid() and "upload" in members.errors


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("会員名簿.xlsx", bomb("xl/workbook.xml")),
        ("会員名簿.xlsx", b"PK\x03\x04 not really a zip"),
        ("会員名簿.csv", b"0" * 101),
    ],
)
def test_tables_that_unpack_too_far_or_are_too_large_are_rejected(monkeypatch, name, content):
    from portal.tabular import Rejected, read_rows

    monkeypatch.setattr("portal.tabular.MAX_INFLATED_BYTES", 1024 * 1024)
    monkeypatch.setattr("portal.tabular.MAX_BYTES", 100 if name.endswith(".csv") else 10**6)
    with pytest.raises(Rejected) as rejected:
        read_rows(content, name)
    assert rejected.value.problems[0]["row"] == 0


def test_a_winners_archive_bomb_is_rejected(monkeypatch):
    from awards import archive_import
    from portal.tabular import Rejected

    monkeypatch.setattr("portal.tabular.MAX_INFLATED_BYTES", 1024 * 1024)
    with pytest.raises(Rejected):
        archive_import.import_winners(bomb("xl/workbook.xml"), "受賞者.xlsx")


# --- Archives that lie about their sizes ---------------------------------------------------------


def _workbook() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["法人名", "石川県産業創出支援機構"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_attachment_is_measured_by_what_it_inflates_to_not_what_it_declares(settings):
    settings.AWARD_ATTACHMENT_MAX_INFLATED_BYTES = 1024 * 1024
    honest = _workbook()
    assert check_attachment(SimpleUploadedFile("予算.xlsx", honest)).extension == "xlsx"
    liar = lying_bomb(honest)
    declared = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(liar)).infolist())
    assert len(liar) < 30_000 and declared < 20_000  # small, and says it stays small
    with pytest.raises(ValidationError) as refused:
        check_attachment(SimpleUploadedFile("予算.xlsx", liar))
    assert refused.value.code == "bomb"


def test_a_member_list_that_lies_about_its_size_is_rejected(monkeypatch):
    from portal.tabular import Rejected, read_rows

    monkeypatch.setattr("portal.tabular.MAX_INFLATED_BYTES", 1024 * 1024)
    assert read_rows(_workbook(), "会員名簿.xlsx") == [["法人名", "石川県産業創出支援機構"]]
    with pytest.raises(Rejected) as rejected:
        read_rows(lying_bomb(_workbook()), "会員名簿.xlsx")
    assert rejected.value.problems[0]["message"] == gettext(
        "This Office file unpacks to far more than its size and is refused."
    )


# --- Polyglots: a file must be what it starts as, all through ----------------------------------


def _pdf_without_pages() -> bytes:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n"
        + b"MZ\x90\x00\x03"
        + b"\x00" * 64
        + b"This program cannot be run in DOS mode.\n%%EOF\n",
        PDF[: len(PDF) // 2],
        _pdf_without_pages(),
        PNG[:16] + b"<html><script>alert(1)</script></html>",
        PNG[: len(PNG) // 2],
        JPEG[:4] + b"<html><script>alert(1)</script></html>" + b"\x00" * 64,
    ],
    ids=["pdf-html-exe", "pdf-cut", "pdf-no-pages", "png-html", "png-cut", "jpeg-html"],
)
def test_a_file_that_only_starts_like_a_pdf_or_an_image_is_refused(content):
    with pytest.raises(ValidationError) as refused:
        check_attachment(SimpleUploadedFile("計画書.pdf", content))
    assert refused.value.code == "damaged"


@pytest.mark.parametrize(("content", "extension"), [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpg")])
def test_real_pdfs_and_images_are_accepted(content, extension):
    assert check_attachment(SimpleUploadedFile("file", content)).extension == extension


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr("portal.uploads.MAX_IMAGE_PIXELS", 100)  # the sample has 256
    with pytest.raises(ValidationError) as refused:
        check_attachment(SimpleUploadedFile("写真.png", PNG))
    assert refused.value.code == "pixels"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("plan.pdf", "plan.pdf"),
        ("PLAN.PDF", "PLAN.PDF"),
        ("plan.doc", "plan.pdf"),  # the content is a PDF
        ("計画書", "計画書.pdf"),
        ("../../etc/plan.txt", "plan.pdf"),
    ],
)
def test_a_stored_name_ends_in_the_type_the_content_is(sent, kept):
    assert typed_name(sent, Checked("application/pdf", "pdf")) == kept
