"""What a contact person does for their organisation, and what it means for the people it books for: each
step is the lower apps' service plus the email that goes with it, queued in the same transaction."""

from django.db import transaction

from accounts.models import User
from core.tasks import enqueue_with_change
from courses import bookings
from courses.models import Enrolment, SeatInvitation

from .notifications import send_seat_invitation


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
