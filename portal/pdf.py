"""The page set-up of the portal's PDFs (invoices, receipts, the assembly's minutes), drawn
with fpdf2: A4 with the portal's margins, a footer with the page number, paragraphs and tables.

The only font is Noto Sans CJK JP from the `noto_cjk_sans_jp_regular` package, embedded
(subset) in every PDF; no system font is ever looked up.
"""

import copy
import functools
from importlib import resources
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import SubsetMap

# --- Page geometry (mm) and type sizes (pt) ---------------------------------------------

PAGE_MARGIN = 20
TOP_MARGIN = 15
CONTENT_WIDTH = 210 - 2 * PAGE_MARGIN
SECTION_GAP = 6
LINE_HEIGHT = 5.5
CELL_LINE_HEIGHT = 6.5

BODY_SIZE = 10
SMALL_SIZE = 8.5

FOOTER_OFFSET = 12
FOOTER_COLOUR = (110, 110, 110)
HEADING_FILL = (232, 232, 232)

FONT_PACKAGE = "noto_cjk_sans_jp_regular"
FONT_FILE = "NotoSansCJKjp-Regular.otf"
FONT_FAMILY = "NotoSansCJKjp"
UNUSED_LAYOUT_TABLES = ("GDEF", "GSUB", "GPOS")  # dropped by fpdf2 from embedded subsets


# --- Font --------------------------------------------------------------------------------


@functools.cache
def _font_path() -> Path:
    """The OTF file shipped inside the `noto_cjk_sans_jp_regular` package."""
    path = Path(str(resources.files(FONT_PACKAGE) / FONT_FILE))
    if not path.is_file():
        raise FileNotFoundError(f"{FONT_FILE} is missing from the {FONT_PACKAGE} package.")
    return path


@functools.cache
def _parsed_font():
    """The font parsed once per process (metrics and character map of ~65,000 glyphs).

    fpdf2's `add_font` parses the 16 MB file for every document (about 0.2 s). We parse it
    once with `add_font` on a scratch document and keep the resulting `TTFFont`.
    """
    scratch = FPDF()
    scratch.add_font(FONT_FAMILY, fname=_font_path())
    font = scratch.fonts[FONT_FAMILY.lower()]
    font.ttfont.close()  # each document gets its own fontTools object, see add_font()
    return font


def add_font(pdf: FPDF) -> None:
    """Make the cached font available to `pdf`, as `add_font` would.

    fpdf2 has no public way to share a parsed font between documents, and it subsets the
    fontTools object in place when writing the PDF. Each document therefore gets a shallow
    copy of the cached `TTFFont` that shares the read-only character map and glyph ids but
    has its own fontTools object (opened lazily: cheap), descriptor, widths and subset.
    This relies on fpdf2 internals (pinned in requirements.lock); the tests render several
    documents in a row to catch a change.
    """
    cached = _parsed_font()
    font = copy.copy(cached)
    font.i = len(pdf.fonts) + 1
    font.ttfont = _fresh_ttfont()
    font.desc = copy.copy(cached.desc)
    font.cw = copy.copy(cached.cw)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[FONT_FAMILY.lower()] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")  # what add_font does for this kind of font


def _fresh_ttfont() -> TTFont:
    """The font file opened lazily, ready for fpdf2 to subset and embed.

    The OpenType layout tables are removed first: fpdf2 drops them from the embedded subset
    anyway (it does no shaping here), but fontTools would decompile them before dropping
    them, which costs about a third of the time of writing a PDF. Bounding boxes are not
    recalculated on save (the whole font's box stays valid for a subset), as fpdf2 takes the
    font descriptor's box from the 'head' table.
    """
    ttfont = TTFont(_font_path(), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    for tag in UNUSED_LAYOUT_TABLES:
        if tag in ttfont:
            del ttfont[tag]
    return ttfont


# --- Layout ------------------------------------------------------------------------------


class Document(FPDF):
    """An A4 document whose pages show its number and "page/pages" at the bottom."""

    def __init__(self, reference: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.reference = reference

    def footer(self):
        self.set_y(-FOOTER_OFFSET)
        self.set_font(FONT_FAMILY, size=SMALL_SIZE - 1)
        self.set_text_color(*FOOTER_COLOUR)
        self.cell(0, 5, f"{self.reference}  {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def new_document(title: str, *, author: str = "", lang: str = "ja") -> FPDF:
    """An A4 page with the portal's margins and the embedded font."""
    pdf = Document(title)
    pdf.set_margins(PAGE_MARGIN, TOP_MARGIN, PAGE_MARGIN)
    pdf.set_auto_page_break(auto=True, margin=PAGE_MARGIN)
    pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_lang(lang)
    add_font(pdf)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=BODY_SIZE)
    return pdf


def text_block(
    pdf: FPDF,
    text: str,
    *,
    width: float = 0,
    height: float = LINE_HEIGHT,
    wrapmode: WrapMode = WrapMode.CHAR,
    new_x: XPos = XPos.LMARGIN,
    **options,
) -> None:
    """Left-aligned text wrapped within `width`; Japanese wraps between any characters."""
    pdf.multi_cell(
        width, height, text, align="L", wrapmode=wrapmode, new_x=new_x, new_y=YPos.NEXT, **options
    )


def paragraph(pdf: FPDF, text: str, *, width: float = 0, size: float = BODY_SIZE) -> None:
    pdf.set_font(size=size)
    text_block(pdf, text, width=width)


def pdf_table(pdf: FPDF, col_widths, text_align, **options):
    """A bordered table in the document font (which has a single weight)."""
    return pdf.table(
        col_widths=col_widths,
        text_align=text_align,
        line_height=CELL_LINE_HEIGHT,
        wrapmode=WrapMode.CHAR,
        padding=(0.5, 1.5),
        headings_style=FontFace(emphasis="", fill_color=HEADING_FILL),
        **options,
    )
