"""Mijn organisatie: a contact person books seats for their people, names them and sees the invoice; the
people named accept their seat through the link in their email."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as accounts
from accounts.models import OrganisationInvitation
from core.formats import euro
from courses import bookings as seats
from courses import seating
from courses.enrolments import cancellation_refund
from courses.models import SeatInvitation
from payments import bookings as invoice_bookings
from payments import services as payments

from . import selectors, services
from .forms import AcceptForm, BookingForm, InviteForm, OrganisationForm, SeatNameForm


@login_required
def overview(request):
    organisations = list(selectors.contact_organisations(request.user))
    if not organisations:
        raise Http404
    rows = [(organisation, list(selectors.bookings_of(organisation)), list(selectors.people_of(organisation)))
            for organisation in organisations]
    return render(request, "organisations/overview.html", {"rows": rows, "now": timezone.now(),
                                                           "invite_form": InviteForm()})


@login_required
def start(request):
    """"I book for my organisation": a contact person goes to their organisation; anyone else registers one and
    becomes its contact person."""
    if selectors.is_contact_person(request.user) and "new" not in request.GET:
        return redirect("organisations:overview")
    form = OrganisationForm(request.POST or None, initial={"invoice_email": request.user.email,
                                                           "name": request.user.organisation})
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_register(user=request.user, **form.cleaned_data)
        messages.success(request, _("%(organisation)s is registered; you are its contact person. You can book "
                                    "seats and pay online now; booking on invoice is possible once our office has "
                                    "approved the organisation (usually within one working day).")
                         % {"organisation": organisation.name})
        return redirect("organisations:book", pk=organisation.pk)
    return render(request, "organisations/start.html", {"form": form})


@login_required
@require_POST
def invite(request, pk: int):
    organisation = selectors.organisation_for_contact(request.user, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address for your colleague."))
        return redirect("organisations:overview")
    try:
        invitation = services.colleague_invite(organisation=organisation, email=form.cleaned_data["email"],
                                               role=form.cleaned_data["role"], actor=request.user)
    except accounts.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("We sent %(email)s an invitation to join %(organisation)s.")
                         % {"email": invitation.email, "organisation": organisation.name})
    return redirect("organisations:overview")


def join(request, token: str):
    """The page behind the link in an invitation to an organisation: log in or sign up, then join."""
    invitation = get_object_or_404(OrganisationInvitation.objects.select_related("organisation"), token=token)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = accounts.organisation_join(invitation=invitation, user=request.user)
        except accounts.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("You joined %(organisation)s.") % {"organisation": invitation.organisation})
            return redirect("organisations:overview" if membership.is_contact else "accounts:profile")
    return render(request, "organisations/join.html", {
        "invitation": invitation, "here": reverse("organisations:join", args=[token])})


@login_required
def book(request, pk: int):
    organisation = selectors.organisation_for_contact(request.user, pk)
    dates = selectors.bookable_dates()
    initial = {"reference": organisation.default_reference, "course_date": request.GET.get("date")}
    form = BookingForm(request.POST or None, dates=dates, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = {"course_date": data["course_date"], "organisation": organisation, "booked_by": request.user,
                 "seats": data["seats"], "reference": data["reference"].strip(), "code": data["voucher_code"]}
        try:
            booking = (seats.booking_create(**order, online=True) if form.pays_online
                       else invoice_bookings.booking_on_invoice(**order))
        except seating.CodeRefused as error:
            form.add_error("voucher_code", str(error))
        except (seats.EnrolmentError, invoice_bookings.BookingError) as error:
            messages.error(request, str(error))
        else:
            if booking.pays_online:
                return _to_payment(request, booking)
            messages.success(request, _("%(seats)d seats booked. The invoice is on its way to %(email)s.")
                             % {"seats": booking.seats, "email": organisation.invoice_email})
            return redirect("organisations:booking", pk=booking.pk)
    return render(request, "organisations/book.html", {"organisation": organisation, "form": form})


def _to_payment(request, booking):
    """Seats held for an online payment go to Stripe's page, all in one Checkout; seats that cost nothing (a
    code that takes the whole price off) are confirmed at once."""
    booking_url = reverse("organisations:booking", args=[booking.pk])
    try:
        if booking.price_incl_vat == 0:
            seats.booking_confirm(booking=booking, actor=request.user)
            messages.success(request, _("%(seats)d seats booked. Name the participants below.")
                             % {"seats": booking.seats})
            return redirect(booking_url)
        payment = payments.booking_checkout_start(
            booking=booking, cancel_url=request.build_absolute_uri(booking_url),
            success_url=request.build_absolute_uri(reverse("organisations:booking_return", args=[booking.pk])))
    except (payments.PaymentError, seats.EnrolmentError) as error:
        messages.error(request, str(error))
        return redirect(booking_url)
    return redirect(payment.checkout_url)


@login_required
@require_POST
def booking_pay(request, pk: int):
    """Back to Stripe's page for seats still held for their payment."""
    return _to_payment(request, selectors.booking_for_contact(request.user, pk))


@login_required
def booking_return(request, pk: int):
    """Where Stripe sends the contact person after paying: Stripe is asked at once (the webhook may be late),
    then the booking says how it stands."""
    booking = selectors.booking_for_contact(request.user, pk)
    payment = booking.payments.order_by("-created_at").first()
    if payment is not None:
        payment = payments.checkout_sync(payment=payment)
    if payment is not None and payment.status == payment.Status.PAID and not payment.went_back_whole:
        messages.success(request, _("Paid, thank you. The invoice is on its way to %(email)s. Name the participants "
                                    "below.") % {"email": booking.organisation.invoice_email})
    elif payment is not None and payment.status == payment.Status.PROCESSING:
        messages.info(request, _("Your payment is being processed. The seats stay held; this page shows when it "
                                 "has been paid."))
    return redirect("organisations:booking", pk=booking.pk)


@login_required
def booking_detail(request, pk: int):
    booking = selectors.booking_for_contact(request.user, pk)
    places = booking.seats_now  # prefetched with their open invitations (selectors.booking_for_contact)
    progress = selectors.shared_progress(booking, places)
    confirmed = any(place.status == place.Status.CONFIRMED for place in places)
    return render(request, "organisations/booking.html", {
        "booking": booking,
        "places": [(place, SeatNameForm(prefix=str(place.pk)), progress.get(place.pk)) for place in places],
        "started": booking.course_date.has_started(), "confirmed": confirmed, "now": timezone.now(),
        "processing": any(payment.status == payment.Status.PROCESSING for payment in booking.payment_list),
    })


@login_required
@require_POST
def seat_name(request, pk: int):
    place = selectors.place_for_contact(request.user, pk)
    form = SeatNameForm(request.POST, prefix=str(place.pk))
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address for the participant."))
    else:
        try:
            invitation = services.seat_name(place=place, email=form.cleaned_data["email"],
                                            name=form.cleaned_data["name"], actor=request.user)
        except seats.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("We sent %(email)s an invitation to accept the seat.")
                             % {"email": invitation.email})
    return redirect("organisations:booking", pk=place.booking_id)


@login_required
def seat_cancel(request, pk: int):
    """Cancelling one booked seat: first what the policy credits, then, on confirmation, the cancellation."""
    place = selectors.place_for_contact(request.user, pk)
    if request.method == "POST":
        try:
            credited = invoice_bookings.booking_seat_cancel(place=place, actor=request.user)
        except seats.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            money_back = (_("The seat is cancelled; %(amount)s is refunded to the payment.")
                          if place.booking.pays_online
                          else _("The seat is cancelled; %(amount)s is credited on the invoice."))
            messages.success(request, money_back % {"amount": euro(credited)} if credited
                             else _("The seat is cancelled."))
        return redirect("organisations:booking", pk=place.booking_id)
    return render(request, "organisations/seat_cancel.html", {
        "place": place, "booking": place.booking, "course": place.course_date.course,
        "credit": cancellation_refund(enrolment=place, now=timezone.now()),
    })


def invitation(request, token: str):
    """The page behind the link in a seat invitation: log in or sign up, then accept."""
    invitation = get_object_or_404(SeatInvitation.objects.select_related(
        "enrolment__course_date__course", "enrolment__booking__organisation"), token=token)
    place = invitation.enrolment
    if invitation.accepted_at and request.user.is_authenticated and invitation.accepted_by_id == request.user.pk:
        return redirect("courses:enrolment", pk=place.pk)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        try:
            place = seats.seat_accept(invitation=invitation, user=request.user,
                                      shares_progress=form.cleaned_data["shares_progress"])
        except seats.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The place is yours. See you on %(course)s!")
                             % {"course": place.course_date.course.title})
            return redirect("courses:enrolment", pk=place.pk)
    return render(request, "organisations/invitation.html", {
        "invitation": invitation, "course_date": place.course_date, "course": place.course_date.course,
        "organisation": place.booking.organisation, "form": form, "here": reverse("organisations:invitation",
                                                                                  args=[token]),
    })
