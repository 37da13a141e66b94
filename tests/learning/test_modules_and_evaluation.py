"""Module access (teaser, unlocking relative to the date), progress and resume, the evaluation, and the
trainer's gradebook and evaluation summary."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.formats import day
from courses.models import Enrolment, ModulePage
from learning import services
from learning.models import Evaluation, ModuleProgress, QuizAttempt
from tests.factories import (
    UserFactory,
    confirmed_place,
    make_assignment,
    make_course,
    make_date,
    make_module,
    make_trainer,
)

pytestmark = pytest.mark.django_db

SECRET = "Inhoud van de module."  # the factory's module body


def test_visitors_see_a_teaser_and_participants_the_content(client, classroom):
    module = classroom.modules[0]
    html = client.get(module.url).content.decode()
    assert "Deze module is voor deelnemers aan de opleiding." in html and SECRET not in html
    client.force_login(UserFactory())
    assert SECRET not in client.get(module.url).content.decode()
    client.force_login(classroom.coach)
    html = client.get(module.url).content.decode()
    assert SECRET in html and "Kennistoets" in html and "Markeer als klaar" in html


def test_a_module_open_to_everyone_is_public(client, classroom):
    ModulePage.objects.filter(pk=classroom.modules[0].pk).update(open_to_all=True)
    assert SECRET in client.get(classroom.modules[0].url).content.decode()


def test_a_module_opens_relative_to_the_participants_date(client, course):
    module = make_module(course, slug="na-afloop", title="Na afloop", opens_days_from_start=7)
    coach = UserFactory()
    course_date = make_date(course, starts_in=timedelta(days=3))
    confirmed_place(course_date, coach)
    client.force_login(coach)
    html = client.get(module.url).content.decode()
    assert SECRET not in html and "Deze module gaat voor jou open op" in html
    day = course_date.meeting_days.get()
    day.starts_at, day.ends_at = timezone.now() - timedelta(days=8), timezone.now() - timedelta(days=8, hours=-7)
    day.save()
    course_date.save()
    assert SECRET in client.get(module.url).content.decode()


def test_trainers_see_every_module(client, classroom):
    client.force_login(classroom.trainer)
    assert SECRET in client.get(classroom.modules[1].url).content.decode()


def test_marking_done_shows_progress_and_the_dashboard_resumes_where_the_coach_was(client, classroom):
    first, second = classroom.modules
    client.force_login(classroom.coach)
    client.post(f"/learn/modules/{first.pk}/done/")
    client.get(second.url)
    progress = ModuleProgress.objects.get(module=first)
    assert progress.done_at is not None
    dashboard = client.get("/my/courses/").content.decode()
    assert "Online: 1 van 4 onderdelen af (25%)" in dashboard  # 2 modules + 1 quiz + 1 assignment
    assert f'href="{second.url}"' in dashboard
    client.post(f"/learn/modules/{first.pk}/done/", {"done": "0"})
    assert "Online: 0 van 4 onderdelen af (0%)" in client.get("/my/courses/").content.decode()


def test_marking_done_needs_a_place_on_the_course(client, classroom):
    client.force_login(UserFactory())
    assert client.post(f"/learn/modules/{classroom.modules[0].pk}/done/").status_code == 404
    assert not ModuleProgress.objects.exists()


def test_dashboard_queries_do_not_grow_with_courses(client, classroom):
    def queries():
        """Of a request to the warm page (the first after a change fills the shared cache again)."""
        client.get("/my/courses/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/my/courses/").status_code == 200
        return len(captured)

    client.force_login(classroom.coach)
    queries()
    one = queries()
    for n in range(3):  # a second place on the same course is refused, so: other courses
        other_course = make_course(classroom.course.get_parent().specific, slug=f"andere-{n}", title=f"Andere {n}")
        make_module(other_course, title="Hechting", slug="hechting")
        other = make_date(other_course, starts_in=timedelta(days=40 + n))
        confirmed_place(other, classroom.coach)
    assert queries() == one


EVALUATION = {"content_rating": "5", "trainer_rating": "4", "organisation_rating": "3", "usefulness_rating": "5",
              "learned": "Het gesprek met de werkgever.", "improve": "Meer oefenen."}


def test_the_coach_evaluates_once_and_the_trainer_sees_it_without_the_name(client, classroom):
    client.force_login(classroom.coach)
    url = f"/learn/enrolments/{classroom.place.pk}/evaluation/"
    response = client.post(url, {**EVALUATION, "trainer_rating": "9"})
    assert response.status_code == 400 and not Evaluation.objects.exists()
    assert client.post(url, EVALUATION).status_code == 302
    assert Evaluation.objects.get().trainer_rating == 4
    assert client.post(url, EVALUATION).status_code == 302 and Evaluation.objects.count() == 1

    client.force_login(classroom.trainer)
    html = client.get(f"/admin/trainer/dates/{classroom.date.pk}/evaluations/").content.decode()
    assert "1 evaluatie" in html and "Minder dan 5 antwoorden" in html  # one answer is one person's
    assert "Het gesprek met de werkgever." not in html and "(1–5)" not in html
    for _ in range(4):  # four more of the group answered
        Evaluation.objects.create(course_date=classroom.date, submitted_at=timezone.now(),
                                  **{**EVALUATION, "learned": "Iets anders."})
    html = client.get(f"/admin/trainer/dates/{classroom.date.pk}/evaluations/").content.decode()
    assert "5 evaluaties" in html and "Het gesprek met de werkgever." in html and "Meer oefenen." in html
    assert "Eva de Vries" not in html and "eva@example.org" not in html


def test_the_evaluation_opens_on_the_first_day(client, course):
    coach = UserFactory()
    place = confirmed_place(make_date(course, starts_in=timedelta(days=3)), coach)
    client.force_login(coach)
    page = client.get(f"/enrolments/{place.pk}/").content.decode()
    opens = f"De evaluatie van de opleiding opent op {day(place.course_date.starts_at)}, de eerste dag."
    assert opens in page and f"/learn/enrolments/{place.pk}/evaluation/" not in page
    response = client.get(f"/learn/enrolments/{place.pk}/evaluation/", follow=True)
    assert response.redirect_chain[-1][0] == f"/enrolments/{place.pk}/"
    assert opens in response.content.decode()
    with pytest.raises(services.LearningError):
        services.evaluation_submit(enrolment=place, answers={})


def test_someone_elses_evaluation_is_a_404(client, classroom):
    client.force_login(UserFactory())
    assert client.get(f"/learn/enrolments/{classroom.place.pk}/evaluation/").status_code == 404


def test_gradebook_export_and_access(client, classroom):
    services.evaluation_submit(enrolment=classroom.place, answers={
        "content_rating": 4, "trainer_rating": 4, "organisation_rating": 4, "usefulness_rating": 4,
        "learned": "x", "improve": ""})
    client.force_login(classroom.trainer)
    response = client.get(f"/admin/trainer/dates/{classroom.date.pk}/gradebook.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Naam", "E-mail", "Aanwezigheid", "Kennistoets", "Casusverslag", "Geëvalueerd", "Afgerond"]
    assert rows[1] == ["Eva de Vries", "eva@example.org", "0/1", "", "", "ja", ""]
    assert client.get(f"/admin/trainer/dates/{classroom.date.pk}/gradebook.xlsx").status_code == 200
    client.force_login(make_trainer(email="someone-else@example.org"))
    assert client.get(f"/admin/trainer/dates/{classroom.date.pk}/gradebook/").status_code == 404
    assert client.get(f"/admin/trainer/dates/{classroom.date.pk}/evaluations/").status_code == 404


def test_gradebook_queries_do_not_grow_with_participants(client, classroom):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/admin/trainer/dates/{classroom.date.pk}/gradebook/").status_code == 200
        return len(captured)

    client.force_login(classroom.trainer)
    queries()
    one = queries()
    for seat in range(2, 5):  # more participants (the date is past, so placed directly), each with an attempt
        place = Enrolment.objects.create(course_date=classroom.date, user=UserFactory(), seat=seat,
                                         status=Enrolment.Status.CONFIRMED, confirmed_at=timezone.now())
        services.attempt_start(enrolment=place, quiz=classroom.quiz)
    assert queries() == one


def test_the_course_page_shows_a_participant_their_progress(client, classroom):
    first, second = classroom.modules
    services.module_done(enrolment=classroom.place, module=first)
    client.force_login(classroom.coach)
    html = client.get(classroom.course.url).content.decode()
    assert "Online: 1 van 4 onderdelen af (25%)" in html and "Ga verder waar je gebleven was" in html
    assert f'href="{second.url}"' in html
    client.force_login(UserFactory())
    assert "onderdelen af" not in client.get(classroom.course.url).content.decode()


def test_progress_counts_an_assignment_by_its_latest_version_whatever_order_it_was_stored_in(client, classroom):
    """Version 2, approved, stored before version 1, sent back: the assignment counts as done."""
    from learning.models import AssignmentSubmission

    now = timezone.now()
    for version, status in ((2, AssignmentSubmission.Status.APPROVED), (1, AssignmentSubmission.Status.RESUBMIT)):
        AssignmentSubmission.objects.create(enrolment=classroom.place, assignment=classroom.assignment,
                                            version=version, text="Mijn uitwerking.", submitted_at=now, status=status)
    client.force_login(classroom.coach)
    assert "Online: 1 van 4 onderdelen af (25%)" in client.get(classroom.course.url).content.decode()


def test_coursework_moves_with_a_transferred_place(course):
    from learning.models import QuizAttempt
    from places.changes import place_move as place_transfer
    from tests.factories import make_quiz

    module = ModulePage.objects.child_of(course).order_by("path").first()
    quiz = make_quiz(module)
    coach, now = UserFactory(), timezone.now()
    first, later = make_date(course, starts_in=timedelta(days=3)), make_date(course, starts_in=timedelta(days=40))
    place = confirmed_place(first, coach)
    services.module_done(enrolment=place, module=module, now=now)
    attempt = services.attempt_start(enrolment=place, quiz=quiz, now=now)

    moved = place_transfer(enrolment=place, to_date=later, actor=coach)  # the one transfer path

    assert ModuleProgress.objects.get(module=module).enrolment == moved
    assert QuizAttempt.objects.get(pk=attempt.pk).enrolment == moved
    assert services.attempt_start(enrolment=moved, quiz=quiz, now=now).pk == attempt.pk  # carries on, not anew


def test_continue_goes_to_the_quiz_to_retake_and_never_to_a_module_that_is_not_open_yet(client, classroom):
    first, second = classroom.modules
    second.opens_days_from_start = 7  # opens a week after the first day (which was yesterday)
    second.save_revision().publish()
    services.module_done(enrolment=classroom.place, module=first)
    client.force_login(classroom.coach)
    opens = day(classroom.place.course_date.starts_at + timedelta(days=7))

    page = client.get("/my/courses/").content.decode()
    assert f'href="{classroom.quiz.url}"' in page  # the open module's quiz is still to take: that comes first
    assert "De volgende module gaat open" not in page and second.url not in page

    QuizAttempt.objects.create(enrolment=classroom.place, quiz=classroom.quiz, number=1, questions=[],
                               started_at=timezone.now(), submitted_at=timezone.now(), status=QuizAttempt.Status.FAILED)
    page = client.get("/my/courses/").content.decode()
    assert f'href="{classroom.quiz.url}"' in page and "Verder" in page  # the failed quiz, to take again
    assert "De volgende module gaat open" not in page

    QuizAttempt.objects.create(enrolment=classroom.place, quiz=classroom.quiz, number=2, questions=[],
                               started_at=timezone.now(), submitted_at=timezone.now(), status=QuizAttempt.Status.PASSED)
    page = client.get("/my/courses/").content.decode()
    assert f"De volgende module gaat open op {opens}" in page  # nothing left to do today
    assert second.url not in page and classroom.quiz.url not in page


def test_an_assignment_still_to_hand_in_is_the_next_step_before_a_module_that_opens_later(client, classroom):
    """On "Mijn opleidingen" and on the place's page: the first thing the person can do now."""
    first, second = classroom.modules
    assignment = make_assignment(first, title="Casus schrijven", slug="casus-schrijven")
    second.opens_days_from_start = 7
    second.save_revision().publish()
    services.module_done(enrolment=classroom.place, module=first)
    QuizAttempt.objects.create(enrolment=classroom.place, quiz=classroom.quiz, number=1, questions=[],
                               started_at=timezone.now(), submitted_at=timezone.now(), status=QuizAttempt.Status.PASSED)
    client.force_login(classroom.coach)

    for url in ("/my/courses/", f"/enrolments/{classroom.place.pk}/"):
        page = client.get(url).content.decode()
        assert f'href="{assignment.url}"' in page, url
        assert "Volgende stap: Casus schrijven" in page, url
        assert "De volgende module gaat open" not in page, url
