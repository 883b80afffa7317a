"""PDF invoices (請求書) and receipts (領収書) for members, drawn with fpdf2 on the portal's page
set-up (`portal.pdf`: A4, margins, the embedded font, paragraphs and tables).

The documents are Japanese business documents: their fixed labels (請求書, 発行日, 税区分, …)
are document content in the language the law and the payers expect, not user-interface
strings, so they are deliberately not marked for translation (no gettext here).

Qualified invoice rules (適格請求書, see DESIGN-NOTES "Money and invoices (Japan)"):
the registration number is printed only while the issuer is registered on the document's
date, and a document dated outside the registration says in so many words that it is not a
qualified invoice (NOT_QUALIFIED_NOTE); totals and tax are shown per rate, tax is computed
once per rate (`dues.invoicing.rate_totals`), and a document whose lines do not add up to its
total is refused with ValueError. "税込" appears only on a document with a taxable line: dues
alone (不課税) carry no tax to include.

Every amount of the totals (per rate, their tax and the total) sits in one right-aligned
column, so that the figures line up.
"""

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, WrapMode, XPos, YPos

from portal.pdf import (
    BODY_SIZE,
    CONTENT_WIDTH,
    LINE_HEIGHT,
    PAGE_MARGIN,
    SECTION_GAP,
    SMALL_SIZE,
    new_document,
    paragraph,
    pdf_table,
    text_block,
)
from portal.validators import format_postal_code

from .invoicing import rate_totals
from .models import InvoiceLine

# --- Invoice geometry (mm) and type sizes (pt) -------------------------------------------

LEFT_COLUMN_WIDTH = 86  # addressee and amount
ISSUER_X = 110  # issuer block, up to the right margin
ISSUER_WIDTH = 210 - PAGE_MARGIN - ISSUER_X
SEAL_SIZE = 18
SEAL_GAP = 2

TITLE_SIZE = 22
ADDRESSEE_SIZE = 14
AMOUNT_SIZE = 17
ISSUER_NAME_SIZE = 11

TOTAL_FILL = (245, 245, 245)

# --- Tax categories as printed ------------------------------------------------------------

TaxCategory = InvoiceLine.TaxCategory
LINE_TAX_LABELS = {
    TaxCategory.OUTSIDE: "不課税",
    TaxCategory.EXEMPT: "非課税",
    TaxCategory.STANDARD: "10%",
    TaxCategory.REDUCED: "8%※",
}
TOTAL_LABELS = {
    TaxCategory.OUTSIDE: "不課税",
    TaxCategory.EXEMPT: "非課税",
    TaxCategory.STANDARD: "10%対象",
    TaxCategory.REDUCED: "8%対象",
}
TAX_LABEL = "消費税（{rate}%）"
REDUCED_RATE_FOOTNOTE = "※は軽減税率対象"
BANK_FEE_NOTE = "振込手数料はご負担くださいますようお願いいたします。"
NOT_QUALIFIED_NOTE = (
    "発行者は適格請求書発行事業者の登録を受けていないため、本書は適格請求書（インボイス）"
    "ではありません。"
)

LINE_COLUMNS = (  # heading, width (mm), alignment
    ("品目", 72, "LEFT"),
    ("数量", 16, "RIGHT"),
    ("単価", 28, "RIGHT"),
    ("金額", 30, "RIGHT"),
    ("税区分", 24, "CENTER"),
)
TOTALS_COLUMNS = ((40, "LEFT"), (36, "RIGHT"))  # label, amount: one column of figures


# --- Public entry points -----------------------------------------------------------------


def render_invoice(invoice, issuer) -> bytes:
    """The invoice as PDF bytes; `invoice.lines` should be prefetched by the caller."""
    lines = list(invoice.lines.all())
    totals = _checked_rate_totals(invoice, lines)
    pdf = new_document(f"請求書 {invoice.display_number}", author=issuer.name)

    _title(pdf, "請求書")
    _document_facts(
        pdf,
        [
            ("請求書番号", invoice.display_number),
            ("発行日", _wareki_free_date(invoice.issued_on)),
            ("お支払期限", _wareki_free_date(invoice.due_on)),
        ],
    )
    top = pdf.get_y() + SECTION_GAP
    issuer_bottom = _issuer_block(pdf, issuer, invoice.issued_on, top, with_seal=invoice.with_seal)

    pdf.set_xy(PAGE_MARGIN, top)
    _addressee(pdf, invoice.addressee, invoice.postal_address)
    paragraph(pdf, "下記のとおりご請求申し上げます。", width=LEFT_COLUMN_WIDTH)
    pdf.ln(2)
    _amount_box(pdf, _with_tax_note("ご請求金額", totals), _yen_mark(invoice.total))

    pdf.set_y(max(pdf.get_y(), issuer_bottom) + 2)
    paragraph(pdf, f"対象年度: {invoice.fiscal_year}年度")
    if invoice.replaces_id:
        paragraph(
            pdf, f"本請求書は請求書番号 {invoice.replaces.display_number} を訂正するものです。"
        )
    pdf.ln(SECTION_GAP - 2)
    _lines_table(pdf, lines)
    pdf.ln(3)
    _totals_table(pdf, totals, invoice.total)
    _tax_notes(pdf, issuer, lines, invoice.issued_on, reduced_footnote=True)
    _bank_transfer(pdf, issuer)
    return bytes(pdf.output())


def render_receipt(invoice, issuer, paid_on, amount, *, issued_on=None) -> bytes:
    """A receipt for `amount` yen paid on `paid_on` against `invoice`, as PDF bytes.

    The receipt is dated `issued_on` (by default the day of payment); the registration
    number is printed if the issuer is registered on that date.
    """
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"A receipt needs a positive amount of yen, not {amount!r}.")
    issued_on = issued_on or paid_on
    lines = list(invoice.lines.all())
    totals = _checked_rate_totals(invoice, lines)
    receipt_number = f"R-{invoice.display_number}"
    pdf = new_document(f"領収書 {receipt_number}", author=issuer.name)

    _title(pdf, "領収書")
    _document_facts(
        pdf,
        [("領収書番号", receipt_number), ("発行日", _wareki_free_date(issued_on))],
    )
    top = pdf.get_y() + SECTION_GAP
    issuer_bottom = _issuer_block(pdf, issuer, issued_on, top, with_seal=invoice.with_seal)

    pdf.set_xy(PAGE_MARGIN, top)
    _addressee(pdf, invoice.addressee)
    _amount_box(pdf, "金額", _yen_mark(amount))
    paragraph(pdf, f"但し {invoice.fiscal_year}年度 会費として", width=LEFT_COLUMN_WIDTH)
    paragraph(pdf, f"入金日: {_wareki_free_date(paid_on)}", width=LEFT_COLUMN_WIDTH)
    paragraph(pdf, "上記の金額を正に領収いたしました。", width=LEFT_COLUMN_WIDTH)

    pdf.set_y(max(pdf.get_y(), issuer_bottom) + SECTION_GAP)
    paragraph(pdf, f"内訳（請求書番号 {invoice.display_number}）")
    pdf.ln(1)
    _totals_table(pdf, totals, invoice.total)
    _tax_notes(pdf, issuer, lines, issued_on, reduced_footnote=False)
    return bytes(pdf.output())


# --- Formatting --------------------------------------------------------------------------


def _wareki_free_date(d) -> str:
    """2026年4月1日: the Japanese date order, Gregorian year (no era name)."""
    return f"{d.year}年{d.month}月{d.day}日"


def _yen(amount: int) -> str:
    return f"{amount:,}円"


def _yen_mark(amount: int) -> str:
    return f"¥{amount:,}-"


def _with_tax_note(label: str, totals) -> str:
    """ "ご請求金額（税込）" where a taxable line adds tax, else the bare label."""
    taxable = any(total.rate is not None for total in totals)
    return f"{label}（税込）" if taxable else label


def _checked_rate_totals(invoice, lines):
    """Totals per rate; ValueError unless they and their tax add up to `invoice.total`."""
    totals = rate_totals([(line.tax_category, line.amount) for line in lines])
    computed = sum(total.amount + total.tax for total in totals)
    if computed != invoice.total:
        raise ValueError(
            f"Invoice {invoice.display_number} says {invoice.total} yen, but its lines and "
            f"tax add up to {computed} yen."
        )
    return totals


# --- Drawing -----------------------------------------------------------------------------


def _title(pdf: FPDF, text: str) -> None:
    pdf.set_font(size=TITLE_SIZE)
    pdf.set_char_spacing(4)
    pdf.cell(0, 12, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_char_spacing(0)
    pdf.set_font(size=BODY_SIZE)


def _document_facts(pdf: FPDF, facts) -> None:
    """Number and dates, right-aligned under the title."""
    pdf.set_font(size=BODY_SIZE)
    for label, value in facts:
        pdf.cell(0, LINE_HEIGHT, f"{label}: {value}", align="R")
        pdf.ln(LINE_HEIGHT)


def _addressee(pdf: FPDF, addressee: str, address: str = "") -> None:
    """The addressee (already with 御中 or 様), large and underlined, top left; above it the
    postal address of an invoice that goes by post (for a window envelope)."""
    if address:
        pdf.set_font(size=SMALL_SIZE + 0.5)
        text_block(pdf, address, width=LEFT_COLUMN_WIDTH, height=4.6)
        pdf.ln(1)
    pdf.set_font(size=ADDRESSEE_SIZE)
    text_block(pdf, addressee, width=LEFT_COLUMN_WIDTH, height=8)
    pdf.line(PAGE_MARGIN, pdf.get_y() + 0.5, PAGE_MARGIN + LEFT_COLUMN_WIDTH, pdf.get_y() + 0.5)
    pdf.ln(4)
    pdf.set_font(size=BODY_SIZE)


def _amount_box(pdf: FPDF, label: str, amount: str) -> None:
    """The amount billed or received, large, in a shaded box in the left column."""
    pdf.set_fill_color(*TOTAL_FILL)
    pdf.set_font(size=BODY_SIZE + 1)
    x, y = pdf.get_x(), pdf.get_y()
    pdf.cell(38, 12, label, border="LTB", fill=True)
    pdf.set_font(size=AMOUNT_SIZE)
    pdf.cell(LEFT_COLUMN_WIDTH - 38, 12, amount, border="RTB", fill=True, align="R")
    pdf.set_xy(x, y + 12 + 3)
    pdf.set_font(size=BODY_SIZE)


def _seal_image(issuer, with_seal: bool) -> bytes | None:
    if not (with_seal and issuer.seal_image):
        return None
    with issuer.seal_image.open("rb") as seal:
        return seal.read()


def _issuer_block(pdf: FPDF, issuer, on_day, top: float, *, with_seal: bool) -> float:
    """Issuer name, address and contacts at the top right; returns the block's bottom.

    The registration number is printed only if the issuer is registered on `on_day`. The
    seal, if the member wants it and there is one, sits right of the name, and the text
    leaves room for it.
    """
    seal = _seal_image(issuer, with_seal)
    text_width = ISSUER_WIDTH - (SEAL_SIZE + SEAL_GAP if seal else 0)
    pdf.set_xy(ISSUER_X, top)
    pdf.set_font(size=ISSUER_NAME_SIZE)
    text_block(pdf, issuer.name, width=text_width, height=6, new_x=XPos.LEFT)
    pdf.set_font(size=SMALL_SIZE + 0.5)
    # Japanese text wraps anywhere; phone, e-mail and number wrap between words only.
    details = [(f"{format_postal_code(issuer.postal_code)} {issuer.address}", WrapMode.CHAR)]
    if issuer.phone:
        details.append((f"TEL: {issuer.phone}", WrapMode.WORD))
    if issuer.email:
        details.append((f"E-mail: {issuer.email}", WrapMode.WORD))
    registration_number = issuer.registration_number_on(on_day)
    if registration_number:
        details.append((f"登録番号: {registration_number}", WrapMode.WORD))
    for text, wrapmode in details:
        text_block(pdf, text, width=text_width, height=4.6, wrapmode=wrapmode, new_x=XPos.LEFT)
    bottom = pdf.get_y()
    if seal:
        pdf.image(seal, x=ISSUER_X + ISSUER_WIDTH - SEAL_SIZE, y=top, w=SEAL_SIZE, h=SEAL_SIZE)
        bottom = max(bottom, top + SEAL_SIZE)
    pdf.set_font(size=BODY_SIZE)
    return bottom


def _lines_table(pdf: FPDF, lines) -> None:
    pdf.set_font(size=BODY_SIZE)
    with pdf_table(
        pdf,
        col_widths=tuple(width for _, width, _ in LINE_COLUMNS),
        text_align=tuple(align for _, _, align in LINE_COLUMNS),
        width=CONTENT_WIDTH,
    ) as table:
        table.row([heading for heading, _, _ in LINE_COLUMNS])
        for line in lines:
            table.row(
                [
                    line.description,
                    f"{line.quantity:,}",
                    _yen(line.unit_price),
                    _yen(line.amount),
                    LINE_TAX_LABELS[line.tax_category],
                ]
            )


def _totals_table(pdf: FPDF, totals, grand_total: int) -> None:
    """On the right, one row per figure: the amount of each rate ("10%対象 X円"), its tax
    below it ("消費税（10%） Y円"), then the total, every figure in the same column."""
    pdf.set_font(size=BODY_SIZE)
    with pdf_table(
        pdf,
        col_widths=tuple(width for width, _ in TOTALS_COLUMNS),
        text_align=tuple(align for _, align in TOTALS_COLUMNS),
        width=sum(width for width, _ in TOTALS_COLUMNS),
        align="RIGHT",
        first_row_as_headings=False,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
    ) as table:
        for total in totals:
            table.row([TOTAL_LABELS[total.category], _yen(total.amount)])
            if total.rate is not None:
                table.row([TAX_LABEL.format(rate=total.rate), _yen(total.tax)])
        table.row(
            [_with_tax_note("合計", totals), _yen(grand_total)],
            style=FontFace(fill_color=TOTAL_FILL),
        )


def _tax_notes(pdf: FPDF, issuer, lines, on_day, *, reduced_footnote: bool) -> None:
    """The reduced-rate footnote (if a line is marked ※), the note on dues (if 不課税) and,
    unless the issuer is registered on `on_day`, that the document is no qualified invoice."""
    categories = {line.tax_category for line in lines}
    notes = []
    if reduced_footnote and TaxCategory.REDUCED in categories:
        notes.append(REDUCED_RATE_FOOTNOTE)
    if TaxCategory.OUTSIDE in categories and issuer.dues_tax_note:
        notes.append(issuer.dues_tax_note)
    if not issuer.registration_number_on(on_day):
        notes.append(NOT_QUALIFIED_NOTE)
    if notes:
        pdf.ln(3)
    for note in notes:
        paragraph(pdf, note, size=SMALL_SIZE + 0.5)


def _bank_transfer(pdf: FPDF, issuer) -> None:
    """お振込先: the account as the secretariat wrote it, and the note on transfer fees."""
    pdf.ln(SECTION_GAP)
    paragraph(pdf, "お振込先")
    text_block(pdf, issuer.bank_account.strip(), width=CONTENT_WIDTH, border=1, padding=(2, 3))
    pdf.ln(1.5)
    paragraph(pdf, BANK_FEE_NOTE, size=SMALL_SIZE + 0.5)
