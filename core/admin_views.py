"""Pieces shared by the apps' admin viewsets."""

import csv
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.mixins import Echo, SpreadsheetExportMixin

from . import storage
from .admin_display import EMPTY, readable
from .audit import history
from .spreadsheets import csv_cell, xlsx_cell


class BookkeepingExport:
    """A listing's CSV and XLSX exports as a Dutch bookkeeper opens them: the CSV with semicolons, a BOM, decimal
    commas and local times; the XLSX with amounts as numbers and local times; choices as words ("Factuur",
    not "invoice"); headings from the fields' Dutch labels."""

    custom_value_preprocess = {
        (bool, datetime, date, Decimal): {SpreadsheetExportMixin.FORMAT_CSV: csv_cell,
                                          SpreadsheetExportMixin.FORMAT_XLSX: xlsx_cell},
        list: SpreadsheetExportMixin.custom_value_preprocess[list],
    }

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        for name in row:
            if "." not in name and callable(display := getattr(item, f"get_{name}_display", None)):
                row[name] = display()
        return row

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if not self.list_export:  # a listing without export columns offers no export (it would be empty)
            raise Http404
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def stream_csv(self, queryset):
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export, delimiter=";")
        headings = {field: self.get_heading(queryset, field) for field in self.list_export}
        yield "\ufeff".encode() + writer.writerow(headings)  # the BOM: Excel reads UTF-8
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))


def listing_with(*related: str, ordering: str | None = None) -> type[IndexView]:
    """A listing (and its CSV/XLSX export) that loads the rows' relations in the same query: what the columns
    show of them would otherwise cost a query per row. `ordering`: the listing's default order, where the model's
    own would sort every row before the first page can be cut (the newest first, by an indexed column)."""

    class Listing(BookkeepingExport, IndexView):
        default_ordering = ordering

        def get_base_queryset(self):
            return super().get_base_queryset().select_related(*related)

    return Listing


class InspectWithHistory(InspectView):
    """A record's fields as a person reads them (core.admin_display), links to the records it belongs with, and
    its history below them: the audit trail of core.audit, oldest first.

    `related`: (name, label) of what else to list, from `get_<name>_display_value` or the record's reverse
    relation of that name (its records linked)."""

    template_name = "core/admin/inspect.html"
    # Bookkeeping of the machinery (numbering, checksums, reminder stamps), not of the business.
    TECHNICAL = {"id", "identity", "year", "sequence", "currency", "checkout_url", "pdf_sha256", "ubl_sha256", "sha256",
                 "reminded_at", "names_reminded_at", "expiry_reminded_at"}
    related: list[tuple[str, str]] = []

    def get_fields(self):
        return [name for name in super().get_fields() if name not in self.TECHNICAL] + [
            name for name, _label in self.related]

    def get_field_label(self, field_name, field):
        labels = dict(self.related)
        return capfirst(labels[field_name]) if field_name in labels else super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        if callable(getattr(self, f"get_{field_name}_display_value", None)) or getattr(field, "choices", None):
            return super().get_field_display_value(field_name, field)
        if field_name in dict(self.related):
            return linked(getattr(self.object, field_name).all())
        if field is None or not field.concrete:
            return super().get_field_display_value(field_name, field)
        return readable(getattr(self.object, field_name), field)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "history": history(self.object).select_related("user")}


def linked(records) -> str:
    """Records, each a link to its detail screen; a dash for none."""
    records = list(records)
    if not records:
        return EMPTY
    return format_html_join(", ", "{}", ((readable(record),) for record in records))


class HistoryForReaders(HistoryView):
    """Wagtail's history page of a record, also for those who may only look at it (records the services
    write are read-only in the admin)."""

    any_permission_required = ["view", "add", "change", "delete"]


class PermissionMenuItem(MenuItem):
    """A menu item shown only to those with `permission` (the office's lists)."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def pdf_for_the_office(model, *, permission: str, prepared, checksum: str):
    """A view of a record's PDF as issued (an invoice, a certificate) for whoever has `permission` in the admin:
    `prepared(record)` renders it once if it has not been yet; the file is checked against `checksum`."""

    def view(request, pk: int):
        if not request.user.has_perm(permission):
            raise PermissionDenied
        record = prepared(get_object_or_404(model, pk=pk))
        return storage.download(record.pdf, filename=f"{record.number}.pdf", content_type="application/pdf",
                                sha256=getattr(record, checksum))

    return view


def pdf_link(url: str, record) -> str:
    return format_html('<a href="{}">{}.pdf</a>', url, record.number)
