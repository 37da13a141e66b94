"""Lists for trainers and the office as CSV (semicolons and a BOM, as Dutch Excel expects) or XLSX."""

import csv
from io import BytesIO

from django.http import Http404, HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Spreadsheet programs run cells that start with = + - @ as formulas; names come from users."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def spreadsheet_response(fmt: str, *, filename: str, sheet: str, header: list, rows) -> HttpResponse:
    rows = [[safe_cell(cell) for cell in row] for row in rows]
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")  # so that Excel reads UTF-8
        writer = csv.writer(response, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
        return response
    if fmt == "xlsx":
        workbook = Workbook()
        worksheet = workbook.active
        worksheet.title = sheet
        worksheet.append(header)
        for row in rows:
            worksheet.append(row)
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    raise Http404
