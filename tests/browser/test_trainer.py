import re

import pytest
from playwright.sync_api import Page, expect

from courses.models import CoursePage
from tests.factories import PASSWORD, make_trainer

pytestmark = pytest.mark.browser


def test_trainer_edits_a_course_in_the_admin_and_publishes(page: Page, live_site, site_url):
    trainer = make_trainer(email="trainer@example.org")
    course = CoursePage.objects.get(slug="basistraining")
    course.trainers.add(trainer)  # on the course's team
    course.save_revision().publish()

    page.goto(site_url + "/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/"))
    page.get_by_label("E-mail:").fill("trainer@example.org")
    page.get_by_label("Wachtwoord:").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(f"{site_url}/admin/pages/{course.pk}/edit/")
    title = page.locator("#id_title")
    title.fill("Basistraining 2e spoorcoaching (voorjaar)")
    page.get_by_role("button", name="Bewaar concept").click()
    expect(page.locator(".messages")).to_contain_text("is gewijzigd")
    visitor = page.context.browser.new_page()
    visitor.goto(site_url + "/opleidingen/basistraining/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Basistraining 2e spoorcoaching")

    page.locator("footer .w-dropdown-button .w-dropdown__toggle").click()  # Wagtail gives it no name
    page.get_by_role("button", name="Publiceren").click()
    expect(page.locator(".messages")).to_contain_text("gepubliceerd")

    visitor.reload()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Basistraining 2e spoorcoaching (voorjaar)")
    assert CoursePage.objects.get(pk=course.pk).revisions.count() == 4  # made, team set, draft, published
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/"))


def test_trainer_registers_attendance_and_downloads_the_list(page: Page, live_site, site_url):
    from courses import enrolments, seating
    from courses.models import Attendance
    from tests.browser.conftest import log_in
    from tests.factories import UserFactory, make_date, move_to_yesterday

    trainer = make_trainer(email="trainer@example.org")
    course_date = make_date(CoursePage.objects.get(slug="basistraining"))
    course_date.trainers.add(trainer)
    enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=UserFactory(full_name="Anna Aalbers"), billing=seating.Billing()))
    move_to_yesterday(course_date)  # attendance is registered from the day itself on

    log_in(page, site_url, "trainer@example.org")
    page.goto(site_url + "/admin/trainer/dates/")
    expect(page.get_by_text("Je hebt geen komende data.")).to_be_visible()  # it took place yesterday
    page.get_by_role("link", name="Voorbij").click()
    page.get_by_role("link", name="Basistraining 2e spoorcoaching").click()
    page.get_by_label(re.compile("Anna Aalbers aanwezig op")).check()
    page.get_by_role("button", name="Aanwezigheid opslaan").click()
    expect(page.locator(".messages")).to_contain_text("Aanwezigheid opgeslagen.")
    assert Attendance.objects.get().present is True

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteer XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_trainers_new_course_waits_for_the_offices_price_before_anyone_enrols(page: Page, live_site, site_url):
    """It used to go live at €0, "Kosteloos" and bookable: the price is the office's decision."""
    from wagtail.models import Page as WagtailPage

    from courses.models import CourseIndexPage
    from tests.factories import make_date

    make_trainer(email="trainer@example.org")
    page.goto(site_url + "/accounts/login/?next=/admin/")
    page.get_by_label("E-mail:").fill("trainer@example.org")
    page.get_by_label("Wachtwoord:").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    catalogue = CourseIndexPage.objects.get()
    page.goto(f"{site_url}/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    page.locator("#id_title").fill("Secure Base: hechting in de praktijk")
    page.locator("#id_summary").fill("Een dag over hechting.")
    page.get_by_role("tab", name="Praktisch").click()
    expect(page.get_by_text("Het kantoor moet de prijs nog vaststellen.")).to_be_visible()
    expect(page.locator("input[name=price_excl_vat]")).to_have_count(0)
    page.locator("footer .w-dropdown-button .w-dropdown__toggle").click()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.locator(".messages")).to_contain_text("gepubliceerd")

    course = CoursePage.objects.get(title="Secure Base: hechting in de praktijk")
    assert WagtailPage.objects.get(pk=course.pk).live and course.price_excl_vat is None
    make_date(course)
    visitor = page.context.browser.new_page()
    visitor.goto(site_url + course.url)
    expect(visitor.locator(".dates")).to_contain_text("Inschrijving opent binnenkort")
    expect(visitor.get_by_role("link", name="Inschrijven")).to_have_count(0)
    expect(visitor.get_by_text("Kosteloos")).to_have_count(0)
