"""What a contact person may see: their organisations, and those organisations' bookings and people."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from certification.models import Certificate
from courses.models import Appointment, Attendance, Booking, CourseDate, Enrolment, SeatInvitation
from courses.selectors import with_seat_counts
from payments.models import Invoice, Payment
from payments.selectors import with_balances


def contact_organisations(user: User):
    return Organisation.objects.filter(memberships__user=user, memberships__role=Membership.Role.CONTACT)


def is_contact_person(user: User) -> bool:
    """The signed-in person comes with the answer (`books_for_organisation`, accounts.backends)."""
    if not user.is_authenticated:
        return False
    if getattr(user, "books_for_organisation", None) is None:
        user.books_for_organisation = contact_organisations(user).exists()
    return user.books_for_organisation


def organisation_for_contact(user: User, pk: int) -> Organisation:
    """The organisation, for one of its contact persons; 404 for anyone else."""
    return get_object_or_404(contact_organisations(user), pk=pk)


def _with_seats_and_money(bookings):
    """Bookings with their current seats and those seats' open invitations, their invoice (with its balance)
    and their online payments (each with its invoice), in a fixed number of queries."""
    seats = (Enrolment.objects.filter(status__in=Enrolment.SEATED).select_related("user").order_by("seat")
             .prefetch_related(Prefetch("invitations", SeatInvitation.objects.filter(accepted_at__isnull=True,
                                                                                      withdrawn_at__isnull=True),
                                        to_attr="open_invitations")))
    invoices = with_balances(Invoice.objects.filter(kind=Invoice.Kind.INVOICE))
    payments = Payment.objects.order_by("-created_at").prefetch_related(
        Prefetch("invoices", Invoice.objects.filter(kind=Invoice.Kind.INVOICE), to_attr="invoice_list"))
    return (bookings.select_related("course_date__course", "booked_by", "organisation")
            .prefetch_related(Prefetch("places", seats, to_attr="seats_now"),
                              Prefetch("invoices", invoices, to_attr="invoice_list"),
                              Prefetch("payments", payments, to_attr="payment_list")))


def bookings_of(organisation: Organisation):
    """The organisation's bookings, newest date first, with their seats and money (_with_seats_and_money)."""
    return _with_seats_and_money(organisation.bookings.all()).order_by("-course_date__starts_at", "-pk")


def booking_for_contact(user: User, pk: int) -> Booking:
    return get_object_or_404(_with_seats_and_money(Booking.objects.all()), pk=pk,
                             organisation__in=contact_organisations(user))


def place_for_contact(user: User, pk: int) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("booking__organisation", "course_date__course", "user"),
                             pk=pk, booking__organisation__in=contact_organisations(user))


def bookable_dates():
    """Upcoming scheduled dates of live courses, with their seat counts."""
    now = timezone.now()
    dates = (CourseDate.objects.filter(status=CourseDate.Status.SCHEDULED, starts_at__gt=now, course__live=True)
             .filter(Q(course__free_of_charge=True) | Q(course__price_excl_vat__isnull=False))  # priced
             .filter(Q(enrolment_deadline__isnull=True) | Q(enrolment_deadline__gt=now))
             .select_related("course").order_by("starts_at", "pk"))
    return with_seat_counts(dates, now)


def people_of(organisation: Organisation):
    return organisation.memberships.select_related("user").order_by("role", "user__full_name", "user__email")


@dataclass(frozen=True)
class SharedProgress:
    """What a contact person may see of a participant who agreed to share it."""

    present: int
    days: int
    completed_at: datetime | None
    certificate: Certificate | None
    sessions_held: int = 0  # 1:1 coaching sessions that took place (never what was said in them)
    sessions: int = 0  # how many the course includes


def shared_progress(booking: Booking, places: list[Enrolment]) -> dict[int, SharedProgress]:
    """Attendance, completion and certificate of the booking's participants who share their progress with the
    organisation, by place id; the others are absent. A fixed number of queries."""
    people = [place.user_id for place in places if place.user_id]
    sharing = set(Membership.objects.filter(organisation_id=booking.organisation_id, user_id__in=people,
                                            shares_progress_since__isnull=False).values_list("user_id", flat=True))
    shared = [place for place in places if place.user_id in sharing]
    if not shared:
        return {}
    days = booking.course_date.meeting_days.count()
    present = Counter(Attendance.objects.filter(enrolment__in=shared, present=True)
                      .values_list("enrolment_id", flat=True))
    certificates = {certificate.enrolment_id: certificate for certificate
                    in Certificate.objects.filter(enrolment__in=shared).order_by("issued_at")}  # the latest wins
    sessions = booking.course_date.course.coaching_sessions
    held = Counter(Appointment.objects.filter(enrolment__in=shared, status=Appointment.Status.BOOKED,
                                              took_place=True).values_list("enrolment_id", flat=True)
                   if sessions else [])
    return {place.pk: SharedProgress(present=present[place.pk], days=days, completed_at=place.completed_at,
                                     certificate=certificates.get(place.pk), sessions_held=held[place.pk],
                                     sessions=sessions) for place in shared}
