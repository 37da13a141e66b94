"""Calendar invitations that stay true: a confirmed place gets an invitation per meeting day (METHOD:REQUEST, a
UID of the place and that day, the provider as organizer), each a mail of its own with one event in a
`text/calendar; method=REQUEST` part (Outlook acts on the first event of a message only); a change to the date's
days or place updates the same events (SEQUENCE + 1) and a dropped day's goes; a cancelled, moved or called-off
place removes them (METHOD:CANCEL). Read back with the icalendar parser, from the mails the services send."""

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
    """The iTIP parts of a mail: `text/calendar; method=…` alternatives (never a file attachment), each one
    message of one event whose METHOD matches its part's."""
    assert not [a for a in message.attachments if "calendar" in a[2]], "an invitation is not a file"
    found = []
    for content, mimetype in message.alternatives:
        if mimetype.startswith("text/calendar"):
            calendar = icalendar.Calendar.from_ical(content)
            assert mimetype == f"text/calendar; method={calendar['METHOD']}"
            assert len(calendar.walk("VEVENT")) == 1, "Outlook acts on the first event of a message only"
            found.append(calendar)
    return found


def events(calendars) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for calendar in calendars for event in calendar.walk("VEVENT")}


def itip(person, method: str) -> dict[str, icalendar.Event]:
    """Every event the person was sent with this METHOD, by UID (a mail each)."""
    calendars = [calendar for message in mails_to(person) for calendar in calendars_in(message)
                 if calendar["METHOD"] == method]
    assert len(calendars) == len(events(calendars)), "one message per event"
    return events(calendars)


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


def test_the_confirmation_invites_the_participant_to_each_day_from_the_provider(course, committed):
    coach = UserFactory(full_name="Eva de Vries")
    course_date = two_day_date(course)
    with committed():
        place = confirmed_place(course_date, coach)

    confirmation, *invitations = mails_to(coach)
    assert "bevestigd" in confirmation.subject and calendars_in(confirmation) == []
    assert "Elke dag komt als eigen uitnodiging in je agenda" in confirmation.body
    assert [message.subject.split(" · ")[0] for message in invitations] == [
        "Uitnodiging: Basistraining 2e spoorcoaching (1/2)", "Uitnodiging: Basistraining 2e spoorcoaching (2/2)"]
    found = itip(coach, "REQUEST")
    days = list(course_date.meeting_days.order_by("starts_at"))
    assert set(found) == {f"place-{place.pk}-meetingday-{day.pk}@testserver" for day in days}
    for day in days:
        event = found[f"place-{place.pk}-meetingday-{day.pk}@testserver"]
        assert event.decoded("DTSTART") == day.starts_at and event.decoded("DTEND") == day.ends_at
        assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
        assert str(event["ORGANIZER"]).startswith("mailto:") and event["ORGANIZER"].params["CN"]
        assert str(event["ATTENDEE"]) == f"mailto:{coach.email}" and event["ATTENDEE"].params["RSVP"] == "FALSE"
        assert str(event["LOCATION"]) == "Utrecht, Oudegracht 1"


def test_moving_a_day_and_the_venue_updates_the_same_events_and_dropping_a_day_cancels_it(client, course,
                                                                                          committed):
    coach, other = UserFactory(), UserFactory()
    course_date = two_day_date(course)
    with committed():
        confirmed_place(course_date, coach)
        confirmed_place(course_date, other)
    first_uids = set(itip(coach, "REQUEST"))
    mail.outbox.clear()
    first, second = course_date.meeting_days.order_by("starts_at")
    client.force_login(UserFactory(is_superuser=True))

    with committed():
        response = client.post(f"/admin/coursedate/edit/{course_date.pk}/", edit_form(
            course_date, days=[as_form_day(first, shift=timedelta(hours=1)), as_form_day(second)],
            location_name="Amersfoort"))
    assert response.status_code == 302

    changed, *_ = mails_to(coach)
    assert "Gewijzigd" in changed.subject and "Amersfoort" in changed.body and calendars_in(changed) == []
    updated = itip(coach, "REQUEST")
    assert set(updated) == first_uids and itip(coach, "CANCEL") == {}
    assert {event["SEQUENCE"] for event in updated.values()} == {1}
    assert min(event.decoded("DTSTART") for event in updated.values()) == first.starts_at + timedelta(hours=1)
    assert all("Amersfoort" in str(event["LOCATION"]) for event in updated.values())
    assert len(mails_to(other)) == 3  # what changed, and the two days' updates
    mail.outbox.clear()

    with committed():  # the first day goes: the second keeps its UID (it is not renumbered into the first's)
        client.post(f"/admin/coursedate/edit/{course_date.pk}/", edit_form(
            course_date, location_name="Amersfoort",
            days=[as_form_day(first, DELETE="on"), as_form_day(second)]))

    [(kept_uid, kept)] = itip(coach, "REQUEST").items()
    assert kept_uid.endswith(f"-meetingday-{second.pk}@testserver") and kept["SEQUENCE"] == 2
    assert kept.decoded("DTSTART") == second.starts_at
    [(dropped_uid, dropped)] = itip(coach, "CANCEL").items()
    assert dropped_uid.endswith(f"-meetingday-{first.pk}@testserver") and dropped_uid in first_uids
    assert dropped["SEQUENCE"] == 3 and dropped["STATUS"] == "CANCELLED"
    mail.outbox.clear()

    with committed():  # the trainers changed only: nothing in a calendar changes, nobody is mailed
        client.post(f"/admin/coursedate/edit/{course_date.pk}/", edit_form(
            course_date, location_name="Amersfoort", days=[as_form_day(second)]))
    assert mail.outbox == []


def test_cancelling_moving_and_calling_off_take_the_events_out_of_the_calendar(course, committed):
    coach, mover, unlucky = UserFactory(), UserFactory(), UserFactory()
    course_date, later = two_day_date(course), make_date(course, starts_in=timedelta(days=60))
    doomed = make_date(course, starts_in=timedelta(days=90))
    with committed():
        cancelled = confirmed_place(course_date, coach)
        moved = confirmed_place(course_date, mover)
        confirmed_place(doomed, unlucky)
    invited = {person.pk: set(itip(person, "REQUEST")) for person in (coach, mover, unlucky)}
    assert len(invited[coach.pk]) == 2
    mail.outbox.clear()

    with committed():
        changes.place_cancel(enrolment=cancelled, actor=coach)
        new_place = changes.place_move(enrolment=moved, to_date=later, actor=mover)
        schedule.course_date_cancel(course_date=doomed, actor=None, reason="trainer ziek")

    removed = itip(coach, "CANCEL")
    assert set(removed) == invited[coach.pk]
    assert all(event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1 for event in removed.values())
    assert all(message.subject.startswith("Afgezegd: ") for message in mails_to(coach) if calendars_in(message))

    assert set(itip(mover, "CANCEL")) == invited[mover.pk]
    new_uids = set(itip(mover, "REQUEST"))
    assert len(new_uids) == 1 and all(f"place-{new_place.pk}-" in uid for uid in new_uids)

    called_off = mails_to(unlucky)
    assert "Datum geannuleerd" in called_off[0].subject and calendars_in(called_off[0]) == []
    assert set(itip(unlucky, "CANCEL")) == invited[unlucky.pk]


def test_add_to_calendar_gives_the_same_events_to_the_participant_only(client, course, committed):
    coach = UserFactory()
    course_date = two_day_date(course)
    with committed():
        place = confirmed_place(course_date, coach)
    invited = set(itip(coach, "REQUEST"))

    client.force_login(coach)
    page = client.get(f"/enrolments/{place.pk}/").content.decode()
    assert f"/enrolments/{place.pk}/calendar.ics" in page and "Zet in agenda" in page
    response = client.get(f"/enrolments/{place.pk}/calendar.ics")
    download = icalendar.Calendar.from_ical(response.content)
    assert response["Content-Type"].startswith("text/calendar") and download["METHOD"] == "PUBLISH"
    assert set(events([download])) == invited

    client.force_login(UserFactory())
    assert client.get(f"/enrolments/{place.pk}/calendar.ics").status_code == 404
