"""Statement parsers: Zengin fixed-length files and CSV, built by hand and by build_zengin."""

import datetime
from pathlib import Path

import pytest
from django.utils import translation

from dues.bankfiles import (
    LAYOUTS,
    PARSERS,
    RECORD_LENGTH,
    StatementError,
    build_zengin,
    detect_format,
    parse_csv,
    parse_zengin,
)

D = datetime.date
LINES = [
    (D(2025, 4, 10), 100_000, "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ", "00000101"),
    (D(2025, 4, 11), -3_300, "ﾃｽｳﾘﾖｳ", "00000102"),
    (D(2025, 4, 14), 49_560, "ｶ)ﾎｸﾖｳｷﾞﾝｺｳ", "00000103"),
]


def errors_of(excinfo):
    """(line, English reason) pairs of a rejected file."""
    with translation.override("en"):
        return [(line_no, str(reason)) for line_no, reason in excinfo.value.errors]


def records_of(data: bytes) -> list[bytes]:
    return data.split(b"\r\n")[:-1]


def join(records: list[bytes]) -> bytes:
    return b"\r\n".join(records) + b"\r\n"


# Hand-made records, written field by field in the specification's order and widths, so that
# they check LAYOUTS independently of build_zengin.
def num(value: int | str, width: int) -> bytes:
    raw = str(value).zfill(width).encode("ascii")
    assert len(raw) == width
    return raw


def txt(value: str, width: int) -> bytes:
    raw = value.encode("cp932").ljust(width, b" ")
    assert len(raw) == width
    return raw


def bank_part() -> bytes:
    # 作成日, 勘定日(自), 勘定日(至), 銀行コード/名, 支店コード/名
    return b"070430070401070430" + b"0146" + txt("ﾎｸﾘｸｷﾞﾝｺｳ", 15) + b"101" + txt("ﾎﾝﾃﾝ", 15)


def test_layouts_fit_the_record_without_overlaps():
    for kind, layouts in LAYOUTS.items():
        for name, layout in layouts.items():
            used = set()
            for field_name, spec in layout.items():
                span = set(range(spec.start, spec.start + spec.length))
                assert span <= set(range(1, RECORD_LENGTH + 1)), (kind, name, field_name)
                assert not used & span, (kind, name, field_name)
                used |= span
            assert layout["record_type"].start == 1


def test_build_zengin_round_trips_incoming_lines_only():
    data = build_zengin(LINES, bank_code="0146", branch_code="101", account_number="7654321")
    assert all(len(record) == RECORD_LENGTH for record in records_of(data))
    lines = parse_zengin(data)
    assert [(line.booked_on, line.amount, line.payer_name, line.reference) for line in lines] == [
        (D(2025, 4, 10), 100_000, "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ", "00000101"),
        (D(2025, 4, 14), 49_560, "ｶ)ﾎｸﾖｳｷﾞﾝｺｳ", "00000103"),
    ]
    assert [line.line_no for line in lines] == [2, 4]
    assert {line.account for line in lines} == {"0146-101-1-7654321"}
    assert {line.payer_code for line in lines} == {""}


def test_line_separators_do_not_matter():
    crlf = build_zengin(LINES)
    assert crlf.count(b"\r\n") == 6
    lf = build_zengin(LINES, separator=b"\n")
    unseparated = build_zengin(LINES, separator=b"")
    assert len(unseparated) == 6 * RECORD_LENGTH
    assert parse_zengin(crlf) == parse_zengin(lf) == parse_zengin(unseparated)
    assert parse_zengin(crlf.rstrip(b"\r\n") + b"\x1a") == parse_zengin(crlf)


def test_empty_statement_is_valid():
    assert parse_zengin(build_zengin([], created_on=D(2025, 4, 30))) == []


def test_hand_made_03_file_reads_every_field():
    header = (
        b"1030"
        + bank_part()
        + b"   "  # ダミー
        + b"1"  # 預金種目
        + num(1234567, 10)
        + txt("ｲﾉﾍﾞ-ｼﾖﾝﾈﾂﾄ", 40)
        + b"1"  # 貸越区分
        + b"1"  # 通帳・証書区分
        + num(500_000, 14)
        + b" " * 71
    )
    data = (
        b"2"
        + num(123, 8)  # 照会番号
        + b"070410070410"  # 勘定日, 預入・払出日
        + b"1"  # 入払区分
        + b"11"  # 取引区分
        + num(50_000, 12)
        + num(0, 12)
        + b"000000000000"  # 交換呈示日, 不渡返還日
        + b"0"
        + num(0, 7)
        + b"000"
        + num(4_321, 10)  # 振込依頼人コード
        + txt("ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ", 48)
        + txt("ﾎｸｺｸｷﾞﾝｺｳ", 15)
        + txt("ｶﾅｻﾞﾜｴｷﾏｴ", 15)
        + txt("ﾌﾘｺﾐ", 20)
        + txt("R7ﾈﾝｶｲﾋ", 20)
        + b" "
    )
    trailer = (
        b"8"
        + num(1, 6)
        + num(50_000, 13)
        + num(0, 6)
        + num(0, 13)
        + b"1"
        + num(550_000, 14)
        + num(1, 7)
        + b" " * 139
    )
    end = b"9" + b" " * 199
    for record in (header, data, trailer, end):
        assert len(record) == RECORD_LENGTH
    [line] = parse_zengin(join([header, data, trailer, end]))
    assert line.line_no == 2
    assert line.account == "0146-101-1-1234567"
    assert line.reference == "00000123"
    assert line.booked_on == D(2025, 4, 10)
    assert line.amount == 50_000
    assert line.payer_code == "0000004321"
    assert line.payer_name == "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ"
    assert (line.bank_name, line.branch_name) == ("ﾎｸｺｸｷﾞﾝｺｳ", "ｶﾅｻﾞﾜｴｷﾏｴ")
    assert line.edi == "R7ﾈﾝｶｲﾋ"


def transfer_notice(cancelled: str, reference: int, amount: int, payer: str) -> bytes:
    """A 振込入金通知 (01) data record."""
    return (
        b"2"
        + num(reference, 6)
        + b"070410070410"  # 勘定日, 起算日
        + num(amount, 10)
        + num(0, 10)
        + num(0, 10)  # 振込依頼人コード
        + txt(payer, 48)
        + txt("ﾎｸﾘｸｷﾞﾝｺｳ", 15)
        + txt("ﾄﾔﾏ", 15)
        + cancelled.encode()
        + txt("", 20)
        + b" " * 52
    )


def test_hand_made_01_file_skips_cancelled_notices():
    header = b"1010" + bank_part() + b"1" + num(1234567, 7) + txt("ｲﾉﾍﾞ-ｼﾖﾝﾈﾂﾄ", 40) + b" " * 93
    notices = [
        transfer_notice(" ", 1, 30_000, "ｼﾔ)ﾄﾔﾏｹﾝｼﾝｺｳｷﾖｳｶｲ"),
        transfer_notice("1", 2, 12_000, "ﾏﾁｶﾞｲ"),
        transfer_notice("0", 3, 20_000, "ﾀﾞｲ)ﾄﾔﾏﾀﾞｲｶﾞｸ"),
    ]
    trailer = b"8" + num(2, 6) + num(50_000, 12) + num(1, 6) + num(12_000, 12) + b" " * 163
    end = b"9" + b" " * 199
    records = [header, *notices, trailer, end]
    assert {len(record) for record in records} == {RECORD_LENGTH}
    lines = parse_zengin(join(records))
    assert [(line.reference, line.amount, line.payer_name) for line in lines] == [
        ("000001", 30_000, "ｼﾔ)ﾄﾔﾏｹﾝｼﾝｺｳｷﾖｳｶｲ"),
        ("000003", 20_000, "ﾀﾞｲ)ﾄﾔﾏﾀﾞｲｶﾞｸ"),
    ]
    assert lines[0].account == "0146-101-1-1234567"
    assert lines[0].branch_name == "ﾄﾔﾏ"

    wrong = b"8" + num(3, 6) + num(62_000, 12) + num(0, 6) + num(0, 12) + b" " * 163
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(join([header, *notices, wrong, end]))
    assert errors_of(excinfo) == [
        (5, "trailer gives 3 incoming records, the data has 2"),
        (5, "trailer gives incoming total of 62000 yen, the data adds up to 50000 yen"),
        (5, "trailer gives 0 cancelled records, the data has 1"),
        (5, "trailer gives cancelled total of 0 yen, the data adds up to 12000 yen"),
    ]


def test_trailer_mismatch_rejects_the_file():
    records = records_of(build_zengin(LINES))
    trailer = bytearray(records[4])
    trailer[1:7] = b"000003"  # 入金件数
    trailer[54:61] = b"0000004"  # データレコード件数
    records[4] = bytes(trailer)
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(join(records))
    assert errors_of(excinfo) == [
        (5, "trailer gives 3 incoming records, the data has 2"),
        (5, "trailer gives 4 data records, the file has 3"),
    ]


def test_all_errors_are_reported_with_line_numbers_and_nothing_is_returned():
    first = records_of(build_zengin(LINES))
    second = records_of(build_zengin(LINES[:1], account_number="7777777"))
    first[1] = first[1][:199]  # one byte short
    first[3] = first[3][:9] + b"071340" + first[3][15:]  # 勘定日 month 13
    first.insert(4, b"5" + b" " * 199)  # unknown record type
    bad_total = bytearray(second[2])
    bad_total[7:20] = b"0000000099999"  # 入金額合計
    second[2] = bytes(bad_total)
    records = [*first[:-1], *second]  # one end record, at the very end
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(join(records))
    assert errors_of(excinfo) == [
        (2, "record is 199 bytes, expected 200"),
        (4, 'booking date is not a valid date: "071340"'),
        (5, 'unknown record type "5"'),
        (9, "trailer gives incoming total of 99999 yen, the data adds up to 100000 yen"),
    ]


def test_structure_errors():
    header, data, _outgoing, _data, trailer, end = records_of(build_zengin(LINES))
    empty_trailer = records_of(build_zengin([], created_on=D(2025, 4, 30)))[1]
    cases = {
        (data, trailer, end): [
            (1, "data record outside a header/trailer group"),
            (2, "trailer record without a header record"),
            (1, "the file has no header record"),
        ],
        (header, data): [(2, "the file ends without a trailer record")],
        (header, header, empty_trailer, end): [
            (2, "header record before the trailer of the group above"),
        ],
        (header, end, end): [
            (2, "end record before the trailer of the group above"),
            (3, "record after the end record"),
        ],
    }
    for records, expected in cases.items():
        with pytest.raises(StatementError) as excinfo:
            parse_zengin(join(list(records)))
        assert errors_of(excinfo) == sorted(expected, key=lambda error: error[0]), records


def test_bad_fields_of_one_record_are_all_reported():
    records = records_of(build_zengin(LINES[:1]))
    data = bytearray(records[1])
    data[21] = ord("7")  # 入払区分
    data[24:36] = b"00001,000000"  # 取引金額
    records[1] = bytes(data)
    header = bytearray(records[0])
    header[1:3] = b"02"
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(join(records))
    assert errors_of(excinfo) == [
        (2, 'amount is not a number: "00001,000000"'),
        (2, 'deposit/withdrawal code must be 1 or 2, not "7"'),
    ]
    records[0] = bytes(header)
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(join(records))
    assert errors_of(excinfo) == [(1, 'unsupported statement kind "02", expected 01 or 03')]


def test_empty_file_is_rejected():
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(b"\r\n")
    assert errors_of(excinfo) == [(0, "the file is empty")]


def test_build_zengin_refuses_what_a_bank_would_not_send():
    with pytest.raises(ValueError, match="half-width"):
        build_zengin([(D(2025, 4, 1), 1, "イシカワ", "1")])
    with pytest.raises(ValueError, match="Reiwa"):
        build_zengin([(D(2019, 4, 30), 1, "ｲｼｶﾜ", "1")])
    with pytest.raises(ValueError, match="48 bytes"):
        build_zengin([(D(2025, 4, 1), 1, "ｲ" * 49, "1")])


def test_detect_format():
    assert detect_format(build_zengin(LINES)) == "zengin"
    assert detect_format(build_zengin(LINES, separator=b"")) == "zengin"
    assert detect_format(b"date,amount,payer_name\r\n2025-04-01,1000,x\r\n") == "csv"
    assert detect_format(b"1" + b" " * 150 + b"\r\n") == "csv"
    assert set(PARSERS) == {"zengin", "csv"}


# CSV -----------------------------------------------------------------------------------------

CSV_TEXT = (
    "date,amount,payer_name\r\n"
    '2025-04-10,"100,000",ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ\r\n'
    "2025/4/14,49560円,公益財団法人京都高度技術研究所\r\n"
    "\r\n"
    '2025/04/15,"￥12,000",ﾄﾔﾏｹﾝ\r\n'
)


def test_csv_reads_utf8_with_and_without_bom_and_cp932_alike():
    expected = [
        (2, D(2025, 4, 10), 100_000, "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ"),
        (3, D(2025, 4, 14), 49_560, "公益財団法人京都高度技術研究所"),
        (5, D(2025, 4, 15), 12_000, "ﾄﾔﾏｹﾝ"),
    ]
    for data in (
        CSV_TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"),
        CSV_TEXT.encode("cp932"),
    ):
        lines = parse_csv(data)
        assert [(x.line_no, x.booked_on, x.amount, x.payer_name) for x in lines] == expected
        assert detect_format(data) == "csv"
    assert parse_csv(CSV_TEXT.encode("cp932")) == parse_csv(CSV_TEXT.encode("utf-8"))


def test_csv_amounts_with_commas_yen_and_full_width_digits():
    data = "date,amount,payer_name\n2025-04-01, １２，３４５ 円 ,ｲｼｶﾜ\n2025-04-02,￥1000,ｲｼｶﾜ\n"
    assert [line.amount for line in parse_csv(data.encode())] == [12_345, 1_000]


def test_csv_optional_columns():
    data = (
        "Payer_Name,Date,Amount,Reference,Account\nｲｼｶﾜ,2025-04-01,1000,R-77,0146-101-1-1234567\n"
    )
    [line] = parse_csv(data.encode())
    assert (line.reference, line.account, line.payer_name) == (
        "R-77",
        "0146-101-1-1234567",
        "ｲｼｶﾜ",
    )


def test_csv_references_are_stable_and_distinct():
    data = CSV_TEXT + "2025/04/15,12000,ﾄﾔﾏｹﾝ\r\n"  # the same payment twice that day
    references = [line.reference for line in parse_csv(data.encode())]
    assert references == [line.reference for line in parse_csv(data.encode("cp932"))]
    assert len(set(references)) == 4
    assert all(reference.startswith("csv-") for reference in references)
    # An extra row elsewhere in a later download leaves the other rows' references alone.
    longer = data.replace("\r\n", "\r\n2025-03-31,500,ﾍﾞﾂ\r\n", 1)
    assert set(references) < {line.reference for line in parse_csv(longer.encode())}


def test_csv_reports_every_bad_row_and_returns_nothing():
    data = (
        "date,amount,payer_name\n"
        "2025-04-01,1000,ｲｼｶﾜ\n"
        "2025-02-30,1000,ｲｼｶﾜ\n"
        "01/04/2025,1.5,\n"
        "2025-04-03,1000\n"
        "2025-04-04,-100,ｲｼｶﾜ\n"
    )
    with pytest.raises(StatementError) as excinfo:
        parse_csv(data.encode())
    assert errors_of(excinfo) == [
        (3, 'date is not a valid date: "2025-02-30"'),
        (4, 'date is not a valid date: "01/04/2025"'),
        (4, 'amount is not a positive whole number of yen: "1.5"'),
        (4, "payer name is empty"),
        (5, "row has 2 columns, the header has 3"),
        (6, 'amount is not a positive whole number of yen: "-100"'),
    ]


def test_csv_header_problems():
    with pytest.raises(StatementError) as excinfo:
        parse_csv(b"\n\ndate,payer,amount,date\n2025-04-01,x,1\n")
    assert errors_of(excinfo) == [
        (3, "missing column: payer_name"),
        (3, "column appears twice: date"),
    ]
    for data in (b"", b"\r\n \r\n", "\ufeff".encode()):
        with pytest.raises(StatementError) as excinfo:
            parse_csv(data)
        assert errors_of(excinfo) == [(0, "the file is empty")]
    with pytest.raises(StatementError) as excinfo:
        parse_csv(b"date,amount,payer_name\n2025-04-01,1,\x85\x40\n")
    assert errors_of(excinfo) == [(0, "the file is neither UTF-8 nor Shift_JIS text")]


# --- The specification and the variants banks send ------------------------------------------

SAMPLE = Path(__file__).parent / "samples" / "zengin-03-2026-05.txt"

# 入出金取引明細 (03) as the 全銀協 specification lays it out (see dues/bankfiles.py for the
# sources): (field, start, length) in record order, ダミー left out.
SPECIFICATION_03 = {
    "header": [
        ("record_type", 1, 1), ("kind", 2, 2), ("code_type", 4, 1), ("created_on", 5, 6),
        ("booked_from", 11, 6), ("booked_to", 17, 6), ("bank_code", 23, 4),
        ("bank_name", 27, 15), ("branch_code", 42, 3), ("branch_name", 45, 15),
        ("reserved", 60, 3), ("account_type", 63, 1), ("account_number", 64, 10),
        ("account_name", 74, 40), ("overdraft", 114, 1), ("passbook", 115, 1),
        ("opening_balance", 116, 14),
    ],
    "data": [
        ("record_type", 1, 1), ("reference", 2, 8), ("booked_on", 10, 6), ("value_on", 16, 6),
        ("direction", 22, 1), ("transaction_type", 23, 2), ("amount", 25, 12),
        ("other_bank_cheques", 37, 12), ("presented_on", 49, 6), ("dishonoured_on", 55, 6),
        ("cheque_type", 61, 1), ("cheque_number", 62, 7), ("sister_branch", 69, 3),
        ("payer_code", 72, 10), ("payer_name", 82, 48), ("bank_name", 130, 15),
        ("branch_name", 145, 15), ("description", 160, 20), ("edi", 180, 20),
    ],
    "trailer": [
        ("record_type", 1, 1), ("count", 2, 6), ("total", 8, 13), ("outgoing_count", 21, 6),
        ("outgoing_total", 27, 13), ("overdraft", 40, 1), ("closing_balance", 41, 14),
        ("record_count", 55, 7),
    ],
    "end": [("record_type", 1, 1), ("record_total", 2, 10), ("account_total", 12, 5)],
}  # fmt: skip


def test_03_layout_is_the_specifications():
    for record, fields in SPECIFICATION_03.items():
        layout = LAYOUTS["03"][record]
        assert [(name, spec.start, spec.length) for name, spec in layout.items()] == fields


def test_the_sample_statement_reads_every_incoming_line():
    lines = parse_zengin(SAMPLE.read_bytes())
    assert [(line.line_no, line.booked_on, line.amount, line.payer_name) for line in lines] == [
        (2, D(2026, 5, 20), 100_000, "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ"),
        (3, D(2026, 5, 21), 150_000, "ｷﾖｳﾄｼｶｲｹｲｶﾝﾘｼﾔ"),
        (5, D(2026, 5, 25), 30_000, "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ"),
        (6, D(2026, 5, 26), 12_000, "ﾆﾎﾝﾘﾂﾁｾﾝﾀ-"),
        (7, D(2026, 5, 28), 5_000, "ｲﾉﾍﾞ-ｼﾖﾝｾﾐﾅ-ｻﾝｶﾋ"),
    ]
    assert {line.account for line in lines} == {"0001-071-1-1234567"}
    assert [line.reference for line in lines] == [f"0000520{i}" for i in (1, 2, 4, 5, 6)]
    assert lines[0].bank_name == "ﾎｸﾘｸｷﾞﾝｺｳ"


def sample_variants() -> dict[str, bytes]:
    """The sample as the banks' variants of the format would send it."""
    crlf = SAMPLE.read_bytes()
    records = crlf.split(b"\r\n")[:-1]
    without_end = records[:-1]
    return {
        "CRLF": crlf,
        "LF": b"\n".join(records) + b"\n",
        "CR": b"\r".join(records) + b"\r",
        "CRLF, no final line break": b"\r\n".join(records),
        "LF, no final line break": b"\n".join(records),
        "200-byte records, no line breaks": b"".join(records),
        "DOS end-of-file mark": crlf + b"\x1a",
        "no end record": b"\r\n".join(without_end) + b"\r\n",
        "no end record, no final line break": b"\r\n".join(without_end),
        "no end record, LF": b"\n".join(without_end) + b"\n",
        "no end record, no line breaks": b"".join(without_end),
    }


@pytest.mark.parametrize("variant", list(sample_variants()))
def test_every_variant_of_the_sample_reads_alike(variant):
    data = sample_variants()[variant]
    assert detect_format(data) == "zengin"
    assert parse_zengin(data) == parse_zengin(SAMPLE.read_bytes())


def test_the_sample_is_shift_jis_half_width_kana():
    data = SAMPLE.read_bytes()
    assert "ｻﾞｲ)ｲｼｶﾜ".encode("cp932") in data  # one byte a character
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_an_ebcdic_file_is_refused_with_the_reason():
    records = SAMPLE.read_bytes().split(b"\r\n")[:-1]
    records[0] = records[0][:3] + b"1" + records[0][4:]  # コード区分 1: EBCDIC
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(join(records))
    assert errors_of(excinfo) == [
        (1, 'character code "1" is not JIS (0): ask the bank for the file in JIS/Shift_JIS')
    ]


def test_the_end_record_still_closes_the_file():
    records = SAMPLE.read_bytes().split(b"\r\n")[:-1]
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(join([*records, records[0]]))
    assert errors_of(excinfo) == [(10, "record after the end record")]


def format_b_notice(reference: int, short: int, long: int, payer: str) -> bytes:
    """A 振込入金通知 (01) data record of フォーマットB: 金額(1) N(10), or 金額(2) N(12)."""
    return (
        b"2"
        + num(reference, 6)
        + b"080410080410"  # 勘定日, 起算日
        + num(short, 10)  # 金額(1)
        + num(0, 10)
        + num(0, 10)  # 振込依頼人コード
        + txt(payer, 48)
        + txt("ﾎｸﾘｸｷﾞﾝｺｳ", 15)
        + txt("ﾄﾔﾏ", 15)
        + b"0"  # 取消区分
        + num(long, 12)  # 金額(2)
        + num(0, 12)
        + txt("INV2026-00001", 20)  # EDI情報
        + b" " * 28
    )


def test_01_format_b_reads_the_long_amount():
    header = b"1010" + bank_part() + b"1" + num(1234567, 7) + txt("ｲﾉﾍﾞ-ｼﾖﾝﾈﾂﾄ", 40) + b" " * 93
    notices = [
        format_b_notice(1, 0, 12_345_678_901, "ｺｸ)ｻﾝｷﾞﾖｳｿｳｼﾕﾂｷｺｳ"),
        format_b_notice(2, 150_000, 0, "ｻﾞｲ)ｷﾖｳﾄｺｳﾄﾞｷﾞｼﾞﾕﾂｹﾝｷﾕｳｼﾖ"),
    ]
    trailer = b"8" + num(2, 6) + num(12_345_828_901, 12) + num(0, 6) + num(0, 12) + b" " * 163
    records = [header, *notices, trailer]
    assert {len(record) for record in records} == {RECORD_LENGTH}
    lines = parse_zengin(join(records))
    assert [(line.reference, line.amount, line.edi) for line in lines] == [
        ("000001", 12_345_678_901, "INV2026-00001"),
        ("000002", 150_000, "INV2026-00001"),
    ]

    both = format_b_notice(3, 1, 1, "ﾏﾁｶﾞｲ")
    with pytest.raises(StatementError) as excinfo:
        parse_zengin(join([header, both, trailer]))
    assert errors_of(excinfo) == [(2, "both amounts of a format B record are filled in")]
