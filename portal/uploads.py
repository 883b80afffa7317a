"""What an attachment really is, judged by its bytes: the name and the browser's claim are
ignored. Office files are ZIP archives, so they are opened and measured before being
accepted (a small file that inflates to gigabytes is refused)."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OFFICE_PARTS = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
MAGIC = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
]
ZIP_MAGIC = b"PK\x03\x04"
ACCEPTED = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), PowerPoint (.pptx)"


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str


def _office_type(upload) -> Checked:
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValidationError(_("This file is damaged: it cannot be opened.")) from error
    inflated = sum(member.file_size for member in members)
    if (
        len(members) > settings.AWARD_ATTACHMENT_MAX_ZIP_MEMBERS
        or inflated > settings.AWARD_ATTACHMENT_MAX_INFLATED_BYTES
    ):
        raise ValidationError(
            _("This Office file unpacks to far more than its size and is refused.")
        )
    names = {member.filename for member in members}
    if "[Content_Types].xml" in names:
        for prefix, (content_type, extension) in OFFICE_PARTS.items():
            if any(name.startswith(prefix) for name in names):
                return Checked(content_type, extension)
    raise ValidationError(
        _("A ZIP archive is not accepted; accepted are %(types)s.") % {"types": ACCEPTED}
    )


def check_attachment(upload) -> Checked:
    """The file's real type, or a ValidationError saying what is wrong with it."""
    limit = settings.AWARD_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise ValidationError(_("This file is empty."))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, content_type, extension in MAGIC:
        if head.startswith(magic):
            return Checked(content_type, extension)
    if head.startswith(ZIP_MAGIC):
        return _office_type(upload)
    raise ValidationError(
        _("This file's content is not an accepted type; accepted are %(types)s.")
        % {"types": ACCEPTED}
    )


# Names Windows refuses for a file, whatever the extension (CON.pdf is the console).
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in "123456789"
}
WINDOWS_FORBIDDEN = set('<>:"|?*')


def safe_name(name: str) -> str:
    """The file name to show and download as: no directories (nor a drive), no control
    characters, nothing Windows refuses to save."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = base.rsplit(":", 1)[-1]  # "C:evil.pdf", or an NTFS stream "a.pdf:evil"
    cleaned = "".join(
        "_" if ch in WINDOWS_FORBIDDEN else ch for ch in base if ch.isprintable()
    ).strip(" .")
    if cleaned.split(".", 1)[0].strip(" ").upper() in WINDOWS_RESERVED:
        cleaned = f"_{cleaned}"
    return cleaned[:150] or "attachment"
