from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from courses import enrolments, schedule, seating
from courses.ics import place_calendar
from courses.models import InterestEntry, MeetingDay
from tests.factories import UserFactory, make_date

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def confirm(course_date, user, on_commit):
    with on_commit():
        held = enrolments.enrolment_hold(course_date=course_date, user=user, billing=seating.Billing())
        return enrolments.enrolment_confirm(enrolment=held)


def test_each_day_is_an_invitation_of_its_own_in_amsterdam_time(course, on_commit):
    course_date = make_date(course, location_name="Utrecht; zaal 2, Oudegracht")
    winter = timezone.datetime(2027, 1, 12, 9, 30, tzinfo=AMSTERDAM)
    summer = timezone.datetime(2027, 6, 15, 9, 30, tzinfo=AMSTERDAM)
    course_date.meeting_days = [MeetingDay(starts_at=winter, ends_at=winter + timedelta(hours=7)),
                                MeetingDay(starts_at=summer, ends_at=summer + timedelta(hours=7))]
    course_date.save()
    coach = UserFactory()

    place = confirm(course_date, coach, on_commit)

    message, *invitations = mail.outbox
    assert message.to == [coach.email] and "Je plaats is bevestigd" in message.subject
    assert "di 12 jan 2027, 09:30–16:30" in message.body and not message.attachments
    assert [invitation.subject for invitation in invitations] == [
        "Uitnodiging: Basistraining 2e spoorcoaching (1/2) · di 12 jan 2027 09:30",
        "Uitnodiging: Basistraining 2e spoorcoaching (2/2) · di 15 jun 2027 09:30"]
    contents = [content for invitation in invitations for content, mimetype in invitation.alternatives
                if mimetype == "text/calendar; method=REQUEST"]
    events = [icalendar.Calendar.from_ical(content).walk("VEVENT")[0] for content in contents]
    assert [event.decoded("DTSTART") for event in events] == [winter, summer]
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert str(events[0]["LOCATION"]) == "Utrecht; zaal 2, Oudegracht"
    assert events[0]["DTSTART"].dt.utcoffset() == timedelta(hours=1)
    assert events[1]["DTSTART"].dt.utcoffset() == timedelta(hours=2)
    assert all(len(line.encode()) <= 75 for content in contents for line in content.split("\r\n"))

    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == 2
    assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(
        place_calendar(place)).walk("VEVENT")] == uids  # stable


def test_interest_list_hears_once_about_a_new_date_and_enrolling_takes_them_off(course, on_commit):
    dutch, english, left = UserFactory(), UserFactory(language="en"), UserFactory()
    for person in (dutch, english, left):
        enrolments.interest_join(course=course, user=person)
    enrolments.interest_join(course=course, user=dutch)  # twice is once
    course_date = make_date(course)
    enrolments.interest_leave(course=course, user=left)

    with on_commit():
        assert schedule.dates_announce() == 2
    with on_commit():
        assert schedule.dates_announce() == 0  # announced once

    mails = {m.to[0]: m for m in mail.outbox}
    assert set(mails) == {dutch.email, english.email}
    assert "Nieuwe datum" in mails[dutch.email].subject and "New date" in mails[english.email].subject
    assert f"/dates/{course_date.pk}/enrol/" in mails[dutch.email].body

    confirm(course_date, dutch, on_commit)
    assert list(InterestEntry.objects.values_list("user", flat=True)) == [english.pk]


def test_no_announcement_for_past_or_cancelled_dates(course, on_commit):
    enrolments.interest_join(course=course, user=UserFactory())
    make_date(course, status="cancelled")
    make_date(course, starts_in=timedelta(days=-1))
    with on_commit():
        assert schedule.dates_announce() == 0
    assert mail.outbox == []


def test_confirmed_participants_are_reminded_once_two_days_before(course, on_commit):
    from courses.models import CourseDate

    online = make_date(course, starts_in=timedelta(days=1, hours=20), location_kind="online",
                       online_url="https://meet.example.org/spoor2")
    later = make_date(course, starts_in=timedelta(days=10))
    coach, waiting_for_later = UserFactory(language="en"), UserFactory()
    confirm(online, coach, on_commit)
    confirm(later, waiting_for_later, on_commit)
    mail.outbox.clear()

    with on_commit():
        assert schedule.reminders_send() == 1
    with on_commit():
        assert schedule.reminders_send() == 0

    [reminder] = mail.outbox
    assert reminder.to == [coach.email] and reminder.subject.startswith("Reminder: ")
    assert "https://meet.example.org/spoor2" in reminder.body
    assert CourseDate.objects.count() == 2
