"""An invoice's PDF for the person or organisation it was issued to. (Enrolling, paying and Stripe's webhook are
what people do with a place: the places app's.)"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.models import Membership
from core import storage

from .invoices import invoice_pdf_store
from .models import Invoice


@login_required
def invoice_download(request, number: str):
    """The invoice PDF as issued, for the person it was issued to (404 for anyone else)."""
    invoice = get_object_or_404(Invoice.objects.filter(
        Q(payment__enrolment__user=request.user)
        | Q(booking__booked_by=request.user, booking__organisation__isnull=True)
        | Q(booking__organisation__memberships__user=request.user,
            booking__organisation__memberships__role=Membership.Role.CONTACT)
        | Q(payment__booking__organisation__memberships__user=request.user,
            payment__booking__organisation__memberships__role=Membership.Role.CONTACT)).distinct(), number=number)
    invoice = invoice_pdf_store(invoice)
    return storage.download(invoice.pdf, filename=f"{invoice.number}.pdf", content_type="application/pdf",
                            sha256=invoice.pdf_sha256)
