"""Booking and paying: enrolling, accepting an offer, cancelling and moving a place (each with what it means for
the money), Stripe's payment page and the page people come back to, invoices, and Stripe's webhook."""

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import Membership
from core import storage
from core.converters import parse_id
from core.formats import euro
from courses import enrolments, seating, waitlists
from courses import selectors as course_selectors
from courses.forms import EnrolForm
from courses.models import CourseDate, Enrolment, InvoicePayment
from courses.selectors import own_enrolment
from courses.views import bookable_date

from . import bookings, services
from .invoices import invoice_now, invoice_pdf_store
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


def _to_payment(request, enrolment: Enrolment):
    """A held seat is paid for on Stripe's page; a free course, or a code that takes the whole price off,
    confirms at once."""
    if enrolment.price_incl_vat == 0:
        enrolments.enrolment_confirm(enrolment=enrolment, actor=request.user)
        return redirect("courses:enrolment", pk=enrolment.pk)
    return redirect_to_checkout(request, enrolment)


def _place_already(request, course_date: CourseDate):
    """Where to send someone who already has a place on this date or on another date of the course, with the
    reason, before they fill in a form that would be refused."""
    own = course_selectors.places_of(user=request.user, course_dates=[course_date]).get(course_date.pk)
    if own is not None:
        messages.info(request, _("You already have a place on this date or are on its waitlist."))
        return redirect("courses:enrolment", pk=own.pk)
    other = course_selectors.confirmed_place_on_course(user=request.user, course_id=course_date.course_id,
                                                       now=timezone.now(), except_date_id=course_date.pk)
    if other is not None:
        messages.info(request, seating.already_on_course(other))
        return redirect("courses:enrolment", pk=other.pk)
    return None


@login_required
def enrol(request, pk: int):
    course_date = bookable_date(pk)
    course = course_date.course
    if not course.price_set:
        messages.info(request, _("Enrolment for this course opens soon."))
        return redirect(course.url)
    if request.method != "POST" and (elsewhere := _place_already(request, course_date)):
        return elsewhere
    form = EnrolForm(request.POST or None, initial={"company_name": request.user.organisation},
                     on_invoice=course.invoice_payment == InvoicePayment.EVERYONE and not course.is_free)
    if request.method == "POST" and form.is_valid():
        try:
            if form.pays_on_invoice:
                place = bookings.own_place_on_invoice(course_date=course_date, user=request.user,
                                                      billing=form.billing(), code=form.cleaned_data["voucher_code"])
                messages.success(request, _("Your place is confirmed. The invoice is on its way to %(email)s.")
                                 % {"email": request.user.email})
                return redirect("courses:enrolment", pk=place.pk)
            enrolment = enrolments.enrolment_hold(course_date=course_date, user=request.user, billing=form.billing(),
                                                  code=form.cleaned_data["voucher_code"])
        except seating.CodeRefused as error:
            form.add_error("voucher_code", str(error))
        except seating.DateFull as error:
            messages.error(request, str(error))
            return redirect(course_date.course.url)
        except (seating.EnrolmentError, bookings.BookingError) as error:
            messages.error(request, str(error))
        else:
            return _to_payment(request, enrolment)
    seats_left = course_selectors.seats_open_on(course_date, timezone.now())
    return render(request, "payments/enrol.html", {"course_date": course_date, "course": course_date.course,
                                                  "form": form, "seats_left": seats_left})


@login_required
def offer(request, pk: int):
    enrolment = course_selectors.own_enrolment(user=request.user, pk=pk)
    form = EnrolForm(request.POST or None, initial={"company_name": request.user.organisation})
    if request.method == "POST":
        try:
            if "decline" in request.POST:
                waitlists.offer_decline(enrolment=enrolment)
                messages.success(request, _("You declined the seat. It goes to the next person in line."))
                return redirect("courses:my_courses")
            if form.is_valid():
                enrolment = waitlists.offer_accept(enrolment=enrolment, billing=form.billing(),
                                                    code=form.cleaned_data["voucher_code"])
                return _to_payment(request, enrolment)
        except seating.CodeRefused as error:
            form.add_error("voucher_code", str(error))
        except seating.EnrolmentError as error:
            messages.error(request, str(error))
            return redirect("courses:enrolment", pk=enrolment.pk)
    return render(request, "payments/offer.html", {"enrolment": enrolment, "course_date": enrolment.course_date,
                                                  "course": enrolment.course_date.course, "form": form})


@login_required
def cancel(request, pk: int):
    """GET asks for confirmation, saying what the policy gives back today; POST cancels."""
    enrolment = course_selectors.own_enrolment(user=request.user, pk=pk)
    if request.method != "POST":
        if (enrolment.status not in Enrolment.ACTIVE
                or not seating.participant_may_change(enrolment, timezone.now())):
            messages.error(request, _("This enrolment can no longer be cancelled."))
            return redirect("courses:enrolment", pk=enrolment.pk)
        return render(request, "payments/cancel_confirm.html", {
            "enrolment": enrolment, "course_date": enrolment.course_date, "course": enrolment.course_date.course,
            "refund": enrolments.cancellation_refund(enrolment=enrolment, now=timezone.now()),
            "today": timezone.now(),
        })
    try:
        cancellation = services.place_cancel(enrolment=enrolment, actor=request.user,
                                             note="cancelled by the participant")
    except seating.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your enrolment has been cancelled."))
        if cancellation.refund:
            messages.info(request, _("You will get %(amount)s back.") % {"amount": euro(cancellation.refund)})
    return redirect("courses:my_courses")


@login_required
def transfer(request, pk: int):
    enrolment = course_selectors.own_enrolment(user=request.user, pk=pk)
    course = enrolment.course_date.course
    if not services.place_movable(enrolment, timezone.now()):
        messages.error(request, _("This place can no longer be moved to another date."))
        return redirect("courses:enrolment", pk=enrolment.pk)
    if request.method == "POST":
        chosen = parse_id(request.POST.get("date"))
        to_date = CourseDate.objects.filter(pk=chosen, course=course).first() if chosen else None
        if to_date is None:
            messages.error(request, _("Choose one of the dates below."))
        else:
            try:
                moved = services.place_transfer(enrolment=enrolment, to_date=to_date, actor=request.user)
            except seating.EnrolmentError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your place has been moved."))
                return redirect("courses:enrolment", pk=moved.pk)
    dates = [d for d in course_selectors.course_dates_upcoming(course=course, now=timezone.now())
             if d.pk != enrolment.course_date_id and course_selectors.seats_open(d) > 0]
    return render(request, "payments/transfer.html", {"enrolment": enrolment, "course": course, "dates": dates})


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
        if payment is not None and payment.status == Payment.Status.PAID:
            invoice_now(payment)  # the page it lands on lists the invoice at once
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


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event, is_new = services.webhook_receive(payload=request.body,
                                                 signature=request.headers.get("Stripe-Signature", ""))
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Invalid payload or signature.")
    return JsonResponse({"received": event.event_id, "duplicate": not is_new})
