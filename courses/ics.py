"""An iCalendar (RFC 5545) file for a course date: one event per meeting day, in Europe/Amsterdam time."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .models import CourseDate

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The rules in force since 1996: summer time from the last Sunday of March to the last Sunday of October.
VTIMEZONE = [
    "BEGIN:VTIMEZONE", "TZID:Europe/Amsterdam",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
]


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545, 3.1)."""
    encoded = line.encode()
    parts = []
    while len(encoded) > 75:
        cut = 75 if not parts else 74
        while (encoded[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(encoded[:cut].decode())
        encoded = encoded[cut:]
    parts.append(encoded.decode())
    return "\r\n ".join(parts)


def _local(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y%m%dT%H%M%S")


def course_date_ics(course_date: CourseDate, *, include_online_link: bool) -> str:
    course = course_date.course
    domain = settings.WAGTAILADMIN_BASE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    stamp = timezone.now().astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    location = ("Online" if course_date.location_kind == CourseDate.LocationKind.ONLINE
                else ", ".join(part for part in [course_date.location_name, course_date.address] if part))
    description = course.summary
    if include_online_link and course_date.online_url:
        description += f"\n\n{course_date.online_url}"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Spoor 2 Academy//Enrolment//NL",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", *VTIMEZONE]
    days = sorted(course_date.meeting_days.all(), key=lambda day: day.starts_at)
    for number, day in enumerate(days, start=1):
        title = course.title if len(days) == 1 else f"{course.title} ({number}/{len(days)})"
        lines += [
            "BEGIN:VEVENT",
            f"UID:course-date-{course_date.pk}-day-{day.pk}@{domain}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID=Europe/Amsterdam:{_local(day.starts_at)}",
            f"DTEND;TZID=Europe/Amsterdam:{_local(day.ends_at)}",
            f"SUMMARY:{_escape(title)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(description)}",
            "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
