"""Bank statement parsers: Zengin (全銀協) fixed-length files and a simple CSV.

Each parser turns the bytes of an uploaded file into StatementLine rows of incoming money, or
rejects the whole file with every problem it found (StatementError): a partly read statement
would silently leave payments unmatched. Parsers are plain functions registered in PARSERS, so
a bank's own CSV layout can be added beside them. Nothing here touches the database.

Zengin 振込入金通知 (種別コード 01) and 入出金取引明細 (種別コード 03)
---------------------------------------------------------------------

Source: 一般社団法人全国銀行協会「全銀協パーソナル・コンピュータ用標準通信プロトコル（ベーシック
手順）適用業務およびレコード・フォーマット」(AP-Ⅰ-12〔別冊〕, 令和元年12月), the formats
振込入金通知 (フォーマットA and B) and 入出金取引明細 (普通・当座・貯蓄預金). Every position and
width below, the trailer's counts (N(6)) and totals (N(12) for 01, N(13) for 03) included,
was checked against that specification as transcribed in public code (a layout table that
cites it, and the Diva.Zengin library's records), and the 03 header and the unseparated
variant against a bank's published copy: きらぼし銀行「《入出金明細(全銀)》明細ファイル・
フォーマット(全銀協規定形式・改行なし)」(2018-05-01). Banks publish the same layout as
「全銀協規定形式」 (e.g. 京都銀行「京銀インターネットEBサービス ご利用マニュアル」, 2018年12月,
入出金明細ファイル). What none of these settles is marked (verify).

Fixed 200-byte records, JIS X 0201 text (read as Shift_JIS, cp932: half-width katakana). A
file is one or more groups header "1", data "2"..., trailer "8", normally closed by one end
record "9". Numbers (N) are right-aligned and zero-filled, text (C) left-aligned and
space-filled. Dates are Japanese-era YYMMDD (see REIWA_OFFSET). Positions are 1-based bytes
as in the specification; LAYOUTS below is the only place that holds them.

The variants banks send, all accepted: records followed by CRLF (「改行あり」), by LF or CR, or
not separated at all (「改行なし」, records cut every 200 bytes, as the きらぼし copy
specifies); a last record with or without its line break; a DOS end-of-file mark (0x1A);
files that stop after the last trailer, without the end record (it adds nothing the
trailers did not check). コード区分 must be 0 (JIS): an EBCDIC file (1) is refused with that
reason.

Header "1" (both kinds; positions 1-59 are shared)::

    pos  len       field                            01    03
    1    1    N    データ区分 "1"
    2    2    N    種別コード "01" / "03"
    4    1    N    コード区分 (0 = JIS, 1 = EBCDIC)
    5    6    N    作成日 YYMMDD
    11   6    N    勘定日(自) YYMMDD
    17   6    N    勘定日(至) YYMMDD
    23   4    N    銀行コード
    27   15   C    銀行名
    42   3    N    支店コード
    45   15   C    支店名
                   ダミー N(3) "000"                -     60
                   預金種目 N(1)                    60    63
                   口座番号 N(7) / N(10)            61    64
                   口座名 C(40)                     68    74
                   貸越区分 N(1) (1 +, 2 -)         -     114
                   通帳・証書区分 N(1)              -     115
                   取引前残高 N(14)                 -     116
                   ダミー C                         108   130

Data "2", 振込入金通知 (01), フォーマットA (see "data_b" below for B)::

    1    1    N    データ区分 "2"
    2    6    N    照会番号
    8    6    N    勘定日
    14   6    N    起算日
    20   10   N    金額
    30   10   N    うち他店券金額
    40   10   N    振込依頼人コード
    50   48   C    振込依頼人名
    98   15   C    仕向銀行名
    113  15   C    仕向店名
    128  1    C    取消区分 ("1" = 取消: cancels an earlier notice)
    129  20   C    EDI情報
    149  52   C    ダミー

フォーマットB of 01 (金額 over 10 digits) keeps 1-128 and puts 金額(2) N(12) at 129,
うち他店券金額(2) N(12) at 141, EDI情報 C(20) at 153 and ダミー at 173; 金額(1) at 20 is then
zero (or 金額(2) is, for a small amount). A record is read as B when 129-152 are digits: in
A they end with ダミー spaces.

Data "2", 入出金取引明細 (03)::

    1    1    N    データ区分 "2"
    2    8    N    照会番号
    10   6    N    勘定日
    16   6    N    預入・払出日
    22   1    N    入払区分 (1 = 入金, 2 = 出金)
    23   2    N    取引区分 (10 現金, 11 振込, 12 他店券入金, 13 交換, 14 振替, 18 その他,
                   19 訂正)
    25   12   N    取引金額
    37   12   N    うち他店券金額
    49   6    N    交換呈示日
    55   6    N    不渡返還日
    61   1    N    手形・小切手区分
    62   7    N    手形・小切手番号
    69   3    N    僚店番号
    72   10   N    振込依頼人コード
    82   48   C    振込依頼人名または契約者番号
    130  15   C    仕向銀行名
    145  15   C    仕向店名
    160  20   C    摘要内容
    180  20   C    EDI情報
    200  1    C    ダミー

Trailer "8"::

    01:  2 N(6) 振込合計件数, 8 N(12) 振込合計金額, 20 N(6) 取消合計件数,
         26 N(12) 取消合計金額, 38 C(163) ダミー
         (whether 振込 counts exclude 取消 is not stated: verify)
    03:  2 N(6) 入金件数, 8 N(13) 入金額合計, 21 N(6) 出金件数, 27 N(13) 出金額合計,
         40 N(1) 貸越区分, 41 N(14) 取引後残高, 55 N(7) データ・レコード件数,
         62 C(139) ダミー

End "9": 01: データ区分 only, the rest ダミー. 03: 2 N(10) レコード総件数, 12 N(5) 口座数,
17 C(184) ダミー; banks fill these differently (or not at all), so they are not checked.

Only money received is returned: 03 lines with 入払区分 2 and cancelled 01 notices are counted
against the trailer but not returned. The trailer counts and totals are checked against the
data records of their group (データ・レコード件数 only when filled in); a group with a broken
data record is not checked, so one bad record is reported once and not again as a mismatch.
"""

import csv
import datetime
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

RECORD_LENGTH = 200
ENCODING = "cp932"
# Zengin dates are Japanese-era YYMMDD. Every statement this portal reads is from after the
# change of era on 2019-05-01, so YY is read as a Reiwa year: 令和1 = 2019, year = YY + 2018.
# Change this (or read the era from the file, if a bank adds one) at the next change of era.
REIWA_OFFSET = 2018
REIWA_START = datetime.date(2019, 5, 1)


@dataclass(frozen=True)
class StatementLine:
    """One incoming payment. amount is integer yen; payer_name is as the bank wrote it
    (half-width kana stays half-width); account is "bank-branch-type-number"."""

    line_no: int
    account: str
    reference: str
    booked_on: datetime.date
    amount: int
    payer_name: str
    payer_code: str
    bank_name: str
    branch_name: str
    edi: str


class StatementError(Exception):
    """The file was rejected; errors lists every (line number, reason) found, in line order.
    Line 0 means the file as a whole. Reasons are lazy: they render in the reader's language."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = sorted(errors, key=lambda error: error[0])
        super().__init__(self.errors)

    def __str__(self):
        return "; ".join(f"{line_no}: {reason}" for line_no, reason in self.errors)


def _format(message, params):
    return str(message) % params


# %-formatting a gettext_lazy string translates it at once; this keeps the reason lazy.
_lazy_format = lazy(_format, str)


def _reason(message, **params):
    return _lazy_format(message, params)


# ---------------------------------------------------------------------------------------------
# Zengin layouts: the one place that knows byte positions.


@dataclass(frozen=True)
class Field:
    start: int  # 1-based, as printed in the specification
    length: int
    numeric: bool = False

    def take(self, record: bytes) -> bytes:
        return record[self.start - 1 : self.start - 1 + self.length]


def N(start: int, length: int) -> Field:  # named after the spec's N(length)
    return Field(start, length, numeric=True)


def C(start: int, length: int) -> Field:  # named after the spec's C(length)
    return Field(start, length)


_HEADER = {
    "record_type": N(1, 1),
    "kind": N(2, 2),
    "code_type": N(4, 1),
    "created_on": N(5, 6),
    "booked_from": N(11, 6),
    "booked_to": N(17, 6),
    "bank_code": N(23, 4),
    "bank_name": C(27, 15),
    "branch_code": N(42, 3),
    "branch_name": C(45, 15),
}
LAYOUTS: dict[str, dict[str, dict[str, Field]]] = {
    "01": {
        "header": {
            **_HEADER,
            "account_type": N(60, 1),
            "account_number": N(61, 7),
            "account_name": C(68, 40),
        },
        "data": {
            "record_type": N(1, 1),
            "reference": N(2, 6),
            "booked_on": N(8, 6),
            "value_on": N(14, 6),
            "amount": N(20, 10),
            "other_bank_cheques": N(30, 10),
            "payer_code": N(40, 10),
            "payer_name": C(50, 48),
            "bank_name": C(98, 15),
            "branch_name": C(113, 15),
            "cancelled": C(128, 1),
            "edi": C(129, 20),
        },
        # フォーマットB: the same record with 12-digit amounts after 取消区分; of the two
        # amounts, the one not used is all zeros.
        "data_b": {
            "record_type": N(1, 1),
            "reference": N(2, 6),
            "booked_on": N(8, 6),
            "value_on": N(14, 6),
            "amount_short": N(20, 10),
            "other_bank_cheques_short": N(30, 10),
            "payer_code": N(40, 10),
            "payer_name": C(50, 48),
            "bank_name": C(98, 15),
            "branch_name": C(113, 15),
            "cancelled": C(128, 1),
            "amount": N(129, 12),
            "other_bank_cheques": N(141, 12),
            "edi": C(153, 20),
        },
        "trailer": {
            "record_type": N(1, 1),
            "count": N(2, 6),
            "total": N(8, 12),
            "cancelled_count": N(20, 6),
            "cancelled_total": N(26, 12),
        },
        "end": {"record_type": N(1, 1)},
    },
    "03": {
        "header": {
            **_HEADER,
            "reserved": N(60, 3),
            "account_type": N(63, 1),
            "account_number": N(64, 10),
            "account_name": C(74, 40),
            "overdraft": N(114, 1),
            "passbook": N(115, 1),
            "opening_balance": N(116, 14),
        },
        "data": {
            "record_type": N(1, 1),
            "reference": N(2, 8),
            "booked_on": N(10, 6),
            "value_on": N(16, 6),
            "direction": N(22, 1),
            "transaction_type": N(23, 2),
            "amount": N(25, 12),
            "other_bank_cheques": N(37, 12),
            "presented_on": N(49, 6),
            "dishonoured_on": N(55, 6),
            "cheque_type": N(61, 1),
            "cheque_number": N(62, 7),
            "sister_branch": N(69, 3),
            "payer_code": N(72, 10),
            "payer_name": C(82, 48),
            "bank_name": C(130, 15),
            "branch_name": C(145, 15),
            "description": C(160, 20),
            "edi": C(180, 20),
        },
        "trailer": {
            "record_type": N(1, 1),
            "count": N(2, 6),
            "total": N(8, 13),
            "outgoing_count": N(21, 6),
            "outgoing_total": N(27, 13),
            "overdraft": N(40, 1),
            "closing_balance": N(41, 14),
            "record_count": N(55, 7),
        },
        "end": {"record_type": N(1, 1), "record_total": N(2, 10), "account_total": N(12, 5)},
    },
}
DEPOSIT, WITHDRAWAL = "1", "2"  # 入払区分 of 03 data records
CANCELLED = "1"  # 取消区分 of 01 data records
JIS = 0  # コード区分 of a header: the only character code read here (1 is EBCDIC)

_DATE_LABELS = {
    "created_on": _("creation date"),
    "booked_from": _("first booking date"),
    "booked_to": _("last booking date"),
    "booked_on": _("booking date"),
}


class _RecordErrors(Exception):
    """Problems in one record; collected by the caller, never seen outside this module."""

    def __init__(self, reasons):
        self.reasons = reasons


class _Reader:
    """Reads the fields of one record, collecting every problem instead of stopping at one."""

    def __init__(self, record: bytes, layout: dict[str, Field]):
        self.record, self.layout, self.reasons = record, layout, []

    def raw(self, name: str) -> bytes:
        return self.layout[name].take(self.record)

    def text(self, name: str) -> str:
        try:
            return self.raw(name).decode(ENCODING).rstrip()
        except UnicodeDecodeError:
            self.reasons.append(_reason(_("%(field)s is not Shift_JIS text"), field=name))
            return ""

    def number(self, name: str, label=None) -> int:
        raw = self.raw(name)
        if not raw.isdigit():
            self.reasons.append(
                _reason(
                    _('%(field)s is not a number: "%(value)s"'),
                    field=label or name,
                    value=raw.decode(ENCODING, "replace"),
                )
            )
            return 0
        return int(raw)

    def date(self, name: str) -> datetime.date | None:
        raw = self.raw(name)
        try:
            if not raw.isdigit():
                raise ValueError
            yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:6])
            return datetime.date(yy + REIWA_OFFSET, mm, dd)
        except ValueError:
            self.reasons.append(
                _reason(
                    _('%(field)s is not a valid date: "%(value)s"'),
                    field=_DATE_LABELS.get(name, name),
                    value=raw.decode(ENCODING, "replace"),
                )
            )
            return None

    def done(self):
        if self.reasons:
            raise _RecordErrors(self.reasons)


@dataclass
class _Group:
    """A header with its data records, waiting for the trailer that checks them."""

    line_no: int
    kind: str | None = None
    account: str = ""
    broken: bool = False
    lines: list[StatementLine] = field(default_factory=list)
    tally: Counter = field(default_factory=Counter)


def _split_records(data: bytes) -> list[tuple[int, bytes]]:
    """(line number, record) pairs. CR and LF never occur inside cp932 characters, so a file
    containing them is split on them; an unseparated file is cut every 200 bytes."""
    data = data.rstrip(b"\x1a")  # DOS end-of-file mark
    if b"\n" in data or b"\r" in data:
        records = re.split(rb"\r\n|\n|\r", data)
    else:
        records = [data[i : i + RECORD_LENGTH] for i in range(0, len(data), RECORD_LENGTH)]
    while records and not records[-1].strip():
        records.pop()
    return list(enumerate(records, 1))


def _read_header(group: _Group, record: bytes) -> None:
    kind = _HEADER["kind"].take(record).decode("ascii", "replace")
    if kind not in LAYOUTS:
        raise _RecordErrors(
            [_reason(_('unsupported statement kind "%(kind)s", expected 01 or 03'), kind=kind)]
        )
    reader = _Reader(record, LAYOUTS[kind]["header"])
    code_type = reader.raw("code_type").decode(ENCODING, "replace")
    if code_type != str(JIS):
        reader.reasons.append(
            _reason(
                _(
                    'character code "%(code)s" is not JIS (0): ask the bank for the file in '
                    "JIS/Shift_JIS"
                ),
                code=code_type,
            )
        )
    for name in ("created_on", "booked_from", "booked_to"):
        reader.date(name)
    bank = reader.number("bank_code", _("bank code"))
    branch = reader.number("branch_code", _("branch code"))
    account_type = reader.number("account_type", _("account type"))
    number = reader.number("account_number", _("account number"))
    reader.done()
    group.kind = kind
    # 03 files give the account number in 10 digits, 01 files in 7: keep one form for both.
    group.account = f"{bank:04d}-{branch:03d}-{account_type}-{number:07d}"


def _is_01_format_b(record: bytes) -> bool:
    """A 01 record of フォーマットB: digits where format A has EDI情報 and ダミー (129-152)."""
    return record[128:152].isdigit()


def _read_data(group: _Group, record: bytes, line_no: int) -> None:
    format_b = group.kind == "01" and _is_01_format_b(record)
    reader = _Reader(record, LAYOUTS[group.kind]["data_b" if format_b else "data"])
    booked_on = reader.date("booked_on")
    amount = reader.number("amount", _("amount"))
    if format_b:
        short = reader.number("amount_short", _("amount"))
        if short and amount:
            reader.reasons.append(_("both amounts of a format B record are filled in"))
        amount += short
    if group.kind == "03":
        direction = reader.raw("direction").decode(ENCODING, "replace")
        if direction not in (DEPOSIT, WITHDRAWAL):
            reader.reasons.append(
                _reason(
                    _('deposit/withdrawal code must be 1 or 2, not "%(value)s"'), value=direction
                )
            )
        incoming = direction == DEPOSIT
    else:
        incoming = reader.text("cancelled") != CANCELLED
    reference = reader.raw("reference").decode(ENCODING, "replace")
    if not reference.isdigit():
        reader.reasons.append(
            _reason(_('reference number is not a number: "%(value)s"'), value=reference)
        )
    payer_code = reader.text("payer_code").strip()
    line = StatementLine(
        line_no=line_no,
        account=group.account,
        reference=reference,
        booked_on=booked_on,
        amount=amount,
        payer_name=reader.text("payer_name"),
        payer_code="" if payer_code.strip("0") == "" else payer_code,
        bank_name=reader.text("bank_name"),
        branch_name=reader.text("branch_name"),
        edi=reader.text("edi"),
    )
    reader.done()
    group.tally["records"] += 1
    prefix = "" if incoming else "other_"
    group.tally[prefix + "count"] += 1
    group.tally[prefix + "total"] += amount
    if incoming:
        group.lines.append(line)


# The trailer's second pair of totals: cancelled notices (01) or outgoing lines (03).
_OTHER_TOTALS = {
    "01": (_("cancelled"), "cancelled_count", "cancelled_total"),
    "03": (_("outgoing"), "outgoing_count", "outgoing_total"),
}


def _check_trailer(group: _Group, record: bytes) -> None:
    reader = _Reader(record, LAYOUTS[group.kind]["trailer"])
    checks = [(_("incoming"), "count", "total", ""), (*_OTHER_TOTALS[group.kind], "other_")]
    for label, count_field, total_field, tally in checks:
        count, total = group.tally[tally + "count"], group.tally[tally + "total"]
        unreadable = len(reader.reasons)
        expected_count = reader.number(count_field, _("record count"))
        expected_total = reader.number(total_field, _("total"))
        if len(reader.reasons) > unreadable:
            continue
        if expected_count != count:
            reader.reasons.append(
                _reason(
                    _("trailer gives %(expected)d %(label)s records, the data has %(actual)d"),
                    expected=expected_count,
                    label=label,
                    actual=count,
                )
            )
        if expected_total != total:
            reader.reasons.append(
                _reason(
                    _(
                        "trailer gives %(label)s total of %(expected)d yen, "
                        "the data adds up to %(actual)d yen"
                    ),
                    expected=expected_total,
                    label=label,
                    actual=total,
                )
            )
    # データ・レコード件数 is checked only when filled in: blank or zero means absent.
    if group.kind == "03" and reader.raw("record_count").strip(b" 0"):
        unreadable = len(reader.reasons)
        expected = reader.number("record_count", _("record count"))
        if len(reader.reasons) == unreadable and expected != group.tally["records"]:
            reader.reasons.append(
                _reason(
                    _("trailer gives %(expected)d data records, the file has %(actual)d"),
                    expected=expected,
                    actual=group.tally["records"],
                )
            )
    reader.done()


def parse_zengin(data: bytes) -> list[StatementLine]:
    """Incoming payments of a Zengin 01 or 03 file; StatementError lists every problem."""
    records = _split_records(data)
    if not records:
        raise StatementError([(0, _("the file is empty"))])
    errors: list[tuple[int, str]] = []
    result: list[StatementLine] = []
    group: _Group | None = None
    seen_header = ended = False

    def attempt(line_no, read, *args):
        try:
            read(*args)
        except _RecordErrors as exc:
            errors.extend((line_no, reason) for reason in exc.reasons)
            return False
        return True

    for line_no, record in records:
        record_type = record[:1]
        if ended:
            errors.append((line_no, _("record after the end record")))
            continue
        if len(record) != RECORD_LENGTH:
            errors.append(
                (
                    line_no,
                    _reason(_("record is %(length)d bytes, expected 200"), length=len(record)),
                )
            )
        if record_type not in (b"1", b"2", b"8", b"9"):
            value = record_type.decode(ENCODING, "replace")
            errors.append((line_no, _reason(_('unknown record type "%(type)s"'), type=value)))
            if group:
                group.broken = True
            continue
        well_formed = len(record) == RECORD_LENGTH
        if record_type == b"1":
            if group:
                errors.append((line_no, _("header record before the trailer of the group above")))
            seen_header = True
            group = _Group(line_no)
            if not (well_formed and attempt(line_no, _read_header, group, record)):
                group.broken = True
        elif record_type == b"2":
            if group is None:
                errors.append((line_no, _("data record outside a header/trailer group")))
            elif not (
                well_formed and group.kind and attempt(line_no, _read_data, group, record, line_no)
            ):
                group.broken = True
        elif record_type == b"8":
            if group is None:
                errors.append((line_no, _("trailer record without a header record")))
                continue
            if well_formed and not group.broken:
                attempt(line_no, _check_trailer, group, record)
            result.extend(group.lines)
            group = None
        else:
            if group:
                errors.append((line_no, _("end record before the trailer of the group above")))
                group = None
            ended = True
    last_line = records[-1][0]
    if group:
        errors.append((last_line, _("the file ends without a trailer record")))
    # Without the end record the file is whole all the same: each group was closed and
    # checked by its trailer.
    if not seen_header:
        errors.append((1, _("the file has no header record")))
    if errors:
        raise StatementError(errors)
    return result


# ---------------------------------------------------------------------------------------------
# Building Zengin files (tests and demo data).


def _put(record: bytearray, spec: Field, value, name: str) -> None:
    if spec.numeric:
        raw = str(value).zfill(spec.length).encode("ascii")
        if not raw.isdigit():
            raise ValueError(f"{name} must be a whole number, not {value!r}")
    else:
        raw = str(value).encode(ENCODING)
        if len(raw) != len(str(value)):
            raise ValueError(f"{name} must be half-width (single-byte) text: {value!r}")
        raw = raw.ljust(spec.length, b" ")
    if len(raw) != spec.length:
        raise ValueError(f"{name} does not fit in {spec.length} bytes: {value!r}")
    record[spec.start - 1 : spec.start - 1 + spec.length] = raw


def _record(layout: dict[str, Field], **values) -> bytes:
    """A record with the given fields; numeric fields not given are zero-filled, text and
    dummy areas space-filled, as the specification asks."""
    record = bytearray(b" " * RECORD_LENGTH)
    for name, spec in layout.items():
        if name in values:
            _put(record, spec, values[name], name)
        elif spec.numeric:
            _put(record, spec, 0, name)
    return bytes(record)


def _era_date(day: datetime.date) -> str:
    if day < REIWA_START:
        raise ValueError(f"{day} is before the Reiwa era, which the parser assumes")
    return f"{day.year - REIWA_OFFSET:02d}{day.month:02d}{day.day:02d}"


def build_zengin(
    lines: Iterable[tuple[datetime.date, int, str, str]],
    *,
    created_on: datetime.date | None = None,
    bank_code: str = "0000",
    bank_name: str = "ﾃｽﾄｷﾞﾝｺｳ",
    branch_code: str = "001",
    branch_name: str = "ﾎﾝﾃﾝ",
    account_type: int = 1,
    account_number: str = "1234567",
    account_name: str = "ｲﾉﾍﾞ-ｼﾖﾝﾈﾂﾄ",
    opening_balance: int = 0,
    separator: bytes = b"\r\n",
) -> bytes:
    """A valid 入出金取引明細 (03) file, end record included, from (date, amount, half-width
    kana payer, reference) tuples; a negative amount makes an outgoing (出金) record. Uses
    LAYOUTS, so whatever it writes parse_zengin reads back; separator=b"" gives an
    unseparated file."""
    lines = list(lines)
    layout = LAYOUTS["03"]
    dates = [day for day, *_rest in lines]
    created_on = created_on or max(dates, default=REIWA_START)
    records = [
        _record(
            layout["header"],
            record_type=1,
            kind="03",
            code_type=0,
            created_on=_era_date(created_on),
            booked_from=_era_date(min(dates, default=created_on)),
            booked_to=_era_date(max(dates, default=created_on)),
            bank_code=bank_code,
            bank_name=bank_name,
            branch_code=branch_code,
            branch_name=branch_name,
            account_type=account_type,
            account_number=account_number,
            account_name=account_name,
            overdraft=1,
            passbook=1,
            opening_balance=opening_balance,
        )
    ]
    incoming = outgoing = 0
    for day, amount, payer_name, reference in lines:
        records.append(
            _record(
                layout["data"],
                record_type=2,
                reference=reference,
                booked_on=_era_date(day),
                value_on=_era_date(day),
                direction=DEPOSIT if amount >= 0 else WITHDRAWAL,
                transaction_type=11 if amount >= 0 else 14,  # 振込 / 振替
                amount=abs(amount),
                payer_name=payer_name,
            )
        )
        if amount >= 0:
            incoming += amount
        else:
            outgoing -= amount
    closing = opening_balance + incoming - outgoing
    records.append(
        _record(
            layout["trailer"],
            record_type=8,
            count=sum(1 for line in lines if line[1] >= 0),
            total=incoming,
            outgoing_count=sum(1 for line in lines if line[1] < 0),
            outgoing_total=outgoing,
            overdraft=1 if closing >= 0 else 2,  # 1 = plus, 2 = minus
            closing_balance=abs(closing),
            record_count=len(lines),
        )
    )
    records.append(
        _record(layout["end"], record_type=9, record_total=len(records) + 1, account_total=1)
    )
    return separator.join(records) + separator


# ---------------------------------------------------------------------------------------------
# CSV


CSV_REQUIRED = ("date", "amount", "payer_name")
CSV_OPTIONAL = ("reference", "account")
_CSV_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
# Thousands separators, the yen mark (¥, or "\" where cp932 shows 0x5C as ¥) and spaces.
_CSV_AMOUNT_NOISE = re.compile(r"[,円¥\\\s]")
# As many digits as the widest Zengin amount (N(12)); longer is not a payment but a mistake.
CSV_AMOUNT_DIGITS = 12


def _decode_csv(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", ENCODING):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_date(value: str) -> datetime.date | None:
    match = _CSV_DATE.fullmatch(value)
    try:
        return datetime.date(*map(int, match.groups())) if match else None
    except ValueError:
        return None


def _csv_reference(day: datetime.date, amount: int, payer_name: str, occurrence: int) -> str:
    """Same row of a re-imported file, same reference; identical rows differ by occurrence."""
    key = f"{day.isoformat()}\x1f{amount}\x1f{payer_name}\x1f{occurrence}"
    return "csv-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def parse_csv(data: bytes) -> list[StatementLine]:
    """Incoming payments from a CSV with the header date,amount,payer_name[,reference][,account]
    in UTF-8 (BOM or not) or cp932; StatementError lists every problem."""
    text = _decode_csv(data)
    if text is None:
        raise StatementError([(0, _("the file is neither UTF-8 nor Shift_JIS text"))])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    if header is None:
        raise StatementError([(0, _("the file is empty"))])
    columns = [cell.strip().lower() for cell in header]
    missing = [name for name in CSV_REQUIRED if name not in columns]
    duplicated = sorted({name for name in columns if name and columns.count(name) > 1})
    if missing or duplicated:
        errors = [
            (reader.line_num, _reason(_("missing column: %(name)s"), name=n)) for n in missing
        ]
        errors += [
            (reader.line_num, _reason(_("column appears twice: %(name)s"), name=n))
            for n in duplicated
        ]
        raise StatementError(errors)
    index = {
        name: columns.index(name) for name in (*CSV_REQUIRED, *CSV_OPTIONAL) if name in columns
    }

    errors: list[tuple[int, str]] = []
    result: list[StatementLine] = []
    occurrences: Counter = Counter()
    for row in reader:
        line_no = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            errors.append(
                (
                    line_no,
                    _reason(
                        _("row has %(count)d columns, the header has %(expected)d"),
                        count=len(row),
                        expected=len(columns),
                    ),
                )
            )
            continue
        cell = {name: unicodedata.normalize("NFKC", row[i]).strip() for name, i in index.items()}
        raw_payer = row[index["payer_name"]].strip()
        day, amount = _csv_date(cell["date"]), None
        if day is None:
            errors.append(
                (line_no, _reason(_('date is not a valid date: "%(value)s"'), value=cell["date"]))
            )
        digits = _CSV_AMOUNT_NOISE.sub("", cell["amount"])
        if not (digits.isascii() and digits.isdigit() and digits.strip("0")):
            errors.append(
                (
                    line_no,
                    _reason(
                        _('amount is not a positive whole number of yen: "%(value)s"'),
                        value=cell["amount"],
                    ),
                )
            )
        elif len(digits.lstrip("0")) > CSV_AMOUNT_DIGITS:
            errors.append(
                (
                    line_no,
                    _reason(
                        _("%(field)s is larger than %(limit)s"),
                        field=_("amount"),
                        limit=f"{10**CSV_AMOUNT_DIGITS - 1:,}",
                    ),
                )
            )
        else:
            amount = int(digits)
        if not raw_payer:
            errors.append((line_no, _("payer name is empty")))
        if day is None or amount is None or not raw_payer:
            continue
        key = (day, amount, raw_payer)
        reference = cell.get("reference") or _csv_reference(*key, occurrences[key])
        occurrences[key] += 1
        result.append(
            StatementLine(
                line_no=line_no,
                account=cell.get("account", ""),
                reference=reference,
                booked_on=day,
                amount=amount,
                payer_name=raw_payer,
                payer_code="",
                bank_name="",
                branch_name="",
                edi="",
            )
        )
    if errors:
        raise StatementError(errors)
    return result


# ---------------------------------------------------------------------------------------------

PARSERS: dict[str, Callable[[bytes], list[StatementLine]]] = {
    "zengin": parse_zengin,
    "csv": parse_csv,
}


def detect_format(data: bytes) -> str:
    """ "zengin" when the file starts with a 200-byte header record, else "csv"."""
    records = _split_records(data[: RECORD_LENGTH + 2])
    if data[:1] == b"1" and records and len(records[0][1]) == RECORD_LENGTH:
        return "zengin"
    return "csv"
