"""A date's own life: its number of seats, its days and place changing, calling it off, reminders before it,
announcing it to the interest list, and completing it once its last day has passed."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import record
from core.tasks import enqueue_with_change

from .models import MAX_SEATS_PER_DATE, CourseDate, Enrolment, InterestEntry
from .notifications import (
    send_date_announcement,
    send_date_cancelled,
    send_date_changed,
    send_reminder,
)
from .seating import (
    Cancellation,
    EnrolmentError,
    date_locked,
    free_seats_offered,
    note_of,
    seating_released,
    transition,
)
from .selectors import seats_taken

Status = Enrolment.Status

def capacity_check(*, course_date: CourseDate, capacity: int, now: datetime) -> None:
    """A date has 1 to MAX_SEATS_PER_DATE seats, and never fewer than the seats already taken."""

    if not 1 <= capacity <= MAX_SEATS_PER_DATE:
        raise EnrolmentError(_("A date has between 1 and %(max)s seats.") % {"max": MAX_SEATS_PER_DATE})
    taken = seats_taken(course_date=course_date, now=now) if course_date.pk else 0
    if capacity < taken:
        raise EnrolmentError(
            _("%(taken)s seats are already taken; the capacity cannot go below that.") % {"taken": taken}
        )


@transaction.atomic
def course_date_set_capacity(*, course_date: CourseDate, capacity: int, actor: User | None = None,
                             now: datetime | None = None) -> CourseDate:
    """Changes the number of seats; refuses to go below the seats already taken, offers new ones."""
    now = now or timezone.now()
    course_date = date_locked(course_date)
    capacity_check(course_date=course_date, capacity=capacity, now=now)
    seating = seating_released(course_date, now)
    record(course_date, "course_date.capacity_changed", actor=actor, at=now,
           note=f"{course_date.capacity} → {capacity}")
    course_date.capacity = capacity
    course_date.save(update_fields=["capacity"])
    free_seats_offered(seating, now)
    return course_date


@transaction.atomic
def course_date_rescheduled(*, course_date: CourseDate, dropped_day_ids: list[int], actor: User | None = None,
                            now: datetime | None = None) -> int:
    """The days or the place of a date changed (`dropped_day_ids`: the meeting days it no longer has): the calendar
    events of its confirmed participants follow, one sequence higher, and they are told. Returns how many people
    are told."""
    now = now or timezone.now()
    course_date = date_locked(course_date, with_course=False)
    course_date.calendar_sequence += 1
    course_date.save(update_fields=["calendar_sequence"])
    record(course_date, "course_date.rescheduled", actor=actor, at=now,
           note=f"calendar sequence {course_date.calendar_sequence}")
    if course_date.status != CourseDate.Status.SCHEDULED:
        return 0
    told = course_date.enrolments.filter(status=Status.CONFIRMED, user__isnull=False).values_list("pk", flat=True)
    for enrolment_id in told:
        enqueue_with_change(send_date_changed, enrolment_id=enrolment_id, sequence=course_date.calendar_sequence,
                            dropped_day_ids=list(dropped_day_ids))
    return len(told)



def course_dates_complete(*, now: datetime | None = None) -> int:
    """The scheduler's tick: a date whose last meeting day has ended is completed, so lists stop calling it
    planned and nobody can call it off any more. Returns how many dates it completed."""
    now = now or timezone.now()
    completed = 0
    for course_date_id in CourseDate.objects.filter(status=CourseDate.Status.SCHEDULED, ends_at__lte=now
                                                    ).values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            course_date = date_locked(CourseDate(pk=course_date_id), with_course=False)
            if course_date.status == CourseDate.Status.SCHEDULED:
                course_date.status = CourseDate.Status.COMPLETED
                course_date.save(update_fields=["status"])
                record(course_date, "course_date.completed", at=now)
                completed += 1
    return completed



def dates_announce(*, now: datetime | None = None) -> int:
    """Tells everyone on a course's interest list, once, about each newly scheduled date. For the worker."""

    now = now or timezone.now()
    announced = 0
    due = CourseDate.objects.filter(status=CourseDate.Status.SCHEDULED, announced_at__isnull=True,
                                    starts_at__gt=now)
    for course_date_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            course_date = date_locked(CourseDate(pk=course_date_id))
            if course_date.announced_at is not None:
                continue  # another worker was first
            course_date.announced_at = now
            course_date.save(update_fields=["announced_at"])
            for user_id in InterestEntry.objects.filter(course_id=course_date.course_id).values_list("user_id",
                                                                                                     flat=True):
                enqueue_with_change(send_date_announcement, course_date_id=course_date.pk, user_id=user_id)
                announced += 1
    return announced



@transaction.atomic
def course_date_cancel(*, course_date: CourseDate, actor: User | None, reason: str = "",
                       now: datetime | None = None) -> list[Cancellation]:
    """The office calls a date off: every place and waitlist entry ends, paid places are due in full,
    and everyone is told, with the course's other dates to transfer to."""

    now = now or timezone.now()
    course_date = date_locked(course_date)
    if course_date.status == CourseDate.Status.CANCELLED:
        raise EnrolmentError(_("This date has been cancelled."))
    if course_date.status == CourseDate.Status.COMPLETED:
        raise EnrolmentError(_("This date has taken place; it can no longer be called off."))
    course_date.status, course_date.cancelled_at = CourseDate.Status.CANCELLED, now
    course_date.save(update_fields=["status", "cancelled_at"])
    record(course_date, "course_date.cancelled", actor=actor, at=now, reason=reason)
    cancellations = []
    for enrolment in course_date.enrolments.filter(status__in=Enrolment.ACTIVE).select_related("user"):
        paid = enrolment.status == Status.CONFIRMED
        refund = (enrolment.price_incl_vat or Decimal("0.00")) if paid else Decimal("0.00")
        transition(enrolment, Status.CANCELLED, at=now, actor=actor, calendar_told_elsewhere=True,
                    note=note_of("date cancelled", reason))
        cancellations.append(Cancellation(enrolment=enrolment, refund=refund))
        if enrolment.user_id:  # on the interest list: they hear of the next date, whatever they choose now
            InterestEntry.objects.get_or_create(course_id=course_date.course_id, user_id=enrolment.user_id)
            enqueue_with_change(send_date_cancelled, enrolment_id=enrolment.pk, was_paid=paid)
    return cancellations


def reminders_send(*, now: datetime | None = None) -> int:
    """Reminds every confirmed participant once, REMINDER_DAYS_BEFORE days before their date. For the worker."""

    now = now or timezone.now()
    due = Enrolment.objects.filter(
        status=Status.CONFIRMED, reminded_at__isnull=True, user__isnull=False,
        course_date__status=CourseDate.Status.SCHEDULED, course_date__starts_at__gt=now,
        course_date__starts_at__lte=now + timedelta(days=settings.REMINDER_DAYS_BEFORE),
    )
    sent = 0
    for enrolment_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            # The conditional update claims the reminder: a second worker finds nothing to claim.
            if Enrolment.objects.filter(pk=enrolment_id, reminded_at__isnull=True).update(reminded_at=now):
                enqueue_with_change(send_reminder, enrolment_id=enrolment_id)
                sent += 1
    return sent

