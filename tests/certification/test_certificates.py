"""Certificates: issued once on completion, read back from the PDF and its QR code, verified publicly."""

import io
import shutil
import subprocess
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, connections, transaction  # noqa: F401 - connection: skipif
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import RegisterMembership
from certification import services
from certification.models import Certificate
from core.formats import day
from courses.models import CoursePage
from learning import services as learning
from learning import services as learning_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(classroom, django_capture_on_commit_callbacks):
    """The classroom's participant completes the course (attendance is the only rule here)."""
    CoursePage.objects.filter(pk=classroom.course.pk).update(
        completion_requires_quizzes=False, completion_requires_assignments=False,
        completion_requires_evaluation=False, certificate_validity_years=4)
    RegisterMembership.objects.create(user=classroom.coach, register="noloc", number="NL-20931")
    with django_capture_on_commit_callbacks(execute=True):
        learning_services.attendance_save(course_date=classroom.date, present={
            (classroom.place.pk, classroom.day.pk): True}, actor=classroom.trainer)
    return classroom


def pdf_text(certificate: Certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_completing_issues_one_certificate_with_everything_on_it(completed):
    certificate = Certificate.objects.get()
    assert certificate.user == completed.coach and certificate.status == Certificate.Status.VALID
    assert certificate.number == f"S2A-{timezone.localdate().year}-000001"
    issued_on = timezone.localdate(certificate.issued_at)  # the day in the Netherlands, also just after midnight
    assert certificate.valid_until == issued_on.replace(year=issued_on.year + 4)
    text = pdf_text(certificate)
    for expected in ("Eva de Vries", "Basistraining 2e spoorcoaching", certificate.number,
                     certificate.code, "Noloc: 6 PE-punten (accreditatie NL-118)", "registernummer NL-20931",
                     "6 netto contacturen"):
        assert expected in text, expected
    with certificate.pdf.open("rb") as handle:
        import hashlib

        assert hashlib.sha256(handle.read()).hexdigest() == certificate.sha256


def test_recomputing_completion_never_issues_a_second(completed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            learning.completion_recompute(enrolment=completed.place)
            services.certificate_issue(enrolment=completed.place)
    assert Certificate.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        old = Certificate.objects.get()
        old.pk, old.number, old.sequence, old.code = None, "S2A-0000-000009", 9, "other"
        old.save()


def test_the_qr_code_on_the_rendered_page_is_the_verification_url(completed, tmp_path):
    certificate = Certificate.objects.get()
    source = tmp_path / "certificaat.pdf"
    with certificate.pdf.open("rb") as handle:
        source.write_bytes(handle.read())
    # poppler renders the page, zbar reads the code: both independent of how we drew it (make system-deps).
    subprocess.run([shutil.which("pdftoppm"), "-r", "150", "-png", "-singlefile", str(source),
                    str(tmp_path / "page")], check=True)
    decoded = subprocess.run([shutil.which("zbarimg"), "--quiet", "--raw", str(tmp_path / "page.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded == services.verify_url(certificate)
    assert decoded.endswith(f"/verify/{certificate.code}/")


def test_the_verification_page_for_each_status(client, completed):
    certificate = Certificate.objects.get()
    url = f"/verify/{certificate.code}/"
    html = client.get(url).content.decode()
    assert "Dit certificaat is echt en geldig." in html and "Eva de Vries" in html
    assert "eva@example.org" not in html and "NL-20931" not in html
    assert client.get(f"/verify/{certificate.code}.json").json() == {
        "number": certificate.number, "holder": "Eva de Vries", "course": "Basistraining 2e spoorcoaching",
        "issued_on": timezone.localdate(certificate.issued_at).isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "status": "valid", "status_since": None, "reason": None, "provider": certificate.provider["name"],
    }

    certificate.valid_until = timezone.localdate() - timedelta(days=1)
    certificate.save()
    assert "maar is verlopen op" in client.get(url).content.decode()
    assert client.get(f"/verify/{certificate.code}.json").json()["status"] == "expired"

    certificate.refresh_from_db()
    services.certificate_revoke(certificate=certificate, actor=completed.trainer, reason="Fraude")
    html = client.get(url).content.decode()
    today = day(timezone.localdate())
    assert f"Dit certificaat is ingetrokken op {today}: het is niet meer geldig." in html
    assert "Reden: Fraude" in html  # as the revoke form promised
    assert "Geldig tot" not in html and f"nee, niet meer sinds {today}" in html  # no validity left to show
    facts = client.get(f"/verify/{certificate.code}.json").json()
    assert facts["status"] == "revoked" and facts["reason"] == "Fraude" and facts["valid_until"] is None
    assert facts["status_since"] == timezone.localdate().isoformat()


def test_unknown_codes_are_a_404_that_tells_nothing_and_guessing_is_rate_limited(client, completed, time_machine):
    time_machine.move_to(timezone.now().replace(second=1), tick=False)  # the limit counts per clock minute
    cache.clear()
    response = client.get("/verify/bestaat-niet/")
    assert response.status_code == 404 and "Pagina niet gevonden" in response.content.decode()  # the site's own
    assert "certifica" not in response.content.decode().lower()
    assert client.get("/verify/bestaat-niet.json").status_code == 404
    statuses = [client.get(f"/verify/gok-{n}/").status_code for n in range(40)]
    assert statuses.count(429) >= 9 and set(statuses) == {404, 429}


def test_reissue_replaces_the_old_and_both_stay_traceable(client, completed):
    old = Certificate.objects.get()
    completed.coach.full_name = "Eva van Dijk-de Vries"
    completed.coach.save()
    new = services.certificate_reissue(certificate=old, actor=completed.trainer, reason="Naamswijziging")
    old.refresh_from_db()
    assert old.status == Certificate.Status.REPLACED and new.replaces == old and old.replaced_by == new
    assert new.number != old.number and "Eva van Dijk-de Vries" in pdf_text(new)
    assert "vervangen door een nieuwer certificaat" in client.get(f"/verify/{old.code}/").content.decode()
    with pytest.raises(services.CertificateError):
        services.certificate_revoke(certificate=old, actor=completed.trainer, reason="x")


def test_issuing_by_hand_needs_a_reason_and_a_confirmed_place(classroom):
    with pytest.raises(services.CertificateError):
        services.certificate_issue(enrolment=classroom.place, actor=classroom.trainer, reason=" ")
    assert services.certificate_issue(enrolment=classroom.place) is None  # not completed: nothing automatic
    certificate = services.certificate_issue(enrolment=classroom.place, actor=classroom.trainer,
                                             reason="Aanwezigheid elders ingehaald")
    assert certificate.issued_by == classroom.trainer and certificate.issue_reason == "Aanwezigheid elders ingehaald"


def test_holders_download_only_their_own(client, completed):
    certificate = Certificate.objects.get()
    client.force_login(completed.coach)
    mine = client.get("/my/certificates/").content.decode()
    assert certificate.number in mine and f"/verify/{certificate.code}/" in mine
    response = client.get(f"/certificates/{certificate.number}.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(UserFactory())
    assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 404
    assert certificate.number not in client.get("/my/certificates/").content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="real parallel writers need PostgreSQL")
def test_numbers_have_no_gaps_or_duplicates_under_concurrency(course):
    from tests.factories import confirmed_place, make_date, make_trainer

    trainer = make_trainer()
    course_date = make_date(course)
    places = [confirmed_place(course_date, UserFactory()) for _ in range(10)]
    barrier = threading.Barrier(len(places))

    def issue(place):
        try:
            barrier.wait()
            services.certificate_issue(enrolment=place, actor=trainer, reason="test")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(place,)) for place in places]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == list(range(1, 11))


def test_holders_are_reminded_once_three_months_before_expiry(completed, django_capture_on_commit_callbacks):
    from django.core import mail

    certificate = Certificate.objects.get()
    today = timezone.localdate()
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=today + timedelta(days=100))
    assert services.expiry_reminders_send() == 0
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=today + timedelta(days=90))
    mail.outbox.clear()
    assert services.expiry_reminders_send() == 1
    assert services.expiry_reminders_send() == 0
    [reminder] = mail.outbox
    assert reminder.to == ["eva@example.org"]
    assert reminder.subject == "Je certificaat voor Basistraining 2e spoorcoaching verloopt binnenkort"
    assert completed.course.url in reminder.body and certificate.number in reminder.body


def test_behind_a_load_balancer_each_visitor_has_their_own_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CERTIFICATE_VERIFY_LIMIT_PER_MINUTE = 3
    cache.clear()
    for visitor in ("203.0.113.7", "198.51.100.9"):
        statuses = [client.get("/verify/onbekend/", HTTP_X_FORWARDED_FOR=f"10.0.0.1, {visitor}").status_code
                    for _ in range(4)]
        assert statuses == [404, 404, 404, 429]


def test_the_reminder_and_the_alumni_page_point_to_the_recertification_course_while_it_is_live(
        completed, client, django_capture_on_commit_callbacks):
    from django.core import mail

    from tests.factories import make_course

    renewal = make_course(completed.course.get_parent().specific, title="Hercertificering 2e spoorcoaching",
                          slug="hercertificering")
    CoursePage.objects.filter(pk=completed.course.pk).update(recertification_course=renewal)
    certificate = Certificate.objects.get()
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=timezone.localdate() + timedelta(days=60))
    mail.outbox.clear()

    services.expiry_reminders_send()
    [reminder] = mail.outbox
    assert "Hercertificering 2e spoorcoaching" in reminder.body and renewal.url in reminder.body
    client.force_login(certificate.user)
    html = client.get("/my/certificates/").content.decode()
    assert f'href="{renewal.url}"' in html and "Hercertificeren" in html

    renewal.unpublish()  # no longer offered: back to the course itself
    html = client.get("/my/certificates/").content.decode()
    assert f'href="{completed.course.url}"' in html and renewal.url not in html


def test_a_course_with_a_nobco_accreditation_prints_the_vignet_with_the_hours(classroom,
                                                                               django_capture_on_commit_callbacks):
    from pypdf import PdfReader
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from core.models import ProviderSettings
    from courses.models import CourseAccreditation

    provider = ProviderSettings.load()
    provider.nobco_vignet = Image.objects.create(title="NOBCO PE-vignet", file=get_test_image_file())
    provider.save()
    CourseAccreditation.objects.create(course=classroom.course, register="nobco", points=6, accreditation_id="PE-931")
    CoursePage.objects.filter(pk=classroom.course.pk).update(
        completion_requires_quizzes=False, completion_requires_assignments=False, completion_requires_evaluation=False)
    with django_capture_on_commit_callbacks(execute=True):
        learning_services.attendance_save(course_date=classroom.date, present={
            (classroom.place.pk, classroom.day.pk): True}, actor=classroom.trainer)

    certificate = Certificate.objects.get()
    assert "NOBCO PE-vignet · 6 uur" in pdf_text(certificate)
    with certificate.pdf.open("rb") as handle:
        page = PdfReader(io.BytesIO(handle.read())).pages[0]
    assert len(page.images) >= 1  # the vignet (the QR code is drawn, not an image)


def test_without_a_nobco_accreditation_there_is_no_vignet(completed):
    assert "PE-vignet" not in pdf_text(Certificate.objects.get())
