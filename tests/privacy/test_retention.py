"""The scheduler's retention terms: unconfirmed accounts after 30 days, hand-in files 12 months after the date,
evaluations' link to the person after 2 years, data exports after 7 days."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from learning import services as learning
from learning.models import AssignmentSubmission, Evaluation
from learning.selectors import evaluation_open, evaluation_summary, requirements
from privacy.retention import retention_apply
from tests.factories import UserFactory, make_trainer, pdf_bytes

pytestmark = pytest.mark.django_db


def test_accounts_never_confirmed_go_after_thirty_days_and_nothing_else(site, time_machine):
    never = UserFactory(email="nooit@example.org")
    EmailAddress.objects.filter(user=never).update(verified=False)
    confirmed = UserFactory(email="wel@example.org")
    staff = UserFactory(email="kantoor@example.org", is_staff=True)
    EmailAddress.objects.filter(user=staff).update(verified=False)
    trainer = make_trainer(email="trainer@example.org")  # made in the admin: no address to confirm
    EmailAddress.objects.filter(user=trainer).delete()
    logged_in = UserFactory(email="ingelogd@example.org", last_login=timezone.now())
    EmailAddress.objects.filter(user=logged_in).update(verified=False)

    assert retention_apply(now=timezone.now() + timedelta(days=29))["unconfirmed_accounts"] == 0
    assert retention_apply(now=timezone.now() + timedelta(days=31))["unconfirmed_accounts"] == 1
    assert set(User.objects.values_list("email", flat=True)) >= {"wel@example.org", "kantoor@example.org",
                                                                 "trainer@example.org", "ingelogd@example.org"}
    assert not User.objects.filter(pk=never.pk).exists() and User.objects.filter(pk=confirmed.pk).exists()


def test_hand_in_files_go_twelve_months_after_the_date_the_hand_in_stays(classroom):
    submission = learning.submission_create(enrolment=classroom.place, assignment=classroom.assignment,
                                            upload=SimpleUploadedFile("casus.pdf", pdf_bytes()))
    storage, name = submission.file.storage, submission.file.name
    ended = classroom.date.ends_at

    assert retention_apply(now=ended + timedelta(days=300))["assignment_files"] == 0
    assert retention_apply(now=ended + timedelta(days=370))["assignment_files"] == 1

    submission.refresh_from_db()
    assert not submission.file and submission.file_name == "casus.pdf" and not storage.exists(name)
    assert AssignmentSubmission.objects.count() == 1


def test_evaluations_lose_their_person_after_two_years_and_still_count_for_the_date(classroom):
    learning.evaluation_submit(enrolment=classroom.place, answers={
        "content_rating": 5, "trainer_rating": 3, "organisation_rating": 4, "usefulness_rating": 5,
        "learned": "Het gesprek met de werkgever.", "improve": ""})

    assert retention_apply(now=timezone.now() + timedelta(days=700))["evaluations_detached"] == 0
    assert retention_apply(now=timezone.now() + timedelta(days=740))["evaluations_detached"] == 1

    evaluation = Evaluation.objects.get()
    assert evaluation.enrolment is None and evaluation.course_date == classroom.date
    assert evaluation_summary(classroom.date).count == 1
    classroom.place.refresh_from_db()
    assert not evaluation_open(classroom.place)  # the place remembers it was evaluated: no second one
    assert next(r for r in requirements(classroom.place) if r.label == "Evaluatie").met
