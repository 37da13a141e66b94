"""The trainer's page of a date's 1:1 coaching sessions in the Wagtail admin: offering times, withdrawing them,
and per session who booked it, whether it took place (learning records that, with completion) and the trainer's
own note. A trainer reaches only dates they teach; the office every date."""

from datetime import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import appointments, selectors
from .appointments import AppointmentError
from .forms import SlotsForm
from .models import Appointment, CourseDate


def _is_office(user) -> bool:
    return user.has_perm("courses.change_coursedate")


def _slot_trainers(request, course_date: CourseDate):
    """Whom times are offered for: a trainer offers their own; the office for any of the date's trainers."""
    trainers = course_date.trainers.order_by("full_name", "email")
    return trainers if _is_office(request.user) else trainers.filter(pk=request.user.pk)


def coaching(request, pk: int):
    course_date = selectors.trainer_date(user=request.user, pk=pk)
    trainers = _slot_trainers(request, course_date)
    form = SlotsForm(request.POST or None, trainers=trainers,
                     initial={"trainer": trainers.filter(pk=request.user.pk).first() or trainers.first(),
                              "location": course_date.location_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at = timezone.make_aware(datetime.combine(data["day"], data["start"]))
        try:
            slots = appointments.slots_publish(
                course_date=course_date, trainer=data["trainer"], starts_at=starts_at, count=data["count"],
                location=data["location"], video_url=data["video_url"], actor=request.user)
        except AppointmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, ngettext("%(count)s time offered: participants can book it now.",
                                               "%(count)s times offered: participants can book them now.",
                                               len(slots)) % {"count": len(slots)})
            return redirect("courses_trainer:coaching", pk=course_date.pk)
    now = timezone.now()
    office_may_read = appointments.may_read_notes(request.user)
    slots = appointments.slots_of_date(course_date)
    for slot in slots:
        slot.has_begun = slot.starts_at <= now
        note = getattr(slot.session, "note", None) if slot.session else None
        slot.note = note
        slot.note_readable = note is not None and appointments.note_readable(note, request.user,
                                                                              office_may_read=office_may_read)
        slot.may_write_note = slot.session is not None and slot.trainer_id == request.user.pk
        slot.may_act = appointments.may_act_on(slot, request.user)
    return TemplateResponse(request, "courses/trainer/coaching.html", {
        "page_title": _("Coaching sessions"), "header_icon": "user",
        "course_date": course_date, "course": course_date.course, "form": form,
        "upcoming": [slot for slot in slots if not slot.has_begun],
        "past": [slot for slot in reversed(slots) if slot.has_begun],
        "note_max_length": appointments.NOTE_MAX_LENGTH,
    })


@require_POST
def coaching_withdraw(request, pk: int, slot_pk: int):
    course_date = selectors.trainer_date(user=request.user, pk=pk)
    slot = get_object_or_404(course_date.coaching_slots, pk=slot_pk)
    try:
        ended = appointments.slot_withdraw(slot=slot, actor=request.user)
    except AppointmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The time is withdrawn; its participant is told to choose another time.")
                         if ended else _("The time is withdrawn."))
    return redirect("courses_trainer:coaching", pk=course_date.pk)


@require_POST
def coaching_note(request, pk: int, session_pk: int):
    course_date = selectors.trainer_date(user=request.user, pk=pk)
    session = get_object_or_404(Appointment, pk=session_pk, slot__course_date=course_date,
                                status=Appointment.Status.BOOKED)
    try:
        appointments.note_save(appointment=session, author=request.user, text=request.POST.get("note", ""))
    except AppointmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Note saved."))
    return redirect(f"{reverse('courses_trainer:coaching', args=[course_date.pk])}#session-{session.pk}")
