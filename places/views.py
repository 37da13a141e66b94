"""A person's place on the site: enrolling (on Stripe's page, on invoice, or at once when free), a seat offered
from the waitlist, the place's own page and calendar, cancelling and moving it, the page Stripe sends people back
to, taking a seat an organisation booked for them, and Stripe's webhook. Each view calls one service and turns
its answer into a page or a message."""

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import routing
from core.converters import parse_id
from core.formats import euro
from core.forms import ValidationError, clean_text, first_message
from courses import appointments, attendance, enrolments, ics, selectors, waitlists
from courses import bookings as course_bookings
from courses.forms import EnrolForm
from courses.models import CourseDate, Enrolment, InvoicePayment, SeatInvitation
from courses.seating import CodeRefused, DateFull, EnrolmentError, already_on_course, participant_may_change
from courses.views import bookable_date
from payments.checkout import PaymentError
from payments.invoices import invoice_now
from payments.models import Payment
from payments.selectors import own_invoices, with_balances

from . import changes, enrolling
from .checkout import checkout_sync, place_checkout_start
from .forms import AcceptForm
from .stripe_events import webhook_receive


def _return_urls(request):
    """Where Stripe sends the person back to: the page that says how the payment stands, or the place's page."""
    def urls(place: Enrolment) -> tuple[str, str]:
        return (request.build_absolute_uri(reverse("places:return", args=[place.pk])),
                request.build_absolute_uri(reverse("places:enrolment", args=[place.pk])))
    return urls


def _onwards(request, enrolled: enrolling.Enrolled):
    """To Stripe's page, or to the place with what happened."""
    if enrolled.pay_at:
        return redirect(enrolled.pay_at)
    if enrolled.problem:
        messages.error(request, enrolled.problem)
    return redirect("places:enrolment", pk=enrolled.place.pk)


def _place_already(request, course_date: CourseDate):
    """Where to send someone who already has a place on this date or on another date of the course, with the
    reason, before they fill in a form that would be refused."""
    own = selectors.places_of(user=request.user, course_dates=[course_date]).get(course_date.pk)
    if own is not None:
        messages.info(request, _("You already have a place on this date or are on its waitlist."))
        return redirect("places:enrolment", pk=own.pk)
    other = selectors.confirmed_place_on_course(user=request.user, course_id=course_date.course_id,
                                                now=timezone.now(), except_date_id=course_date.pk)
    if other is not None:
        messages.info(request, already_on_course(other.course_date.starts_at))
        return redirect("places:enrolment", pk=other.pk)
    return None


@login_required
def enrol(request, pk: int):
    course_date = bookable_date(pk)
    course = course_date.course
    if not course.price_set:
        messages.info(request, _("Enrolment for this course opens soon."))
        return redirect(routing.page_url(request, course))
    if request.method != "POST" and (elsewhere := _place_already(request, course_date)):
        return elsewhere
    refusal = enrolments.first_look_refusal(course_date=course_date, user=request.user)
    if isinstance(refusal, DateFull):
        messages.error(request, str(refusal))  # before a form they could not use (a link in a mail, a rush's press)
        return redirect(routing.page_url(request, course))
    form = EnrolForm(request.POST or None, initial={"company_name": request.user.organisation},
                     on_invoice=course.invoice_payment == InvoicePayment.EVERYONE and not course.is_free)
    if request.method == "POST" and form.is_valid():
        try:
            enrolled = enrolling.place_enrol(course_date=course_date, user=request.user, billing=form.billing(),
                                             code=form.cleaned_data["voucher_code"], on_invoice=form.pays_on_invoice,
                                             return_urls=_return_urls(request), looked_first=refusal is None)
        except CodeRefused as error:
            form.add_error("voucher_code", str(error))
        except DateFull as error:
            messages.error(request, str(error))
            return redirect(routing.page_url(request, course))
        except EnrolmentError as error:
            messages.error(request, str(error))
        else:
            if form.pays_on_invoice:
                messages.success(request, _("Your place is confirmed. The invoice is on its way to %(email)s.")
                                 % {"email": request.user.email})
            return _onwards(request, enrolled)
    seats_left = selectors.seats_open_on(course_date, timezone.now())
    return render(request, "places/enrol.html", {"course_date": course_date, "course": course, "form": form,
                                                 "seats_left": seats_left})


@login_required
@require_POST
def waitlist(request, pk: int):
    course_date = bookable_date(pk)
    try:
        enrolment = waitlists.waitlist_join(course_date=course_date, user=request.user)
    except EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(routing.page_url(request, course_date.course))
    return redirect("places:enrolment", pk=enrolment.pk)


@login_required
def offer(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    form = EnrolForm(request.POST or None, initial={"company_name": request.user.organisation})
    if request.method == "POST":
        try:
            if "decline" in request.POST:
                waitlists.offer_decline(enrolment=enrolment)
                messages.success(request, _("You declined the seat. It goes to the next person in line."))
                return redirect("courses:my_courses")
            if form.is_valid():
                return _onwards(request, enrolling.offer_take(
                    enrolment=enrolment, billing=form.billing(), code=form.cleaned_data["voucher_code"],
                    return_urls=_return_urls(request)))
        except CodeRefused as error:
            form.add_error("voucher_code", str(error))
        except EnrolmentError as error:
            messages.error(request, str(error))
            return redirect("places:enrolment", pk=enrolment.pk)
    return render(request, "places/offer.html", {"enrolment": enrolment, "course_date": enrolment.course_date,
                                                 "course": enrolment.course_date.course, "form": form})


@login_required
def enrolment_detail(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    position = (selectors.waitlist_position(enrolment=enrolment)
                if enrolment.status == Enrolment.Status.WAITLISTED else None)
    now = timezone.now()
    movable = changes.place_movable(enrolment, now)  # its money did not go back
    notices = {notice.meeting_day_id: notice for notice in enrolment.absence_notices.all()}
    days = [(day, notices.get(day.pk)) for day in enrolment.course_date.meeting_days.order_by("starts_at")
            if day.starts_at > now] if enrolment.is_confirmed else []
    return render(request, "places/enrolment.html", {
        "enrolment": enrolment, "course_date": enrolment.course_date, "course": enrolment.course_date.course,
        "days_ahead": days, "coaching": appointments.coaching_of(enrolment, now),
        "position": position, "refund_now": enrolments.cancellation_refund(enrolment=enrolment, now=now),
        "may_cancel": enrolment.status in Enrolment.ACTIVE and participant_may_change(enrolment, now),
        "may_move": movable and enrolment.is_confirmed,
        "date_cancelled_choice": movable and enrolment.status == Enrolment.Status.CANCELLED,
        "invoices": with_balances(own_invoices([enrolment.pk]).order_by("year", "sequence")),
    })


@login_required
@require_POST
def absence(request, pk: int):
    """The participant tells in advance that they will miss a meeting day, with a reason, or withdraws that."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    day_id = parse_id(request.POST.get("day"))
    try:
        if request.POST.get("withdraw"):
            attendance.absence_withdraw(place=enrolment, day_id=day_id, actor=request.user)
            messages.success(request, _("Your absence is withdrawn: we expect you that day."))
        else:
            reason = clean_text(request.POST.get("reason", ""), max_length=300, required=True)
            attendance.absence_report(place=enrolment, day_id=day_id, reason=reason, actor=request.user)
            messages.success(request, _("Thank you for letting us know. Your trainer sees that you will be absent."))
    except ValidationError as error:
        messages.error(request, _("Give a reason: %(problem)s") % {"problem": first_message(error)})
    except EnrolmentError as error:
        messages.error(request, str(error))
    return redirect("places:enrolment", pk=enrolment.pk)


@login_required
def enrolment_calendar(request, pk: int):
    """'Add to calendar': the events of a confirmed place, with the UIDs its invitation carries (so a calendar
    that has both keeps one)."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    if enrolment.status != Enrolment.Status.CONFIRMED:
        raise Http404
    sessions = list(appointments.sessions_of(enrolment))
    for session in sessions:
        session.enrolment = enrolment  # its date, course and person are read once
    response = HttpResponse(ics.place_calendar(enrolment, sessions),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="opleiding.ics"'
    return response


@login_required
def cancel(request, pk: int):
    """GET asks for confirmation, saying what the policy gives back today; POST cancels."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    if request.method != "POST":
        if enrolment.status not in Enrolment.ACTIVE or not participant_may_change(enrolment, timezone.now()):
            messages.error(request, _("This enrolment can no longer be cancelled."))
            return redirect("places:enrolment", pk=enrolment.pk)
        return render(request, "places/cancel_confirm.html", {
            "enrolment": enrolment, "course_date": enrolment.course_date, "course": enrolment.course_date.course,
            "refund": enrolments.cancellation_refund(enrolment=enrolment, now=timezone.now()),
            "today": timezone.now(),
        })
    try:
        cancellation = changes.place_cancel(enrolment=enrolment, actor=request.user,
                                            note="cancelled by the participant")
    except EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your enrolment has been cancelled."))
        if cancellation.refund:
            messages.info(request, _("You will get %(amount)s back.") % {"amount": euro(cancellation.refund)})
    return redirect("courses:my_courses")


@login_required
def transfer(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    course = enrolment.course_date.course
    if not changes.place_movable(enrolment, timezone.now()):
        messages.error(request, _("This place can no longer be moved to another date."))
        return redirect("places:enrolment", pk=enrolment.pk)
    if request.method == "POST":
        chosen = parse_id(request.POST.get("date"))
        to_date = CourseDate.objects.filter(pk=chosen, course=course).first() if chosen else None
        if to_date is None:
            messages.error(request, _("Choose one of the dates below."))
        else:
            try:
                moved = changes.place_move(enrolment=enrolment, to_date=to_date, actor=request.user)
            except EnrolmentError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your place has been moved."))
                return redirect("places:enrolment", pk=moved.pk)
    dates = [d for d in selectors.course_dates_upcoming(course=course, now=timezone.now())
             if d.pk != enrolment.course_date_id and selectors.seats_open(d) > 0]
    return render(request, "places/transfer.html", {"enrolment": enrolment, "course": course, "dates": dates})


@login_required
@require_POST
def pay(request, pk: int):
    """Back to Stripe's page for a seat still held for its payment."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    success_url, cancel_url = _return_urls(request)(enrolment)
    try:
        payment = place_checkout_start(enrolment=enrolment, success_url=success_url, cancel_url=cancel_url)
    except (PaymentError, EnrolmentError) as error:  # Stripe away, or the hold ran out while it was asked
        messages.error(request, str(error))
        return redirect("places:enrolment", pk=enrolment.pk)
    return redirect(payment.checkout_url)


@login_required
def payment_return(request, pk: int):
    """Where Stripe sends the person after paying. The webhook decides; until it has, this page says the
    payment is being processed and looks again by itself."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    payment = enrolment.payments.first()
    if enrolment.status != Enrolment.Status.CONFIRMED and payment is not None:
        checkout_sync(payment=payment)  # Stripe knows now, even when its webhook is late or lost
        enrolment.refresh_from_db()
    if enrolment.status == Enrolment.Status.CONFIRMED:
        if payment is not None and payment.status == Payment.Status.PAID:
            invoice_now(payment)  # the page it lands on lists the invoice at once
        return redirect("places:enrolment", pk=enrolment.pk)
    return render(request, "places/return.html", {
        "enrolment": enrolment, "course": enrolment.course_date.course, "course_date": enrolment.course_date,
        "payment": payment, "failed": payment is not None and payment.status == Payment.Status.FAILED,
    })


@login_required
def payment_status(request, pk: int):
    """What the return page polls: changes when the webhook has confirmed the place or the payment failed."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    payment = enrolment.payments.first()
    if payment is not None and enrolment.status != Enrolment.Status.CONFIRMED:
        payment = checkout_sync(payment=payment)
        enrolment.refresh_from_db()
    return JsonResponse({"state": f"{enrolment.status}/{payment.status if payment else ''}"})


@login_required
@require_POST
def refund_instead(request, pk: int):
    """Money back instead of another date, for a place whose date the office called off."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    if changes.refund_instead_of_another_date(enrolment=enrolment, actor=request.user):
        messages.success(request, _("We are refunding the full amount; it will be back within a few working days."))
    else:
        messages.error(request, _("This place has already been moved or refunded."))
    return redirect("places:enrolment", pk=enrolment.pk)


def invitation(request, token: str):
    """The page behind the link in a seat invitation: log in or sign up, then accept."""
    invitation = get_object_or_404(SeatInvitation.objects.select_related(
        "enrolment__course_date__course", "enrolment__booking__organisation"), token=token)
    place = invitation.enrolment
    if invitation.accepted_at and request.user.is_authenticated and invitation.accepted_by_id == request.user.pk:
        return redirect("places:enrolment", pk=place.pk)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        try:
            place = course_bookings.seat_accept(invitation=invitation, user=request.user,
                                                shares_progress=form.cleaned_data["shares_progress"])
        except EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The place is yours. See you on %(course)s!")
                             % {"course": place.course_date.course.title})
            return redirect("places:enrolment", pk=place.pk)
    return render(request, "places/invitation.html", {
        "invitation": invitation, "course_date": place.course_date, "course": place.course_date.course,
        "organisation": place.booking.organisation, "form": form,
        "here": reverse("places:invitation", args=[token]),
    })


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's webhook: verified on the raw body (400 otherwise, nothing stored), stored once and applied."""
    try:
        event, is_new = webhook_receive(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Invalid payload or signature.")
    return JsonResponse({"received": event.event_id, "duplicate": not is_new})
