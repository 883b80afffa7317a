"""Reading the text of the PDFs the portal renders, for assertions."""

import io
import re

from pypdf import PdfReader


def text_of(pdf: bytes) -> str:
    """The text of all pages without whitespace.

    pypdf may space out CJK characters, and it reads the two-byte codes of fpdf2's embedded
    encoding CMap as a NUL before each character (poppler's pdftotext does not): both go.
    """
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))
