"""Who was there on each meeting day, registered from the day itself on."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import record
from core.formats import day

from .models import Attendance, CourseDate, Enrolment
from .seating import (
    EnrolmentError,
)

Status = Enrolment.Status

def attendance_open(day_starts_at: datetime, now: datetime) -> bool:
    """Attendance is registered on the day itself or afterwards, never for a day still to come."""
    return timezone.localdate(day_starts_at) <= timezone.localdate(now)


@transaction.atomic
def attendance_record(*, course_date: CourseDate, present: dict[tuple[int, int], bool], actor: User,
                      now: datetime | None = None) -> int:
    """Saves attendance for (enrolment id, meeting day id) pairs of this date; returns how many records changed
    (a tick that was already there is not a change)."""
    now = now or timezone.now()
    enrolments = {place.pk: place for place in course_date.enrolments.filter(status=Status.CONFIRMED)
                  .select_related("user", "course_date__course")}
    days = dict(course_date.meeting_days.values_list("pk", "starts_at"))
    changed = 0
    for (enrolment_id, day_id), is_present in present.items():
        if enrolment_id not in enrolments or day_id not in days:
            raise EnrolmentError(_("Attendance can only be registered for confirmed participants of this date."))
        if not attendance_open(days[day_id], now):
            raise EnrolmentError(_("Attendance for %(day)s can be registered from that day on, not before.")
                                 % {"day": day(days[day_id])})
        earlier = Attendance.objects.filter(enrolment_id=enrolment_id, meeting_day_id=day_id).first()
        if earlier is not None and earlier.present == is_present:
            continue
        Attendance.objects.update_or_create(
            enrolment_id=enrolment_id, meeting_day_id=day_id,
            defaults={"present": is_present, "recorded_by": actor, "recorded_at": now},
        )
        record(enrolments[enrolment_id], "attendance.recorded", actor=actor, at=now,
               note=f"{day(days[day_id])}: {'present' if is_present else 'absent'}")
        changed += 1
    return changed

