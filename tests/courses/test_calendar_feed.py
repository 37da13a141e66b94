"""A calendar subscription: one secret address with a person's meeting days (and a trainer's own dates), read by
two parsers that did not write it (ical.js, Thunderbird's engine, and vobject); replaced or stopped at will."""

from datetime import UTC, datetime, timedelta

import pytest
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import ics, schedule
from courses.models import CalendarFeed, CourseDate, MeetingDay
from tests import icaljs
from tests.factories import UserFactory, confirmed_place, make_course, make_date, make_trainer

pytestmark = pytest.mark.django_db


def two_day_date(course, *, starts_in: timedelta) -> CourseDate:
    start = timezone.now().replace(microsecond=0) + starts_in
    course_date = CourseDate(course=course, location_name="Utrecht")
    course_date.meeting_days = [MeetingDay(starts_at=start + timedelta(days=7 * week),
                                           ends_at=start + timedelta(days=7 * week, hours=7)) for week in range(2)]
    course_date.save()
    return course_date


def feed_address(client, person) -> str:
    client.force_login(person)
    client.post(reverse("courses:calendar_subscription"), {"action": "start"})
    return reverse("courses:calendar_feed", args=[CalendarFeed.objects.get(user=person).token])


def instants(course_dates) -> list[tuple[datetime, datetime]]:
    return sorted((day.starts_at.astimezone(UTC), day.ends_at.astimezone(UTC))
                  for course_date in course_dates for day in course_date.meeting_days.all())


def test_a_coach_subscribes_to_their_meeting_days_and_two_calendars_read_them_alike(course, site, client):
    coach = UserFactory()
    winter = two_day_date(course, starts_in=timedelta(days=20))
    summer = two_day_date(make_course(site.catalogue, slug="secure-base", title="Secure Base"),
                          starts_in=timedelta(days=150))  # across a change of summer time
    called_off = make_date(make_course(site.catalogue, slug="groep", title="Groep"), starts_in=timedelta(days=60))
    place = confirmed_place(winter, coach)
    confirmed_place(summer, coach)
    confirmed_place(called_off, coach)
    schedule.course_date_cancel(course_date=called_off, actor=None, reason="Te weinig deelnemers")
    make_date(course)  # someone else's

    address = feed_address(client, coach)
    client.logout()  # a calendar app has no session: the address is the key
    response = client.get(address)

    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    ics_text = response.content
    read = icaljs.read(ics_text)
    assert read["method"] == "PUBLISH"
    assert sorted((datetime.fromisoformat(e["start"]), datetime.fromisoformat(e["end"])) for e in read["events"]) \
        == instants([winter, summer])
    calendar = vobject.readOne(ics_text.decode())
    assert sorted((e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC)) for e in calendar.vevent_list) \
        == instants([winter, summer])
    # The same events as the invitations and the download: a calendar that has both can tell them apart.
    first_day = winter.meeting_days.order_by("starts_at").first()
    assert ics.uid(place, first_day.pk) in {event["uid"] for event in read["events"]}
    assert {event.summary.value for event in calendar.vevent_list} == {
        f"{course.title} (1/2)", f"{course.title} (2/2)", "Secure Base (1/2)", "Secure Base (2/2)"}


def test_a_trainer_sees_the_dates_they_teach(course, client):
    trainer = make_trainer()
    taught = two_day_date(course, starts_in=timedelta(days=10))
    taught.trainers.add(trainer)
    make_date(course)  # another trainer's

    events = icaljs.read(client.get(feed_address(client, trainer)).content)["events"]
    assert sorted((datetime.fromisoformat(e["start"]), datetime.fromisoformat(e["end"])) for e in events) \
        == instants([taught])


def test_a_new_address_stops_the_old_one_and_stopping_stops_both(course, client):
    coach = UserFactory()
    confirmed_place(make_date(course), coach)
    old = feed_address(client, coach)

    page = client.post(reverse("courses:calendar_subscription"), {"action": "renew"}, follow=True)
    new = reverse("courses:calendar_feed", args=[CalendarFeed.objects.get(user=coach).token])
    assert new != old and new in page.content.decode()
    assert "de oude werkt niet meer" in page.content.decode()
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200

    client.post(reverse("courses:calendar_subscription"), {"action": "stop"})
    assert client.get(new).status_code == 404
    assert client.get("/calendar/x.ics").status_code == 404


def test_the_feed_costs_the_same_queries_for_one_place_or_many(course, site, client, django_assert_num_queries):
    coach = UserFactory()
    confirmed_place(make_date(course), coach)
    address = feed_address(client, coach)
    client.logout()
    client.get(address)  # what is shared (the provider's settings) is cached from the first read on
    with CaptureQueriesContext(connection) as one:
        client.get(address)
    for days in (40, 50, 60):
        other = make_course(site.catalogue, slug=f"cursus-{days}", title=f"Cursus {days}")
        confirmed_place(two_day_date(other, starts_in=timedelta(days=days)), coach)
    with django_assert_num_queries(len(one)):
        assert client.get(address).content.count(b"BEGIN:VEVENT") == 7
