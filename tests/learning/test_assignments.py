"""Handing in an assignment: content-checked uploads, size limits, private files, grading."""

import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from learning import services
from learning.models import AssignmentPage, AssignmentSubmission
from tests.factories import UserFactory, make_trainer, pdf_bytes

pytestmark = pytest.mark.django_db


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def hand_in(client, classroom, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"/learn/assignments/{classroom.assignment.pk}/hand-in/", {"file": upload})


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("casus.pdf", pdf_bytes(), "pdf"), ("casus.docx", docx_bytes(), "docx"), ("casus.odt", odt_bytes(), "odt"),
])
def test_a_coach_hands_in_a_document_that_only_they_and_the_trainer_can_download(client, classroom, name,
                                                                                 content, kind):
    client.force_login(classroom.coach)
    response = hand_in(client, classroom, name, content)
    assert response.status_code == 302
    submission = AssignmentSubmission.objects.get()
    assert (submission.file_kind, submission.file_name, submission.status) == (kind, name, "submitted")
    assert submission.sha256 == hashlib.sha256(content).hexdigest()
    assert not default_storage.exists(submission.file.name)  # in the private storage, never a public media file
    page = client.get(classroom.assignment.url).content.decode()
    assert "Wacht op de trainer" in page and name in page

    url = f"/learn/submissions/{submission.pk}/file/"
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    client.force_login(classroom.trainer)
    assert client.get(url).status_code == 200
    client.force_login(make_trainer(email="other-trainer@example.org"))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("name", "content", "message"), [
    ("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "geen PDF-, Word- (DOCX) of OpenDocument-document"),  # an .exe
    ("archief.docx", b"PK\x03\x04broken", "geen PDF-, Word- (DOCX) of OpenDocument-document"),  # zip-like, none
    ("leeg.pdf", b"", "bestand is leeg"),
])
def test_a_file_that_is_not_a_document_is_refused_with_a_message(client, classroom, name, content, message):
    client.force_login(classroom.coach)
    response = hand_in(client, classroom, name, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert not AssignmentSubmission.objects.exists()


def test_a_50_mb_upload_is_refused_without_storing_it(client, classroom, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    client.force_login(classroom.coach)
    response = hand_in(client, classroom, "groot.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))
    assert response.status_code == 400
    assert "Het bestand is groter dan 10 MB." in response.content.decode()
    assert not AssignmentSubmission.objects.exists()
    assert not any(tmp_path.rglob("*.pdf"))


def test_a_text_assignment_and_an_empty_answer(client, classroom):
    AssignmentPage.objects.filter(pk=classroom.assignment.pk).update(kind="text")
    client.force_login(classroom.coach)
    url = f"/learn/assignments/{classroom.assignment.pk}/hand-in/"
    assert client.post(url, {"text": "   "}).status_code == 400
    assert client.post(url, {"text": "Mijn casus."}).status_code == 302
    assert AssignmentSubmission.objects.get().text == "Mijn casus."


def test_someone_not_on_the_course_cannot_hand_in(client, classroom):
    client.force_login(UserFactory())
    assert hand_in(client, classroom, "casus.pdf", pdf_bytes()).status_code == 404
    assert not AssignmentSubmission.objects.exists()


def test_handing_in_twice_is_refused_until_the_trainer_asks_again(client, classroom):
    client.force_login(classroom.coach)
    hand_in(client, classroom, "casus.pdf", pdf_bytes())
    second = hand_in(client, classroom, "casus.pdf", pdf_bytes("v2"))
    assert second.status_code == 400 and "al ingeleverd" in second.content.decode()

    first = AssignmentSubmission.objects.get()
    with pytest.raises(services.LearningError):  # asking again needs feedback
        services.submission_grade(submission=first, approved=False, feedback=" ", actor=classroom.trainer)
    services.submission_grade(submission=first, approved=False, feedback="Meer over de werkgever.",
                              actor=classroom.trainer)
    page = client.get(classroom.assignment.url).content.decode()
    assert "Graag opnieuw inleveren" in page and "Meer over de werkgever." in page
    assert hand_in(client, classroom, "casus-v2.pdf", pdf_bytes("v2")).status_code == 302
    assert list(AssignmentSubmission.objects.values_list("version", "status")) == [
        (1, "resubmit"), (2, "submitted")]


def test_the_deadline_closes_a_first_hand_in(client, classroom):
    AssignmentPage.objects.filter(pk=classroom.assignment.pk).update(deadline_days_after_end=-3)
    client.force_login(classroom.coach)
    assert "De deadline voor deze opdracht is verstreken" in client.get(classroom.assignment.url).content.decode()
    response = hand_in(client, classroom, "casus.pdf", pdf_bytes())
    assert response.status_code == 400 and not AssignmentSubmission.objects.exists()


def test_trainer_grades_in_the_admin_and_the_coach_gets_an_email(client, classroom,
                                                                 django_capture_on_commit_callbacks):
    submission = services.submission_create(
        enrolment=classroom.place, assignment=classroom.assignment,
        upload=SimpleUploadedFile("casus.pdf", pdf_bytes()))
    client.force_login(classroom.trainer)
    gradebook = client.get(f"/admin/trainer/dates/{classroom.date.pk}/gradebook/").content.decode()
    assert 'Beoordeel "Casusverslag" van Eva de Vries' in gradebook
    url = f"/admin/trainer/dates/{classroom.date.pk}/submissions/{submission.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve", "feedback": "Sterk verslag."})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.graded_by, submission.feedback) == (
        "approved", classroom.trainer, "Sterk verslag.")
    assert mail.outbox[-1].to == ["eva@example.org"]
    assert mail.outbox[-1].subject == 'Je opdracht "Casusverslag" is goedgekeurd'


def test_another_trainer_cannot_grade(client, classroom):
    submission = services.submission_create(
        enrolment=classroom.place, assignment=classroom.assignment,
        upload=SimpleUploadedFile("casus.pdf", pdf_bytes()))
    client.force_login(make_trainer(email="other-trainer@example.org"))
    url = f"/admin/trainer/dates/{classroom.date.pk}/submissions/{submission.pk}/"
    assert client.post(url, {"decision": "approve"}).status_code == 404
    submission.refresh_from_db()
    assert submission.status == "submitted"


def test_deadline_is_relative_to_the_participants_last_day(classroom):
    classroom.assignment.deadline_days_after_end = 14
    deadline = classroom.assignment.deadline_for(classroom.place)
    assert deadline.date() == (classroom.day.ends_at + timedelta(days=14)).astimezone(deadline.tzinfo).date()


@pytest.mark.parametrize(("name", "shown"), [
    ("a.html", "a.pdf"),  # named after what it is: a PDF
    ("invoice\u202efdp.exe", "invoicefdp.pdf"),  # the bidi override that makes it read "invoiceexe.pdf" is gone
    ("\u200b.pdf", "document.pdf"),
])
def test_a_download_is_named_after_what_it_is_not_what_the_participant_called_it(client, classroom, name, shown):
    client.force_login(classroom.coach)
    hand_in(client, classroom, name, pdf_bytes())
    submission = AssignmentSubmission.objects.get()
    assert submission.file_name == shown and "\u202e" not in submission.file.name

    download = client.get(f"/learn/submissions/{submission.pk}/file/")
    assert download["Content-Disposition"] == (
        f'attachment; filename="opdracht-{submission.pk}-eva-de-vries.pdf"')
    assert download["Content-Type"] == "application/pdf"


def zip_bomb_odt(inflated: int = 200 * 1024 * 1024) -> bytes:
    """A few hundred bytes whose `mimetype` entry inflates to `inflated` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(chunk)):
                entry.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_without_inflating_it(client, classroom, monkeypatch):
    from learning import uploads

    bomb = zip_bomb_odt()
    assert len(bomb) < 400_000
    inflated = []
    original_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = original_read(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    client.force_login(classroom.coach)
    response = hand_in(client, classroom, "casus.odt", bomb)
    assert response.status_code == 400
    assert "geen PDF-, Word- (DOCX) of OpenDocument-document" in response.content.decode()
    assert sum(inflated) <= uploads.MIMETYPE_MAX_BYTES + 1  # the directory said 200 MB: nothing was inflated
    assert not AssignmentSubmission.objects.exists()


def test_the_file_is_checked_and_stored_before_any_lock_and_recorded_in_a_short_transaction(classroom, monkeypatch):
    """The slow part (checking, hashing, writing to the bucket) holds no lock: no transaction is open inside the
    test's own when the file is written, and the place is locked only to record it."""
    from django.db import connection

    storage = AssignmentSubmission._meta.get_field("file").storage
    original_save = storage.save
    open_transactions = []

    def save(name, content, *args, **kwargs):
        open_transactions.append(len(connection.savepoint_ids))
        return original_save(name, content, *args, **kwargs)

    monkeypatch.setattr(storage, "save", save)
    submission = services.submission_create(enrolment=classroom.place, assignment=classroom.assignment,
                                            upload=SimpleUploadedFile("casus.pdf", pdf_bytes()))
    assert open_transactions == [0] and storage.exists(submission.file.name)


def test_a_refused_hand_in_leaves_no_file_behind(classroom):
    first = services.submission_create(enrolment=classroom.place, assignment=classroom.assignment,
                                       upload=SimpleUploadedFile("casus.pdf", pdf_bytes()))
    storage = AssignmentSubmission._meta.get_field("file").storage
    folder = first.file.name.rsplit("/", 1)[0]
    with pytest.raises(services.LearningError, match="al ingeleverd"):
        services.submission_create(enrolment=classroom.place, assignment=classroom.assignment,
                                   upload=SimpleUploadedFile("tweede.pdf", pdf_bytes("Tweede")))
    files = storage.listdir(folder)[1]
    assert first.file.name.rsplit("/", 1)[1] in files and not any("tweede" in name for name in files)
