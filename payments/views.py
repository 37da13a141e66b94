"""An invoice's PDF, and its e-invoice, for the person or organisation it was issued to. (Enrolling, paying and
Stripe's webhook are what people do with a place: the places app's.)"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership
from core import storage

from .invoices import e_invoice_store, invoice_pdf_store
from .models import Invoice


def _own_invoice(user, number: str) -> Invoice:
    """The invoice `number` when it was issued to `user` or an organisation they are a contact person of; 404 for
    anyone else."""
    return get_object_or_404(Invoice.objects.filter(
        Q(payment__enrolment__user=user)
        | Q(booking__booked_by=user, booking__organisation__isnull=True)
        | Q(booking__organisation__memberships__user=user,
            booking__organisation__memberships__role=Membership.Role.CONTACT)
        | Q(payment__booking__organisation__memberships__user=user,
            payment__booking__organisation__memberships__role=Membership.Role.CONTACT)).distinct(), number=number)


@login_required
def invoice_download(request, number: str):
    """The invoice PDF as issued."""
    invoice = invoice_pdf_store(_own_invoice(request.user, number))
    return storage.download(invoice.pdf, filename=f"{invoice.number}.pdf", content_type="application/pdf",
                            sha256=invoice.pdf_sha256)


@login_required
def e_invoice_download(request, number: str):
    """The e-invoice (SI-UBL 2.0) as issued, for a business customer's bookkeeping; 404 when it has none."""
    invoice = e_invoice_store(_own_invoice(request.user, number))
    if invoice is None:
        raise Http404("This invoice has no e-invoice.")
    return storage.download(invoice.ubl, filename=f"{invoice.number}.xml", content_type="application/xml",
                            sha256=invoice.ubl_sha256)
