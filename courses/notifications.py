"""Emails about places on a date, sent by tasks after the transaction commits, in the recipient's language
(through core.mail)."""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from accounts.models import User
from core.mail import Attachment, email_person

from . import ics, selectors
from .models import CourseDate, Enrolment, InterestEntry


def place_context(enrolment: Enrolment) -> dict:
    return {"enrolment": enrolment, "course": enrolment.course_date.course, "course_date": enrolment.course_date}


def calendar(enrolment: Enrolment, method: str, *, only_days: range | None = None) -> Attachment:
    """The place's events as an attachment calendars act on (courses.ics)."""
    name = "afgezegd.ics" if method == ics.CANCEL else "opleiding.ics"
    return Attachment(name, ics.place_calendar(enrolment, method=method, only_days=only_days),
                      ics.MIMETYPE.format(method=method))


def removed_from_calendars(enrolment: Enrolment) -> tuple[Attachment, ...]:
    """A CANCEL for the events of a place that had been confirmed (so its invitation went out); nothing otherwise."""
    return (calendar(enrolment, ics.CANCEL),) if enrolment.confirmed_at else ()


def email_about(enrolment_id: int, template: str, *, link: str, only_when: str | None = None,
                cancels_calendar: bool = False, **context):
    """An email about one place with `link` (a URL name) back to it, unless its state moved on meanwhile; with
    `cancels_calendar`, the events of the place leave the person's calendar."""
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if (only_when and enrolment.status != only_when) or enrolment.user_id is None:
        return
    email_person(enrolment.user, template, {**place_context(enrolment), **context},
                 links={"link": (link, [enrolment.pk])},
                 attachments=removed_from_calendars(enrolment) if cancels_calendar else ())


@task()
def send_waitlist_offer(*, enrolment_id: int) -> None:
    email_about(enrolment_id, "courses/email/waitlist_offer", link="places:offer", only_when=Enrolment.Status.OFFERED)


@task()
def send_enrolment_confirmation(*, enrolment_id: int) -> None:
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if enrolment.status != Enrolment.Status.CONFIRMED or enrolment.user_id is None:
        return  # ended since, or an organisation's seat nobody has taken yet
    email_person(enrolment.user, "courses/email/enrolment_confirmed", place_context(enrolment),
                 links={"my_courses_url": ("courses:my_courses", [])}, attachments=(calendar(enrolment, ics.REQUEST),))


@task()
def send_place_ended(*, enrolment_id: int, refund: str = "", refund_way: str = "") -> None:
    """A confirmed place ended (cancelled, or moved to another date): its events leave the person's calendar."""
    email_about(enrolment_id, "courses/email/place_ended", link="places:enrolment", cancels_calendar=True,
                refund=Decimal(refund) if refund else None, refund_way=refund_way)


@task()
def send_date_changed(*, enrolment_id: int, sequence: int, days_before: int) -> None:
    """The days or the place of a date changed: the calendar events of a confirmed place move along. A later
    change (a higher sequence) sends its own message, so this one stays silent."""
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if (enrolment.status != Enrolment.Status.CONFIRMED or enrolment.user_id is None
            or enrolment.course_date.calendar_sequence != sequence):
        return
    days_now = enrolment.course_date.meeting_days.count()
    attachments = [calendar(enrolment, ics.REQUEST)]
    if days_before > days_now:
        attachments.append(calendar(enrolment, ics.CANCEL, only_days=range(days_now + 1, days_before + 1)))
    email_person(enrolment.user, "courses/email/date_changed", place_context(enrolment),
                 links={"link": ("places:enrolment", [enrolment.pk])}, attachments=tuple(attachments))


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
    email_about(enrolment_id, "courses/email/reminder", link="places:enrolment", only_when=Enrolment.Status.CONFIRMED)
