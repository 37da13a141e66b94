"""What a contact person does for their organisation, and what it means for the people it books for: each
step is the lower apps' service plus the email that goes with it, queued in the same transaction."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Organisation, OrganisationInvitation, User
from accounts.services import organisation_invite
from core.tasks import enqueue_with_change
from courses import bookings
from courses.models import NAME_SEATS_DAYS_BEFORE, Booking, CourseDate, Enrolment, SeatInvitation

from .notifications import send_naming_reminder, send_organisation_invitation, send_seat_invitation

REMIND_NAMES_BEFORE = timedelta(days=NAME_SEATS_DAYS_BEFORE + 2)  # two days before the naming deadline


@transaction.atomic
def seat_name(*, place: Enrolment, email: str, name: str = "", actor: User) -> SeatInvitation:
    """Gives the seat to the person with this email: an invitation for a seat still free, a swap for a seat
    someone took. They get an email with a link to accept."""
    if place.user_id:
        invitation = bookings.seat_swap(place=place, email=email, name=name, actor=actor)
    else:
        invitation = bookings.seat_invite(place=place, email=email, name=name, actor=actor)
    enqueue_with_change(send_seat_invitation, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def colleague_invite(*, organisation: Organisation, email: str, role: str, actor: User) -> OrganisationInvitation:
    invitation = organisation_invite(organisation=organisation, email=email, role=role, actor=actor)
    enqueue_with_change(send_organisation_invitation, invitation_id=invitation.pk)
    return invitation


def unnamed_seats_of(bookings_query):
    """Bookings that still have a seat with neither a participant nor an open invitation."""
    unnamed = Enrolment.objects.filter(Enrolment.UNNAMED, booking=OuterRef("pk"),
                                       status=Enrolment.Status.CONFIRMED).exclude(
        Exists(SeatInvitation.objects.filter(enrolment=OuterRef("pk"), accepted_at__isnull=True,
                                             withdrawn_at__isnull=True)))
    return bookings_query.filter(Exists(unnamed))


def naming_reminders_send(*, now: datetime | None = None) -> int:
    """Reminds the contact person once, two days before the naming deadline, of seats nobody was named for. The
    conditional update claims the reminder, so a second worker sends nothing. For the scheduler."""
    now = now or timezone.now()
    due = unnamed_seats_of(Booking.objects.filter(
        names_reminded_at__isnull=True, course_date__status=CourseDate.Status.SCHEDULED,
        course_date__starts_at__gt=now, course_date__starts_at__lte=now + REMIND_NAMES_BEFORE))
    sent = 0
    for booking_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            if Booking.objects.filter(pk=booking_id, names_reminded_at__isnull=True).update(names_reminded_at=now):
                enqueue_with_change(send_naming_reminder, booking_id=booking_id)
                sent += 1
    return sent
