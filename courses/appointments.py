"""1:1 coaching sessions (courses.models.appointments): the date's trainers publish times, a participant books,
moves or cancels a session within the course's rules, the trainer records whether it took place and may keep a
short note about it.

A slot holds one booked session: two people booking it at once both pass the first look, and the database's
partial unique constraint (`one_person_per_slot`) refuses the second write, which is told "just taken" (no lock on
the slot: the constraint is the promise, and the race test's negative control shows it is the one that holds). The
place's row is locked first, so one person's two tabs cannot book more sessions than the course gives. A trainer
withdrawing the slot locks it: a booking written meanwhile waits for that (its reference to the slot does) and then
finds the slot withdrawn, or the withdrawal waits for the booking and cancels it.

Every change raises the session's calendar sequence and tells both people after the commit, with the calendar
message (courses.ics) that adds, moves or removes the one event their calendars hold for it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from core.audit import record
from core.formats import day_time
from core.tasks import enqueue_with_change

from . import selectors
from .models import Appointment, CoachingNote, CoachingSlot, CourseDate, CoursePage, Enrolment
from .notifications import send_appointment_reminder, send_appointment_update, send_times_offered

BOOKED = Appointment.Status.BOOKED
NOTE_MAX_LENGTH = 2000
REMIND_HOURS_BEFORE = 24


class AppointmentError(Exception):
    """A rule of the course or the moment refused the change; the message says which, for the person."""


TAKEN = _("Someone else has just booked this time. Choose another one.")
NOT_OFFERED = _("This time is not offered (any more).")


def change_deadline(slot: CoachingSlot, course: CoursePage) -> datetime:
    """Until when a participant books, moves or cancels a session in this slot themselves."""
    return slot.starts_at - timedelta(hours=course.coaching_change_hours)


def may_change(appointment: Appointment, now: datetime) -> bool:
    return appointment.is_booked and now < change_deadline(appointment.slot,
                                                           appointment.enrolment.course_date.course)


# Reads

def slots_open(place: Enrolment, now: datetime):
    """The times of the place's date nobody has booked and that are not too soon to book, soonest first."""
    course = place.course_date.course
    return (CoachingSlot.objects.filter(course_date_id=place.course_date_id, withdrawn_at__isnull=True,
                                        starts_at__gt=now + timedelta(hours=course.coaching_change_hours))
            .exclude(appointments__status=BOOKED).select_related("trainer").order_by("starts_at", "pk"))


def sessions_of(place: Enrolment):
    """The place's booked sessions, past and to come, in time order."""
    return (place.appointments.filter(status=BOOKED).select_related("slot__trainer")
            .order_by("slot__starts_at", "pk"))


def sessions_counted(place: Enrolment):
    """The booked sessions that use one of the place's (courses.selectors.sessions_used)."""
    return selectors.sessions_used(Appointment.objects.filter(enrolment=place))


@dataclass(frozen=True)
class Coaching:
    """What a participant sees of their individual sessions."""

    sessions: list[Appointment]  # booked, in time order; each with `changeable`
    allowed: int
    minutes: int

    @property
    def to_book(self) -> int:
        used = sum(1 for session in self.sessions if session.took_place is not False)
        return max(self.allowed - used, 0)


def coaching_of(place: Enrolment, now: datetime) -> Coaching | None:
    course = place.course_date.course
    if not course.coaching_sessions or not place.is_confirmed:
        return None
    sessions = list(sessions_of(place))
    for session in sessions:
        session.enrolment = place
        session.changeable = may_change(session, now)
    return Coaching(sessions=sessions, allowed=course.coaching_sessions, minutes=course.coaching_minutes)


def slots_of_date(course_date: CourseDate):
    """A date's published times with the session booked in each (or None), for its trainers' page."""
    slots = list(course_date.coaching_slots.filter(withdrawn_at__isnull=True).select_related("trainer")
                 .order_by("starts_at", "pk"))
    booked = {appointment.slot_id: appointment for appointment in Appointment.objects.filter(
        slot__in=slots, status=BOOKED).select_related("enrolment__user", "note__author")}
    for slot in slots:
        slot.session = booked.get(slot.pk)
    return slots


def may_act_on(slot: CoachingSlot, user: User) -> bool:
    """A time and its session are its trainer's; the office (who may change dates) acts on every one."""
    return slot.trainer_id == user.pk or user.has_perm("courses.change_coursedate")


def may_read_notes(user: User) -> bool:
    """The office reads trainers' notes only with `courses.read_coaching_notes` given to them or their group by
    name: a superuser's every-permission does not count, since a note can touch health."""
    return Permission.objects.filter(Q(user=user) | Q(group__user=user), codename="read_coaching_notes",
                                     content_type__app_label="courses").exists()


def note_readable(note: CoachingNote, user: User, *, office_may_read: bool) -> bool:
    return note.author_id == user.pk or office_may_read


# Participants

def _place_locked(place: Enrolment) -> Enrolment:
    return (Enrolment.objects.select_for_update(of=("self",)).select_related("course_date__course", "user")
            .get(pk=place.pk))


def _slot_to_book(place: Enrolment, slot_id: int | None, now: datetime) -> CoachingSlot:
    """The slot, if the place may book it now (a first look: the write decides)."""
    slot = (CoachingSlot.objects.filter(pk=slot_id, course_date_id=place.course_date_id,
                                        withdrawn_at__isnull=True).first()
            if slot_id else None)
    if slot is None:
        raise AppointmentError(NOT_OFFERED)
    if now >= change_deadline(slot, place.course_date.course):
        raise AppointmentError(_("This time is too soon to book: sessions are booked until %(hours)s hours before "
                                 "they start.") % {"hours": place.course_date.course.coaching_change_hours})
    if slot.appointments.filter(status=BOOKED).exists():
        raise AppointmentError(TAKEN)
    return slot


def _saved(slot: CoachingSlot, write):
    """Writes in a savepoint: the database refuses a slot someone took meanwhile, as "just taken"; a slot its
    trainer withdrew meanwhile is refused after the write (which waited for the withdrawal)."""
    try:
        with transaction.atomic():
            written = write()
    except IntegrityError as error:
        raise AppointmentError(TAKEN) from error
    if not CoachingSlot.objects.filter(pk=slot.pk, withdrawn_at__isnull=True).exists():
        raise AppointmentError(NOT_OFFERED)
    return written


def _reminded(slot: CoachingSlot, now: datetime) -> datetime | None:
    """A session booked or moved within the reminder's day needs no reminder: the invitation has just come."""
    return now if slot.starts_at - timedelta(hours=REMIND_HOURS_BEFORE) <= now else None


def _tell(appointment: Appointment, **context) -> None:
    enqueue_with_change(send_appointment_update, appointment_id=appointment.pk,
                        sequence=appointment.calendar_sequence, **context)


@transaction.atomic
def appointment_book(*, place: Enrolment, slot_id: int | None, actor: User | None,
                     now: datetime | None = None) -> Appointment:
    """Books one of the course's individual sessions for the confirmed place in a free slot of its date."""
    now = now or timezone.now()
    place = _place_locked(place)
    course = place.course_date.course
    if not place.is_confirmed or not course.coaching_sessions:
        raise AppointmentError(_("Individual sessions are booked with a confirmed place on a course that "
                                 "includes them."))
    if sessions_counted(place).count() >= course.coaching_sessions:
        raise AppointmentError(ngettext(
            "You have booked your session already: move it if another time suits you better.",
            "You have booked your %(count)s sessions already: move one if another time suits you better.",
            course.coaching_sessions) % {"count": course.coaching_sessions})
    slot = _slot_to_book(place, slot_id, now)
    appointment = _saved(slot, lambda: Appointment.objects.create(enrolment=place, slot=slot, booked_at=now,
                                                            reminded_at=_reminded(slot, now)))
    record(place, "coaching.booked", actor=actor, at=now, note=day_time(slot.starts_at))
    _tell(appointment)
    return appointment


def _own_session(place: Enrolment, appointment: Appointment) -> Appointment:
    session = (Appointment.objects.select_for_update(of=("self",)).select_related("slot")
               .filter(pk=appointment.pk, enrolment=place, status=BOOKED).first())
    if session is None:
        raise AppointmentError(_("This session is no longer booked."))
    session.enrolment = place
    return session


def _changeable(session: Appointment, now: datetime) -> None:
    if not may_change(session, now):
        raise AppointmentError(_("This session starts within %(hours)s hours: ask your trainer to change it.")
                               % {"hours": session.enrolment.course_date.course.coaching_change_hours})


@transaction.atomic
def appointment_move(*, appointment: Appointment, slot_id: int | None, actor: User | None,
                     now: datetime | None = None) -> Appointment:
    """Moves a booked session to another free slot of the date: the same session (and calendar event) at
    another time, both within the course's rules."""
    now = now or timezone.now()
    place = _place_locked(appointment.enrolment)
    session = _own_session(place, appointment)
    _changeable(session, now)
    slot = _slot_to_book(place, slot_id, now)
    before = session.slot
    session.slot, session.reminded_at = slot, _reminded(slot, now)
    session.calendar_sequence += 1
    _saved(slot, lambda: session.save(update_fields=["slot", "reminded_at", "calendar_sequence"]))
    record(place, "coaching.moved", actor=actor, at=now,
           note=f"{day_time(before.starts_at)} → {day_time(slot.starts_at)}")
    _tell(session, left_slot_id=before.pk if before.trainer_id != slot.trainer_id else None)
    return session


def _end(session: Appointment, *, now: datetime, actor: User | None, note: str = "", **context) -> None:
    session.status, session.cancelled_at = Appointment.Status.CANCELLED, now
    session.calendar_sequence += 1
    session.save(update_fields=["status", "cancelled_at", "calendar_sequence"])
    record(session.enrolment, "coaching.cancelled", actor=actor, at=now,
           note=" · ".join(part for part in [day_time(session.slot.starts_at), note] if part))
    _tell(session, **context)


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: User | None, now: datetime | None = None) -> None:
    """The participant cancels a session, until the course's deadline: the session may be booked again."""
    now = now or timezone.now()
    place = _place_locked(appointment.enrolment)
    session = _own_session(place, appointment)
    _changeable(session, now)
    _end(session, now=now, actor=actor)


def appointments_end(place: Enrolment, *, at: datetime) -> int:
    """A confirmed place ended (cancelled, moved, the date called off): its sessions still to come are cancelled,
    and both calendars told. Inside the caller's transaction."""
    ended = 0
    for session in (Appointment.objects.select_for_update(of=("self",)).select_related("slot")
                    .filter(enrolment=place, status=BOOKED, slot__starts_at__gt=at)):
        session.enrolment = place
        _end(session, now=at, actor=None, note="place ended", by="place")
        ended += 1
    return ended


# Trainers

MAX_SLOTS_AT_ONCE = 8


@transaction.atomic
def slots_publish(*, course_date: CourseDate, trainer: User, starts_at: datetime, count: int = 1,
                  location: str = "", video_url: str = "", actor: User,
                  now: datetime | None = None) -> list[CoachingSlot]:
    """A trainer of the date offers `count` times one after another from `starts_at`, each as long as the course's
    session, at a place or by video. None overlaps another time the trainer offers."""
    now = now or timezone.now()
    course = course_date.course
    if not course.coaching_sessions:
        raise AppointmentError(_("This course has no individual sessions. The office sets them on the course."))
    if not course_date.is_scheduled:
        raise AppointmentError(_("Times are offered on a scheduled date only."))
    if not course_date.trainers.filter(pk=trainer.pk).exists():
        raise AppointmentError(_("Times are offered by a trainer of the date."))
    if starts_at <= now:
        raise AppointmentError(_("Offer a time still to come."))
    if not (location or video_url):
        raise AppointmentError(_("Say where the sessions take place, or give a video link."))
    if not 1 <= count <= MAX_SLOTS_AT_ONCE:
        raise AppointmentError(_("Offer between 1 and %(count)s times at once.") % {"count": MAX_SLOTS_AT_ONCE})
    length = timedelta(minutes=course.coaching_minutes)
    ends_at = starts_at + count * length
    User.objects.select_for_update().filter(pk=trainer.pk).first()  # one offer per trainer at a time: no overlap
    clash = CoachingSlot.objects.filter(trainer=trainer, withdrawn_at__isnull=True, starts_at__lt=ends_at,
                                        ends_at__gt=starts_at).order_by("starts_at").first()
    if clash is not None:
        raise AppointmentError(_("You already offer a time that overlaps: %(when)s.")
                               % {"when": day_time(clash.starts_at)})
    slots = CoachingSlot.objects.bulk_create([
        CoachingSlot(course_date=course_date, trainer=trainer, starts_at=starts_at + index * length,
                     ends_at=starts_at + (index + 1) * length, location=location, video_url=video_url,
                     created_at=now) for index in range(count)])
    record(course_date, "coaching.slot_published", actor=actor, at=now,
           note=f"{day_time(starts_at)} ({count}×)" if count > 1 else day_time(starts_at))
    enqueue_with_change(send_times_offered, course_date_id=course_date.pk, slot_ids=[slot.pk for slot in slots])
    return slots


@transaction.atomic
def slot_withdraw(*, slot: CoachingSlot, actor: User, now: datetime | None = None) -> bool:
    """The trainer takes a time back. A session booked in it is cancelled, and its participant told to choose
    another time; a session that has begun stays, to be recorded. Returns whether someone's session ended."""
    now = now or timezone.now()
    slot = CoachingSlot.objects.select_for_update().get(pk=slot.pk)
    if not may_act_on(slot, actor):
        raise AppointmentError(_("Only the trainer of this time, or the office, withdraws it."))
    session = (Appointment.objects.select_for_update(of=("self",)).select_related("enrolment__course_date__course")
               .filter(slot=slot, status=BOOKED).first())
    if session is not None and slot.starts_at <= now:
        raise AppointmentError(_("This session has begun: record whether it took place instead."))
    if slot.withdrawn_at is None:
        slot.withdrawn_at = now
        slot.save(update_fields=["withdrawn_at"])
        record(slot.course_date, "coaching.slot_withdrawn", actor=actor, at=now, note=day_time(slot.starts_at))
    if session is None:
        return False
    session.slot = slot
    _end(session, now=now, actor=actor, note="time withdrawn by the trainer", by="trainer")
    return True


def _session_of_trainer(appointment: Appointment) -> Appointment:
    session = (Appointment.objects.select_for_update(of=("self",))
               .select_related("slot", "enrolment__course_date__course").filter(pk=appointment.pk).first())
    if session is None or not session.is_booked:
        raise AppointmentError(_("This session is no longer booked."))
    return session


@transaction.atomic
def appointment_record(*, appointment: Appointment, took_place: bool, actor: User,
                       now: datetime | None = None) -> bool:
    """The trainer records, from the session's start on, whether it took place. Returns whether that changed.
    (learning.services.coaching_record recomputes completion with it.)"""
    now = now or timezone.now()
    session = _session_of_trainer(appointment)
    if not may_act_on(session.slot, actor):
        raise AppointmentError(_("Only the trainer of the session, or the office, records it."))
    if session.slot.starts_at > now:
        raise AppointmentError(_("Whether a session took place is recorded from its start on."))
    if session.took_place is took_place:
        return False
    session.took_place, session.recorded_by, session.recorded_at = took_place, actor, now
    session.save(update_fields=["took_place", "recorded_by", "recorded_at"])
    record(session.enrolment, "coaching.took_place" if took_place else "coaching.not_held", actor=actor, at=now,
           note=day_time(session.slot.starts_at))
    return True


@transaction.atomic
def note_save(*, appointment: Appointment, author: User, text: str, now: datetime | None = None) -> None:
    """The session's trainer keeps a short note about it (about work, not health); empty text deletes it. The
    history says a note was kept, never what it says."""
    now = now or timezone.now()
    session = _session_of_trainer(appointment)
    if session.slot.trainer_id != author.pk:
        raise AppointmentError(_("Only the trainer of the session keeps a note about it."))
    text = text.strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise AppointmentError(_("Keep the note under %(count)s characters.") % {"count": NOTE_MAX_LENGTH})
    if not text:
        if CoachingNote.objects.filter(appointment=session).delete()[0]:
            record(session.enrolment, "coaching.note_deleted", actor=author, at=now)
        return
    CoachingNote.objects.update_or_create(appointment=session, defaults={"author": author, "text": text,
                                                                         "written_at": now})
    record(session.enrolment, "coaching.note_kept", actor=author, at=now, note=day_time(session.slot.starts_at))


# The scheduler

def appointment_reminders_send(*, now: datetime | None = None) -> int:
    """Reminds both people of a session the day before (within REMIND_HOURS_BEFORE of its start), once."""
    now = now or timezone.now()
    due = Appointment.objects.filter(status=BOOKED, reminded_at__isnull=True, slot__starts_at__gt=now,
                                     slot__starts_at__lte=now + timedelta(hours=REMIND_HOURS_BEFORE))
    sent = 0
    for appointment_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            # The conditional update claims the reminder: a second worker finds nothing to claim.
            if Appointment.objects.filter(pk=appointment_id, reminded_at__isnull=True).update(reminded_at=now):
                enqueue_with_change(send_appointment_reminder, appointment_id=appointment_id)
                sent += 1
    return sent
