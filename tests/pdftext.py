"""Reading the text of the PDFs the portal renders, for assertions."""

import functools
import io
import re
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ContentStream

from portal import pdf as portal_pdf


def text_of(pdf: bytes) -> str:
    """The text of all pages without whitespace.

    pypdf may space out CJK characters, and it reads the two-byte codes of fpdf2's embedded
    encoding CMap as a NUL before each character (poppler's pdftotext does not): both go.
    """
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))


@dataclass(frozen=True)
class TextRun:
    """One string the page draws (an fpdf2 cell's text): where it starts and ends, in points
    from the page's bottom left corner."""

    page: int
    text: str
    x: float
    y: float
    right: float


def _to_unicode(font) -> dict[bytes, str]:
    """The two-byte codes of a Type0 font's strings and the characters they stand for."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
    blocks = re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL)
    pairs = re.findall(r"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4})>", "".join(blocks))
    return {bytes.fromhex(code): chr(int(char, 16)) for code, char in pairs}


@functools.cache
def _advances() -> tuple[dict[int, str], dict[str, int], int]:
    """The character map, advance widths and units per em of the font the portal embeds,
    read from the package's file: what a string's width on the page is made of."""
    from fontTools.ttLib import TTFont

    font = TTFont(portal_pdf._font_path(), lazy=True)
    widths = {name: advance for name, (advance, _lsb) in font["hmtx"].metrics.items()}
    return font.getBestCmap(), widths, font["head"].unitsPerEm


def _width(text: str, size: float, spacing: float) -> float:
    cmap, widths, units = _advances()
    return sum(widths[cmap[ord(char)]] * size / units + spacing for char in text)


def text_runs(pdf: bytes) -> list[TextRun]:
    """Every string drawn by `Tj` with its position and right edge (its start plus the
    advance widths of its characters in the font), for asserting that figures line up.

    Reads the content streams as fpdf2 writes them: `BT x y Td (codes) Tj ET`, the font size
    from `Tf` and the character spacing from `Tc`."""
    reader = PdfReader(io.BytesIO(pdf))
    runs = []
    for number, page in enumerate(reader.pages, 1):
        fonts = {name: font.get_object() for name, font in page["/Resources"]["/Font"].items()}
        codes = {name: _to_unicode(font) for name, font in fonts.items()}
        font, size, spacing, x, y = None, 0.0, 0.0, 0.0, 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                font, size = operands[0], float(operands[1])
            elif operator == b"Tc":
                spacing = float(operands[0])
            elif operator == b"Td":
                x, y = float(operands[0]), float(operands[1])
            elif operator == b"Tj":
                raw = operands[0].original_bytes
                text = "".join(codes[font][raw[i : i + 2]] for i in range(0, len(raw), 2))
                right = x + _width(text, size, spacing)
                runs.append(TextRun(number, text, x, y, right))
                x = right
    return runs
