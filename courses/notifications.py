"""Emails about places on a date, sent by tasks after the transaction commits, in the recipient's language
(through core.mail)."""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from accounts.models import User
from accounts.reminders import reminder_email
from core.mail import email_office, email_person

from . import ics, selectors
from .models import Appointment, CoachingSlot, CourseDate, Enrolment, InterestEntry


def place_context(enrolment: Enrolment) -> dict:
    return {"enrolment": enrolment, "course": enrolment.course_date.course, "course_date": enrolment.course_date}


def calendar_messages(enrolment: Enrolment, method: str, *, day_ids: list[int] | None = None) -> None:
    """A mail per meeting day, each carrying that day's iTIP message (courses.ics): the place's days now, or
    `day_ids` (days dropped from the date, by id)."""
    days = ics.meeting_days(enrolment)  # once for every message
    template = "courses/email/invitation" if method == ics.REQUEST else "courses/email/invitation_cancelled"
    for day_id in day_ids if day_ids is not None else [day.pk for day in days]:
        day = next((day for day in days if day.pk == day_id), None)
        email_person(enrolment.user, template,
                     {**place_context(enrolment), "day": day, "title": ics.day_title(enrolment, day, days)},
                     links={"link": ("places:enrolment", [enrolment.pk])},
                     calendar=(method, ics.day_message(enrolment, day_id, method=method, days=days)))


def email_about(enrolment_id: int, template: str, *, link: str, only_when: str | None = None,
                cancels_calendar: bool = False, reminder: bool = False, **context):
    """An email about one place with `link` (a URL name) back to it, unless its state moved on meanwhile; with
    `cancels_calendar`, the events of a place that had been confirmed (so its invitations went out) leave the
    person's calendar."""
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if (only_when and enrolment.status != only_when) or enrolment.user_id is None:
        return
    send = reminder_email if reminder else email_person  # a reminder only while the person wants them
    send(enrolment.user, template, {**place_context(enrolment), **context}, links={"link": (link, [enrolment.pk])})
    if cancels_calendar and enrolment.confirmed_at:
        calendar_messages(enrolment, ics.CANCEL)


@task()
def send_waitlist_offer(*, enrolment_id: int) -> None:
    email_about(enrolment_id, "courses/email/waitlist_offer", link="places:offer", only_when=Enrolment.Status.OFFERED)


@task()
def send_enrolment_confirmation(*, enrolment_id: int) -> None:
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if enrolment.status != Enrolment.Status.CONFIRMED or enrolment.user_id is None:
        return  # ended since, or an organisation's seat nobody has taken yet
    email_person(enrolment.user, "courses/email/enrolment_confirmed", place_context(enrolment),
                 links={"my_courses_url": ("courses:my_courses", [])})
    calendar_messages(enrolment, ics.REQUEST)


@task()
def send_place_ended(*, enrolment_id: int, refund: str = "", refund_way: str = "") -> None:
    """A confirmed place ended (cancelled, or moved to another date): its events leave the person's calendar."""
    email_about(enrolment_id, "courses/email/place_ended", link="places:enrolment", cancels_calendar=True,
                refund=Decimal(refund) if refund else None, refund_way=refund_way)


@task()
def send_date_changed(*, enrolment_id: int, sequence: int, dropped_day_ids: tuple[int, ...] = (),
                      days_before: int = 0) -> None:
    """The days or the place of a date changed: each day's event of a confirmed place moves along, and a dropped
    day's leaves. A later change (a higher sequence) sends the days' updates itself, so this one leaves them to it;
    a dropped day is gone for good, so its CANCEL goes out whatever happened since (the end of a place cancels only
    the days the date still has). (`days_before`: tasks queued before meeting days had UIDs of their own; ignored.)
    """
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if enrolment.user_id is None or enrolment.confirmed_at is None:
        return
    if enrolment.status == Enrolment.Status.CONFIRMED and enrolment.course_date.calendar_sequence == sequence:
        email_person(enrolment.user, "courses/email/date_changed", place_context(enrolment),
                     links={"link": ("places:enrolment", [enrolment.pk])})
        calendar_messages(enrolment, ics.REQUEST)
    if dropped_day_ids:
        calendar_messages(enrolment, ics.CANCEL, day_ids=list(dropped_day_ids))


@task()
def send_date_announcement(*, course_date_id: int, user_id: int) -> None:
    course_date = CourseDate.objects.select_related("course").get(pk=course_date_id)
    user = User.objects.get(pk=user_id)
    if not InterestEntry.objects.filter(course_id=course_date.course_id, user=user).exists():
        return  # left the list, or enrolled, since the announcement was queued
    email_person(user, "courses/email/date_announced", {"course": course_date.course, "course_date": course_date,
                                                        "user": user},
                 links={"enrol_url": ("places:enrol", [course_date.pk])})


@task()
def send_date_cancelled(*, enrolment_id: int, was_paid: bool) -> None:
    """What is true for this person: the other dates that have a seat now (or that none has), and what happens to
    their money (their own, or their organisation's)."""
    enrolment = Enrolment.objects.select_related("course_date__course", "booking").get(pk=enrolment_id)
    other_dates = [other for other in selectors.course_dates_upcoming(course=enrolment.course_date.course,
                                                                      now=timezone.now())
                   if other.pk != enrolment.course_date_id and selectors.seats_open(other) > 0]
    email_about(enrolment_id, "courses/email/date_cancelled", link="places:enrolment", was_paid=was_paid,
                choice_days=settings.DATE_CANCELLED_CHOICE_DAYS, cancels_calendar=True, other_dates=other_dates,
                by_organisation=bool(enrolment.booking_id and enrolment.booking.organisation_id))


@task()
def send_seat_withdrawn(*, enrolment_id: int) -> None:
    """To a participant whose organisation cancelled their seat, or whose seat the office released."""
    email_about(enrolment_id, "courses/email/seat_withdrawn", link="places:enrolment",
                only_when=Enrolment.Status.CANCELLED, cancels_calendar=True)


@task()
def send_reminder(*, enrolment_id: int) -> None:
    email_about(enrolment_id, "courses/email/reminder", link="places:enrolment", only_when=Enrolment.Status.CONFIRMED,
                reminder=True)


@task()
def send_absence_alert(*, enrolment_id: int, first_day_id: int, second_day_id: int) -> None:
    """Two meeting days in a row missed: the date's trainers and the office hear of it (no reason: the trainer sees
    those on the date's page; the office need not)."""
    place = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    days = list(place.course_date.meeting_days.filter(pk__in=[first_day_id, second_day_id]).order_by("starts_at"))
    context = {**place_context(place), "person": place.user, "days": days}
    for trainer in place.course_date.trainers.order_by("pk"):
        email_person(trainer, "courses/email/absent_twice", context,
                     links={"link": ("courses_trainer:date", [place.course_date_id])})
    email_office("courses/email/absent_twice", context, admin_link=("courses_trainer:date", place.course_date_id))


# 1:1 coaching sessions (courses.appointments)

def _session(appointment_id: int) -> Appointment:
    return Appointment.objects.select_related("slot__trainer", "enrolment__user",
                                              "enrolment__course_date__course").get(pk=appointment_id)


def _session_context(session: Appointment) -> dict:
    return {**place_context(session.enrolment), "session": session, "slot": session.slot,
            "trainer": session.slot.trainer, "person": session.enrolment.user}


@task()
def send_appointment_update(*, appointment_id: int, sequence: int, left_slot_id: int | None = None,
                            by: str = "") -> None:
    """A session was booked, moved or cancelled: both people get the calendar message that puts it in, moves it
    or takes it out (one event, courses.ics). A later change (a higher sequence) tells its own. A session that
    moved to another trainer (`left_slot_id`: its time before) leaves the first trainer's calendar, unless it has
    moved back to them since."""
    session = _session(appointment_id)
    left = CoachingSlot.objects.select_related("trainer").filter(pk=left_slot_id).first() if left_slot_id else None
    if left is not None and left.trainer is not None and not (
            session.is_booked and session.slot.trainer_id == left.trainer_id):
        email_person(left.trainer, "courses/email/session_cancelled",
                     {**_session_context(session), "slot": left, "trainer": left.trainer, "to_trainer": True},
                     links={"link": ("courses_trainer:coaching", [session.enrolment.course_date_id])},
                     calendar=(ics.CANCEL, ics.session_left_message(session, left, sequence=sequence)))
    if session.calendar_sequence != sequence:
        return
    method = ics.REQUEST if session.is_booked else ics.CANCEL
    template = "courses/email/session_booked" if session.is_booked else "courses/email/session_cancelled"
    message = ics.session_message(session, method=method)
    context = {**_session_context(session), "moved": sequence > 0 and session.is_booked, "by": by}
    if session.enrolment.user_id is not None:  # an erased person's sessions end with only the trainer told
        email_person(session.enrolment.user, template, context,
                     links={"link": ("places:coaching", [session.enrolment_id])}, calendar=(method, message))
    if session.slot.trainer is not None:
        email_person(session.slot.trainer, template, {**context, "to_trainer": True},
                     links={"link": ("courses_trainer:coaching", [session.enrolment.course_date_id])},
                     calendar=(method, message))


@task()
def send_appointment_reminder(*, appointment_id: int) -> None:
    session = _session(appointment_id)
    if not session.is_booked or session.enrolment.user_id is None:
        return
    context = _session_context(session)
    reminder_email(session.enrolment.user, "courses/email/session_reminder", context,
                   links={"link": ("places:coaching", [session.enrolment_id])})
    if session.slot.trainer is not None:
        email_person(session.slot.trainer, "courses/email/session_reminder", {**context, "to_trainer": True},
                     links={"link": ("courses_trainer:coaching", [session.enrolment.course_date_id])})


@task()
def send_times_offered(*, course_date_id: int, slot_ids: list[int]) -> None:
    """A trainer offered new times on the date: its participants who still have sessions to book hear of those
    still free (the others need not)."""
    course_date = CourseDate.objects.select_related("course").get(pk=course_date_id)
    slots = list(CoachingSlot.objects.filter(pk__in=slot_ids, withdrawn_at__isnull=True)
                 .exclude(appointments__status=Appointment.Status.BOOKED).select_related("trainer")
                 .order_by("starts_at", "pk"))
    if not slots:
        return
    used = selectors.sessions_per_place(course_date)
    for place in course_date.enrolments.filter(status=Enrolment.Status.CONFIRMED, user__isnull=False).select_related(
            "user"):
        if used.get(place.pk, (0, 0))[0] < course_date.course.coaching_sessions:
            email_person(place.user, "courses/email/times_offered", {**place_context(place), "slots": slots},
                         links={"link": ("places:coaching", [place.pk])})
