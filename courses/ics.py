"""Calendar invitations (iCalendar, RFC 5545, through the `icalendar` library) for a person's place on a date.

A place is an invitation from the provider (the organizer) to the participant. Each meeting day is its own
event, with a UID of that place and that day (not its position: a dropped day must not shift the others), sent as
its own iTIP message (RFC 5546): one VEVENT per message, as a `text/calendar; method=…` part of its own mail.
Outlook acts on the first event of a message only, and every client acts on a message per event, so a date of
five days is five invitations (courses.notifications):

- a confirmed place gets a `REQUEST` per day at the date's current sequence;
- a change of the date's days or place sends each day's `REQUEST` again with the sequence one higher
  (CourseDate.calendar_sequence), and a day dropped from the date a `CANCEL` for that day;
- a place that ends (cancelled, moved to another date, the date called off) sends a `CANCEL` per day.

A 1:1 coaching session (courses.appointments) is one event with a UID of its own, kept when the session moves;
both the participant and the trainer are attendees, and each gets the same message.

A download ("Zet in agenda") is all the days as `METHOD:PUBLISH`: a copy, not a message to process, with the same
UIDs, so a calendar that has both keeps one of each.
"""

from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from core.models import ProviderSettings

from .models import Appointment, CoachingSlot, CourseDate, Enrolment, MeetingDay

AMSTERDAM = "Europe/Amsterdam"
# The Netherlands' rules since 1996 (as EU law sets them: summer time from the last Sunday of March, 02:00 CET, to
# the last Sunday of October, 03:00 CEST), written as rules rather than a list of dates, so every calendar reads
# every year alike. Each DTSTART is the local time on the clock before the change (RFC 5545, 3.6.5).
AMSTERDAM_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Amsterdam
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19960331T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19961027T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


def _domain() -> str:
    return settings.WAGTAILADMIN_BASE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def _organizer() -> vCalAddress:
    provider = ProviderSettings.load()
    address = provider.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = vText(provider.name)
    return organizer


def _attendee(enrolment: Enrolment) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{enrolment.user.email}")
    attendee.params.update({"CN": vText(enrolment.user.get_full_name() or enrolment.user.email),
                            "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
    return attendee


def _location(course_date: CourseDate) -> str:
    if course_date.location_kind == CourseDate.LocationKind.ONLINE:
        return "Online"
    return ", ".join(part for part in [course_date.location_name, course_date.address] if part)


def uid(enrolment: Enrolment, day_id: int) -> str:
    return f"place-{enrolment.pk}-meetingday-{day_id}@{_domain()}"


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Spoor 2 Academy//Inschrijving//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(Timezone.from_ical(AMSTERDAM_VTIMEZONE.replace("\n", "\r\n")))
    return calendar


def _day_event(event_uid: str, course_date: CourseDate, day: MeetingDay | None, *, method: str, title: str) -> Event:
    """One meeting day of a date as an event (without a day: a dropped day, cancelled by its UID alone)."""
    description = course_date.course.summary
    if course_date.online_url and course_date.location_kind == CourseDate.LocationKind.ONLINE:
        description += f"\n\n{course_date.online_url}"
    event = Event()
    event.add("uid", event_uid)
    event.add("dtstamp", timezone.now())
    event.add("sequence", course_date.calendar_sequence + (1 if method == CANCEL else 0))
    event.add("summary", title)
    if day is not None:
        event.add("dtstart", day.starts_at.astimezone(timezone.get_default_timezone()))
        event.add("dtend", day.ends_at.astimezone(timezone.get_default_timezone()))
    event.add("location", _location(course_date))
    event.add("description", description)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    return event


def _event(enrolment: Enrolment, day_id: int, day: MeetingDay | None, *, method: str, title: str) -> Event:
    event = _day_event(uid(enrolment, day_id), enrolment.course_date, day, method=method, title=title)
    if method != PUBLISH:
        event.add("organizer", _organizer())
        event.add("attendee", _attendee(enrolment))
    return event


def _title(course_date: CourseDate, day: MeetingDay | None, days: list[MeetingDay]) -> str:
    """The course, and for a date of several days which one ("3/5")."""
    title = course_date.course.title
    if day is None or len(days) <= 1:
        return title
    return f"{title} ({days.index(day) + 1}/{len(days)})"


def day_title(enrolment: Enrolment, day: MeetingDay | None, days: list[MeetingDay]) -> str:
    return _title(enrolment.course_date, day, days)


def meeting_days(enrolment: Enrolment) -> list[MeetingDay]:
    return sorted(enrolment.course_date.meeting_days.all(), key=lambda day: day.starts_at)


def day_message(enrolment: Enrolment, day_id: int, *, method: str, days: list[MeetingDay]) -> bytes:
    """The iTIP message (REQUEST or CANCEL) for one meeting day of the place (`days`: the date's, as
    `meeting_days` gives them); a day already dropped from the date is cancelled by its id alone."""
    day = next((day for day in days if day.pk == day_id), None)
    calendar = _calendar(method)
    calendar.add_component(_event(enrolment, day_id, day, method=method, title=day_title(enrolment, day, days)))
    return calendar.to_ical()


def place_calendar(enrolment: Enrolment, sessions: list[Appointment] = ()) -> bytes:
    """Every day of the place, and its booked coaching `sessions`, as one PUBLISH calendar: the "Zet in agenda"
    download."""
    days = meeting_days(enrolment)
    calendar = _calendar(PUBLISH)
    for day in days:
        calendar.add_component(_event(enrolment, day.pk, day, method=PUBLISH,
                                      title=day_title(enrolment, day, days)))
    for session in sessions:
        calendar.add_component(_session_event(session, method=PUBLISH))
    return calendar.to_ical()


# 1:1 coaching sessions

def session_uid(appointment: Appointment) -> str:
    return f"coaching-{appointment.pk}@{_domain()}"


def session_title(appointment: Appointment) -> str:
    trainer = appointment.slot.trainer
    who = (trainer.get_full_name() or trainer.email) if trainer else ""
    person = appointment.enrolment.user
    participant = (person.get_full_name() or person.email) if person else ""
    return " · ".join(part for part in ["Coachgesprek", participant, who] if part)


def _trainer_attendee(trainer) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{trainer.email}")
    attendee.params.update({"CN": vText(trainer.get_full_name() or trainer.email), "ROLE": "CHAIR",
                            "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
    return attendee


def _session_event(appointment: Appointment, *, method: str, slot: CoachingSlot | None = None,
                   sequence: int | None = None) -> Event:
    """The session as one event; with `slot` (a time it moved away from), that time's cancellation for its
    trainer alone, at the move's `sequence`."""
    left = slot is not None
    slot, course_date = slot or appointment.slot, appointment.enrolment.course_date
    event = Event()
    event.add("uid", session_uid(appointment))
    event.add("dtstamp", timezone.now())
    event.add("sequence", appointment.calendar_sequence if sequence is None else sequence)
    event.add("summary", session_title(appointment))
    event.add("dtstart", slot.starts_at.astimezone(timezone.get_default_timezone()))
    event.add("dtend", slot.ends_at.astimezone(timezone.get_default_timezone()))
    event.add("location", slot.location or slot.video_url)
    event.add("description", "\n\n".join(part for part in [course_date.course.title, slot.video_url] if part))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    if method != PUBLISH:
        event.add("organizer", _organizer())
        if appointment.enrolment.user_id and not left:
            event.add("attendee", _attendee(appointment.enrolment))
        if slot.trainer_id:
            event.add("attendee", _trainer_attendee(slot.trainer))
    return event


def session_message(appointment: Appointment, *, method: str) -> bytes:
    """The iTIP message (REQUEST or CANCEL) for a coaching session, the same for both its people."""
    calendar = _calendar(method)
    calendar.add_component(_session_event(appointment, method=method))
    return calendar.to_ical()


def session_left_message(appointment: Appointment, slot: CoachingSlot, *, sequence: int) -> bytes:
    """The CANCEL for the trainer of a time the session moved away from: that time, that trainer alone (RFC 5546
    3.2.5: an attendee is removed by a CANCEL that names them)."""
    calendar = _calendar(CANCEL)
    calendar.add_component(_session_event(appointment, method=CANCEL, slot=slot, sequence=sequence))
    return calendar.to_ical()


def feed_calendar(places: list[Enrolment], taught: list[CourseDate], *, name: str,
                  sessions: list[Appointment] = ()) -> bytes:
    """A person's calendar subscription: every meeting day of their places (with the UIDs of their invitations
    and downloads) and of the dates they teach, and their coaching `sessions` (as participant or trainer), as one
    PUBLISH calendar a calendar app reads again every hour."""
    calendar = _calendar(PUBLISH)
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for place in places:
        days = meeting_days(place)
        for day in days:
            calendar.add_component(_event(place, day.pk, day, method=PUBLISH, title=day_title(place, day, days)))
    for course_date in taught:
        days = sorted(course_date.meeting_days.all(), key=lambda day: day.starts_at)
        for day in days:
            event_uid = f"date-{course_date.pk}-meetingday-{day.pk}@{_domain()}"
            calendar.add_component(_day_event(event_uid, course_date, day, method=PUBLISH,
                                              title=_title(course_date, day, days)))
    for session in sessions:
        calendar.add_component(_session_event(session, method=PUBLISH))
    return calendar.to_ical()
