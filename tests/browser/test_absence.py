"""A participant tells in advance, on her phone, that she will miss a meeting day; the place page says so."""

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from courses.models import AbsenceNotice, CoursePage
from tests.browser.conftest import log_in
from tests.factories import UserFactory, confirmed_place, make_date

pytestmark = pytest.mark.browser


def test_a_participant_reports_an_absence_on_her_phone(page: Page, live_site, site_url):
    course_date = make_date(CoursePage.objects.get(slug="basistraining"), starts_in=timedelta(days=10))
    place = confirmed_place(course_date, UserFactory(email="eva@example.org", full_name="Eva de Vries"))
    log_in(page, site_url, "eva@example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + reverse("places:enrolment", args=[place.pk]))
    page.get_by_text("Ik ben er niet").click()
    page.get_by_label("Reden").fill("Bruiloft van mijn zus")
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_text("Dank je voor het laten weten.")).to_be_visible()
    expect(page.get_by_text("je hebt je afgemeld: Bruiloft van mijn zus")).to_be_visible()
    assert AbsenceNotice.objects.get(enrolment=place).reason == "Bruiloft van mijn zus"
    page.get_by_role("button", name="Ik kan toch komen").click()
    expect(page.get_by_text("Je afmelding is ingetrokken")).to_be_visible()
