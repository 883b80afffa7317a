"""CSV and Excel exports: the one place that writes either (a test holds every app to it).

CSV is UTF-8 with a BOM so that Excel on Windows reads Japanese correctly; Excel files are
written with openpyxl. Columns are (header, function of the object) pairs. Every cell of
both passes through `safe_cell`, so that no text a member typed becomes a formula.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

Column = tuple[str, Callable]

# A cell starting so is a formula to Excel, LibreOffice or Google Sheets (OWASP, CSV injection).
FORMULA_STARTS = frozenset("=+-@\t\r")


def safe_cell(value):
    """A value as a spreadsheet should take it: text never as a formula, no control
    characters; numbers and dates stay typed.

    Formula-like text gets a leading apostrophe in CSV and Excel alike, rather than being
    marked a string cell in Excel only: the same bytes in both formats, and the text stays
    inert when a reader saves the workbook as CSV or opens it in another program."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in FORMULA_STARTS:
            return "'" + value
    return value


def _rows(queryset, columns: Sequence[Column]):
    for obj in queryset:
        yield [accessor(obj) for _header, accessor in columns]


def csv_response(queryset, columns: Sequence[Column], name: str) -> HttpResponse:
    header = [str(header) for header, _accessor in columns]
    return rows_csv_response([header, *_rows(queryset, columns)], name)


def excel_response(queryset, columns: Sequence[Column], name: str) -> HttpResponse:
    header = [str(header) for header, _accessor in columns]
    return workbook_response([(name, [header, *_rows(queryset, columns)])], name)


def rows_csv_response(rows: Iterable[list], name: str) -> HttpResponse:
    """Rows (the first is the header) as UTF-8 CSV with a BOM."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")
    csv.writer(response).writerows([safe_cell(v) for v in row] for row in rows)
    return response


def workbook_response(sheets: Sequence[tuple[str, Iterable[list]]], name: str) -> HttpResponse:
    """One Excel sheet per (title, rows); each first row is a bold, frozen header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(str(title)[:31])
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def export_actions(name: str, columns: Sequence[Column], prepare: Callable = lambda qs: qs):
    """Two admin actions exporting the selected rows; `prepare` adds select_related etc."""

    def filename() -> str:
        return f"{name}-{timezone.localdate():%Y%m%d}"

    @admin.action(description=_("Export selected to CSV (Excel-compatible)"))
    def export_csv(modeladmin, request, queryset):
        return csv_response(prepare(queryset), columns, filename())

    @admin.action(description=_("Export selected to Excel"))
    def export_excel(modeladmin, request, queryset):
        return excel_response(prepare(queryset), columns, filename())

    return [export_csv, export_excel]
