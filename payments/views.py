"""Sending a person to Stripe's payment page, the page they come back to, and Stripe's webhook."""

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from courses.models import Enrolment
from courses.selectors import own_enrolment

from . import services
from .invoices import invoice_pdf_store
from .models import Invoice, Payment


def redirect_to_checkout(request, enrolment: Enrolment):
    """To Stripe's payment page for this held seat; back to the enrolment, with the reason, when that fails."""
    enrolment_url = reverse("courses:enrolment", args=[enrolment.pk])
    try:
        payment = services.checkout_start(
            enrolment=enrolment,
            success_url=request.build_absolute_uri(reverse("payments:return", args=[enrolment.pk])),
            cancel_url=request.build_absolute_uri(enrolment_url),
        )
    except services.PaymentError as error:
        messages.error(request, str(error))
        return redirect(enrolment_url)
    return redirect(payment.checkout_url)


@login_required
@require_POST
def pay(request, pk: int):
    return redirect_to_checkout(request, own_enrolment(user=request.user, pk=pk))


@login_required
def payment_return(request, pk: int):
    """Where Stripe sends the person after paying. The webhook decides; until it has, this page says the
    payment is being processed and looks again by itself."""
    enrolment = own_enrolment(user=request.user, pk=pk)
    payment = enrolment.payments.first()
    if enrolment.status != Enrolment.Status.CONFIRMED and payment is not None:
        services.checkout_sync(payment=payment)  # Stripe knows now, even when its webhook is late or lost
        enrolment.refresh_from_db()
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return redirect("courses:enrolment", pk=enrolment.pk)
    return render(request, "payments/return.html", {
        "enrolment": enrolment, "course": enrolment.course_date.course, "course_date": enrolment.course_date,
        "payment": payment, "failed": payment is not None and payment.status == Payment.Status.FAILED,
    })


@login_required
def payment_status(request, pk: int):
    """What the return page polls: changes when the webhook has confirmed the place or the payment failed."""
    enrolment = own_enrolment(user=request.user, pk=pk)
    payment = enrolment.payments.first()
    if payment is not None and enrolment.status != Enrolment.Status.CONFIRMED:
        payment = services.checkout_sync(payment=payment)
        enrolment.refresh_from_db()
    return JsonResponse({"state": f"{enrolment.status}/{payment.status if payment else ''}"})


@login_required
@require_POST
def refund_instead(request, pk: int):
    """Money back instead of another date, for a place whose date the office called off."""
    enrolment = own_enrolment(user=request.user, pk=pk)
    if services.refund_instead_of_another_date(enrolment=enrolment, actor=request.user):
        messages.success(request, _("We are refunding the full amount; it will be back within a few working days."))
    else:
        messages.error(request, _("This place has already been moved or refunded."))
    return redirect("courses:enrolment", pk=enrolment.pk)


@login_required
def invoice_download(request, number: str):
    """The invoice PDF as issued, for the person it was issued to (404 for anyone else)."""
    invoice = get_object_or_404(Invoice, number=number, payment__enrolment__user=request.user)
    invoice = invoice_pdf_store(invoice)
    return FileResponse(invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf",
                        content_type="application/pdf")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event, is_new = services.webhook_receive(payload=request.body,
                                                 signature=request.headers.get("Stripe-Signature", ""))
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Invalid payload or signature.")
    return JsonResponse({"received": event.event_id, "duplicate": not is_new})
