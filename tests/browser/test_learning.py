"""A coach learns and is assessed; a trainer grades; the course is completed."""

import re

import pytest
from playwright.sync_api import Page, expect

from courses.models import CoursePage, ModulePage
from learning import services as learning_services
from learning.models import QuizAttempt
from tests.browser.conftest import log_in
from tests.factories import (
    UserFactory,
    confirmed_place,
    make_assignment,
    make_date,
    make_quiz,
    make_trainer,
    move_to_yesterday,
    pdf_bytes,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def learner(live_site):
    course = CoursePage.objects.get(slug="basistraining")
    preparation, after = ModulePage.objects.child_of(course).order_by("path")
    quiz = make_quiz(preparation)
    assignment = make_assignment(after)
    course_date = make_date(course)
    trainer = make_trainer(email="trainer@example.org", full_name="Tineke Trainer")
    course_date.trainers.add(trainer)
    place = confirmed_place(course_date, UserFactory(email="eva@example.org", full_name="Eva de Vries"))
    day = move_to_yesterday(course_date)
    return type("Learner", (), {"course": course, "quiz": quiz, "assignment": assignment, "date": course_date,
                                "place": place, "day": day, "trainer": trainer, "preparation": preparation})


def answer(page: Page, *, right: bool):
    """Answers the factory quiz (no shuffling): right, or wrong on every question."""
    questions = page.locator("fieldset.question")
    if right:
        questions.nth(0).get_by_label("Als terugkeer in eigen werk niet lukt").check()
        questions.nth(1).get_by_label("Werkgever").check()
        questions.nth(1).get_by_label("Werknemer").check()
        questions.nth(2).get_by_label("Waar", exact=True).check()
    else:
        questions.nth(0).get_by_label("Altijd in week 1").check()
        questions.nth(1).get_by_label("De buren").check()
        questions.nth(2).get_by_label("Onwaar").check()
    page.get_by_role("button", name="Lever mijn antwoorden in").click()
    # Handing in cannot be undone: the page asks once more, with the answers still ticked.
    expect(page.get_by_role("alert")).to_contain_text("Nu inleveren?")
    expect(page.locator("fieldset.question input:checked")).to_have_count(4 if right else 3)
    page.get_by_role("button", name="Ja, definitief inleveren").click()


def test_coach_fails_a_quiz_retakes_it_and_passes(page: Page, learner, site_url):
    log_in(page, site_url, "eva@example.org")
    page.goto(site_url + learner.preparation.url)
    page.get_by_role("button", name="Markeer als klaar").click()
    expect(page.get_by_text("Je hebt deze module afgevinkt.")).to_be_visible()
    expect(page.get_by_text("Online: 1 van 4 onderdelen af (25%)")).to_be_visible()

    page.get_by_role("link", name="Kennistoets").click()
    page.get_by_role("button", name="Start de toets").click()
    answer(page, right=False)
    expect(page.get_by_text("Niet gehaald: je score is 0%, de cesuur 60%.")).to_be_visible()
    expect(page.get_by_text("Nee, pas als spoor 1 niet lukt.")).to_be_visible()  # feedback on the chosen answer

    page.get_by_role("link", name="Terug naar de toets").click()
    expect(page.get_by_text("nog 1 poging")).to_be_visible()
    page.get_by_role("button", name="Probeer opnieuw").click()
    answer(page, right=True)
    expect(page.get_by_text("Gehaald, met een score van 100%.")).to_be_visible()
    page.get_by_role("link", name="Terug naar de toets").click()
    expect(page.get_by_text("Je hebt deze toets gehaald.")).to_be_visible()
    expect(page.get_by_role("button", name="Probeer opnieuw")).to_have_count(0)
    assert list(QuizAttempt.objects.values_list("number", "status")) == [(1, "failed"), (2, "passed")]

    page.goto(site_url + "/my/courses/")
    expect(page.get_by_text("Online: 2 van 4 onderdelen af (50%)")).to_be_visible()


def test_coach_hands_in_the_trainer_grades_and_the_course_is_completed(page: Page, learner, site_url, tmp_path,
                                                                     browser):
    learning_services.attendance_save(course_date=learner.date, present={(learner.place.pk, learner.day.pk): True},
                                      actor=learner.trainer)
    from tests.learning.test_completion import EVALUATION, pass_quiz

    pass_quiz(learner)
    document = tmp_path / "casus.pdf"
    document.write_bytes(pdf_bytes("Mijn casus"))
    fake = tmp_path / "virus.pdf"
    fake.write_bytes(b"MZ" + b"\x00" * 100)

    log_in(page, site_url, "eva@example.org")
    page.goto(site_url + learner.assignment.url)
    page.get_by_label("Jouw document (PDF, DOCX of ODT)").set_input_files(str(fake))
    page.get_by_role("button", name="Inleveren").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit bestand is geen PDF")
    page.get_by_label("Jouw document (PDF, DOCX of ODT)").set_input_files(str(document))
    page.get_by_role("button", name="Inleveren").click()
    expect(page.get_by_text("Ingeleverd. Je trainer gaat ernaar kijken.")).to_be_visible()

    page.goto(site_url + f"/learn/enrolments/{learner.place.pk}/evaluation/")
    for label in ("Inhoud van de opleiding", "De trainer", "Organisatie en locatie", "Bruikbaarheid voor je praktijk"):
        page.get_by_role("group", name=re.compile(label)).get_by_label("4").check()
    page.get_by_label("Wat ga je gebruiken in je praktijk?").fill(EVALUATION["learned"])
    page.get_by_role("button", name="Verstuur mijn evaluatie").click()
    expect(page.get_by_text("Dank je wel voor je evaluatie.")).to_be_visible()
    expect(page.get_by_text("Opdrachten goedgekeurd: 0 / 1")).to_be_visible()

    trainer = browser.new_context(locale="nl-NL").new_page()
    log_in(trainer, site_url, "trainer@example.org")
    trainer.goto(site_url + f"/admin/trainer/dates/{learner.date.pk}/gradebook/")
    trainer.get_by_role("link", name='Beoordeel "Casusverslag" van Eva de Vries').click()
    with trainer.expect_download() as download:
        trainer.get_by_role("link", name="Download casus.pdf").click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    trainer.get_by_label("Feedback voor de deelnemer").fill("Helder beschreven.")
    trainer.get_by_role("button", name="Goedkeuren").click()
    expect(trainer.locator(".messages")).to_contain_text("De beoordeling is opgeslagen")
    expect(trainer.get_by_role("table")).to_contain_text("Goedgekeurd")

    page.goto(site_url + f"/enrolments/{learner.place.pk}/")
    expect(page.get_by_text(re.compile(r"Je hebt deze opleiding afgerond op"))).to_be_visible()
    page.goto(site_url + learner.assignment.url)
    expect(page.get_by_text("Helder beschreven.")).to_be_visible()
