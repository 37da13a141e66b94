"""1:1 coaching in the browser: a participant on her phone books a session, moves it and cancels it; a trainer
offers times on the date's coaching page and records that a session took place, with a note."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from courses import appointments
from courses.models import Appointment, CoachingNote, CoachingSlot, CoursePage
from tests.browser.conftest import log_in
from tests.factories import UserFactory, confirmed_place, make_date, make_trainer

pytestmark = pytest.mark.browser


def group_date(**course_fields):
    course = CoursePage.objects.get(slug="basistraining")
    CoursePage.objects.filter(pk=course.pk).update(coaching_sessions=2, coaching_minutes=60, **course_fields)
    course_date = make_date(CoursePage.objects.get(pk=course.pk), starts_in=timedelta(days=10))
    trainer = make_trainer(email="tom@example.org", full_name="Tom Trainer")
    course_date.trainers.add(trainer)
    return course_date, trainer


def test_a_participant_books_moves_and_cancels_a_session_on_her_phone(page: Page, live_site, site_url):
    course_date, trainer = group_date()
    start = (timezone.localtime() + timedelta(days=4)).replace(hour=13, minute=0, second=0, microsecond=0)
    first, second = appointments.slots_publish(course_date=course_date, trainer=trainer, starts_at=start, count=2,
                                               location="Utrecht, spreekkamer 2", actor=trainer)
    place = confirmed_place(course_date, UserFactory(email="eva@example.org", full_name="Eva de Vries"))
    log_in(page, site_url, "eva@example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + reverse("places:enrolment", args=[place.pk]))

    page.get_by_role("link", name="Boek je 2 gesprekken").click()
    expect(page.get_by_role("heading", name="Je coachgesprekken")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Boek .*, 13:00$")).click()
    expect(page.get_by_text("Je gesprek is geboekt.")).to_be_visible()
    expect(page.locator(".session")).to_contain_text("13:00–14:00")
    expect(page.locator(".session")).to_contain_text("met Tom Trainer")
    session = Appointment.objects.get(enrolment=place)
    assert session.slot == first

    page.get_by_role("link", name="Verplaatsen").click()
    expect(page.get_by_role("heading", name=re.compile("Verzet je gesprek van"))).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Verzet naar .*, 14:00$")).click()
    expect(page.get_by_text("Je gesprek is verzet.")).to_be_visible()
    expect(page.locator(".session")).to_contain_text("14:00–15:00")
    session.refresh_from_db()
    assert session.slot == second and session.calendar_sequence == 1

    page.locator(".session summary", has_text="Annuleren").click()
    page.get_by_role("button", name="Ja, annuleer dit gesprek").click()
    expect(page.get_by_text("Je gesprek is geannuleerd")).to_be_visible()
    expect(page.locator(".session")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Boek .*"))).to_have_count(2)  # both times free again
    session.refresh_from_db()
    assert session.status == Appointment.Status.CANCELLED
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_trainer_offers_times_and_records_a_session_with_a_note(page: Page, live_site, site_url):
    course_date, trainer = group_date(completion_requires_coaching=True)
    eva = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    place = confirmed_place(course_date, eva)
    earlier = timezone.now() - timedelta(days=3)
    [past] = appointments.slots_publish(course_date=course_date, trainer=trainer, location="Utrecht", actor=trainer,
                                        starts_at=timezone.now() - timedelta(hours=2), now=earlier)
    session = appointments.appointment_book(place=place, slot_id=past.pk, actor=eva, now=earlier)
    log_in(page, site_url, "tom@example.org")
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(site_url + reverse("courses_trainer:date", args=[course_date.pk]))
    page.get_by_role("link", name="Coachgesprekken").click()

    day = timezone.localdate() + timedelta(days=5)
    page.get_by_label("Dag").fill(day.isoformat())
    page.get_by_label("Eerste gesprek begint om").fill("10:00")
    page.get_by_label("Aantal gesprekken achter elkaar").fill("3")
    page.get_by_label("Waar").fill("Utrecht, spreekkamer 2")
    page.get_by_role("button", name="Deze tijden aanbieden").click()
    expect(page.get_by_text("3 tijden aangeboden")).to_be_visible()
    assert CoachingSlot.objects.filter(starts_at__date=day).count() == 3

    row = page.locator(f"#session-{session.pk}")
    row.get_by_role("button", name="Heeft plaatsgevonden").click()
    expect(page.locator(f"#session-{session.pk}")).to_contain_text("heeft plaatsgevonden")
    page.locator(f"#session-{session.pk} textarea").fill("Zoekprofiel besproken.")
    page.locator(f"#session-{session.pk}").get_by_role("button", name="Notitie bewaren").click()
    expect(page.get_by_text("Notitie bewaard.")).to_be_visible()
    session.refresh_from_db()
    assert session.took_place is True and CoachingNote.objects.get().text == "Zoekprofiel besproken."
