"""1:1 coaching sessions: the date's trainers offer times, a participant books, moves and cancels a session within
the course's rules (how many per place, until how long before), and both get one calendar event that the
invitations add, move and remove: read back from the mails with the icalendar parser and with ical.js, as
Thunderbird reads it. The trainer records whether it took place, which counts towards completion where the course
says so; reminders go the day before, once."""

import datetime
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from courses import appointments, calendar_feeds, enrolments
from courses.appointments import AppointmentError
from courses.models import Appointment, CoachingSlot
from learning import services as learning
from learning.selectors import requirements
from tests import icaljs
from tests.courses.test_calendar_invites import calendars_in, mails_to
from tests.factories import UserFactory, confirmed_place, make_date, make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def group(course):
    """A date of a course with two 60-minute sessions per place, changeable until 24 hours before."""
    course.coaching_sessions, course.coaching_minutes, course.coaching_change_hours = 2, 60, 24
    course.completion_requires_coaching = True
    course.completion_requires_quizzes = course.completion_requires_assignments = False
    course.completion_requires_evaluation = False
    course.completion_attendance_percent = 0
    course.save()
    course_date = make_date(course, starts_in=timedelta(days=2))
    trainer = make_trainer(full_name="Tom Trainer")
    course_date.trainers.add(trainer)
    return course_date, trainer


def offer(course_date, trainer, *, days=5, hour=13, count=3, **where):
    start = (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return appointments.slots_publish(course_date=course_date, trainer=trainer, starts_at=start, count=count,
                                      actor=trainer, **(where or {"location": "Utrecht, spreekkamer 2"}))


def session_calendars(person, method):
    return [calendar for message in mails_to(person) for calendar in calendars_in(message)
            if calendar["METHOD"] == method]


def test_a_trainer_offers_a_row_of_times_as_long_as_the_course_says(group):
    course_date, trainer = group
    slots = offer(course_date, trainer, count=3)
    assert [(slot.ends_at - slot.starts_at) for slot in slots] == [timedelta(minutes=60)] * 3
    assert slots[1].starts_at == slots[0].ends_at and slots[2].starts_at == slots[1].ends_at
    with pytest.raises(AppointmentError, match="overlapt"):
        offer(course_date, trainer, count=1, hour=14)  # inside the row just offered
    with pytest.raises(AppointmentError, match="videolink"):
        offer(course_date, trainer, days=8, location="", video_url="")
    with pytest.raises(AppointmentError, match="trainer van de datum"):
        offer(course_date, make_trainer(), days=8)
    assert CoachingSlot.objects.count() == 3


def test_booking_invites_both_people_to_one_event_and_moving_moves_it(group, committed):
    course_date, trainer = group
    coach = UserFactory(full_name="Eva de Vries")
    place = confirmed_place(course_date, coach)
    first, second, _third = offer(course_date, trainer)
    mail.outbox.clear()

    with committed():
        session = appointments.appointment_book(place=place, slot_id=first.pk, actor=coach)

    booked = [message for message in mails_to(coach) if calendars_in(message)]
    assert [message.subject.split(" · ")[0] for message in booked] == ["Coachgesprek geboekt"]
    assert "Eva de Vries heeft een coachgesprek" in mails_to(trainer)[0].body
    [request] = session_calendars(coach, "REQUEST")
    [for_trainer] = session_calendars(trainer, "REQUEST")
    event, trainers_event = request.walk("VEVENT")[0], for_trainer.walk("VEVENT")[0]
    assert str(event["UID"]) == str(trainers_event["UID"]) == f"coaching-{session.pk}@testserver"
    assert event.decoded("DTSTART") == first.starts_at and event.decoded("DTEND") == first.ends_at
    assert sorted(str(attendee) for attendee in event["ATTENDEE"]) == sorted(
        [f"mailto:{coach.email}", f"mailto:{trainer.email}"])
    assert str(event["LOCATION"]) == "Utrecht, spreekkamer 2" and event["SEQUENCE"] == 0
    thunderbird = icaljs.read(request.to_ical())
    assert thunderbird["method"] == "REQUEST"
    assert thunderbird["events"][0]["start"] == first.starts_at.astimezone(datetime.UTC).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    mail.outbox.clear()

    with committed():
        appointments.appointment_move(appointment=session, slot_id=second.pk, actor=coach)

    [moved] = session_calendars(coach, "REQUEST")
    event = moved.walk("VEVENT")[0]
    assert str(event["UID"]) == f"coaching-{session.pk}@testserver", "the same event, moved"
    assert event["SEQUENCE"] == 1 and event.decoded("DTSTART") == second.starts_at
    assert session_calendars(trainer, "REQUEST") and not session_calendars(trainer, "CANCEL")
    assert "verzet" in mails_to(coach)[0].subject
    assert not Appointment.objects.filter(slot=first, status=Appointment.Status.BOOKED).exists()


def test_moving_to_another_trainer_takes_it_out_of_the_first_trainers_calendar(group, committed):
    course_date, trainer = group
    other = make_trainer(full_name="Ria Trainer")
    course_date.trainers.add(other)
    coach = UserFactory()
    place = confirmed_place(course_date, coach)
    [mine] = offer(course_date, trainer, count=1)
    [theirs] = offer(course_date, other, count=1, hour=9)
    session = appointments.appointment_book(place=place, slot_id=mine.pk, actor=coach)
    mail.outbox.clear()

    with committed():
        appointments.appointment_move(appointment=session, slot_id=theirs.pk, actor=coach)

    [cancelled] = session_calendars(trainer, "CANCEL")
    event = cancelled.walk("VEVENT")[0]
    assert str(event["UID"]) == f"coaching-{session.pk}@testserver" and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == mine.starts_at, "the time that leaves his calendar"
    assert str(event["ATTENDEE"]) == f"mailto:{trainer.email}", "addressed to the trainer it leaves, alone"
    [told] = mails_to(trainer)
    assert told.body.startswith("Beste Tom Trainer,")
    [request] = session_calendars(other, "REQUEST")
    assert request.walk("VEVENT")[0].decoded("DTSTART") == theirs.starts_at
    assert not session_calendars(trainer, "REQUEST")
    mail.outbox.clear()

    with committed():  # back to Tom: his calendar gets it again, and no late cancellation takes it out
        appointments.appointment_move(appointment=session, slot_id=mine.pk, actor=coach)
    assert [c.walk("VEVENT")[0]["SEQUENCE"] for c in session_calendars(trainer, "REQUEST")] == [2]
    assert session_calendars(other, "CANCEL") and not session_calendars(trainer, "CANCEL")


def test_cancelling_removes_the_event_from_both_calendars_and_frees_the_time(group, committed):
    course_date, trainer = group
    coach, later = UserFactory(), UserFactory()
    place = confirmed_place(course_date, coach)
    [slot] = offer(course_date, trainer, count=1)
    session = appointments.appointment_book(place=place, slot_id=slot.pk, actor=coach)
    mail.outbox.clear()

    with committed():
        appointments.appointment_cancel(appointment=session, actor=coach)

    for person in (coach, trainer):
        [cancel] = session_calendars(person, "CANCEL")
        event = cancel.walk("VEVENT")[0]
        assert str(event["UID"]) == f"coaching-{session.pk}@testserver" and event["SEQUENCE"] == 1
        assert event["STATUS"] == "CANCELLED"
    assert [slot.pk for slot in appointments.slots_open(place, timezone.now())] == [slot.pk]
    appointments.appointment_book(place=confirmed_place(course_date, later), slot_id=slot.pk, actor=later)


def test_the_rules_how_many_which_times_and_until_when(group):
    course_date, trainer = group
    coach, other = UserFactory(), UserFactory()
    place, others = confirmed_place(course_date, coach), confirmed_place(course_date, other)
    first, second, third = offer(course_date, trainer)
    [too_soon] = appointments.slots_publish(course_date=course_date, trainer=trainer, location="Utrecht",
                                            starts_at=timezone.now() + timedelta(hours=20), actor=trainer)
    another_date = make_date(course_date.course, starts_in=timedelta(days=9))
    another_date.trainers.add(trainer)
    [elsewhere] = offer(another_date, trainer, days=12, count=1)

    appointments.appointment_book(place=place, slot_id=first.pk, actor=coach)
    with pytest.raises(AppointmentError, match="Iemand anders heeft deze tijd net geboekt"):
        appointments.appointment_book(place=others, slot_id=first.pk, actor=other)
    with pytest.raises(AppointmentError, match="te kort dag"):
        appointments.appointment_book(place=place, slot_id=too_soon.pk, actor=coach)
    with pytest.raises(AppointmentError, match="niet \\(meer\\) aangeboden"):
        appointments.appointment_book(place=place, slot_id=elsewhere.pk, actor=coach)  # another date's time
    appointments.appointment_book(place=place, slot_id=second.pk, actor=coach)
    with pytest.raises(AppointmentError, match="je 2 gesprekken al geboekt"):
        appointments.appointment_book(place=place, slot_id=third.pk, actor=coach)

    within_a_day = first.starts_at - timedelta(hours=23)
    session = place.appointments.get(slot=first)
    with pytest.raises(AppointmentError, match="vraag je trainer"):
        appointments.appointment_cancel(appointment=session, actor=coach, now=first.starts_at - timedelta(hours=23))
    with pytest.raises(AppointmentError, match="vraag je trainer"):
        appointments.appointment_move(appointment=session, slot_id=third.pk, actor=coach, now=within_a_day)
    assert place.appointments.filter(status=Appointment.Status.BOOKED).count() == 2


def test_a_session_that_did_not_take_place_is_booked_again(group):
    course_date, trainer = group
    coach = UserFactory()
    place = confirmed_place(course_date, coach)
    first, second, _third = offer(course_date, trainer)
    [later] = offer(course_date, trainer, days=9, count=1)
    missed = appointments.appointment_book(place=place, slot_id=first.pk, actor=coach)
    appointments.appointment_book(place=place, slot_id=second.pk, actor=coach)
    learning.coaching_record(appointment=missed, took_place=False, actor=trainer, now=first.ends_at)

    assert appointments.coaching_of(place, first.ends_at).to_book == 1
    appointments.appointment_book(place=place, slot_id=later.pk, actor=coach, now=first.ends_at)


def test_only_the_sessions_trainer_or_the_office_records_or_withdraws_it(group):
    course_date, trainer = group
    colleague = make_trainer()
    course_date.trainers.add(colleague)
    coach = UserFactory()
    [slot] = offer(course_date, trainer, count=1)
    session = appointments.appointment_book(place=confirmed_place(course_date, coach), slot_id=slot.pk, actor=coach)
    with pytest.raises(AppointmentError):
        learning.coaching_record(appointment=session, took_place=True, actor=colleague, now=slot.ends_at)
    with pytest.raises(AppointmentError):
        appointments.slot_withdraw(slot=slot, actor=colleague)
    office = UserFactory(is_superuser=True)
    learning.coaching_record(appointment=session, took_place=True, actor=office, now=slot.ends_at)
    session.refresh_from_db()
    assert session.took_place is True and session.recorded_by == office


def test_a_place_that_ends_ends_its_sessions_to_come(group, committed):
    course_date, trainer = group
    coach = UserFactory()
    place = confirmed_place(course_date, coach)
    [slot] = offer(course_date, trainer, count=1)
    session = appointments.appointment_book(place=place, slot_id=slot.pk, actor=coach)
    mail.outbox.clear()

    with committed():
        enrolments.enrolment_cancel(enrolment=place, actor=coach)

    session.refresh_from_db()
    assert session.status == Appointment.Status.CANCELLED
    assert session_calendars(trainer, "CANCEL") and session_calendars(coach, "CANCEL")


def test_withdrawing_a_booked_time_tells_the_participant_to_choose_another(group, committed):
    course_date, trainer = group
    coach = UserFactory()
    place = confirmed_place(course_date, coach)
    [slot, free] = offer(course_date, trainer, count=2)
    session = appointments.appointment_book(place=place, slot_id=slot.pk, actor=coach)
    mail.outbox.clear()

    with committed():
        assert appointments.slot_withdraw(slot=slot, actor=trainer) is True

    session.refresh_from_db()
    assert session.status == Appointment.Status.CANCELLED
    [told] = mails_to(coach)
    assert "Kies een andere tijd" in told.body and f"/enrolments/{place.pk}/coaching/" in told.body
    assert [open_slot.pk for open_slot in appointments.slots_open(place, timezone.now())] == [free.pk]


def test_the_trainer_records_it_took_place_and_completion_follows(group):
    course_date, trainer = group
    coach = UserFactory()
    place = confirmed_place(course_date, coach)
    first, second = offer(course_date, trainer, count=2)
    one = appointments.appointment_book(place=place, slot_id=first.pk, actor=coach)
    two = appointments.appointment_book(place=place, slot_id=second.pk, actor=coach)

    with pytest.raises(AppointmentError, match="vanaf het begin"):
        learning.coaching_record(appointment=one, took_place=True, actor=trainer)
    after = second.ends_at + timedelta(minutes=5)
    learning.coaching_record(appointment=one, took_place=True, actor=trainer, now=after)
    [rule] = [rule for rule in requirements(place) if str(rule.label) == "Coachgesprekken gehouden"]
    assert (rule.done, rule.needed) == (1, 2)
    place.refresh_from_db()
    assert place.completed_at is None

    learning.coaching_record(appointment=two, took_place=True, actor=trainer, now=after)
    place.refresh_from_db()
    assert place.completed_at == after
    learning.coaching_record(appointment=two, took_place=False, actor=trainer, now=after)  # corrected
    place.refresh_from_db()
    assert place.completed_at is None


def test_a_course_that_does_not_count_sessions_completes_without_them(group):
    course_date, trainer = group
    course_date.course.completion_requires_coaching = False
    course_date.course.save()
    assert not [rule for rule in requirements(confirmed_place(course_date, UserFactory()))
                if str(rule.label) == "Coachgesprekken gehouden"]


def test_both_are_reminded_the_day_before_once(group, committed):
    course_date, trainer = group
    coach = UserFactory()
    place = confirmed_place(course_date, coach)
    [slot] = offer(course_date, trainer, count=1)
    appointments.appointment_book(place=place, slot_id=slot.pk, actor=coach)
    mail.outbox.clear()

    assert appointments.appointment_reminders_send(now=slot.starts_at - timedelta(hours=30)) == 0
    with committed():
        assert appointments.appointment_reminders_send(now=slot.starts_at - timedelta(hours=23)) == 1
    assert appointments.appointment_reminders_send(now=slot.starts_at - timedelta(hours=22)) == 0
    assert [message.subject.split(" · ")[0] for message in mail.outbox] == ["Herinnering: coachgesprek"] * 2
    assert {message.to[0] for message in mail.outbox} == {coach.email, trainer.email}


def test_a_session_booked_within_the_day_gets_no_reminder_the_invitation_just_came(group, committed):
    course_date, trainer = group
    course_date.course.coaching_change_hours = 2
    course_date.course.save()
    coach = UserFactory()
    [slot] = offer(course_date, trainer, count=1)
    appointments.appointment_book(place=confirmed_place(course_date, coach), slot_id=slot.pk, actor=coach,
                                  now=slot.starts_at - timedelta(hours=10))
    assert appointments.appointment_reminders_send(now=slot.starts_at - timedelta(hours=9)) == 0


def test_the_download_holds_the_sessions_with_the_invitations_uid(client, group):
    course_date, trainer = group
    coach = UserFactory()
    place = confirmed_place(course_date, coach)
    [slot] = offer(course_date, trainer, count=1, video_url="https://meet.example.com/x", location="")
    session = appointments.appointment_book(place=place, slot_id=slot.pk, actor=coach)
    client.force_login(coach)
    calendar = icalendar.Calendar.from_ical(client.get(f"/enrolments/{place.pk}/calendar.ics").content)
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert f"coaching-{session.pk}@testserver" in uids
    [event] = [event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith("coaching-")]
    assert str(event["LOCATION"]) == "https://meet.example.com/x"


def test_both_subscriptions_hold_the_session_with_the_invitations_uid(group):
    course_date, trainer = group
    coach = UserFactory()
    place = confirmed_place(course_date, coach)
    [slot] = offer(course_date, trainer, count=1)
    session = appointments.appointment_book(place=place, slot_id=slot.pk, actor=coach)
    for person in (coach, trainer):
        feed = calendar_feeds.feed_start(person)
        calendar = icalendar.Calendar.from_ical(calendar_feeds.feed_calendar(feed.token))
        [event] = [event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith("coaching-")]
        assert str(event["UID"]) == f"coaching-{session.pk}@testserver"
        assert event.decoded("DTSTART") == slot.starts_at
    appointments.appointment_cancel(appointment=session, actor=coach)
    calendar = icalendar.Calendar.from_ical(calendar_feeds.feed_calendar(calendar_feeds.feed_start(trainer).token))
    assert not [event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith("coaching-")]


def test_new_times_are_told_to_those_with_sessions_still_to_book(group, committed):
    course_date, trainer = group
    waiting, done = UserFactory(full_name="Eva de Vries"), UserFactory()
    confirmed_place(course_date, waiting)
    done_place = confirmed_place(course_date, done)
    for slot in offer(course_date, trainer, days=4, count=2):
        appointments.appointment_book(place=done_place, slot_id=slot.pk, actor=done)
    mail.outbox.clear()

    with committed():
        new = offer(course_date, trainer, days=6, count=2, location="Utrecht, <b>spreekkamer</b> 3")

    [told] = mails_to(waiting)
    assert told.subject == "Nieuwe tijden voor je coachgesprek: Basistraining 2e spoorcoaching"
    assert told.body.count("spreekkamer</b> 3") == 2 and "met Tom Trainer" in told.body
    assert f"{timezone.localtime(new[0].starts_at):%H:%M}–{timezone.localtime(new[0].ends_at):%H:%M}" in told.body
    assert not mails_to(done), "both her sessions are booked"
