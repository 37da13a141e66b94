"""Lists for trainers and the office as CSV (semicolons and a BOM, as Dutch Excel expects) or XLSX."""

import csv
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from numbers import Number

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Spreadsheet programs run cells that start with = + - @ (or a tab or carriage return before one) as
    formulas; names and titles come from users, so such text gets a leading apostrophe. Numbers are not text:
    a credit of -95,00 stays a number that sums."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_cell(value):
    """A value as Dutch Excel reads it from CSV: local time without seconds' fractions, a decimal comma, ja/nee."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return value


def xlsx_cell(value):
    """A value for an XLSX cell: amounts stay numbers, times are local (a sheet has no time zones)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if timezone.is_aware(value) else value
    return value


def neutralise_wagtail_csv_exports() -> None:
    """Every Wagtail listing's CSV export (ours and Wagtail's own) writes its cells through safe_cell. Its XLSX
    export already stores formula-looking text as text."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, "neutralises_formulas", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        processed = original(self, field, value, export_format)
        if export_format != self.FORMAT_CSV or isinstance(value, Number):  # -95,00 is an amount: it stays a number
            return processed
        return safe_cell(processed)

    preprocess_field_value.neutralises_formulas = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value


def spreadsheet_response(fmt: str, *, filename: str, sheet: str, header: list, rows) -> HttpResponse:
    if fmt == "csv":
        rows = [[csv_cell(safe_cell(cell)) for cell in row] for row in rows]  # text guarded, numbers stay numbers
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
            worksheet.append([safe_cell(xlsx_cell(cell)) for cell in row])
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    raise Http404
