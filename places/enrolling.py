"""A person takes a place: a seat is held, then a free place is confirmed at once, a place paid on invoice is
confirmed with its invoice, and anything else goes to Stripe's page while the seat stays held. Taking a seat
offered from the waitlist goes the same way. Each is one call that says where the person goes next."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from courses import bookings as course_bookings
from courses import enrolments, waitlists
from courses.models import CourseDate, Enrolment, InvoicePayment
from courses.seating import Billing, EnrolmentError
from payments.checkout import PaymentError
from payments.invoices import booking_invoice_issue

from .checkout import place_checkout_start

# Where Stripe sends the person back to after paying or giving up: (success URL, cancel URL) for a place.
ReturnUrls = Callable[[Enrolment], tuple[str, str]]


@dataclass(frozen=True)
class Enrolled:
    """The place, and where it stands: confirmed already (free of charge, or on invoice), to be paid on Stripe's
    page (`pay_at`), or held while Stripe cannot be reached (`problem`, for the person)."""

    place: Enrolment
    pay_at: str = ""
    problem: str = ""

    @property
    def confirmed(self) -> bool:
        return self.place.status == Enrolment.Status.CONFIRMED


def _paid_or_confirmed(place: Enrolment, return_urls: ReturnUrls, actor: User) -> Enrolled:
    """A held seat: free of charge (or a code that takes the whole price off) it is confirmed at once; otherwise
    Stripe's page is opened for it."""
    if place.price_incl_vat == 0:
        return Enrolled(enrolments.enrolment_confirm(enrolment=place, actor=actor))
    success_url, cancel_url = return_urls(place)
    try:
        payment = place_checkout_start(enrolment=place, success_url=success_url, cancel_url=cancel_url)
    except PaymentError as error:
        return Enrolled(place, problem=str(error))
    return Enrolled(place, pay_at=payment.checkout_url)


def place_enrol(*, course_date: CourseDate, user: User, billing: Billing, code: str = "", on_invoice: bool = False,
                return_urls: ReturnUrls, looked_first: bool = False) -> Enrolled:
    """Enrols the person on the date: on invoice where the course lets individuals pay that way, else a held
    seat that is confirmed or paid. Raises EnrolmentError (DateFull, CodeRefused among them) with the reason.
    `looked_first`: the caller's first look (enrolments.first_look_refusal) refused nothing a moment ago."""
    if on_invoice:
        return Enrolled(own_place_on_invoice(course_date=course_date, user=user, billing=billing, code=code))
    held = enrolments.enrolment_hold(course_date=course_date, user=user, billing=billing, code=code,
                                     looked_first=looked_first)
    return _paid_or_confirmed(held, return_urls, user)


def offer_take(*, enrolment: Enrolment, billing: Billing, code: str = "", return_urls: ReturnUrls) -> Enrolled:
    """The person accepts a seat offered from the waitlist, at the course's price less their code: it is held
    for them while they pay, or confirmed when it costs nothing."""
    held = waitlists.offer_accept(enrolment=enrolment, billing=billing, code=code)
    return _paid_or_confirmed(held, return_urls, enrolment.user)


@transaction.atomic
def own_place_on_invoice(*, course_date: CourseDate, user: User, billing: Billing, code: str = "",
                         now: datetime | None = None) -> Enrolment:
    """A person's own place paid on invoice, where the course allows it for individuals: confirmed at once, its
    invoice issued in the same transaction and sent to them (to their employer's or business's details when they
    gave them)."""
    now = now or timezone.now()
    if course_date.course.invoice_payment != InvoicePayment.EVERYONE:
        raise EnrolmentError(_("This course can only be paid on invoice by organisations."))
    place = course_bookings.personal_booking_create(course_date=course_date, user=user, billing=billing, code=code,
                                                    now=now)
    booking_invoice_issue(booking=place.booking, now=now)
    return place
