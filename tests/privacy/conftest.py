from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership, RegisterMembership
from core.mail import email_person
from courses import waitlists
from courses.models import CourseAccreditation, CoursePage, InterestEntry
from learning import services as learning
from payments.invoices import invoice_issue
from payments.models import Payment
from registers.models import AttendanceSubmission, ReportedAttendance
from tests.factories import UserFactory, confirmed_place, make_course, make_date, make_organisation, pdf_bytes


@pytest.fixture(autouse=True)
def _private_storage_of_its_own(settings, tmp_path):
    """Each test here starts with an empty private storage, so a scan of it sees this test's files only."""
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "private")}}}


@pytest.fixture
def everything(classroom, site, django_capture_on_commit_callbacks):
    """Eva has every kind of data we keep about a person; Piet, on the same date, has his own."""
    eva, place = classroom.coach, classroom.place
    piet = UserFactory(email="piet@example.org", full_name="Piet Paulusma", phone="0612345678")
    RegisterMembership.objects.create(user=piet, register="registerplein", number="777777")
    eva.phone = "0698765432"
    eva.save()
    RegisterMembership.objects.create(user=eva, register="registerplein", number="204417")
    Membership.objects.create(organisation=make_organisation(name="Re-integratie Oost"), user=eva,
                              shares_progress_since=timezone.now())
    payment = Payment.objects.create(enrolment=place, amount=Decimal("495.00"), status="paid",
                                     paid_at=timezone.now(), expires_at=timezone.now(), checkout_session_id="cs_eva")
    with django_capture_on_commit_callbacks(execute=True):
        invoice_issue(payment=payment)
        email_person(eva, "privacy/email/export_ready", {"export": type("E", (), {
            "user": eva, "expires_at": timezone.now()})()}, links={"link": ("accounts:profile", [])})
    learning.module_visit(enrolment=place, module=classroom.modules[0])
    attempt = learning.attempt_start(enrolment=place, quiz=classroom.quiz)
    learning.attempt_submit(attempt=attempt, data={f"answer-{q['key']}": "0" for q in attempt.questions})
    learning.submission_create(enrolment=place, assignment=classroom.assignment, text="Mijn casus over Henk.",
                               upload=SimpleUploadedFile("casus-eva.pdf", pdf_bytes("Casus van Eva")))
    learning.evaluation_submit(enrolment=place, answers={
        "content_rating": 5, "trainer_rating": 4, "organisation_rating": 4, "usefulness_rating": 5,
        "learned": "De driehoek werkgever, werknemer, coach.", "improve": ""})
    CoursePage.objects.filter(pk=classroom.course.pk).update(  # attendance completes it: a certificate follows
        completion_requires_quizzes=False, completion_requires_assignments=False)
    with django_capture_on_commit_callbacks(execute=True):
        learning.attendance_save(course_date=classroom.date, present={(place.pk, classroom.day.pk): True},
                                 actor=classroom.trainer)
    other_course = make_course(site.catalogue, title="Secure Base coach", slug="secure-base")
    InterestEntry.objects.create(course=other_course, user=eva)
    full = make_date(other_course, capacity=1)
    confirmed_place(full, piet)
    waitlists.waitlist_join(course_date=full, user=eva)
    CourseAccreditation.objects.create(course=classroom.course, register="registerplein", points=6,
                                       pe_online_course_id="31337")
    submission = AttendanceSubmission.objects.create(course_date=classroom.date, register="registerplein",
                                                     status="answered")
    ReportedAttendance.objects.create(submission=submission, enrolment=place, register="registerplein",
                                      number="204417", status="accepted")
    return type("Everything", (), {"eva": eva, "piet": piet, "place": place, "classroom": classroom,
                                   "later": timedelta(days=8)})
