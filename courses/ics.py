"""Calendar invitations (iCalendar, RFC 5545, through the `icalendar` library) for a person's place on a date.

A place is an invitation from the provider (the organizer) to the participant: one event per meeting day, with
a UID that never changes for that place and day, so that a later message about it updates the same event in
Outlook, Google or Apple Calendar instead of adding another (iTIP, RFC 5546):

- the confirmation carries `METHOD:REQUEST` at the date's current sequence;
- a change of the date's days or place sends `REQUEST` again with the sequence one higher
  (CourseDate.calendar_sequence), and a day dropped from the date a `CANCEL` for that day;
- a place that ends (cancelled, moved to another date, the date called off) sends `CANCEL`.

A download ("Zet in agenda") is the same events as `METHOD:PUBLISH`: a copy, not a message to process.
"""

from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from core.models import ProviderSettings

from .models import CourseDate, Enrolment

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
MIMETYPE = "text/calendar; charset=utf-8; method={method}"


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


def uid(enrolment: Enrolment, day_number: int) -> str:
    return f"place-{enrolment.pk}-day-{day_number}@{_domain()}"


def place_calendar(enrolment: Enrolment, *, method: str = REQUEST, only_days: range | None = None) -> bytes:
    """The events of `enrolment`'s place, as a message of `method`. `only_days` (numbers from 1) limits a CANCEL
    to days dropped from the date; without it, every current day."""
    course_date = enrolment.course_date
    course = course_date.course
    days = sorted(course_date.meeting_days.all(), key=lambda day: day.starts_at)
    numbers = list(only_days) if only_days is not None else list(range(1, len(days) + 1))
    sequence = course_date.calendar_sequence + (1 if method == CANCEL else 0)
    now = timezone.now()

    calendar = Calendar()
    calendar.add("prodid", "-//Spoor 2 Academy//Inschrijving//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if days:
        calendar.add_component(Timezone.from_ical(AMSTERDAM_VTIMEZONE.replace("\n", "\r\n")))
    description = course.summary
    if course_date.online_url and course_date.location_kind == CourseDate.LocationKind.ONLINE:
        description += f"\n\n{course_date.online_url}"
    for number in numbers:
        day = days[number - 1] if number <= len(days) else None
        event = Event()
        event.add("uid", uid(enrolment, number))
        event.add("dtstamp", now)
        event.add("sequence", sequence)
        event.add("summary", course.title if len(days) <= 1 else f"{course.title} ({number}/{len(days)})")
        if day is not None:
            event.add("dtstart", day.starts_at.astimezone(timezone.get_default_timezone()))
            event.add("dtend", day.ends_at.astimezone(timezone.get_default_timezone()))
        event.add("location", _location(course_date))
        event.add("description", description)
        event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
        if method != PUBLISH:
            event.add("organizer", _organizer())
            event.add("attendee", _attendee(enrolment))
        calendar.add_component(event)
    return calendar.to_ical()
