"""Files for the upload tests: minimal documents of each kind, built in memory."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from fpdf import FPDF
from PIL import Image


def _pdf(title: str = "") -> bytes:
    document = FPDF()
    document.add_page()
    if title:
        document.set_title(title)
    return bytes(document.output())


def another_pdf(n: int) -> bytes:
    """A blank page like PDF, but other bytes (an entry refuses the same file twice)."""
    return _pdf(f"copy {n}")


def _image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, image_format)
    return buffer.getvalue()


PDF = _pdf()  # one blank page
PNG = _image("PNG")
JPEG = _image("JPEG")


def office(kind="word/document.xml", extra=()):
    """An Office file (a ZIP) whose main part is `kind`, with `extra` (name, bytes) parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(kind, "<document/>")
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def attach(client, entry, name, content, *, follow=False):
    """Upload `content` as `name` to an award entry, claiming to be a PDF whatever it is."""
    return client.post(
        reverse("awards:entry_attach", args=[entry.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        follow=follow,
    )


def declaring(archive: bytes, name: str, size: int) -> bytes:
    """`archive` with member `name` declaring it unpacks to `size` bytes, in its local
    header and in the central directory alike, whatever it really unpacks to."""
    data = bytearray(archive)
    member = zipfile.ZipFile(io.BytesIO(archive)).getinfo(name)
    local = member.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    entry = b"PK\x01\x02"
    central = data.index(entry)
    while data[central + 46 : central + 46 + len(name.encode())] != name.encode():
        central = data.index(entry, central + 1)
    data[central + 24 : central + 28] = size.to_bytes(4, "little")
    return bytes(data)
