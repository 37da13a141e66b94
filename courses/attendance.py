"""Who was there on each meeting day, registered from the day itself on."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import audit
from core.audit import record
from core.formats import day
from core.formats import day as day_label
from core.tasks import enqueue_with_change

from .models import AbsenceNotice, Attendance, CourseDate, Enrolment
from .notifications import send_absence_alert
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
    changed, marked_absent = 0, {}
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
        if not is_present:
            marked_absent.setdefault(enrolment_id, day_id)
        changed += 1
    for enrolment_id, day_id in marked_absent.items():  # once per person, however many days the form changed
        absences_in_a_row_alert(place=enrolments[enrolment_id], day_id=day_id, now=now)
    return changed



# Absence told in advance

@transaction.atomic
def absence_report(*, place: Enrolment, day_id: int, reason: str, actor: User, now: datetime | None = None):
    """The participant will miss this meeting day of their confirmed place, for `reason`: until the day begins.
    Reporting again changes the reason. Two absences in a row alert the trainer and the office."""
    now = now or timezone.now()
    day = place.course_date.meeting_days.filter(pk=day_id).first()
    if day is None or not place.is_confirmed:
        raise EnrolmentError(_("Absence can only be reported for a meeting day of your confirmed place."))
    if day.starts_at <= now:
        raise EnrolmentError(_("This day has begun: tell the trainer."))
    notice, _created = AbsenceNotice.objects.update_or_create(
        enrolment=place, meeting_day=day, defaults={"reason": reason, "created_at": now})
    # The history says which day, never why: the reason is for the trainer, and goes with the notice on erasure.
    record(place, "attendance.absence_reported", actor=actor, at=now, note=day_label(day.starts_at))
    absences_in_a_row_alert(place=place, day_id=day.pk, now=now)
    return notice


@transaction.atomic
def absence_withdraw(*, place: Enrolment, day_id: int, actor: User, now: datetime | None = None) -> None:
    now = now or timezone.now()
    notice = AbsenceNotice.objects.filter(enrolment=place, meeting_day_id=day_id,
                                          meeting_day__starts_at__gt=now).first()
    if notice is None:
        raise EnrolmentError(_("There is no absence to withdraw for this day."))
    notice.delete()
    record(place, "attendance.absence_withdrawn", actor=actor, at=now)


def absent_days(place: Enrolment, now: datetime) -> set[int]:
    """The days of the place's date it misses: told in advance, or marked absent on a day that has ended (during
    the day someone may still come late), and not marked present since."""
    marks = dict(Attendance.objects.filter(enrolment=place).values_list("meeting_day_id", "present"))
    ended = set(place.course_date.meeting_days.filter(ends_at__lt=now).values_list("pk", flat=True))
    missed = set(AbsenceNotice.objects.filter(enrolment=place).values_list("meeting_day_id", flat=True))
    missed |= {day_id for day_id, present in marks.items() if not present and day_id in ended}
    return {day_id for day_id in missed if not marks.get(day_id)}


def absences_in_a_row_alert(*, place: Enrolment, day_id: int, now: datetime) -> None:
    """When this day and the meeting day before or after it are both missed, the trainer and the office hear of
    it, once per pair of days."""
    Enrolment.objects.select_for_update().filter(pk=place.pk).first()  # one alert, also when two report at once
    days = list(place.course_date.meeting_days.order_by("starts_at").values_list("pk", flat=True))
    missed = absent_days(place, now)
    at = days.index(day_id)
    for first, second in ((days[at - 1], day_id) if at > 0 else (None, None),
                          (day_id, days[at + 1]) if at + 1 < len(days) else (None, None)):
        if first is None or not {first, second} <= missed:
            continue
        pair = f"{first}-{second}"
        if not audit.history(place).filter(action="attendance.absent_twice", data__pair=pair).exists():
            record(place, "attendance.absent_twice", at=now, pair=pair)
            enqueue_with_change(send_absence_alert, enrolment_id=place.pk, first_day_id=first, second_day_id=second)
