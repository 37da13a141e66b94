"""Reporting attendance to the registers: reminding participants of a missing register number, submitting a
date's attendance to PE-online (as a task, retried while PE-online cannot be reached), and reminding the
office of attendance still to be submitted."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.models import User
from accounts.registers import Register
from core.audit import record
from core.mail import email_office, email_person
from core.models import ProviderSettings
from core.tasks import enqueue_with_change
from courses.models import CourseDate, Enrolment

from . import pe_online, selectors
from .models import AttendanceSubmission, DeadlineReminder, ReportedAttendance

log = logging.getLogger(__name__)


class RegisterError(Exception):
    pass


# PE-online's answer to attendance it registered before (the double's number; check it against the contract's
# error list): the person is registered, which is what we wanted.
ALREADY_REGISTERED = 120
SENDING_LEASE = timedelta(minutes=10)


def register_entry(course_date: CourseDate, register: str) -> selectors.RegisterAttendance:
    """The date's attendance for one PE-online register its course is accredited for; RegisterError otherwise."""
    entry = next((e for e in selectors.register_attendance(course_date) if e.register == register), None)
    if entry is None:
        raise RegisterError(_("This course has no accreditation with a register that uses PE-online."))
    return entry


def number_reminders_send(*, course_date: CourseDate, register: str, actor: User) -> int:
    """Asks every participant who earns the points but has no number for `register` to add it to their profile;
    returns how many were asked."""
    entry = register_entry(course_date, register)
    with transaction.atomic():
        for place in entry.missing:
            record(place, "enrolment.register_number_asked", actor=actor, register=register)
            enqueue_with_change(send_number_reminder, enrolment_id=place.pk, register=register)
    return len(entry.missing)


@task()
def send_number_reminder(*, enrolment_id: int, register: str) -> None:
    place = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if place.user is None or place.user.register_memberships.filter(register=register).exists():
        return  # added meanwhile
    email_person(place.user, "registers/email/number_missing",
                 {"place": place, "register": Register(register).label},
                 links={"profile_url": ("accounts:profile", [])})


@transaction.atomic
def attendance_submit(*, course_date: CourseDate, register: str, actor: User,
                      now: datetime | None = None) -> AttendanceSubmission:
    """Queues the date's attendance for `register` to PE-online: everyone who earns the points and has a number,
    except who is on their way or was accepted before (nobody is reported twice). The XML is fixed now; the task
    adds the account's key and sends it."""
    now = now or timezone.now()
    account = pe_online.account_for(register)
    if account is None:
        raise RegisterError(_(
            "Submitting to PE-online is not set up for %(register)s: it needs PE_ONLINE_URL, PE_ONLINE_USER_ID, "
            "PE_ONLINE_USER_KEY and the register's orgID in PE_ONLINE_ORG_IDS. Until then, download the list or "
            "the XML file and enter them in PE-online yourself.") % {"register": Register(register).label})
    course_date = CourseDate.objects.select_for_update().select_related("course").get(pk=course_date.pk)
    if course_date.ends_at is None or course_date.ends_at > now:
        raise RegisterError(_("Attendance can be submitted once the date has ended."))
    entry = register_entry(course_date, register)
    if not entry.course_id:
        raise RegisterError(_("The course's %(register)s accreditation has no PE-online course id yet: add it to "
                              "the course (tab Practical).") % {"register": entry.register.label})
    if entry.waiting:
        raise RegisterError(_("The previous submission is still waiting for PE-online's answer."))
    attendees = entry.to_submit
    if not attendees:
        raise RegisterError(_("There is nobody left to submit: everyone with a register number who attended "
                              "enough has been accepted."))
    submission = AttendanceSubmission.objects.create(
        course_date=course_date, register=register, submitted_by=actor,
        request_xml=entry.xml(account=account, attendees=attendees, email=ProviderSettings.load().email).decode())
    try:
        with transaction.atomic():
            ReportedAttendance.objects.bulk_create([
                ReportedAttendance(submission=submission, enrolment=attendee.enrolment, register=register,
                                   number=attendee.number)
                for attendee in attendees
            ])
    except IntegrityError as error:  # the date's lock makes this unreachable; the constraint stays the last word
        raise RegisterError(_("Someone else submitted this attendance at the same moment.")) from error
    record(course_date, "course_date.attendance_submitted", actor=actor, register=register, rows=len(attendees))
    enqueue_with_change(send_submission, submission_id=submission.pk)
    return submission


@task()
def send_submission(*, submission_id: int) -> str:
    """Sends a queued submission. PE-online out of reach: the task fails and is tried again later (operations.retries);
    an answer that cannot be read ends the submission (sending again could report people twice)."""
    submission = AttendanceSubmission.objects.get(pk=submission_id)
    account = pe_online.account_for(submission.register)
    if account is None:
        _problem(submission, _("PE-online is no longer set up for this register."))
        return submission.status
    # One sender at a time: a retry, "try again now" and a requeued task cannot post the same document together.
    claimed = AttendanceSubmission.objects.filter(pk=submission.pk, status=AttendanceSubmission.Status.QUEUED).update(
        status=AttendanceSubmission.Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now())
    if not claimed:
        return AttendanceSubmission.objects.get(pk=submission.pk).status
    try:
        body = pe_online.post(account, pe_online.with_key(submission.request_xml.encode(), account.user_key))
        answer = pe_online.answer_read(body)
    except pe_online.PeOnlineUnreachable as error:
        # Back in the queue: PE-online rejects what it registered already (error 120), read as accepted.
        AttendanceSubmission.objects.filter(pk=submission.pk).update(status=AttendanceSubmission.Status.QUEUED,
                                                                     problem=str(error)[:300])
        raise
    except pe_online.PeOnlineUnreadable as error:
        answer_unreadable(submission=submission, problem=str(error))
        return AttendanceSubmission.Status.UNREADABLE
    answer_apply(submission=submission, answer=answer, body=body.decode(errors="replace"))
    return AttendanceSubmission.Status.ANSWERED


def _problem(submission: AttendanceSubmission, problem: str) -> None:
    AttendanceSubmission.objects.filter(pk=submission.pk).update(problem=problem[:300])


def _locked_if_queued(submission: AttendanceSubmission) -> AttendanceSubmission | None:
    submission = AttendanceSubmission.objects.select_for_update().get(pk=submission.pk)
    waiting = (AttendanceSubmission.Status.QUEUED, AttendanceSubmission.Status.SENDING)
    return submission if submission.status in waiting else None


@transaction.atomic
def answer_apply(*, submission: AttendanceSubmission, answer: pe_online.Answer, body: str,
                 now: datetime | None = None) -> None:
    """Marks each row accepted or rejected (with PE-online's error number and message), once."""
    submission = _locked_if_queued(submission)
    if submission is None:
        return
    general = next((rejection for rejection in answer.rejected if not rejection.person), None)
    rejections = {rejection.person: rejection for rejection in answer.rejected if rejection.person}
    rows = list(submission.rows.all())
    for row in rows:
        rejection = rejections.get(row.number)
        registered_before = rejection is not None and rejection.number == ALREADY_REGISTERED
        if (row.number in answer.accepted and rejection is None) or registered_before:
            row.status = ReportedAttendance.Status.ACCEPTED  # taken now, or by an earlier delivery of this document
            row.error_message = rejection.message[:500] if rejection else ""
        else:
            rejection = rejection or general
            row.status = ReportedAttendance.Status.REJECTED
            row.error_number = rejection.number if rejection else None
            row.error_message = (rejection.message if rejection
                                 else _("PE-online did not mention this person in its answer."))[:500]
    ReportedAttendance.objects.bulk_update(rows, ["status", "error_number", "error_message"])
    submission.status = AttendanceSubmission.Status.ANSWERED
    submission.answered_at = now or timezone.now()
    submission.accepted_rows = sum(row.status == ReportedAttendance.Status.ACCEPTED for row in rows)
    submission.rejected_rows = len(rows) - submission.accepted_rows
    submission.answer, submission.problem = body[:100_000], ""
    submission.save()


@transaction.atomic
def answer_unreadable(*, submission: AttendanceSubmission, problem: str, now: datetime | None = None) -> None:
    submission = _locked_if_queued(submission)
    if submission is None:
        return
    submission.rows.update(status=ReportedAttendance.Status.REJECTED, error_message=_(
        "PE-online's answer could not be read: check in PE-online whether this person's attendance was registered "
        "before submitting again."))
    submission.status, submission.problem = AttendanceSubmission.Status.UNREADABLE, problem[:300]
    submission.answered_at = now or timezone.now()
    submission.save()


def submission_retry(*, submission: AttendanceSubmission) -> None:
    """The office sends a submission that is still waiting (PE-online was out of reach) again, now; one being
    sent for longer than SENDING_LEASE lost its worker and goes back in the queue first."""
    stale = timezone.now() - SENDING_LEASE
    AttendanceSubmission.objects.filter(pk=submission.pk, status=AttendanceSubmission.Status.SENDING,
                                        claimed_at__lt=stale).update(status=AttendanceSubmission.Status.QUEUED)
    submission.refresh_from_db()
    if submission.status == AttendanceSubmission.Status.SENDING:
        raise RegisterError(_("This submission is being sent right now."))
    if submission.status != AttendanceSubmission.Status.QUEUED:
        raise RegisterError(_("This submission has been answered already."))
    send_submission.enqueue(submission_id=submission.pk)


def deadline_reminders_send(*, now: datetime | None = None) -> int:
    """Once per date and register, PE_ONLINE_REMINDER_DAYS after the date: tells the office its attendance has
    not been submitted yet (registers want it within two months)."""
    now = now or timezone.now()
    due = selectors.submissions_due(now=now, ended_before=now - timedelta(days=settings.PE_ONLINE_REMINDER_DAYS))
    sent = 0
    for item in due:
        try:
            with transaction.atomic():
                DeadlineReminder.objects.create(course_date=item.course_date, register=item.register)
                enqueue_with_change(send_deadline_reminder, course_date_id=item.course_date.pk,
                                    register=item.register.value)
        except IntegrityError:
            continue  # reminded before
        sent += 1
    return sent


@task()
def send_deadline_reminder(*, course_date_id: int, register: str) -> None:
    course_date = CourseDate.objects.select_related("course").get(pk=course_date_id)
    if course_date.attendance_submissions.filter(register=register).exists():
        return
    email_office("registers/email/deadline",
                 {"course_date": course_date, "register": Register(register).label,
                  "deadline": selectors.submission_deadline(course_date)},
                 admin_link=("registers_trainer:date", course_date.pk))
