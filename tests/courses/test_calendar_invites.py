"""Calendar invitations that stay true: the confirmation invites the participant (METHOD:REQUEST, a UID per place
and day, the provider as organizer); a change to the date's days or place updates the same events (SEQUENCE + 1);
a cancelled, moved or called-off place removes them (METHOD:CANCEL). Read back with the icalendar parser, from the
mails the services send."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from courses import schedule
from courses.models import CourseDate, MeetingDay
from places import changes
from tests.factories import UserFactory, confirmed_place, make_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def calendars_in(message) -> list[icalendar.Calendar]:
    return [icalendar.Calendar.from_ical(content) for _name, content, mimetype in message.attachments
            if mimetype.startswith("text/calendar")]


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def mails_to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email]]


def two_day_date(course) -> CourseDate:
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=40)
    course_date = CourseDate(course=course, location_name="Utrecht", address="Oudegracht 1")
    week_later = start + timedelta(days=7)
    course_date.meeting_days = [MeetingDay(starts_at=start, ends_at=start + timedelta(hours=7)),
                                MeetingDay(starts_at=week_later, ends_at=week_later + timedelta(hours=7))]
    course_date.save()
    return course_date


def edit_form(course_date, *, days, location_name="Utrecht", initial=None) -> dict:
    return nested_form_data({
        "course": course_date.course_id, "capacity": str(course_date.capacity), "location_kind": "in_person",
        "location_name": location_name, "address": course_date.address, "online_url": "", "enrolment_deadline": "",
        "meeting_days": inline_formset(days, initial=initial if initial is not None else len(days)),
        "pe_online_editions": inline_formset([]),
    })


def as_form_day(day: MeetingDay, *, shift=timedelta(0), **extra) -> dict:
    local = timezone.localtime
    return {"id": day.pk, "starts_at": local(day.starts_at + shift).strftime("%Y-%m-%d %H:%M"),
            "ends_at": local(day.ends_at + shift).strftime("%Y-%m-%d %H:%M"), **extra}


def test_the_confirmation_invites_the_participant_from_the_provider(course, committed):
    coach = UserFactory(full_name="Eva de Vries")
    course_date = two_day_date(course)
    with committed():
        place = confirmed_place(course_date, coach)

    [invite] = calendars_in(mails_to(coach)[0])
    assert invite["METHOD"] == "REQUEST"
    found = events(invite)
    assert len(found) == 2
    for event in found.values():
        assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
        assert str(event["ORGANIZER"]).startswith("mailto:") and event["ORGANIZER"].params["CN"]
        assert str(event["ATTENDEE"]) == f"mailto:{coach.email}" and event["ATTENDEE"].params["RSVP"] == "FALSE"
        assert str(event["LOCATION"]) == "Utrecht, Oudegracht 1"
    assert all(uid.startswith(f"place-{place.pk}-day-") for uid in found)


def test_moving_a_day_and_the_venue_updates_the_same_events_and_dropping_a_day_cancels_it(client, course,
                                                                                          committed):
    coach, other = UserFactory(), UserFactory()
    course_date = two_day_date(course)
    with committed():
        confirmed_place(course_date, coach)
        confirmed_place(course_date, other)
    first_uids = set(events(calendars_in(mails_to(coach)[0])[0]))
    mail.outbox.clear()
    first, second = course_date.meeting_days.order_by("starts_at")
    client.force_login(UserFactory(is_superuser=True))

    with committed():
        response = client.post(f"/admin/coursedate/edit/{course_date.pk}/", edit_form(
            course_date, days=[as_form_day(first, shift=timedelta(hours=1)), as_form_day(second)],
            location_name="Amersfoort"))
    assert response.status_code == 302

    [changed] = mails_to(coach)
    assert "Gewijzigd" in changed.subject and "Amersfoort" in changed.body
    [update] = calendars_in(changed)
    assert update["METHOD"] == "REQUEST"
    updated = events(update)
    assert set(updated) == first_uids
    assert {event["SEQUENCE"] for event in updated.values()} == {1}
    assert min(event.decoded("DTSTART") for event in updated.values()) == first.starts_at + timedelta(hours=1)
    assert all("Amersfoort" in str(event["LOCATION"]) for event in updated.values())
    assert len(mails_to(other)) == 1
    mail.outbox.clear()

    with committed():  # the second day goes
        client.post(f"/admin/coursedate/edit/{course_date.pk}/", edit_form(
            course_date, location_name="Amersfoort",
            days=[as_form_day(first, shift=timedelta(hours=1)), as_form_day(second, DELETE="on")]))

    update, dropped = calendars_in(mails_to(coach)[0])
    assert len(events(update)) == 1 and next(iter(events(update).values()))["SEQUENCE"] == 2
    assert dropped["METHOD"] == "CANCEL"
    [(dropped_uid, dropped_event)] = events(dropped).items()
    assert dropped_uid in first_uids and dropped_uid not in events(update) and dropped_event["SEQUENCE"] == 3
    mail.outbox.clear()

    with committed():  # the trainers changed only: nothing in a calendar changes, nobody is mailed
        client.post(f"/admin/coursedate/edit/{course_date.pk}/", edit_form(
            course_date, location_name="Amersfoort", days=[as_form_day(first, shift=timedelta(hours=1))]))
    assert mail.outbox == []


def test_cancelling_moving_and_calling_off_take_the_events_out_of_the_calendar(course, committed):
    coach, mover, unlucky = UserFactory(), UserFactory(), UserFactory()
    course_date, later = make_date(course), make_date(course, starts_in=timedelta(days=60))
    doomed = make_date(course, starts_in=timedelta(days=90))
    with committed():
        cancelled = confirmed_place(course_date, coach)
        moved = confirmed_place(course_date, mover)
        confirmed_place(doomed, unlucky)
    invited = {person.pk: set(events(calendars_in(mails_to(person)[0])[0])) for person in (coach, mover, unlucky)}
    mail.outbox.clear()

    with committed():
        changes.place_cancel(enrolment=cancelled, actor=coach)
        new_place = changes.place_move(enrolment=moved, to_date=later, actor=mover)
        schedule.course_date_cancel(course_date=doomed, actor=None, reason="trainer ziek")

    [cancel_mail] = mails_to(coach)
    [removal] = calendars_in(cancel_mail)
    assert removal["METHOD"] == "CANCEL" and set(events(removal)) == invited[coach.pk]
    assert all(event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1 for event in events(removal).values())

    by_subject = {message.subject: calendars_in(message) for message in mails_to(mover)}
    [old] = next(calendars for subject, calendars in by_subject.items() if "verplaatst" in subject.lower())
    assert old["METHOD"] == "CANCEL" and set(events(old)) == invited[mover.pk]
    [new] = next(calendars for subject, calendars in by_subject.items() if "bevestigd" in subject)
    assert new["METHOD"] == "REQUEST" and all(f"place-{new_place.pk}-" in uid for uid in events(new))

    [called_off_mail] = mails_to(unlucky)  # one mail: the explanation carries the cancellation
    [removal] = calendars_in(called_off_mail)
    assert "Datum geannuleerd" in called_off_mail.subject
    assert removal["METHOD"] == "CANCEL" and set(events(removal)) == invited[unlucky.pk]


def test_add_to_calendar_gives_the_same_events_to_the_participant_only(client, course, committed):
    coach = UserFactory()
    with committed():
        place = confirmed_place(make_date(course), coach)
    invited = set(events(calendars_in(mails_to(coach)[0])[0]))

    client.force_login(coach)
    page = client.get(f"/enrolments/{place.pk}/").content.decode()
    assert f"/enrolments/{place.pk}/calendar.ics" in page and "Zet in agenda" in page
    response = client.get(f"/enrolments/{place.pk}/calendar.ics")
    download = icalendar.Calendar.from_ical(response.content)
    assert response["Content-Type"].startswith("text/calendar") and download["METHOD"] == "PUBLISH"
    assert set(events(download)) == invited

    client.force_login(UserFactory())
    assert client.get(f"/enrolments/{place.pk}/calendar.ics").status_code == 404
