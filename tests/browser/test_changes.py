"""After enrolling: a coach cancels a paid place and gets the policy's refund; the office calls a date off and
the coach moves to another date or takes the money back; an interest list hears of a new date and enrols in
one click; the office revokes a certificate and the verification page says so."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from courses import enrolments, schedule, seating
from courses.models import CoursePage, Enrolment
from payments.models import Payment
from places.checkout import place_checkout_start as checkout_start
from tests.browser.conftest import log_in
from tests.factories import UserFactory, make_date, make_trainer

pytestmark = pytest.mark.browser


def eventually(condition, seconds: float = 5) -> bool:
    """Webhooks and refund tasks run beside the page; waits until `condition()` holds (or gives up)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def paid_place(stripe_double, site_url, course_date, email: str) -> Enrolment:
    """A place paid on the double's page; its webhook reaches the live site as Stripe's would."""
    stripe_double.double.webhook_url = site_url + "/payments/stripe/webhook/"
    held = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(email=email, full_name="Eva de Vries"),
                                   billing=seating.Billing())
    payment = checkout_start(enrolment=held, success_url=site_url + "/", cancel_url=site_url + "/")
    stripe_double.double.pay(payment.checkout_session_id, "paid")
    assert eventually(lambda: Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID)  # the webhook
    # The confirmation and the invoice go out after the webhook's commit, each by its own task: wait for both,
    # so that a test's own mails start after them.
    assert eventually(lambda: {"Je plaats is bevestigd", "Factuur"} <= {
        subject for m in mail.outbox if m.to == [email] for subject in ("Je plaats is bevestigd", "Factuur")
        if m.subject.startswith(subject)})
    return Enrolment.objects.get(pk=held.pk)


def refunded_cents(stripe_double) -> int:
    return sum(payment["refunded"] for payment in stripe_double.double.payments.values())


def test_coach_cancels_a_paid_place_and_gets_what_the_policy_gives_back(page: Page, live_site, site_url,
                                                                         stripe_double):
    course = CoursePage.objects.get(slug="basistraining")
    place = paid_place(stripe_double, site_url, make_date(course), "eva@example.org")  # 30 days ahead: all back
    log_in(page, site_url, "eva@example.org")
    page.goto(f"{site_url}/enrolments/{place.pk}/")

    expect(page.get_by_text("Als je nu annuleert, krijg je € 495,00 terug.")).to_be_visible()
    page.get_by_role("link", name="Mijn inschrijving annuleren").click()
    # A confirmation step first, with what the policy gives back today; nothing has changed yet.
    expect(page.get_by_text(re.compile(r"Als je vandaag \(.+\) annuleert, krijg je €.495,00 terug"))).to_be_visible()
    assert Enrolment.objects.get(pk=place.pk).status == Enrolment.Status.CONFIRMED
    page.get_by_role("button", name="Ja, annuleer mijn inschrijving").click()

    expect(page.get_by_role("status")).to_contain_text("Je inschrijving is geannuleerd.")
    place.refresh_from_db()
    assert place.status == Enrolment.Status.CANCELLED
    assert eventually(lambda: refunded_cents(stripe_double) == 49500)  # a task asks Stripe after the commit


def test_the_office_calls_a_date_off_and_the_coach_moves_to_another_date(page: Page, live_site, site_url,
                                                                          stripe_double, browser):
    course = CoursePage.objects.get(slug="basistraining")
    called_off = make_date(course, location_name="Zeist")
    make_date(course, location_name="Amersfoort")
    place = paid_place(stripe_double, site_url, called_off, "eva@example.org")
    UserFactory(email="office@example.org", is_superuser=True)
    mail.outbox.clear()

    office = browser.new_context(locale="nl-NL").new_page()
    log_in(office, site_url, "office@example.org")
    office.goto(f"{site_url}/admin/trainer/dates/{called_off.pk}/")
    office.get_by_label("Reden (zichtbaar in de geschiedenis)").fill("De trainer is ziek")
    office.get_by_role("button", name="Annuleer de datum en bericht iedereen").click()
    expect(office.get_by_text(re.compile("1 bevestigde deelnemer verliest de plaats"))).to_be_visible()  # asks first
    office.get_by_role("button", name="Ja, annuleer deze datum").click()
    expect(office.get_by_text("1 mensen zijn op de hoogte gebracht")).to_be_visible()

    [notice] = [m for m in mail.outbox if m.to == ["eva@example.org"] and m.subject.startswith("Datum geannuleerd")]
    link = re.search(r"https?://\S+(/enrolments/\d+/)", notice.body).group(1)
    log_in(page, site_url, "eva@example.org")
    page.goto(site_url + link)
    expect(page.get_by_role("button", name="Ik wil mijn geld terug")).to_be_visible()
    page.get_by_role("link", name="Naar een andere datum").first.click()
    page.get_by_label(re.compile("Amersfoort")).check()
    page.get_by_role("button", name="Verzet mijn plaats").click()

    expect(page.get_by_role("status")).to_contain_text("Je plaats is verzet.")
    expect(page.get_by_text("Amersfoort")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Factuur \d{4}-\d{6} \(PDF\)"))).to_be_visible()  # paid
    moved = Enrolment.objects.get(user=place.user, status=Enrolment.Status.CONFIRMED)
    assert moved.course_date.location_name == "Amersfoort" and refunded_cents(stripe_double) == 0


def test_the_interest_list_hears_of_a_new_date_and_enrols_in_one_click(page: Page, live_site, site_url):
    course = CoursePage.objects.get(slug="basistraining")
    UserFactory(email="eva@example.org")
    log_in(page, site_url, "eva@example.org")
    page.goto(site_url + course.url)
    page.get_by_role("button", name="Meld me aan voor de interesselijst").click()
    expect(page.get_by_text("Je staat op de interesselijst").first).to_be_visible()

    course_date = make_date(course, location_name="Utrecht")
    schedule.dates_announce()  # the scheduler's periodic task
    [announcement] = [m for m in mail.outbox if m.to == ["eva@example.org"]]
    link = re.search(r"https?://\S+(/dates/\d+/enrol/\S*)", announcement.body).group(1)
    page.goto(site_url + link)
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()

    expect(page.get_by_text("Test payments: no real money moves.")).to_be_visible()  # on to Stripe's page
    assert Enrolment.objects.get(user__email="eva@example.org").course_date == course_date
    page.goto(site_url + course.url)
    expect(page.get_by_role("button", name="Meld me aan voor de interesselijst")).to_have_count(0)


def test_the_office_revokes_a_certificate_and_the_verification_page_says_so(page: Page, live_site, site_url):
    from certification.services import certificate_issue

    course_date = make_date(CoursePage.objects.get(slug="basistraining"))
    place = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(full_name="Eva de Vries"),
                                    billing=seating.Billing())
    enrolments.enrolment_confirm(enrolment=place)
    trainer = make_trainer(email="trainer@example.org")
    certificate = certificate_issue(enrolment=place, actor=trainer, reason="Inhaalmoment gevolgd")
    UserFactory(email="office@example.org", is_superuser=True)

    log_in(page, site_url, "office@example.org")
    page.goto(f"{site_url}/admin/trainer/dates/{course_date.pk}/certificates/")
    expect(page).to_have_title(re.compile("Certificaten"))
    page.get_by_label("Reden").nth(1).fill("Fraude met de aanwezigheid")  # the second form: revoke
    page.get_by_role("button", name="Intrekken").click()
    expect(page.get_by_text("Fraude met de aanwezigheid")).to_be_visible()  # what will happen, before it does
    page.get_by_role("button", name="Ja, trek het in").click()
    expect(page.get_by_text(f"Certificaat {certificate.number} is ingetrokken.")).to_be_visible()

    page.goto(f"{site_url}/verify/{certificate.code}/")
    expect(page.get_by_role("status")).to_contain_text("Dit certificaat is ingetrokken op")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eva de Vries")


def test_the_office_refunds_part_of_a_payment_from_the_admin(page: Page, live_site, site_url, stripe_double):
    """"12,50" typed in Dutch is twelve euros fifty, shown on a step that says what happens before Stripe is asked."""
    place = paid_place(stripe_double, site_url, make_date(CoursePage.objects.get(slug="basistraining")),
                       "eva@example.org")
    payment = place.payments.get()
    invoice = payment.invoices.get()
    UserFactory(email="office@example.org", is_superuser=True)
    log_in(page, site_url, "office@example.org")

    page.goto(f"{site_url}/admin/payment/inspect/{payment.pk}/")
    page.get_by_role("link", name="Terugbetalen").click()
    expect(page.get_by_role("combobox", name="Betaling")).to_have_value(str(payment.pk))  # chosen already
    expect(page.get_by_role("combobox", name="Betaling").locator("option:checked")).to_contain_text("Eva de Vries")
    page.get_by_role("textbox", name="Bedrag").fill("600")
    page.get_by_role("textbox", name="Reden").fill("Kwam een uur later")
    page.get_by_role("button", name="Terugbetaling bekijken").click()
    expect(page.get_by_text("Er kan nog hoogstens € 495,00 worden terugbetaald.")).to_be_visible()

    page.get_by_role("textbox", name="Bedrag").fill("12,50")
    page.get_by_role("button", name="Terugbetaling bekijken").click()
    expect(page.get_by_role("heading", name="€ 12,50 terugbetalen?")).to_be_visible()
    expect(page.get_by_text(f"Factuur {invoice.number} wordt gecrediteerd met € 12,50")).to_be_visible()
    assert refunded_cents(stripe_double) == 0  # nothing moved yet
    page.get_by_role("button", name="Ja, € 12,50 terugbetalen").click()
    expect(page.get_by_text("Terugbetaling '€ 12,50 · Wordt terugbetaald' aangemaakt.")).to_be_visible()
    assert eventually(lambda: refunded_cents(stripe_double) == 1250)  # never € 1.250,00
    page.goto(f"{site_url}/admin/payment/inspect/{payment.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Terugbetalen")).to_be_visible()  # € 482,50 is left to give back


def test_an_alumna_sees_last_years_place_as_history_she_can_no_longer_cancel_or_move(page: Page, live_site,
                                                                                   site_url):
    from django.utils import timezone

    from tests.factories import PASSWORD, confirmed_place, move_to_yesterday

    course = CoursePage.objects.get(slug="basistraining")
    course_date = make_date(course, starts_in=timedelta(days=3))
    alumna = UserFactory(email="alumna@example.org", full_name="Anne Alumna")
    alumna.set_password(PASSWORD)
    alumna.save()
    place = confirmed_place(course_date, alumna)
    move_to_yesterday(course_date)
    Enrolment.objects.filter(pk=place.pk).update(completed_at=timezone.now())
    make_date(course, starts_in=timedelta(days=40))  # a date she could have moved to

    log_in(page, site_url, "alumna@example.org")
    page.get_by_role("link", name="Mijn opleidingen").click()
    expect(page.get_by_text(re.compile("Afgerond op"))).to_be_visible()
    page.get_by_role("link", name="Basistraining 2e spoorcoaching").click()

    expect(page.get_by_text(re.compile(r"Je hebt deze opleiding afgerond op \w+ \d+ \w+ \d{4}\."))).to_be_visible()
    expect(page.get_by_text("We zien je graag")).to_have_count(0)
    expect(page.get_by_role("link", name="Naar een andere datum")).to_have_count(0)
    expect(page.get_by_role("link", name="Mijn inschrijving annuleren")).to_have_count(0)
    page.goto(f"{site_url}/enrolments/{place.pk}/transfer/")
    expect(page.get_by_role("status")).to_contain_text("kan niet meer naar een andere datum")


def test_the_office_moves_a_participant_who_was_ill_on_the_day_to_a_later_date(page: Page, live_site, site_url):
    from tests.factories import confirmed_place, move_to_yesterday

    course = CoursePage.objects.get(slug="basistraining")
    course_date = make_date(course, starts_in=timedelta(days=3))
    place = confirmed_place(course_date, UserFactory(email="eva@example.org", full_name="Eva de Vries"))
    move_to_yesterday(course_date)
    later = make_date(course, starts_in=timedelta(days=40), location_name="Amersfoort")
    UserFactory(email="office@example.org", is_superuser=True)

    log_in(page, site_url, "office@example.org")
    page.goto(f"{site_url}/admin/trainer/dates/{course_date.pk}/")
    form = page.get_by_role("group", name="Eva de Vries")
    form.get_by_label("Reden voor het verplaatsen (zichtbaar in de geschiedenis)").fill("Ziek op de dag zelf")
    form.get_by_role("button", name="Verplaatsen").click()
    expect(page.get_by_text(re.compile("Reden, bewaard in de geschiedenis van de plaats: Ziek op de dag zelf"))
           ).to_be_visible()
    page.get_by_role("button", name="Ja, verplaats de plaats").click()
    expect(page.locator(".messages")).to_contain_text("Eva de Vries is verplaatst naar")
    assert later.enrolments.get().user == place.user
