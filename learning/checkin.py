"""Self check-in on a meeting day: the trainer opens it and shows a QR code that changes every WINDOW seconds, with
the same code as six digits to type; a participant scans or types it and is marked present through the attendance
service, so completion follows as when the trainer ticks the name.

The code is derived from the day and the current time window with the site's secret key (salted HMAC): nothing is
kept in a process, so every app server knows today's codes. A code is accepted during its own window and the one
after (a scan across a change), so a screenshot of an old code is refused a minute later. A scan by someone who is
not logged in is remembered in their session with the moment of the scan, for REMEMBERED, so logging in first may
take a few minutes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.audit import record
from courses.models import Attendance, Enrolment, MeetingDay

from . import services

WINDOW = 30  # seconds a code is shown
DIGITS = 6
REMEMBERED = timedelta(minutes=15)
OPEN_AFTER_THE_DAY = timedelta(hours=1)


class CheckinError(Exception):
    pass


def window_of(moment: datetime) -> int:
    return int(moment.timestamp()) // WINDOW


def code_for(day_id: int, window: int) -> str:
    digest = salted_hmac("learning.checkin", f"{day_id}:{window}", algorithm="sha256").hexdigest()
    return f"{int(digest[:12], 16) % 10 ** DIGITS:0{DIGITS}d}"


@dataclass(frozen=True)
class ShownCode:
    code: str
    seconds_left: int


def code_now(day: MeetingDay, now: datetime) -> ShownCode:
    window = window_of(now)
    return ShownCode(code_for(day.pk, window), WINDOW - int(now.timestamp()) % WINDOW)


def code_valid(day_id: int, code: str, at: datetime) -> bool:
    """The code of the window `at` falls in, or of the one before it."""
    window = window_of(at)
    return any(constant_time_compare(code, code_for(day_id, w)) for w in (window, window - 1))


def is_open(day: MeetingDay, at: datetime) -> bool:
    """Opened by the trainer, not closed since, and `at` on the day itself."""
    return (day.checkin_open_until is not None and at <= day.checkin_open_until
            and timezone.localdate(day.starts_at) == timezone.localdate(at))


@transaction.atomic
def checkin_open(*, day: MeetingDay, actor, now: datetime) -> None:
    """Only on the day itself; open until an hour after the day ends."""
    if timezone.localdate(day.starts_at) != timezone.localdate(now):
        raise CheckinError(_("Self check-in opens on the day itself."))
    day.checkin_open_until = max(day.ends_at, now) + OPEN_AFTER_THE_DAY
    day.save(update_fields=["checkin_open_until"])
    record(day.course_date, "checkin.opened", actor=actor, at=now, note=timezone.localtime(day.starts_at)
           .strftime("%d-%m-%Y"))


@transaction.atomic
def checkin_close(*, day: MeetingDay, actor, now: datetime) -> None:
    day.checkin_open_until = None
    day.save(update_fields=["checkin_open_until"])
    record(day.course_date, "checkin.closed", actor=actor, at=now)


def day_of_typed_code(code: str, now: datetime) -> MeetingDay:
    """The open meeting day whose code this is (only today's open days are candidates: a handful)."""
    code = "".join(character for character in code if character.isdigit())
    candidates = MeetingDay.objects.filter(checkin_open_until__gte=now, starts_at__date__lte=timezone.localdate(now))
    for day in candidates.select_related("course_date__course"):
        if is_open(day, now) and code_valid(day.pk, code, now):
            return day
    raise CheckinError(_("This code is not valid (any more). Type the code that is shown now."))


@dataclass(frozen=True)
class CheckedIn:
    place: Enrolment
    day: MeetingDay
    already: bool


def check_in(*, day: MeetingDay, code: str, user, scanned_at: datetime, now: datetime) -> CheckedIn:
    """Marks the person present on the day, if the code was valid when they scanned it (at most REMEMBERED ago),
    check-in was open then and is the day still, and they have a confirmed seat on its date. A second check-in
    changes nothing."""
    place = check_in_allowed(day=day, code=code, user=user, scanned_at=scanned_at, now=now)
    if Attendance.objects.filter(enrolment=place, meeting_day=day, present=True).exists():
        return CheckedIn(place, day, already=True)
    try:
        services.attendance_save(course_date=place.course_date, present={(place.pk, day.pk): True}, actor=user,
                                 now=now)
    except IntegrityError:  # the same person's second tap, at the same moment
        return CheckedIn(place, day, already=True)
    return CheckedIn(place, day, already=False)


def check_in_allowed(*, day: MeetingDay, code: str, user, scanned_at: datetime, now: datetime) -> Enrolment:
    """The person's place on the day's date, when they may check in with this scan; else CheckinError saying why."""
    if now - scanned_at > REMEMBERED or scanned_at > now:
        raise CheckinError(_("This scan is too long ago. Scan the code that is shown now."))
    if not code_valid(day.pk, code, scanned_at):
        raise CheckinError(_("This code has expired or belongs to another day. Scan the code that is shown now."))
    if not is_open(day, scanned_at) or timezone.localdate(day.starts_at) != timezone.localdate(now):
        raise CheckinError(_("Self check-in for this day is not open."))
    place = (Enrolment.objects.filter(course_date_id=day.course_date_id, user=user, status=Enrolment.Status.CONFIRMED)
             .select_related("course_date__course").first())
    if place is None:
        raise CheckinError(_("You have no seat on this date. Ask the trainer."))
    return place


def present_on(day: MeetingDay) -> tuple[list[Attendance], int]:
    """Who is in (by check-in or ticked by the trainer), the latest first, and how many seats the date has taken."""
    present = list(Attendance.objects.filter(meeting_day=day, present=True).select_related("enrolment__user")
                   .order_by("-recorded_at"))
    seated = Enrolment.objects.filter(course_date_id=day.course_date_id, status=Enrolment.Status.CONFIRMED).count()
    return present, seated
