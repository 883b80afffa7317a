"""Tables uploaded by the secretariat (CSV or Excel), read as text and checked whole.

Problems are collected by row and column and raised together as `Rejected`, so that a file
is either imported completely or not at all.
"""

import csv
import io
import unicodedata
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .uploads import measure_archive

# A member list or winners archive is far smaller; an Excel file is a ZIP and is inflated
# and counted before it is opened, so that a small file unpacking to gigabytes is refused.
MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
MAX_INFLATED_BYTES = getattr(settings, "IMPORT_MAX_INFLATED_BYTES", 200 * 1024 * 1024)
MAX_ZIP_MEMBERS = getattr(settings, "IMPORT_MAX_ZIP_MEMBERS", 2000)


class Rejected(Exception):
    """The file can't be imported; `problems` says where and why."""

    def __init__(self, problems: list[dict]):
        super().__init__(problems)
        self.problems = problems


def problem(row: int, column: str, message: str) -> dict:
    return {"row": row, "column": column, "message": str(message)}


# --- Reading -------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return unicodedata.normalize("NFKC", str(value)).strip()


def _size_message(size: int) -> str:
    return _("This file is %(size)s; the limit is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(MAX_BYTES),
    }


def check_size(size: int) -> None:
    """Refuse an upload that is too large before it is read or stored."""
    if size > MAX_BYTES:
        raise ValidationError(_size_message(size))


def _check_archive(content: bytes) -> None:
    try:
        measure_archive(
            io.BytesIO(content), max_members=MAX_ZIP_MEMBERS, max_inflated=MAX_INFLATED_BYTES
        )
    except ValidationError as error:
        raise Rejected([problem(0, "", error.messages[0])]) from error


def read_rows(content: bytes, file_name: str) -> list[list[str]]:
    """The file's rows as text: Excel (.xlsx), or CSV in UTF-8 (with or without BOM) or
    Shift_JIS, as Excel on Japanese Windows saves it."""
    if len(content) > MAX_BYTES:
        raise Rejected([problem(0, "", _size_message(len(content)))])
    if file_name.lower().endswith(".xlsx"):
        _check_archive(content)
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise Rejected([problem(0, "", _("This is not a readable Excel file."))]) from exc
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [[_cell(value) for value in row] for row in csv.reader(io.StringIO(text))]
    raise Rejected([problem(0, "", _("The file is neither UTF-8 nor Shift_JIS text."))])
