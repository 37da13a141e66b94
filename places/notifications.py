"""Emails about places that the places app sends: the invitation to a seat an organisation booked."""

from django.conf import settings
from django_tasks import task

from accounts.models import User
from core.mail import email
from courses.models import SeatInvitation


@task()
def send_seat_invitation(*, invitation_id: int) -> None:
    invitation = (SeatInvitation.objects.select_related("enrolment__course_date__course",
                                                        "enrolment__booking__organisation").get(pk=invitation_id))
    if not invitation.is_open:
        return  # withdrawn or accepted since it was queued
    known = User.objects.filter(email__iexact=invitation.email).first()
    language = known.language if known else settings.LANGUAGE_CODE
    place = invitation.enrolment
    email("places/email/seat_invitation",
          {"invitation": invitation, "course_date": place.course_date, "course": place.course_date.course,
           "organisation": place.booking.organisation, "has_account": known is not None},
          to=invitation.email, language=language, links={"link": ("places:invitation", [invitation.token])})
