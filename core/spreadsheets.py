"""Lists for trainers and the office as CSV (semicolons and a BOM, as Dutch Excel expects) or XLSX."""

import csv
from io import BytesIO

from django.http import Http404, HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Spreadsheet programs run cells that start with = + - @ (or a tab or carriage return before one) as
    formulas; names and titles come from users, so such a cell gets a leading apostrophe."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def neutralise_wagtail_csv_exports() -> None:
    """Every Wagtail listing's CSV export (ours and Wagtail's own) writes its cells through safe_cell. Its XLSX
    export already stores formula-looking text as text."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, "neutralises_formulas", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        value = original(self, field, value, export_format)
        return safe_cell(value) if export_format == self.FORMAT_CSV else value

    preprocess_field_value.neutralises_formulas = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value


def spreadsheet_response(fmt: str, *, filename: str, sheet: str, header: list, rows) -> HttpResponse:
    rows = [[safe_cell(cell) for cell in row] for row in rows]
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")  # so that Excel reads UTF-8
        writer = csv.writer(response, delimiter=";")
        writer.writerow([safe_cell(cell) for cell in header])
        writer.writerows(rows)
        return response
    if fmt == "xlsx":
        workbook = Workbook()
        worksheet = workbook.active
        worksheet.title = sheet
        worksheet.append([safe_cell(cell) for cell in header])
        for row in rows:
            worksheet.append(row)
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    raise Http404
