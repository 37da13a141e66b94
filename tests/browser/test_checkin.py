"""Self check-in on a 390 px phone: the participant opens the address the trainer's QR code holds, logs in, and
taps "Ik ben er"; the trainer's screen lists her as it happens."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from courses.models import Attendance, CoursePage, MeetingDay
from learning import checkin
from tests.factories import PASSWORD, UserFactory, confirmed_place, make_date, make_trainer
from tests.learning.test_checkin import today_at

pytestmark = pytest.mark.browser


def test_a_participant_checks_in_on_her_phone(page: Page, live_site, site_url, browser):
    course_date = make_date(CoursePage.objects.get(slug="basistraining"), starts_in=timedelta(days=3))
    trainer = make_trainer(email="tineke@example.org")
    course_date.trainers.add(trainer)
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    place = confirmed_place(course_date, coach)
    course_date.meeting_days = [MeetingDay(starts_at=today_at(0, 5), ends_at=today_at(23, 55))]
    course_date.save()
    day = course_date.meeting_days.get()

    trainer_screen = browser.new_page(viewport={"width": 1280, "height": 800})  # the laptop at the front
    trainer_screen.goto(site_url + "/accounts/login/")
    trainer_screen.get_by_label("E-mail:").fill("tineke@example.org")
    trainer_screen.get_by_label("Wachtwoord:").fill(PASSWORD)
    trainer_screen.get_by_role("button", name="Inloggen").click()
    trainer_screen.goto(site_url + reverse("learning_trainer:checkin", args=[day.pk]))
    trainer_screen.get_by_role("button", name="Aanmelden openen").click()
    expect(trainer_screen.get_by_role("img", name="QR-code om je aan te melden")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    day.refresh_from_db()
    page.goto(site_url + reverse("learning:checkin_scan", args=[day.pk, checkin.code_now(day, timezone.now()).code]))
    page.get_by_label("E-mail:").fill("eva@example.org")  # not logged in on this phone yet
    page.get_by_label("Wachtwoord:").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="Ik ben er").click()
    expect(page.get_by_role("heading", name="Je bent aangemeld")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert Attendance.objects.get(enrolment=place, meeting_day=day).present

    expect(trainer_screen.get_by_text("Eva de Vries")).to_be_visible(timeout=10_000)  # the screen's next look
    trainer_screen.close()
