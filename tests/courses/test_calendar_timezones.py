"""Meeting days land at their local time in every calendar, across the changes to and from summer time: the
invitation and the download are read by two parsers that are not the one that wrote them, ical.js (Thunderbird's
engine) and vobject, each from the VTIMEZONE we send, and every start and end must be the meeting day's."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.core import mail

from courses.models import CourseDate, MeetingDay
from tests import icaljs
from tests.factories import UserFactory, confirmed_place

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# 09:30 in Amsterdam on days around the changes: winter, the Saturday before summer time, the Tuesday after
# (30 March 2027, which Thunderbird put an hour off), the last days of summer time, the first of winter, and a
# year later.
DAYS = [datetime(2026, 12, 15, 9, 30), datetime(2027, 3, 27, 9, 30), datetime(2027, 3, 30, 9, 30),
        datetime(2027, 10, 30, 9, 30), datetime(2027, 11, 2, 9, 30), datetime(2028, 3, 28, 9, 30)]


@pytest.fixture
def place(course, django_capture_on_commit_callbacks):
    course_date = CourseDate(course=course, location_name="Utrecht")
    course_date.meeting_days = [MeetingDay(starts_at=day.replace(tzinfo=AMSTERDAM),
                                           ends_at=(day + timedelta(hours=7)).replace(tzinfo=AMSTERDAM))
                                for day in DAYS]
    course_date.save()
    with django_capture_on_commit_callbacks(execute=True):
        return confirmed_place(course_date, UserFactory())


def expected(place) -> list[tuple[datetime, datetime]]:
    return [(day.starts_at.astimezone(UTC), day.ends_at.astimezone(UTC))
            for day in place.course_date.meeting_days.order_by("starts_at")]


def by_icaljs(ics: bytes) -> list[tuple[datetime, datetime]]:
    events = icaljs.read(ics)["events"]
    return sorted((datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"])) for event in events)


def by_vobject(ics: bytes) -> list[tuple[datetime, datetime]]:
    calendar = vobject.readOne(ics.decode())
    return sorted((event.dtstart.value.astimezone(UTC), event.dtend.value.astimezone(UTC))
                  for event in calendar.vevent_list)


def invitation(place) -> bytes:
    """Every day's invitation (a mail each, one event each) as one calendar text, as a mailbox holds them."""
    parts = [content for message in mail.outbox if message.to == [place.user.email]
             for content, mimetype in message.alternatives if mimetype == "text/calendar; method=REQUEST"]
    assert len(parts) == len(DAYS)
    events = "".join(part[part.index("BEGIN:VEVENT"):part.index("END:VEVENT") + len("END:VEVENT\r\n")]
                     for part in parts)
    first = parts[0]
    return (first[:first.index("BEGIN:VEVENT")] + events + "END:VCALENDAR\r\n").encode()


def test_the_invitation_puts_every_meeting_day_at_its_local_time_for_two_independent_parsers(place):
    ics = invitation(place)
    assert by_icaljs(ics) == expected(place)
    assert by_vobject(ics) == expected(place)
    local_starts = [start.astimezone(AMSTERDAM).strftime("%H:%M") for start, _end in by_icaljs(ics)]
    assert local_starts == ["09:30"] * len(DAYS)


def test_the_download_puts_every_meeting_day_at_its_local_time_too(client, place):
    client.force_login(place.user)
    ics = client.get(f"/enrolments/{place.pk}/calendar.ics").content
    assert by_icaljs(ics) == expected(place)
    assert by_vobject(ics) == expected(place)


def test_the_timezone_is_written_as_rules_that_hold_for_every_year(place):
    """Not a list of dates cut off after some years, and summer time starting at 02:00 on the winter clock."""
    zone = vobject.readOne(invitation(place).decode()).vtimezone
    assert "RDATE" not in zone.serialize()
    assert zone.daylight.dtstart.value.strftime("%H:%M") == "02:00"
    assert set(zone.daylight.rrule.value.split(";")) == {"FREQ=YEARLY", "BYMONTH=3", "BYDAY=-1SU"}
    assert set(zone.standard.rrule.value.split(";")) == {"FREQ=YEARLY", "BYMONTH=10", "BYDAY=-1SU"}
