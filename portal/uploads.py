"""What an attachment really is, judged by its bytes: the name and the browser's claim are
ignored. A PDF must parse with its pages and an image must decode, so that a file that
merely starts like one (a polyglot carrying HTML or a program) is refused. Office files
are ZIP archives, so they are inflated and measured before being accepted (a small file
that inflates to gigabytes is refused)."""

import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

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
# An image this large decodes to hundreds of megabytes: refused before it is decoded.
MAX_IMAGE_PIXELS = 40_000_000
ZIP_MAGIC = b"PK\x03\x04"
ACCEPTED = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), PowerPoint (.pptx)"


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str


CHUNK = 64 * 1024
# A ZIP local file header: signature, five fields, CRC and sizes, name and extra lengths.
LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def _damaged():
    return ValidationError(_("This file is damaged: it cannot be opened."), code="damaged")


def _bomb():
    return ValidationError(
        _("This Office file unpacks to far more than its size and is refused."), code="bomb"
    )


def _inflated(file, member: zipfile.ZipInfo, budget: int) -> int:
    """The bytes `member` really inflates to, counting no more than about `budget` of them.
    An archive declares each member's sizes and a bomb lies about them, so the deflate
    stream is read from the member's local header until it ends or the budget is spent."""
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size  # stored bytes: no more than the file itself holds
    if member.compress_type != zipfile.ZIP_DEFLATED or member.flag_bits & 1:
        raise _damaged()  # Office files are deflated and not encrypted
    file.seek(member.header_offset)
    header = file.read(LOCAL_HEADER.size)
    signature, *_fields, name_length, extra_length = LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise _damaged()
    file.seek(member.header_offset + LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size, pending = 0, b""
    while not inflater.eof and size <= budget:
        pending = pending or file.read(CHUNK)
        if not pending:
            raise _damaged()  # the stream stops short of its end
        size += len(inflater.decompress(pending, CHUNK))
        pending = inflater.unconsumed_tail
    return size


def measure_archive(file, *, max_members: int, max_inflated: int) -> set[str]:
    """The member names of a ZIP archive, once the bytes it unpacks to have been counted
    (not the sizes it declares); a ValidationError if it is damaged or unpacks to more
    than `max_inflated` bytes in all."""
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
        members = archive.infolist()
        if len(members) > max_members:
            raise _bomb()
        total = 0
        for member in members:
            total += _inflated(file, member, max_inflated - total)
            if total > max_inflated:
                raise _bomb()
    except (zipfile.BadZipFile, zlib.error, struct.error, OSError, EOFError) as error:
        raise _damaged() from error
    finally:
        file.seek(0)
    return {member.filename for member in members}


def _office_type(upload) -> Checked:
    names = measure_archive(
        upload,
        max_members=settings.AWARD_ATTACHMENT_MAX_ZIP_MEMBERS,
        max_inflated=settings.AWARD_ATTACHMENT_MAX_INFLATED_BYTES,
    )
    if "[Content_Types].xml" in names:
        for prefix, (content_type, extension) in OFFICE_PARTS.items():
            if any(name.startswith(prefix) for name in names):
                return Checked(content_type, extension)
    raise ValidationError(
        _("A ZIP archive is not accepted; accepted are %(types)s.") % {"types": ACCEPTED}
    )


def _check_pdf(upload) -> None:
    """Parsed strictly (pypdf), down to its page count: at least one page."""
    try:
        pages = len(PdfReader(upload, strict=True).pages)
    except Exception as error:  # pypdf raises many kinds for a damaged file
        raise _damaged() from error
    if pages < 1:
        raise _damaged()


def _check_image(upload, image_format: str) -> None:
    """Decoded whole (Pillow) in the format its first bytes claim; a JPEG at an eighth of
    its size, which still reads all of its data."""
    try:
        with Image.open(upload, formats=[image_format]) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("This image has too many pixels; the limit is %(limit)s.")
                    % {"limit": f"{MAX_IMAGE_PIXELS:,}"},
                    code="pixels",
                )
            image.draft("RGB", (image.width // 8, image.height // 8))
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _damaged() from error


PARSERS = {
    "pdf": _check_pdf,
    "png": lambda upload: _check_image(upload, "PNG"),
    "jpg": lambda upload: _check_image(upload, "JPEG"),
}


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
            try:
                PARSERS[extension](upload)
            finally:
                upload.seek(0)
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


def typed_name(name: str, checked: Checked) -> str:
    """`safe_name`, ending in the extension of the type the content was found to be (a PDF
    sent as "plan.doc" is kept as "plan.pdf")."""
    name = safe_name(name)
    if name.lower().endswith(f".{checked.extension}"):
        return name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.{checked.extension}"
