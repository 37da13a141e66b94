"""The trainer's coaching page and who reads what: a trainer offers times and withdraws them, records whether a
session took place and keeps a note about it. The note is the author's: another trainer of the date, a superuser
and the office do not read it, unless the office was given `courses.read_coaching_notes` by name. The participant
finds it in their data copy; it goes with erasure and after the retention term. An employer the participant shares
progress with sees sessions held, never the note."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from core.privacy import retention_rules
from courses import appointments
from courses import bookings as course_bookings
from courses import privacy as courses_privacy
from courses.models import Appointment, CoachingNote, CoachingSlot
from learning import services as learning
from places import bookings as places_bookings
from privacy.services import account_erase, erasure_blockers
from tests.factories import UserFactory, confirmed_place, make_date, make_organisation, make_trainer

pytestmark = pytest.mark.django_db
NOTE = "Zoekprofiel besproken: 20 uur administratief werk."


@pytest.fixture
def held(course):
    """A session of Eva with Tom that took place yesterday, before the group's first day, with Tom's note; Ria also
    teaches the date."""
    course.coaching_sessions = 2
    course.save()
    now = timezone.now()
    course_date = make_date(course, starts_in=timedelta(days=3))
    tom, ria = make_trainer(full_name="Tom Trainer"), make_trainer(full_name="Ria Trainer")
    course_date.trainers.add(tom, ria)
    eva = UserFactory(full_name="Eva de Vries")
    place = confirmed_place(course_date, eva)
    earlier = now - timedelta(days=9)
    [slot] = appointments.slots_publish(course_date=course_date, trainer=tom, location="Utrecht", actor=tom,
                                        starts_at=now - timedelta(days=1), now=earlier)
    session = appointments.appointment_book(place=place, slot_id=slot.pk, actor=eva, now=earlier)
    learning.coaching_record(appointment=session, took_place=True, actor=tom)
    appointments.note_save(appointment=session, author=tom, text=NOTE)
    return type("Held", (), {"date": course_date, "tom": tom, "ria": ria, "eva": eva, "place": place,
                             "session": session, "url": reverse("courses_trainer:coaching", args=[course_date.pk])})


def page_of(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_note_is_read_by_its_author_only(client, held):
    assert NOTE in page_of(client, held.tom, held.url)
    assert 'name="note"' not in page_of(client, held.ria, held.url)  # she has no form to write in
    assert NOTE not in page_of(client, held.ria, held.url)
    assert "alleen die leest haar" in page_of(client, held.ria, held.url)
    assert NOTE not in page_of(client, UserFactory(is_superuser=True, is_staff=True), held.url)


def test_the_office_reads_notes_only_with_the_permission_given_by_name(client, held):
    office = UserFactory(is_superuser=True, is_staff=True)
    assert NOTE not in page_of(client, office, held.url)
    readers = Group.objects.create(name="Notes readers")
    readers.permissions.add(Permission.objects.get(codename="read_coaching_notes"))
    office.groups.add(readers)
    assert NOTE in page_of(client, office, held.url)


def test_no_role_is_given_the_notes_by_default():
    call_command("setup_roles")
    assert Group.objects.count() > 1  # the roles exist: trainers, the office
    assert not Group.objects.filter(permissions__codename="read_coaching_notes").exists()


def test_the_form_reminds_the_trainer_to_write_about_work_not_health(client, held):
    html = page_of(client, held.tom, held.url)
    assert "nooit over gezondheid, diagnoses of klachten" in html
    assert "Over werk: doelen, stappen, afspraken. Niet over gezondheid." in html


def test_only_the_sessions_trainer_writes_its_note(client, held):
    client.force_login(held.ria)
    client.post(reverse("courses_trainer:coaching_note", args=[held.date.pk, held.session.pk]), {"note": "Ria's"})
    assert CoachingNote.objects.get().text == NOTE
    client.force_login(held.tom)
    client.post(reverse("courses_trainer:coaching_note", args=[held.date.pk, held.session.pk]), {"note": "  "})
    assert not CoachingNote.objects.exists()  # emptied: deleted


def test_a_trainer_of_another_date_reaches_nothing(client, held):
    client.force_login(make_trainer())
    assert client.get(held.url).status_code == 404
    response = client.post(reverse("learning_trainer:coaching_record", args=[held.date.pk, held.session.pk]),
                           {"took_place": "0"})
    assert response.status_code == 404
    held.session.refresh_from_db()
    assert held.session.took_place is True


def test_a_trainer_offers_times_and_withdraws_them_from_the_page(client, held):
    client.force_login(held.ria)
    day = timezone.localdate() + timedelta(days=4)
    response = client.post(held.url, {"trainer": held.ria.pk, "day": day.isoformat(), "start": "13:00", "count": "3",
                                      "location": "", "video_url": "meet.example.com/ria"}, follow=True)
    assert "3 tijden aangeboden" in response.content.decode()
    slots = list(CoachingSlot.objects.filter(trainer=held.ria).order_by("starts_at"))
    assert [timezone.localtime(slot.starts_at).strftime("%H:%M") for slot in slots] == ["13:00", "14:00", "15:00"]
    assert slots[0].video_url == "https://meet.example.com/ria"

    response = client.post(held.url, {"trainer": held.tom.pk, "day": day.isoformat(), "start": "09:00",
                                      "count": "1", "location": "Utrecht"})
    assert response.status_code == 200 and "Selecteer een geldige keuze" in response.content.decode()  # not hers
    response = client.post(held.url, {"trainer": held.ria.pk, "day": day.isoformat(), "start": "09:00",
                                      "count": "1", "location": "", "video_url": ""})
    assert "Zeg waar de gesprekken plaatsvinden" in response.content.decode()

    client.post(reverse("courses_trainer:coaching_withdraw", args=[held.date.pk, slots[0].pk]))
    assert CoachingSlot.objects.filter(trainer=held.ria, withdrawn_at__isnull=True).count() == 2
    client.force_login(held.tom)  # not his to withdraw
    response = client.post(reverse("courses_trainer:coaching_withdraw", args=[held.date.pk, slots[1].pk]),
                           follow=True)
    assert "Alleen de trainer van deze tijd" in response.content.decode()
    assert CoachingSlot.objects.filter(trainer=held.ria, withdrawn_at__isnull=True).count() == 2


def test_the_trainer_records_from_the_page_that_it_did_not_take_place(client, held):
    client.force_login(held.tom)
    client.post(reverse("learning_trainer:coaching_record", args=[held.date.pk, held.session.pk]),
                {"took_place": "0"})
    held.session.refresh_from_db()
    assert held.session.took_place is False and held.session.recorded_by == held.tom


def test_the_participants_copy_holds_the_sessions_and_the_note(held):
    data = courses_privacy.personal_data(held.eva)
    [session] = data["Coachgesprekken"]
    assert session["heeft plaatsgevonden"] is True and session["Trainer"] == "Tom Trainer"
    [note] = data["Notities over coachgesprekken"]
    assert note["notitie"] == NOTE


def test_a_session_still_to_come_is_cancelled_before_erasure(held):
    later = held.date.ends_at + timedelta(days=1)
    [slot] = appointments.slots_publish(course_date=held.date, trainer=held.tom, location="Utrecht", actor=held.tom,
                                        starts_at=later + timedelta(days=7))
    appointments.appointment_book(place=held.place, slot_id=slot.pk, actor=held.eva)
    assert [place.pk for place in erasure_blockers(held.eva, now=later)] == [held.place.pk]


def test_erasure_deletes_the_note_and_keeps_the_session_anonymous(held):
    account_erase(user=held.eva, now=timezone.now() + timedelta(days=30))
    assert not CoachingNote.objects.exists()
    session = Appointment.objects.get()
    assert session.enrolment.user is None and session.took_place is True


def test_notes_go_after_the_retention_term_and_no_sooner(held, settings):
    [rule] = [rule for rule in retention_rules() if rule.name == "coaching_notes"]
    starts = held.session.slot.starts_at
    assert rule.apply(now=starts + timedelta(days=30 * settings.RETENTION_COACHING_NOTES_MONTHS - 1)) == 0
    assert rule.apply(now=starts + timedelta(days=30 * settings.RETENTION_COACHING_NOTES_MONTHS + 1)) == 1
    assert not CoachingNote.objects.exists() and Appointment.objects.filter(took_place=True).exists()


def test_an_employer_given_consent_sees_sessions_held_never_the_note(client, course):
    course.coaching_sessions = 2
    course.save()
    contact = UserFactory()
    organisation = make_organisation(contact)
    course_date = make_date(course, starts_in=timedelta(days=3))
    trainer = make_trainer()
    course_date.trainers.add(trainer)
    booking = places_bookings.booking_on_invoice(course_date=course_date, organisation=organisation,
                                                  booked_by=contact, seats=1)
    seat = booking.places.get()
    eva = UserFactory(full_name="Eva de Vries")
    invitation = course_bookings.seat_invite(place=seat, email=eva.email, actor=contact)
    course_bookings.seat_accept(invitation=invitation, user=eva, shares_progress=True)
    [slot] = appointments.slots_publish(course_date=course_date, trainer=trainer, location="Utrecht", actor=trainer,
                                        starts_at=timezone.now() + timedelta(days=2))
    session = appointments.appointment_book(place=seat, slot_id=slot.pk, actor=eva)
    learning.coaching_record(appointment=session, took_place=True, actor=trainer, now=slot.ends_at)
    appointments.note_save(appointment=session, author=trainer, text=NOTE)

    html = page_of(client, contact, reverse("organisations:booking", args=[booking.pk]))
    assert "1 van 2 coachgesprekken gehouden" in html and NOTE not in html

    Membership.objects.filter(user=eva).update(shares_progress_since=None)
    html = page_of(client, contact, reverse("organisations:booking", args=[booking.pk]))
    assert "coachgesprekken gehouden" not in html


def test_a_participants_coaching_page_is_her_own(client, held, course):
    url = reverse("places:coaching", args=[held.place.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.post(reverse("places:coaching_cancel", args=[held.place.pk, held.session.pk])).status_code == 404
    client.force_login(held.eva)
    assert client.get(url).status_code == 200
    course.coaching_sessions = 0
    course.save()
    assert client.get(url).status_code == 404  # a course without sessions has no such page


def test_the_dates_page_counts_each_participants_sessions(client, held):
    html = page_of(client, held.ria, reverse("courses_trainer:date", args=[held.date.pk]))
    assert "1 van 2 geboekt, 1 gehouden" in html
    assert reverse("courses_trainer:coaching", args=[held.date.pk]) in html
