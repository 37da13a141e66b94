from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from courses import selectors
from courses.models import CoursePage, Enrolment, ModulePage
from home.models import HomePage

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {"admin@example.com", "trainer@example.com", "coach@example.com", "alumni@example.com"}


def snapshot():
    return (
        list(CoursePage.objects.order_by("path").values_list("slug", "latest_revision_id")),
        ModulePage.objects.count(),
        User.objects.count(),
    )


def test_seed_builds_the_demo_and_a_second_run_changes_nothing(settings):
    settings.DEMO = True
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")

    assert snapshot() == first
    slugs = [slug for slug, _ in first[0]]
    assert slugs == ["basistraining-2e-spoorcoaching", "secure-base-coach", "groepsprogramma-spoor-2"]
    secure_base = CoursePage.objects.get(slug="secure-base-coach")
    assert [m.title for m in ModulePage.objects.child_of(secure_base).order_by("path")] == [
        "Hechting", "Intimiteit delen", "Afscheid nemen", "Rouw", "Betekenis geven",
    ]
    assert DEMO_EMAILS <= set(User.objects.values_list("email", flat=True))
    assert HomePage.objects.get().get_site().is_default_site


def test_seed_shows_every_state_a_visitor_or_coach_can_meet(settings):
    settings.DEMO = True
    call_command("seed_demo")
    now = timezone.now()
    basis = CoursePage.objects.get(slug="basistraining-2e-spoorcoaching")
    seats_left, full = (selectors.course_dates_upcoming(course=basis, now=now))

    assert 0 < seats_left.seats_taken < seats_left.capacity
    assert full.seats_taken == full.capacity == 10 and full.waitlist_count == 2
    programme = CoursePage.objects.get(slug="groepsprogramma-spoor-2")
    # The group programme's one date began last week (it meets today): nothing to enrol on, so an interest list.
    assert not selectors.course_dates_upcoming(course=programme, now=now) and programme.interest_entries.count() == 4
    group = programme.dates.get()
    assert group.meeting_days.filter(starts_at__date=timezone.localdate()).count() == 1
    assert group.enrolments.get(user__email="coach@example.com").status == Enrolment.Status.CONFIRMED
    coach = User.objects.get(email="coach@example.com")
    assert seats_left.enrolments.get(user=coach).status == Enrolment.Status.CONFIRMED

    client = Client()
    client.force_login(coach)
    html = client.get(basis.url).content.decode()
    assert "Je bent ingeschreven" in html and "Je hebt al een plaats op" in html  # not a second date
    client.force_login(User.objects.get(email="alumni@example.com"))  # her place of last year is history
    html = client.get(basis.url).content.decode()
    assert "Vol" in html and "Zet me op de wachtlijst" in html
    client.force_login(coach)
    assert "Er is nog geen datum gepland." in client.get(programme.url).content.decode()
    place = Enrolment.objects.get(user=coach, course_date=seats_left)
    invoice = place.payments.get().invoices.get()
    page = client.get(f"/enrolments/{place.pk}/").content.decode()
    assert f"Factuur {invoice.number}" in page
    assert client.get(f"/invoices/{invoice.number}.pdf").status_code == 200


def test_seed_shows_a_learner_under_way_and_work_for_the_trainer(settings):
    from learning.models import AssignmentSubmission, QuizAttempt

    settings.DEMO = True
    call_command("seed_demo")
    coach = User.objects.get(email="coach@example.com")
    attempt = QuizAttempt.objects.get(enrolment__user=coach)
    assert attempt.status == QuizAttempt.Status.FAILED
    client = Client()
    client.force_login(coach)
    dashboard = client.get("/my/courses/").content.decode()
    assert "Online: 1 van 4 onderdelen af (25%)" in dashboard  # preparation done; quiz, assignment, module after
    quiz = client.get(attempt.quiz.url).content.decode()
    assert "Niet gehaald" in quiz and "Probeer opnieuw" in quiz

    waiting = AssignmentSubmission.objects.get(status=AssignmentSubmission.Status.SUBMITTED)
    assert waiting.status == AssignmentSubmission.Status.SUBMITTED
    client.force_login(User.objects.get(email="trainer@example.com"))
    gradebook = client.get(f"/admin/trainer/dates/{waiting.enrolment.course_date_id}/gradebook/").content.decode()
    assert 'Beoordeel "Casusbeschrijving" van Deelnemer 1' in gradebook


def test_demo_pages_render_and_demo_accounts_log_in(settings):
    settings.DEMO = True
    call_command("seed_demo")
    client = Client()

    for path in ["/", "/opleidingen/", "/opleidingen/basistraining-2e-spoorcoaching/",
                 "/opleidingen/secure-base-coach/rouw/", "/opleidingen/groepsprogramma-spoor-2/"]:
        assert client.get(path).status_code == 200, path
    response = client.post("/accounts/login/", {"login": "coach@example.com", "password": "demo-wachtwoord"})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    client.logout()
    client.post("/accounts/login/", {"login": "trainer@example.com", "password": "demo-wachtwoord"})
    assert client.get("/admin/").status_code == 200


def test_without_the_demo_setting_no_demo_accounts_are_created(settings):
    settings.DEMO = False
    call_command("seed_demo")
    assert not User.objects.exists()
    assert CoursePage.objects.count() == 3
    assert not Enrolment.objects.exists()


def test_seed_gives_the_alumna_a_certificate_she_can_download_and_verify(settings):
    from certification.models import Certificate

    settings.DEMO = True
    call_command("seed_demo")
    certificate = Certificate.objects.get(user__email="alumni@example.com")
    assert certificate.status == Certificate.Status.VALID and certificate.valid_until
    assert certificate.enrolment.completed_at is not None
    client = Client()
    client.force_login(certificate.user)
    assert certificate.number in client.get("/my/certificates/").content.decode()
    assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 200
    assert "Dit certificaat is echt en geldig." in Client().get(f"/verify/{certificate.code}/").content.decode()


def test_the_alumnas_place_of_last_year_reads_as_completed_then_not_today(settings):
    settings.DEMO = True
    call_command("seed_demo")
    place = Enrolment.objects.get(user__email="alumni@example.com")
    assert place.completed_at is not None and place.completed_at <= place.course_date.ends_at + timedelta(days=1)


def test_seed_has_attendance_for_the_registers(settings):
    from registers import selectors as registers

    settings.DEMO = True
    call_command("seed_demo")
    due = registers.submissions_due()
    assert {(item.course_date.course.slug, item.register.value) for item in due} == {
        ("basistraining-2e-spoorcoaching", "noloc"), ("basistraining-2e-spoorcoaching", "registerplein")}
    recent = due[0].course_date
    entry = next(e for e in registers.register_attendance(recent) if e.register == "registerplein")
    assert entry.numbers == ["204601", "204999"] and [p.user.full_name for p in entry.missing] == ["Hanna Smit"]
    alumna_date = Enrolment.objects.get(user__email="alumni@example.com").course_date
    entry = next(e for e in registers.register_attendance(alumna_date) if e.register == "registerplein")
    assert entry.numbers == ["204518"] and entry.course_id == "118204"


def test_seed_has_a_privacy_statement_linked_in_the_footer_and_on_signup(settings):
    settings.DEMO = True
    call_command("seed_demo")
    client = Client()
    footer = client.get("/").content.decode()
    assert '<a href="/privacy/">Privacyverklaring</a>' in footer
    page = client.get("/privacy/").content.decode()
    assert "Stripe" in page and "zeven jaar" in page and "Mijn profiel" in page
    assert 'href="/privacy/"' in client.get("/accounts/signup/").content.decode()


def test_seed_prints_the_demo_nobco_vignet_on_the_alumnas_certificate(settings):
    import io

    from pypdf import PdfReader

    from certification.models import Certificate
    from core.models import ProviderSettings

    settings.DEMO = True
    call_command("seed_demo")
    assert ProviderSettings.load().nobco_vignet is not None
    certificate = Certificate.objects.get(user__email="alumni@example.com")
    with certificate.pdf.open("rb") as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    assert "NOBCO PE-vignet · 6 uur" in text


def test_the_demo_office_reads_the_demo_bank_statement_and_de_brugs_invoice_is_paid(settings, client):
    """The README's demo step: the statement seed_demo writes pays what De Brug's invoice still asks."""
    from demo.management.commands.seed_demo import DEMO_BANK_STATEMENT
    from payments.models import Invoice
    from payments.selectors import balance

    settings.DEMO = True
    call_command("seed_demo")
    invoice = Invoice.objects.get(kind=Invoice.Kind.INVOICE, booking__organisation__name__contains="De Brug")
    assert balance(invoice).open > 0
    client.force_login(User.objects.get(email="admin@example.com"))
    with DEMO_BANK_STATEMENT.open("rb") as statement:
        preview = client.post("/admin/bank-statements/new/", {"file": statement}, follow=True)
    assert f"Betaalt {invoice.number} volledig" in preview.content.decode()
    client.post(preview.redirect_chain[-1][0], {"confirm": "1"})
    assert balance(invoice).open == 0


def test_on_a_new_day_a_second_seed_adds_only_todays_meeting_day_and_the_trainer_opens_check_in(settings, client):
    from courses.models import MeetingDay

    settings.DEMO = True
    call_command("seed_demo")
    today = MeetingDay.objects.get(course_date__course__slug="groepsprogramma-spoor-2",
                                   starts_at__date=timezone.localdate())
    today.delete()  # as if the demo was seeded on another day
    days_before = MeetingDay.objects.count()
    call_command("seed_demo")
    call_command("seed_demo")
    assert MeetingDay.objects.count() == days_before + 1
    today = MeetingDay.objects.get(course_date__course__slug="groepsprogramma-spoor-2",
                                   starts_at__date=timezone.localdate())

    client.force_login(User.objects.get(email="trainer@example.com"))
    date_page = client.get(f"/admin/trainer/dates/{today.course_date_id}/").content.decode()
    assert f"/admin/trainer/days/{today.pk}/checkin/" in date_page
    assert "Aanmelden openen" in client.get(f"/admin/trainer/days/{today.pk}/checkin/").content.decode()
