"""Tables uploaded by the secretariat (CSV or Excel), read as text and checked whole.

Problems are collected by row and column and raised together as `Rejected`, so that a file
is either imported completely or not at all.
"""

import csv
import io
import unicodedata
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import load_workbook


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


def read_rows(content: bytes, file_name: str) -> list[list[str]]:
    """The file's rows as text: Excel (.xlsx), or CSV in UTF-8 (with or without BOM) or
    Shift_JIS, as Excel on Japanese Windows saves it."""
    if file_name.lower().endswith(".xlsx"):
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
