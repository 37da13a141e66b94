"""The invoices of a period for the bookkeeper, in one ZIP: each as its e-invoice (SI-UBL 2.0, with its PDF
inside) where it has one, else as its PDF (a private person's invoice, or one issued before addresses had parts).
Every file is read back against its checksum first, so the archive holds the documents as they were issued."""

import tempfile
import zipfile
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from core.storage import read_verified

from .invoices import e_invoice_store, invoice_pdf_store
from .models import Invoice

MAX_DAYS = 366  # a year's invoices at most in one archive


def issued_between(first_day: date, last_day: date):
    """The invoices and credit invoices issued from `first_day` up to and including `last_day` (local dates)."""
    office = ZoneInfo(settings.TIME_ZONE)  # the provider's days, whatever time zone the admin user chose
    start = datetime.combine(first_day, time.min, tzinfo=office)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=office)
    return Invoice.objects.filter(issued_at__gte=start, issued_at__lt=end).order_by("year", "sequence")


def invoices_archive(first_day: date, last_day: date):
    """A ZIP (an open temporary file, at its start) of the period's invoices, and how many of them are
    e-invoices and PDFs."""
    archive = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    counts = {"xml": 0, "pdf": 0}
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for invoice in issued_between(first_day, last_day).iterator(chunk_size=100):
            e_invoice = e_invoice_store(invoice)
            if e_invoice is not None:
                zipped.writestr(f"{invoice.number}.xml", read_verified(e_invoice.ubl, e_invoice.ubl_sha256))
                counts["xml"] += 1
            else:
                invoice = invoice_pdf_store(invoice)
                zipped.writestr(f"{invoice.number}.pdf", read_verified(invoice.pdf, invoice.pdf_sha256))
                counts["pdf"] += 1
    archive.seek(0)
    return archive, counts
