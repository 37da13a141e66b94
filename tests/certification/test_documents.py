"""Numbered documents take their number in a short transaction and render their PDF afterwards, once
(core.documents): a PDF that cannot be stored loses neither the certificate nor its number, and two renders
at the same moment keep one document."""

from django.utils import timezone

from accounts.models import RegisterMembership
from certification import services
from certification.models import Certificate
from courses.models import CoursePage
from learning import services as learning_services
from tests.storage import private_storage_unwritable


def complete(classroom, capture) -> None:
    CoursePage.objects.filter(pk=classroom.course.pk).update(
        completion_requires_quizzes=False, completion_requires_assignments=False,
        completion_requires_evaluation=False)
    RegisterMembership.objects.create(user=classroom.coach, register="noloc", number="NL-20931")
    with capture(execute=True):
        learning_services.attendance_save(course_date=classroom.date, present={
            (classroom.place.pk, classroom.day.pk): True}, actor=classroom.trainer)


def test_a_certificate_whose_pdf_could_not_be_stored_keeps_its_number_and_gets_its_pdf_on_download(
        classroom, client, settings, django_capture_on_commit_callbacks):
    with private_storage_unwritable(settings):
        complete(classroom, django_capture_on_commit_callbacks)  # the issuing task fails at the PDF

        certificate = Certificate.objects.get()
        assert certificate.number == f"S2A-{timezone.localdate().year}-000001" and not certificate.pdf

    client.force_login(classroom.coach)
    response = client.get(f"/certificates/{certificate.number}.pdf")

    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    certificate.refresh_from_db()
    assert certificate.number in certificate.pdf.name and len(certificate.sha256) == 64


def test_two_renders_at_once_keep_the_first_stored_document(classroom, settings, django_capture_on_commit_callbacks):
    with private_storage_unwritable(settings):
        complete(classroom, django_capture_on_commit_callbacks)
    first, second = Certificate.objects.get(), Certificate.objects.get()  # both read before either rendered
    folder = f"certificates/{first.year}"
    storage = first.pdf.storage
    before = set(storage.listdir(folder)[1]) if storage.exists(folder) else set()  # a fresh machine has none yet

    services.certificate_pdf_store(first)
    services.certificate_pdf_store(second)

    assert (second.pdf.name, second.sha256) == (first.pdf.name, first.sha256)
    assert set(first.pdf.storage.listdir(folder)[1]) - before == {first.pdf.name.rsplit("/", 1)[1]}
