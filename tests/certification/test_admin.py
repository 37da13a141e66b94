"""Certificates in the admin: trainers issue by hand or hold back for their own dates; the office revokes,
reissues, lists and exports; the design has a preview."""

import io

import pytest
from pypdf import PdfReader

from certification.models import Certificate, CertificateDesign, CertificateHold
from courses.models import CoursePage
from learning import services as learning
from learning import services as learning_services
from tests.factories import UserFactory, make_trainer

pytestmark = pytest.mark.django_db


def action(client, classroom, name, reason="", confirmed="1"):
    return client.post(f"/admin/trainer/dates/{classroom.date.pk}/certificates/{classroom.place.pk}/{name}/",
                       {"reason": reason, "confirmed": confirmed}, follow=True)


def test_trainer_issues_by_hand_with_a_reason(client, classroom):
    client.force_login(classroom.trainer)
    page = client.get(f"/admin/trainer/dates/{classroom.date.pk}/certificates/").content.decode()
    assert "Eva de Vries" in page and "Met de hand uitreiken" in page
    # a text input, which the admin styles (without a type it drew no border: a label and a button only)
    assert f'<input type="text" id="issue-{classroom.place.pk}" name="reason" required' in page
    assert "Geef een reden" in action(client, classroom, "issue").content.decode()
    assert not Certificate.objects.exists()
    action(client, classroom, "issue", "Inhaalmoment gevolgd")
    certificate = Certificate.objects.get()
    assert (certificate.issued_by, certificate.issue_reason) == (classroom.trainer, "Inhaalmoment gevolgd")
    refused = client.post(f"/admin/trainer/dates/{classroom.date.pk}/certificates/{classroom.place.pk}/revoke/",
                          {"reason": "x"})  # trainers do not revoke: Wagtail's "permission denied" sends them away
    assert refused.status_code == 302 and "/certificates/" not in refused["Location"]
    assert Certificate.objects.get().status == Certificate.Status.VALID


def test_a_held_back_certificate_is_not_issued_on_completion_until_released(client, classroom,
                                                                           django_capture_on_commit_callbacks):
    CoursePage.objects.filter(pk=classroom.course.pk).update(
        completion_requires_quizzes=False, completion_requires_assignments=False,
        completion_requires_evaluation=False)
    client.force_login(classroom.trainer)
    action(client, classroom, "hold", "Betaling nog niet rond")
    assert CertificateHold.objects.get().reason == "Betaling nog niet rond"

    with django_capture_on_commit_callbacks(execute=True):
        learning_services.attendance_save(course_date=classroom.date, present={
            (classroom.place.pk, classroom.day.pk): True}, actor=classroom.trainer)
    classroom.place.refresh_from_db()
    assert classroom.place.completed_at and not Certificate.objects.exists()
    action(client, classroom, "release")
    assert Certificate.objects.get().enrolment == classroom.place


def test_other_trainers_get_a_404(client, classroom):
    client.force_login(make_trainer(email="ander@example.org"))
    assert client.get(f"/admin/trainer/dates/{classroom.date.pk}/certificates/").status_code == 404
    assert action(client, classroom, "issue", "x").status_code == 404
    assert not Certificate.objects.exists()


def test_the_office_revokes_and_reissues_lists_and_exports(client, classroom):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    action(client, classroom, "issue", "Handmatig")
    first = Certificate.objects.get()
    action(client, classroom, "reissue", "Naam gecorrigeerd")
    second = Certificate.objects.get(status=Certificate.Status.VALID)
    assert second.replaces == first
    asked = action(client, classroom, "revoke", "Ten onrechte uitgereikt", confirmed="")
    assert "Ja, trek het in" in asked.content.decode()
    assert Certificate.objects.get(pk=second.pk).status == Certificate.Status.VALID  # not before confirming
    action(client, classroom, "revoke", "Ten onrechte uitgereikt")
    second.refresh_from_db()
    assert (second.status, second.status_reason, second.status_changed_by) == (
        "revoked", "Ten onrechte uitgereikt", admin)

    listing = client.get("/admin/certificates/?status=revoked").content.decode()
    assert second.number in listing and first.number not in listing
    export = b"".join(client.get("/admin/certificates/?export=csv").streaming_content).decode()
    assert first.number in export and second.number in export


def test_the_design_preview_is_a_pdf_with_the_design(client, classroom):
    design = CertificateDesign.load()
    design.heading, design.signatory_name = "Bewijs van deelname", "Drs. P. de Directeur"
    design.save()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/certificate-design/preview/")
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Bewijs van deelname" in text and "Drs. P. de Directeur" in text
    client.force_login(classroom.coach)
    assert client.get("/admin/certificate-design/preview/").status_code == 302  # no admin access: to login


def test_completion_after_recompute_is_learning_signal_driven(classroom):
    """The certification app acts on learning's signal; without completion nothing is issued."""
    learning.completion_recompute(enrolment=classroom.place)
    assert not Certificate.objects.exists()


def test_a_withdrawn_completion_leaves_the_certificate_valid_and_tells_the_office(
        client, classroom, django_capture_on_commit_callbacks, mailoutbox):
    from core.models import ProviderSettings

    ProviderSettings.objects.update_or_create(pk=ProviderSettings.load().pk, defaults={"email": "office@example.org"})
    CoursePage.objects.filter(pk=classroom.course.pk).update(
        completion_requires_quizzes=False, completion_requires_assignments=False,
        completion_requires_evaluation=False)
    day = (classroom.place.pk, classroom.day.pk)
    with django_capture_on_commit_callbacks(execute=True):
        learning_services.attendance_save(course_date=classroom.date, present={day: True}, actor=classroom.trainer)
    certificate = Certificate.objects.get()
    client.force_login(classroom.trainer)
    page = f"/admin/trainer/dates/{classroom.date.pk}/certificates/"
    assert "Afronding ingetrokken" not in client.get(page).content.decode()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # marked present by mistake
        learning_services.attendance_save(course_date=classroom.date, present={day: False}, actor=classroom.trainer)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    [office] = mailoutbox
    assert office.to == ["office@example.org"] and certificate.number in office.subject
    assert "Eva de Vries" in office.body and page in office.body
    assert "Afronding ingetrokken na uitgifte" in client.get(page).content.decode()


def test_the_office_revokes_from_the_certificates_list_and_the_holder_sees_it_is_no_longer_valid(client, classroom):
    from django.urls import reverse

    office = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(office)
    action(client, classroom, "issue", "Handmatig")
    certificate = Certificate.objects.get()
    revoke = reverse("certificates:revoke", args=[certificate.pk])

    assert revoke in client.get("/admin/certificates/").content.decode()  # in the row's menu
    assert revoke in client.get(reverse("certificates:inspect", args=[certificate.pk])).content.decode()
    without_reason = client.post(revoke, {"reason": "  "}).content.decode()
    assert "Geef een reden." in without_reason
    asked = client.post(revoke, {"reason": "Ten onrechte uitgereikt"}).content.decode()
    assert "Ja, trek het in" in asked and 'value="Ten onrechte uitgereikt"' in asked
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID  # not before confirming
    client.post(revoke, {"reason": "Ten onrechte uitgereikt", "confirmed": "1"})
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == ("revoked", "Ten onrechte uitgereikt")
    assert revoke not in client.get("/admin/certificates/").content.decode()

    client.force_login(certificate.user)
    mine = client.get("/my/certificates/").content.decode()
    assert "dit certificaat is niet meer geldig" in mine and "Ten onrechte uitgereikt" in mine
    assert "Downloaden (PDF)" not in mine and "LinkedIn" not in mine

    client.force_login(classroom.trainer)  # trainers do not revoke
    assert client.get(revoke).status_code in (302, 403)
