"""Reads for the registers: who of a date earns the PE points of each PE-online register, with their numbers and
what was reported; the dates whose attendance is still to be submitted. Each a fixed number of queries."""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.registers import PE_ONLINE_REGISTERS, RECERTIFICATION_POINTS, RECERTIFICATION_YEARS, Register
from certification.models import Certificate
from courses.models import Attendance, CourseAccreditation, CourseDate, Enrolment

from . import pe_online
from .models import AttendanceSubmission, ReportedAttendance

SUBMISSION_DAYS = 61  # registers want attendance within two months after the date


def submission_deadline(course_date: CourseDate) -> datetime | None:
    return course_date.ends_at + timedelta(days=SUBMISSION_DAYS) if course_date.ends_at else None


@dataclass
class Attendee:
    enrolment: Enrolment
    number: str
    reported: ReportedAttendance | None = None  # the latest report of this place to this register

    @property
    def to_submit(self) -> bool:
        """Not yet on its way to the register, nor taken by it: never reported, or rejected."""
        return self.reported is None or self.reported.status == ReportedAttendance.Status.REJECTED


@dataclass
class RegisterAttendance:
    """For one PE-online register of the date's course: who attended enough, by register number."""

    register: Register
    accreditation: CourseAccreditation
    edition_id: str
    end: datetime
    attendees: list[Attendee] = field(default_factory=list)  # with a number for this register
    missing: list[Enrolment] = field(default_factory=list)  # attended enough, but no number for this register
    submissions: list[AttendanceSubmission] = field(default_factory=list)

    @property
    def numbers(self) -> list[str]:
        return [attendee.number for attendee in self.attendees]

    @property
    def to_submit(self) -> list[Attendee]:
        return [attendee for attendee in self.attendees if attendee.to_submit]

    @property
    def course_id(self) -> str:
        return self.accreditation.pe_online_course_id

    @property
    def waiting(self) -> AttendanceSubmission | None:
        waiting = (AttendanceSubmission.Status.QUEUED, AttendanceSubmission.Status.SENDING)
        return next((s for s in self.submissions if s.status in waiting), None)

    def lines(self, attendees: list[Attendee] | None = None) -> list[pe_online.AttendanceLine]:
        return [pe_online.AttendanceLine(course_id=self.course_id, person=attendee.number, end=self.end,
                                         edition_id=self.edition_id)
                for attendee in (self.attendees if attendees is None else attendees)]

    def xml(self, *, account: pe_online.Account | None = None, with_key: bool = False,
            attendees: list[Attendee] | None = None, email: str = "") -> bytes:
        """The attendance file. A downloaded file carries no user key: that is added only when sending."""
        return pe_online.attendance_xml(
            self.lines(attendees), user_id=account.user_id if account else "",
            user_key=account.user_key if account and with_key else "", org_id=account.org_id if account else "",
            email=email)


def attended_enough(course_date: CourseDate) -> list[Enrolment]:
    """The date's confirmed participants who attended enough to earn the course's PE points: as many meeting days
    as the course's completion rule asks (at least one); for a date without meeting days, who completed."""
    course = course_date.course
    days = course_date.meeting_days.count()
    places = list(course_date.enrolments.filter(status=Enrolment.Status.CONFIRMED, user__isnull=False)
                  .select_related("user").prefetch_related("user__register_memberships")
                  .order_by("user__full_name", "user__email"))
    if not days:
        return [place for place in places if place.completed_at]
    needed = max(1, math.ceil(days * course.completion_attendance_percent / 100))
    present = Counter(Attendance.objects.filter(enrolment__in=places, present=True)
                      .values_list("enrolment_id", flat=True))
    return [place for place in places if present[place.pk] >= needed]


def register_attendance(course_date: CourseDate) -> list[RegisterAttendance]:
    """Per PE-online register the course is accredited for, in the course's order: the participants who earn its
    points, with their numbers, those without one, and what was submitted before."""
    if course_date.ends_at is None:  # no meeting days: nothing took place
        return []
    accreditations = [a for a in CourseAccreditation.objects.filter(course_id=course_date.course_id)
                      .order_by("sort_order") if a.register in PE_ONLINE_REGISTERS]
    if not accreditations:
        return []
    places = attended_enough(course_date)
    editions = dict(course_date.pe_online_editions.values_list("register", "edition_id"))
    submissions = list(course_date.attendance_submissions.select_related("submitted_by")
                       .prefetch_related(Prefetch("rows", queryset=ReportedAttendance.objects
                                                  .select_related("enrolment__user")))
                       .order_by("-created_at", "-pk"))
    latest = {}
    for submission in reversed(submissions):  # oldest first: later reports replace earlier ones
        for row in submission.rows.all():
            latest[(row.enrolment_id, row.register)] = row
    result = []
    for accreditation in accreditations:
        register = Register(accreditation.register)
        entry = RegisterAttendance(
            register=register, accreditation=accreditation, edition_id=editions.get(register.value, ""),
            end=timezone.localtime(course_date.ends_at),
            submissions=[s for s in submissions if s.register == register.value],
        )
        for place in places:
            number = next((m.number for m in place.user.register_memberships.all() if m.register == register), "")
            if number:
                entry.attendees.append(Attendee(place, number, latest.get((place.pk, register.value))))
            else:
                entry.missing.append(place)
        result.append(entry)
    return result


@dataclass
class DueSubmission:
    course_date: CourseDate
    register: Register
    deadline: datetime

    @property
    def overdue(self) -> bool:
        return timezone.now() > self.deadline


def submissions_due(*, now: datetime | None = None, ended_before: datetime | None = None) -> list[DueSubmission]:
    """Dates that took place (within the last four months, or ended before `ended_before`) for a course with a
    PE-online accreditation, whose attendance for that register has not been submitted: the oldest first."""
    now = now or timezone.now()
    dates = list(
        CourseDate.objects.filter(ends_at__lt=ended_before or now, ends_at__gte=now - timedelta(days=122))
        .exclude(status=CourseDate.Status.CANCELLED)
        .filter(course__accreditations__register__in=PE_ONLINE_REGISTERS).distinct()
        .select_related("course")
        .prefetch_related(Prefetch("course__accreditations",
                                   queryset=CourseAccreditation.objects.filter(register__in=PE_ONLINE_REGISTERS)
                                   .order_by("sort_order")))
        .order_by("ends_at", "pk")
    )
    # Submitted: on its way, or answered with at least one person taken (all rejected, or unreadable: still due).
    submitted = set(AttendanceSubmission.objects.filter(course_date__in=dates).filter(
        Q(status__in=[AttendanceSubmission.Status.QUEUED, AttendanceSubmission.Status.SENDING])
        | Q(accepted_rows__gt=0)).values_list("course_date_id", "register"))
    return [DueSubmission(course_date, Register(accreditation.register), submission_deadline(course_date))
            for course_date in dates for accreditation in course_date.course.accreditations.all()
            if (course_date.pk, accreditation.register) not in submitted]


@dataclass
class EarnedPoints:
    certificate: Certificate
    points: Decimal
    accreditation_id: str
    member_number: str

    @property
    def year(self) -> int:
        return self.certificate.last_day.year


@dataclass
class RegisterPoints:
    """A person's PE points with one register: per course, per year, and over the register's period."""

    register: Register
    since: date  # the start of the register's (re)certification period, counted back from today
    member_number: str = ""  # the person's number with the register now
    earned: list[EarnedPoints] = field(default_factory=list)  # the latest course first

    @property
    def period_years(self) -> int:
        return RECERTIFICATION_YEARS[self.register]

    @property
    def target(self) -> int | None:
        return RECERTIFICATION_POINTS.get(self.register)

    @property
    def period_total(self) -> Decimal:
        return sum((e.points for e in self.earned if e.certificate.last_day >= self.since), Decimal(0))

    @property
    def by_year(self) -> list[tuple[int, Decimal]]:
        totals: dict[int, Decimal] = {}
        for earned in self.earned:
            totals[earned.year] = totals.get(earned.year, Decimal(0)) + earned.points
        return sorted(totals.items(), reverse=True)


CODE_OF_LABEL = {register.label: register.value for register in Register}  # certificates that name only the label


def pe_points(*, user, today: date | None = None) -> list[RegisterPoints]:
    """The PE points of the person's certificates (not revoked; a replaced one counts through its replacement),
    per register in the registers' order, as the certificates carry them, with the person's number. Two queries."""
    today = today or timezone.localdate()
    certificates = list(Certificate.objects.filter(user=user, status=Certificate.Status.VALID)
                        .order_by("-last_day", "-pk"))
    numbers = dict(user.register_memberships.values_list("register", "number"))
    result = []
    for register in Register:
        entry = RegisterPoints(register=register, since=years_before(today, RECERTIFICATION_YEARS[register]),
                               member_number=numbers.get(register.value, ""))
        for certificate in certificates:
            for accreditation in certificate.accreditations:
                code = accreditation.get("register_code") or CODE_OF_LABEL.get(accreditation.get("register"))
                if code == register.value:
                    entry.earned.append(EarnedPoints(certificate, Decimal(accreditation["points"]),
                                                     accreditation.get("accreditation_id", ""),
                                                     accreditation.get("member_number", "")))
        if entry.earned:
            result.append(entry)
    return result


def years_before(day: date, years: int) -> date:
    """The day after the same day `years` earlier: a period of 4 years up to today starts there."""
    try:
        return day.replace(year=day.year - years) + timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28) + timedelta(days=1)
