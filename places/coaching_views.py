"""A participant's 1:1 coaching sessions (courses.appointments): the times their date's trainers offer, booking
one, moving it to another time and cancelling it, each within the course's rules. Each view calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.converters import parse_id
from courses import appointments, selectors
from courses.appointments import AppointmentError
from courses.models import Appointment


def _coaching_place(request, pk: int):
    """The person's own confirmed place on a course with individual sessions; 404 otherwise."""
    place = selectors.own_enrolment(user=request.user, pk=pk)
    if not (place.is_confirmed and place.course_date.course.coaching_sessions):
        raise Http404
    return place


def _own_session(place, session_id) -> Appointment:
    return get_object_or_404(Appointment.objects.select_related("slot"), pk=parse_id(session_id) or 0,
                             enrolment=place, status=Appointment.Status.BOOKED)


@login_required
def coaching(request, pk: int):
    """The place's sessions and the free times; with ?verzetten=<session> the times to move that one to."""
    place = _coaching_place(request, pk)
    now = timezone.now()
    coaching = appointments.coaching_of(place, now)
    moving = None
    if request.GET.get("verzetten"):
        moving = next((session for session in coaching.sessions if session.pk == parse_id(request.GET["verzetten"])),
                      None)
        if moving is None or not moving.changeable:
            messages.error(request, _("This session can no longer be moved here: ask your trainer."))
            return redirect("places:coaching", pk=place.pk)
    slots = list(appointments.slots_open(place, now))
    for slot in slots:
        slot.day = timezone.localdate(slot.starts_at)  # grouped by the day in Amsterdam, not in UTC
    return render(request, "places/coaching.html", {
        "enrolment": place, "course": place.course_date.course, "course_date": place.course_date,
        "coaching": coaching, "moving": moving, "slots": slots,
    })


def _to_the_session(place, session):
    return redirect(f"{reverse('places:coaching', args=[place.pk])}#session-{session.pk}")


@login_required
@require_POST
def coaching_book(request, pk: int):
    place = _coaching_place(request, pk)
    try:
        session = appointments.appointment_book(place=place, slot_id=parse_id(request.POST.get("slot")),
                                                actor=request.user)
    except AppointmentError as error:
        messages.error(request, str(error))
        return redirect("places:coaching", pk=place.pk)
    messages.success(request, _("Your session is booked. You and your trainer get an invitation by email."))
    return _to_the_session(place, session)


@login_required
@require_POST
def coaching_move(request, pk: int, session_pk: int):
    place = _coaching_place(request, pk)
    try:
        session = appointments.appointment_move(appointment=_own_session(place, session_pk),
                                                slot_id=parse_id(request.POST.get("slot")), actor=request.user)
    except AppointmentError as error:
        messages.error(request, str(error))
        return redirect("places:coaching", pk=place.pk)
    messages.success(request, _("Your session has moved. Both of you get the new time in your calendar."))
    return _to_the_session(place, session)


@login_required
@require_POST
def coaching_cancel(request, pk: int, session_pk: int):
    place = _coaching_place(request, pk)
    try:
        appointments.appointment_cancel(appointment=_own_session(place, session_pk), actor=request.user)
    except AppointmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your session is cancelled and your trainer told. Book another time when it "
                                    "suits you."))
    return redirect("places:coaching", pk=place.pk)
