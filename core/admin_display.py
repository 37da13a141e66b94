"""How the office's detail screens show a record's values: as a person reads them (local times, euros, a customer as
name and address, links to the related records), never a Python dict, "None" or a UTC timestamp."""

from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.db.models.fields.files import FieldFile
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets import viewsets

from .formats import day, day_time, euro, hours

EMPTY = "—"

# The parts of an address block (an invoice's customer and supplier, a certificate's provider), in reading order.
PARTS = {
    "name": _("Name"), "company": _("Company"), "contact": _("Contact person"), "address": _("Address"),
    "postcode_city": _("Postcode and city"), "email": _("Email"), "phone": _("Phone"), "reference": _("Reference"),
    "vat_id": _("VAT id"), "kvk": _("KvK number"), "iban": _("IBAN"), "role": _("Role"), "crkbo": _("CRKBO registered"),
    "register": _("Register"), "points": _("PE points"), "accreditation_id": _("Accreditation"),
    "member_number": _("Member number"), "oin": _("OIN"), "invoice_email": _("Invoice email"),
}
# The same as the register's name, for machines; an address's parts, which its lines ("address") show.
LEFT_OUT = {"register_code", "street", "postcode", "city", "country"}
LINE = '<div><span class="w-text-grey-400">{}:</span> <span style="white-space: pre-line">{}</span></div>'


def inspect_url(record: models.Model) -> str | None:
    """The admin's detail screen of `record`, when its model has one."""
    for viewset in viewsets.viewsets:
        if getattr(viewset, "model", None) is type(record) and getattr(viewset, "inspect_view_enabled", False):
            try:
                return reverse(viewset.get_url_name("inspect"), args=[record.pk])
            except NoReverseMatch:
                return None
    return None


def _part(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _block(values: dict):
    shown = [(PARTS.get(key, key.replace("_", " ")), _part(value)) for key, value in values.items()
             if key not in LEFT_OUT and value not in ("", None)]
    if not shown:
        return EMPTY
    return format_html_join("", LINE, shown)


def readable(value, field=None):
    """`value` of `field` as the office reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return day_time(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, Decimal) and isinstance(field, models.DecimalField):
        if "rate" in field.name:
            return f"{hours(value)}%"
        return euro(value) if field.decimal_places == 2 else hours(value)
    if isinstance(value, dict):
        return _block(value)
    if isinstance(value, list):
        return format_html_join("", '<div class="w-mb-2">{}</div>', ((_block(item) if isinstance(item, dict)
                                                                      else _part(item),) for item in value))
    if isinstance(value, FieldFile):
        return EMPTY if not value else value.name.rsplit("/", 1)[-1]
    if isinstance(value, models.Model):
        url = inspect_url(value)
        return format_html('<a href="{}">{}</a>', url, value) if url else str(value)
    return value
