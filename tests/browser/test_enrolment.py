import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.formats import day
from core.models import ProviderSettings
from courses import enrolments, seating
from courses.models import CoursePage, Enrolment, Voucher
from home.models import HomePage, InfoPage
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, UserFactory, make_course, make_date

pytestmark = pytest.mark.browser


def test_coach_enrols_pays_on_stripes_page_and_the_place_is_confirmed(page: Page, live_site, site_url,
                                                                        stripe_double):
    stripe_double.double.webhook_url = site_url + "/payments/stripe/webhook/"
    course = CoursePage.objects.get(slug="basistraining")
    course_date = make_date(course, capacity=3)
    UserFactory(email="eva@example.org", organisation="Jansen Re-integratie")
    terms = HomePage.objects.get().add_child(instance=InfoPage(title="Algemene voorwaarden", slug="voorwaarden"))
    ProviderSettings.objects.update_or_create(pk=ProviderSettings.load().pk, defaults={"terms_page": terms})

    page.goto(site_url + course.url)  # not logged in yet: the login page says why it asks
    dates = page.get_by_role("region", name="Data")
    expect(dates).to_contain_text("nog 3 plaatsen")
    dates.get_by_role("link", name="Inschrijven").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Log in of maak een account om je in te schrijven voor Basistraining 2e spoorcoaching op "
        f"{day(course_date.starts_at)}.")
    expect(page.get_by_role("link", name="registreer")).to_be_visible()
    page.get_by_label("E-mail:").fill("eva@example.org")
    page.get_by_label("Wachtwoord:").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_label("Bedrijf")).to_be_hidden()  # only when an employer or business pays
    expect(page.get_by_role("link", name="algemene voorwaarden", exact=True)).to_have_attribute("href", terms.url)
    page.get_by_label("Mijn werkgever betaalt").check()
    page.get_by_label("Bedrijf").fill("")
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()
    expect(page.get_by_role("alert")).to_contain_text("Verbeter de velden hieronder")
    expect(page.get_by_text("Nodig als je werkgever betaalt.").first).to_be_visible()
    assert not Enrolment.objects.exists()

    page.get_by_label("Bedrijf").fill("Jansen Re-integratie")
    page.get_by_label("Straat en huisnummer").fill("Stationsplein 1")
    page.get_by_label("Postcode").fill("3511 AB")
    page.get_by_label("Plaats").fill("Utrecht")
    page.get_by_label("Contactpersoon voor de factuur").fill("Piet Jansen")
    page.get_by_label("Referentie of inkoopnummer").fill("PO-2026-17")
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()

    # Stripe's page (the test double): going back keeps the seat held, with a way to pay.
    expect(page.get_by_text("Test payments: no real money moves.")).to_be_visible()
    expect(page.get_by_text("€ 495,00", exact=True)).to_be_visible()
    enrolment = Enrolment.objects.get()
    assert enrolment.status == Enrolment.Status.HELD and enrolment.course_date == course_date
    assert (enrolment.company_name, enrolment.company_reference) == ("Jansen Re-integratie", "PO-2026-17")
    page.get_by_role("button", name="Cancel and go back").click()
    expect(page.get_by_text(re.compile(r"Je plaats wordt voor je vastgehouden tot \d\d:\d\d"))).to_be_visible()
    visitor = page.context.browser.new_page()
    visitor.goto(site_url + course.url)
    expect(visitor.get_by_role("region", name="Data")).to_contain_text("nog 2 plaatsen")

    page.get_by_role("button", name="Betaal € 495,00").click()
    page.get_by_role("button", name="Pay € 495,00").click()

    expect(page.get_by_text("Je plaats is bevestigd")).to_be_visible()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED
    assert enrolment.payments.get().status == "paid"
    summary = page.locator(".place-summary")
    expect(summary).to_contain_text("Mijn werkgever betaalt")
    expect(summary).to_contain_text("Jansen Re-integratie")
    expect(summary).to_contain_text("PO-2026-17")
    expect(page.get_by_role("link", name=re.compile(r"^Factuur .+ \(PDF\)$"))).to_be_visible()
    with page.expect_download() as calendar:
        page.get_by_role("link", name="Zet in agenda").click()
    assert "BEGIN:VEVENT" in open(calendar.value.path()).read()


def test_coach_joins_a_full_waitlist_gets_an_offer_after_a_cancellation_and_accepts(page: Page, live_site,
                                                                                     site_url, browser):
    free_course = make_course(live_site.catalogue, slug="intervisie", title="Intervisie-avond",
                              price_excl_vat=Decimal("0"))
    course_date = make_date(free_course, capacity=1)
    holder = UserFactory(email="houder@example.org")
    enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=holder, billing=seating.Billing()))
    UserFactory(email="wachter@example.org")

    log_in(page, site_url, "wachter@example.org")
    page.goto(site_url + free_course.url)
    expect(page.get_by_role("region", name="Data")).to_contain_text("Vol")
    page.get_by_role("button", name="Zet me op de wachtlijst").click()
    expect(page.get_by_text("Je staat op plaats 1 van de wachtlijst")).to_be_visible()

    other = browser.new_context(locale="nl-NL").new_page()
    log_in(other, site_url, "houder@example.org")
    other.get_by_role("link", name="Mijn opleidingen").click()
    other.get_by_role("link", name="Intervisie-avond").click()
    other.get_by_role("link", name="Mijn inschrijving annuleren").click()
    expect(other.get_by_text("Je plaats gaat naar de volgende op de wachtlijst.")).to_be_visible()
    other.get_by_role("button", name="Ja, annuleer mijn inschrijving").click()
    expect(other.get_by_role("status")).to_contain_text("Je inschrijving is geannuleerd.")

    offer = next(m for m in mail.outbox if m.to == ["wachter@example.org"])
    assert "Er is een plaats vrij voor jou" in offer.subject
    link = re.search(r"https?://\S+(/enrolments/\d+/offer/)", offer.body).group(1)
    page.goto(site_url + link)
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Plaats aannemen").click()

    expect(page.get_by_text("Je plaats is bevestigd.")).to_be_visible()
    assert Enrolment.objects.get(user__email="wachter@example.org", status="confirmed").seat == 1
    confirmation, invitation = [m for m in mail.outbox if m.to == ["wachter@example.org"]][-2:]
    assert "bevestigd" in confirmation.subject and invitation.subject.startswith("Uitnodiging: ")


def test_someone_elses_enrolment_is_a_404(page: Page, live_site, site_url):
    course_date = make_date(CoursePage.objects.get(slug="basistraining"))
    theirs = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    UserFactory(email="nieuwsgierig@example.org")
    log_in(page, site_url, "nieuwsgierig@example.org")
    response = page.goto(f"{site_url}/enrolments/{theirs.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")


def test_a_failed_payment_keeps_the_seat_and_paying_again_confirms_it_with_an_invoice(page: Page, live_site,
                                                                                     site_url, stripe_double):
    stripe_double.double.webhook_url = site_url + "/payments/stripe/webhook/"
    course = CoursePage.objects.get(slug="basistraining")
    course_date = make_date(course, capacity=2)
    UserFactory(email="sanne@example.org")
    log_in(page, site_url, "sanne@example.org")

    page.goto(site_url + f"/dates/{course_date.pk}/enrol/")
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()
    page.get_by_role("button", name="Payment fails").click()

    expect(page.get_by_role("alert")).to_contain_text("De betaling is niet gelukt")
    assert Enrolment.objects.get().status == Enrolment.Status.HELD
    page.get_by_role("button", name="Probeer opnieuw").click()
    page.get_by_role("button", name="Pay € 495,00").click()

    expect(page.get_by_text("Je plaats is bevestigd")).to_be_visible()
    invoice_link = page.get_by_role("link", name=re.compile(r"Factuur \d{4}-\d{6} \(PDF\)"))
    expect(invoice_link).to_be_visible()
    with page.expect_download() as download:
        invoice_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert open(download.value.path(), "rb").read(4) == b"%PDF"


def test_coach_enrols_with_an_early_bird_code_and_pays_the_lower_price(page: Page, live_site, site_url,
                                                                        stripe_double):
    stripe_double.double.webhook_url = site_url + "/payments/stripe/webhook/"
    course = CoursePage.objects.get(slug="basistraining")
    course_date = make_date(course, capacity=3)
    Voucher.objects.create(code="VROEGBOEK", value=Decimal("10"), early_bird_days=14)
    UserFactory(email="eva@example.org")
    log_in(page, site_url, "eva@example.org")
    page.goto(site_url + f"/dates/{course_date.pk}/enrol/")

    page.get_by_label("Kortingscode").fill("vroegboek-fout")
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()
    expect(page.get_by_text("De code VROEGBOEK-FOUT is niet geldig.")).to_be_visible()
    assert not Enrolment.objects.exists()

    page.get_by_label("Kortingscode").fill("vroegboek")
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()
    expect(page.get_by_text("€ 445,50", exact=True)).to_be_visible()  # Stripe's page: 495 less 10 %
    page.get_by_role("button", name="Pay € 445,50").click()

    expect(page.get_by_text("Je plaats is bevestigd")).to_be_visible()
    enrolment = Enrolment.objects.get()
    assert enrolment.payments.get().amount == Decimal("445.50")
    assert Voucher.objects.get().uses == 1


def test_a_self_employed_coach_books_on_invoice_and_sees_what_to_pay_by_when(page: Page, live_site, site_url):
    course = CoursePage.objects.get(slug="basistraining")
    course.invoice_payment = "everyone"
    course.save_revision().publish()
    course_date = make_date(course, capacity=3)
    ProviderSettings.objects.update_or_create(defaults={  # what an e-invoice names of the provider
        "street_address": "Oudegracht 1", "postcode": "3511 AA", "city": "Utrecht", "kvk_number": "12345678",
        "vat_number": "NL001234567B01", "iban": "NL91ABNA0417164300"})
    UserFactory(email="eva@example.org")
    log_in(page, site_url, "eva@example.org")
    page.goto(site_url + f"/dates/{course_date.pk}/enrol/")

    page.get_by_label("Mijn eigen onderneming betaalt (zzp)").check()
    page.get_by_label("Op factuur, per bankoverschrijving binnen 14 dagen").check()
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()
    expect(page.get_by_text("Nodig voor de factuur aan je bedrijf.").first).to_be_visible()
    page.get_by_label("Bedrijf", exact=True).fill("Eva Loopbaancoaching")
    page.get_by_label("Straat en huisnummer").fill("Kerkstraat 3")
    page.get_by_label("Postcode").fill("1234 A")  # one letter short
    page.get_by_label("Plaats").fill("Ergens")
    page.get_by_label("KvK-nummer").fill("87654321")
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()
    expect(page.get_by_text("Een Nederlandse postcode heeft 4 cijfers en 2 letters, bijvoorbeeld 1234 AB.")
           ).to_be_visible()
    expect(page.get_by_label("Plaats")).to_have_value("Ergens")  # nothing typed is lost
    page.get_by_label("Postcode").fill("1234ab")
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Houd mijn plaats vast en ga verder").click()

    expect(page.get_by_text("Je plaats is bevestigd. De factuur is onderweg naar eva@example.org.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="(PDF)")).to_contain_text("te betalen vóór")
    # A business: the invoice is also an e-invoice, next to the PDF.
    expect(page.get_by_role("link", name="e-factuur (UBL)")).to_be_visible()
    invoice = Enrolment.objects.get().booking.invoices.get()
    assert invoice.customer["company"] == "Eva Loopbaancoaching" and invoice.customer["postcode"] == "1234 AB"
