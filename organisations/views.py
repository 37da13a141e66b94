"""Mijn organisatie: a contact person books seats for their people, names them and sees the invoice (each step
a service of the places app); invites colleagues; registers an organisation."""

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
from courses.enrolments import cancellation_refund
from courses.seating import CodeRefused, EnrolmentError
from places import bookings
from places.checkout import checkout_sync

from . import selectors, services
from .forms import BookingForm, InviteForm, OrganisationForm, SeatNameForm


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
            booked = bookings.seats_book(**order, online=form.pays_online, return_urls=_return_urls(request))
        except CodeRefused as error:
            form.add_error("voucher_code", str(error))
        except EnrolmentError as error:
            messages.error(request, str(error))
        else:
            if not booked.booking.pays_online:
                messages.success(request, _("%(seats)d seats booked. The invoice is on its way to %(email)s.")
                                 % {"seats": booked.booking.seats, "email": organisation.invoice_email})
            return _onwards(request, booked)
    return render(request, "organisations/book.html", {"organisation": organisation, "form": form})


def _return_urls(request):
    """Where Stripe sends the contact person back to: the page that asks Stripe how the payment stands, or the
    booking."""
    def urls(booking) -> tuple[str, str]:
        return (request.build_absolute_uri(reverse("organisations:booking_return", args=[booking.pk])),
                request.build_absolute_uri(reverse("organisations:booking", args=[booking.pk])))
    return urls


def _onwards(request, booked: bookings.Booked):
    """To Stripe's page, or to the booking with what happened."""
    if booked.pay_at:
        return redirect(booked.pay_at)
    if booked.problem:
        messages.error(request, booked.problem)
    elif booked.booking.pays_online:  # nothing to pay: a code took the whole price off
        messages.success(request, _("%(seats)d seats booked. Name the participants below.")
                         % {"seats": booked.booking.seats})
    return redirect("organisations:booking", pk=booked.booking.pk)


@login_required
@require_POST
def booking_pay(request, pk: int):
    """Back to Stripe's page for seats still held for their payment."""
    try:
        booked = bookings.booking_pay(booking=selectors.booking_for_contact(request.user, pk), actor=request.user,
                                      return_urls=_return_urls(request))
    except EnrolmentError as error:
        messages.error(request, str(error))
        return redirect("organisations:booking", pk=pk)
    return _onwards(request, booked)


@login_required
def booking_return(request, pk: int):
    """Where Stripe sends the contact person after paying: Stripe is asked at once (the webhook may be late),
    then the booking says how it stands."""
    booking = selectors.booking_for_contact(request.user, pk)
    payment = booking.payments.order_by("-created_at").first()
    if payment is not None:
        payment = checkout_sync(payment=payment)
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
            invitation = bookings.seat_name(place=place, email=form.cleaned_data["email"],
                                            name=form.cleaned_data["name"], actor=request.user)
        except EnrolmentError as error:
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
            credited = bookings.seat_cancel(place=place, actor=request.user)
        except EnrolmentError as error:
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
