"""Invoice and receipt PDFs: contents read back with pypdf, font embedded from the package."""

import io
import logging
import re
from datetime import date
from pathlib import Path

import noto_cjk_sans_jp_regular
import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from dues import invoice_pdf
from dues.invoice_pdf import render_invoice, render_receipt
from dues.models import Invoice, InvoiceLine, Issuer
from portal import pdf as portal_pdf
from tests import factories
from tests.pdftext import text_of, text_runs

ADDRESSEE = "公益財団法人石川県産業創出支援機構 御中"
DUES_NOTE = "会費は対価性のない通常会費のため、消費税の課税対象外（不課税）です。"
T_NUMBER = "T1234567890123"


@pytest.fixture
def issuer(db):
    return Issuer.objects.create(
        name="全国イノベーション推進機関ネットワーク",
        postal_code="1000013",
        address="東京都千代田区霞が関三丁目2番1号",
        phone="03-1234-5678",
        email="office@innovation-net.example.jp",
        registration_number=T_NUMBER,
        registered_from=date(2023, 10, 1),
        registered_until=date(2027, 3, 31),
        bank_account="みずほ銀行 霞が関支店\n普通預金 1234567\n口座名義 ゼンコクイノベーション",
        dues_tax_note=DUES_NOTE,
    )


@pytest.fixture
def organisation(db):
    return factories.make_organisation("公益財団法人石川県産業創出支援機構")


def make_invoice(organisation, lines, *, total, number=1, issued_on=date(2026, 4, 1), **fields):
    invoice = Invoice.objects.create(
        organisation=organisation,
        fiscal_year=2026,
        number=number,
        addressee=ADDRESSEE,
        issued_on=issued_on,
        due_on=date(2026, 5, 1),
        total=total,
        **fields,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            tax_category=category,
        )
        for description, quantity, unit_price, category in lines
    )
    return Invoice.objects.select_related("replaces").prefetch_related("lines").get(pk=invoice.pk)


def dues_invoice(organisation, **fields):
    return make_invoice(organisation, [("会費 2口", 2, 50000, "outside")], total=100000, **fields)


def test_invoice_shows_number_dates_addressee_and_issuer(organisation, issuer):
    text = text_of(render_invoice(dues_invoice(organisation), issuer))

    assert text.startswith("請求書")
    for expected in [
        "請求書番号:2026-00001",
        "発行日:2026年4月1日",
        "お支払期限:2026年5月1日",
        "公益財団法人石川県産業創出支援機構御中",
        "全国イノベーション推進機関ネットワーク",
        "〒100-0013東京都千代田区霞が関三丁目2番1号",
        "TEL:03-1234-5678",
        "office@innovation-net.example.jp",
        "対象年度:2026年度",
        "お振込先",
        "みずほ銀行霞が関支店普通預金1234567口座名義ゼンコクイノベーション",
        "振込手数料はご負担くださいますようお願いいたします。",
    ]:
        assert expected in text
    assert "訂正" not in text
    assert text.endswith("請求書2026-000011/1")  # footer: number and page/pages


def test_long_invoice_continues_on_further_pages(organisation, issuer):
    lines = [(f"セミナー参加費 第{i}回", 1, 3000, "standard") for i in range(1, 61)]
    invoice = make_invoice(organisation, lines, total=198000)

    pdf = render_invoice(invoice, issuer)
    reader = PdfReader(io.BytesIO(pdf))
    text = text_of(pdf)

    pages = len(reader.pages)
    assert pages > 1
    assert all(f"セミナー参加費第{i}回13,000円3,000円10%" in text for i in range(1, 61))
    assert all(f"請求書2026-00001{page}/{pages}" in text for page in range(1, pages + 1))
    assert text.count("品目数量単価金額税区分") == pages  # headings repeated on each page
    assert "10%対象180,000円消費税（10%）18,000円" in text


def test_pdf_metadata(organisation, issuer):
    reader = PdfReader(io.BytesIO(render_invoice(dues_invoice(organisation), issuer)))

    assert reader.metadata.title == "請求書 2026-00001"
    assert reader.metadata.author == issuer.name
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points


@pytest.mark.parametrize(
    ("issued_on", "printed"),
    [
        (date(2023, 9, 30), False),  # before registration
        (date(2023, 10, 1), True),  # first day
        (date(2026, 4, 1), True),
        (date(2027, 3, 31), True),  # last day
        (date(2027, 4, 1), False),  # after registration ended
    ],
)
def test_registration_number_only_while_registered(organisation, issuer, issued_on, printed):
    text = text_of(render_invoice(dues_invoice(organisation, issued_on=issued_on), issuer))

    assert (T_NUMBER in text) is printed
    assert ("登録番号" in text) is printed


def test_no_registration_number_for_unregistered_issuer(organisation, issuer):
    issuer.registration_number = ""
    issuer.registered_from = None
    issuer.registered_until = None
    issuer.save()

    text = text_of(render_invoice(dues_invoice(organisation), issuer))

    assert "登録番号" not in text
    assert "T1234567890123" not in text
    assert "全国イノベーション推進機関ネットワーク" in text


def test_dues_line_outside_tax_with_note(organisation, issuer):
    text = text_of(render_invoice(dues_invoice(organisation), issuer))

    assert "品目数量単価金額税区分" in text
    assert "会費2口250,000円100,000円不課税" in text
    assert "不課税100,000円" in text
    assert "消費税" not in text.replace(DUES_NOTE, "")  # no tax row for 不課税
    assert "合計100,000円" in text
    assert "ご請求金額¥100,000-" in text
    assert "税込" not in text  # dues carry no tax to include
    assert DUES_NOTE in text
    assert "※は軽減税率対象" not in text


# Dues, a seminar (10%) and material at the reduced rate (8%): 100,000 + 9,000 + 900 (10%)
# + 1,080 + 86 (8% of 1,080 = 86.4, rounded down) = 111,066 yen.
MIXED_LINES = [
    ("会費", 1, 100000, "outside"),
    ("セミナー参加費", 3, 3000, "standard"),
    ("資料", 1, 1080, "reduced"),
]


def test_mixed_lines_totals_and_tax_per_rate(organisation, issuer):
    invoice = make_invoice(organisation, MIXED_LINES, total=111066)

    text = text_of(render_invoice(invoice, issuer))

    assert "会費1100,000円100,000円不課税" in text
    assert "セミナー参加費33,000円9,000円10%" in text
    assert "資料11,080円1,080円8%※" in text
    assert "不課税100,000円" in text
    assert "10%対象9,000円消費税（10%）900円" in text
    assert "8%対象1,080円消費税（8%）86円" in text
    assert "合計（税込）111,066円" in text
    assert "ご請求金額（税込）¥111,066-" in text
    assert "※は軽減税率対象" in text
    assert DUES_NOTE in text


def amount_after(runs, label):
    """The figure printed right of `label` in the totals (the run after the last `label`)."""
    index = max(i for i, run in enumerate(runs) if run.text == label)
    return runs[index + 1]


def test_dues_subtotal_lines_up_with_the_total(organisation, issuer):
    runs = text_runs(render_invoice(dues_invoice(organisation), issuer))

    *_line, subtotal, total = [run for run in runs if run.text == "100,000円"]
    assert subtotal.y > total.y  # the 不課税 row above the total
    assert subtotal.right == pytest.approx(total.right, abs=0.01)


def test_every_figure_of_the_totals_is_in_one_column(organisation, issuer):
    invoice = make_invoice(organisation, MIXED_LINES, total=111066)
    for pdf in (
        render_invoice(invoice, issuer),
        render_receipt(invoice, issuer, date(2026, 4, 20), 111066),
    ):
        runs = text_runs(pdf)
        figures = [
            amount_after(runs, label)
            for label in (
                "10%対象",
                "消費税（10%）",
                "8%対象",
                "消費税（8%）",
                "不課税",
                "合計（税込）",
            )
        ]
        assert [run.text for run in figures] == [
            "9,000円",
            "900円",
            "1,080円",
            "86円",
            "100,000円",
            "111,066円",
        ]
        assert {round(run.right, 2) for run in figures} == {round(figures[-1].right, 2)}


def test_tax_included_only_where_a_line_is_taxable(organisation, issuer):
    dues = text_of(render_invoice(dues_invoice(organisation), issuer))
    receipt = text_of(
        render_receipt(dues_invoice(organisation, number=2), issuer, date(2026, 4, 20), 100000)
    )
    seminar = make_invoice(
        organisation, [("セミナー参加費", 1, 3000, "standard")], total=3300, number=3
    )
    taxed = text_of(render_invoice(seminar, issuer))

    assert "ご請求金額¥100,000-" in dues
    assert "合計100,000円" in dues
    assert "税込" not in dues
    assert "税込" not in receipt
    assert "ご請求金額（税込）¥3,300-" in taxed
    assert "合計（税込）3,300円" in taxed


NOT_QUALIFIED = (
    "発行者は適格請求書発行事業者の登録を受けていないため、本書は適格請求書（インボイス）"
    "ではありません。"
)


def test_unregistered_issuer_says_the_document_is_no_qualified_invoice(organisation, issuer):
    registered = text_of(render_invoice(dues_invoice(organisation), issuer))
    after = dues_invoice(organisation, number=2, issued_on=date(2027, 4, 1))
    lapsed_invoice = text_of(render_invoice(after, issuer))
    lapsed_receipt = text_of(render_receipt(after, issuer, date(2027, 4, 20), 100000))
    issuer.registration_number = ""
    issuer.registered_from = issuer.registered_until = None
    never = text_of(render_invoice(dues_invoice(organisation, number=3), issuer))

    assert NOT_QUALIFIED not in registered
    assert f"登録番号:{T_NUMBER}" in registered
    for text in (lapsed_invoice, lapsed_receipt, never):
        assert NOT_QUALIFIED in text
        assert "登録番号" not in text
        assert T_NUMBER not in text


def test_taxable_only_invoice_has_no_dues_note(organisation, issuer):
    invoice = make_invoice(organisation, [("セミナー参加費", 1, 3000, "standard")], total=3300)

    text = text_of(render_invoice(invoice, issuer))

    assert "10%対象3,000円消費税（10%）300円" in text
    assert DUES_NOTE not in text
    assert "不課税" not in text


def test_exempt_line(organisation, issuer):
    invoice = make_invoice(organisation, [("保険料", 1, 2000, "exempt")], total=2000)

    text = text_of(render_invoice(invoice, issuer))

    assert "保険料12,000円2,000円非課税" in text
    assert "非課税2,000円" in text


def test_tax_is_rounded_once_per_rate_not_per_line(organisation, issuer):
    # Per line: 10.5 -> 10, twice = 20. Once on 210: 21.
    lines = [("資料A", 1, 105, "standard"), ("資料B", 1, 105, "standard")]
    invoice = make_invoice(organisation, lines, total=231)

    text = text_of(render_invoice(invoice, issuer))

    assert "10%対象210円消費税（10%）21円" in text
    assert "合計（税込）231円" in text


def test_total_that_does_not_add_up_is_refused(organisation, issuer):
    lines = [("資料A", 1, 105, "standard"), ("資料B", 1, 105, "standard")]
    per_line_rounding = make_invoice(organisation, lines, total=230)

    with pytest.raises(ValueError, match="2026-00001"):
        render_invoice(per_line_rounding, issuer)
    with pytest.raises(ValueError):
        render_receipt(per_line_rounding, issuer, date(2026, 4, 20), 230)


def test_correction_names_the_invoice_it_corrects(organisation, issuer):
    old = dues_invoice(organisation, number=7, status=Invoice.Status.CANCELLED)
    correction = make_invoice(
        organisation, [("会費 3口", 3, 50000, "outside")], total=150000, number=8, replaces=old
    )

    text = text_of(render_invoice(correction, issuer))

    assert "請求書番号:2026-00008" in text
    assert "本請求書は請求書番号2026-00007を訂正するものです。" in text


def test_receipt(organisation, issuer):
    lines = [("会費", 1, 100000, "outside"), ("セミナー参加費", 3, 3000, "standard")]
    invoice = make_invoice(organisation, lines, total=109900)

    pdf = render_receipt(invoice, issuer, date(2026, 4, 20), 109900)
    text = text_of(pdf)

    assert text.startswith("領収書")
    for expected in [
        "領収書番号:R-2026-00001",
        "発行日:2026年4月20日",
        "公益財団法人石川県産業創出支援機構御中",
        "金額¥109,900-",
        "但し2026年度会費として",
        "全国イノベーション推進機関ネットワーク",
        f"登録番号:{T_NUMBER}",
        "不課税100,000円",
        "10%対象9,000円消費税（10%）900円",
        "合計（税込）109,900円",
        DUES_NOTE,
    ]:
        assert expected in text
    assert "お振込先" not in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "領収書 R-2026-00001"


def test_receipt_registration_number_follows_its_own_date(organisation, issuer):
    invoice = dues_invoice(organisation, issued_on=date(2027, 3, 1))

    inside = text_of(render_receipt(invoice, issuer, date(2027, 3, 31), 100000))
    after = text_of(render_receipt(invoice, issuer, date(2027, 4, 2), 100000))

    assert T_NUMBER in inside
    assert T_NUMBER not in after
    assert "登録番号" not in after


def test_receipt_needs_a_positive_amount(organisation, issuer):
    with pytest.raises(ValueError):
        render_receipt(dues_invoice(organisation), issuer, date(2026, 4, 20), 0)


@pytest.fixture
def issuer_with_seal(issuer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seal = io.BytesIO()
    Image.new("RGB", (120, 120), (200, 30, 30)).save(seal, "PNG")
    issuer.seal_image.save("seal.png", ContentFile(seal.getvalue()))
    return issuer


def test_seal_image_is_drawn_for_members_who_want_it(organisation, issuer_with_seal):
    invoice = dues_invoice(organisation, with_seal=True)

    reader = PdfReader(io.BytesIO(render_invoice(invoice, issuer_with_seal)))

    images = reader.pages[0].images
    assert len(images) == 1
    assert images[0].image.size == (120, 120)


def test_no_seal_unless_the_member_wants_it(organisation, issuer_with_seal):
    reader = PdfReader(io.BytesIO(render_invoice(dues_invoice(organisation), issuer_with_seal)))

    assert len(reader.pages[0].images) == 0


def test_no_image_when_the_issuer_has_no_seal(organisation, issuer):
    invoice = dues_invoice(organisation, with_seal=True)

    reader = PdfReader(io.BytesIO(render_invoice(invoice, issuer)))

    assert len(reader.pages[0].images) == 0


def embedded_fonts(pdf: bytes) -> list[dict]:
    """For each font of the first page: base name, descendant descriptor and embedded file."""
    fonts = []
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        file_key = next(k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor)
        fonts.append(
            {
                "subtype": font["/Subtype"],
                "base": str(font["/BaseFont"]),
                "file": file_key,
                "data": descriptor[file_key].get_object().get_data(),
            }
        )
    return fonts


def mapped_characters(pdf: bytes) -> set[str]:
    """The characters of the font subset, from the ToUnicode map of the first page's font."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    (font,) = page["/Resources"]["/Font"].values()
    cmap = font.get_object()["/ToUnicode"].get_object().get_data().decode("ascii")
    blocks = re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL)
    pairs = re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4})>", "".join(blocks))
    return {chr(int(unicode, 16)) for unicode in pairs}


def test_font_is_embedded_from_the_package(organisation, issuer, caplog):
    package_dir = Path(noto_cjk_sans_jp_regular.__file__).parent
    assert portal_pdf._font_path() == package_dir / "NotoSansCJKjp-Regular.otf"

    with caplog.at_level(logging.WARNING, logger="fpdf"):
        pdf = render_invoice(dues_invoice(organisation), issuer)

    fonts = embedded_fonts(pdf)
    assert len(fonts) == 1  # no core (Helvetica…) or system font
    (font,) = fonts
    assert font["subtype"] == "/Type0"
    assert re.fullmatch(r"/[A-Z]{6}\+NotoSansCJKJP", font["base"])  # subset of the package's
    assert font["file"] == "/FontFile3"
    assert 1_000 < len(font["data"]) < 200_000  # a subset, not the 16 MB file
    assert b"/usr/share/fonts" not in pdf
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # every glyph found


def test_many_documents_in_one_process_each_get_their_own_font_subset(organisation, issuer):
    """The parsed font is cached per process: documents in a row must not share state."""
    first = dues_invoice(organisation)
    second = make_invoice(
        organisation, [("セミナー参加費", 1, 3000, "standard")], total=3300, number=2
    )

    pdfs = [
        render_invoice(first, issuer),
        render_invoice(second, issuer),
        render_receipt(first, issuer, date(2026, 4, 20), 100000),
        render_invoice(first, issuer),
    ]

    assert "会費2口" in text_of(pdfs[0])
    assert "セミナー参加費" in text_of(pdfs[1])
    assert "会費2口" not in text_of(pdfs[1])
    assert "領収書番号:R-2026-00001" in text_of(pdfs[2])
    assert text_of(pdfs[3]) == text_of(pdfs[0])
    for pdf in pdfs:
        (font,) = embedded_fonts(pdf)
        assert font["file"] == "/FontFile3"
        # Each embedded subset holds the characters of its own document and no others.
        assert mapped_characters(pdf) - {" ", "\x00"} == set(text_of(pdf))


def test_wareki_free_date():
    assert invoice_pdf._wareki_free_date(date(2026, 4, 1)) == "2026年4月1日"
    assert invoice_pdf._wareki_free_date(date(2027, 12, 31)) == "2027年12月31日"
