"""A contact person books seats for their people on invoice, names two, one accepts; the office records the bank
transfer and the invoice reads paid."""

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from courses.models import CoursePage, Enrolment, ModulePage
from payments.models import Invoice
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, UserFactory, confirmed_place, make_date, make_organisation

pytestmark = pytest.mark.browser


def invitation_path(email: str) -> str:
    """The link in the invitation mail, as a path on the live server (mails carry the site's own address)."""
    message = next(message for message in reversed(mail.outbox) if message.to == [email])
    return re.search(r"/invitations/\S+/", message.body).group(0)


def test_a_contact_person_books_three_seats_names_two_and_one_accepts_then_the_office_records_the_transfer(
        page: Page, browser, live_site, site_url):
    course = CoursePage.objects.get(slug="basistraining")
    course_date = make_date(course, capacity=5)
    for _ in range(2):
        confirmed_place(course_date, UserFactory())
    contact = UserFactory(email="werkgever@example.org", full_name="Wendy Werkgever")
    make_organisation(contact)
    piet = UserFactory(email="piet@example.org", full_name="Piet Jansen")
    UserFactory(email="office@example.org", is_staff=True, is_superuser=True)

    log_in(page, site_url, "werkgever@example.org")
    page.get_by_role("link", name="Mijn organisatie").click()
    expect(page.get_by_role("heading", name="Re-integratiebureau De Brug")).to_be_visible()
    page.get_by_role("link", name="Plaatsen boeken").click()
    choice = page.get_by_label("Datum").locator("option", has_text="3 vrij")
    expect(choice).to_contain_text("Basistraining")
    page.get_by_label("Datum").select_option(value=choice.get_attribute("value"))
    page.get_by_label("Aantal plaatsen").fill("4")
    expect(page.get_by_label("Je referentie of inkoopnummer")).to_have_value("PO-2027-01")
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Plaatsen boeken").click()
    expect(page.get_by_role("status")).to_contain_text("Er zijn nog maar 3 plaatsen vrij op deze datum.")
    assert not course_date.bookings.exists()

    page.get_by_label("Aantal plaatsen").fill("3")
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Plaatsen boeken").click()
    expect(page.get_by_text("3 plaatsen geboekt. De factuur is onderweg naar facturen@debrug.example.")).to_be_visible()
    invoice = Invoice.objects.get(booking__course_date=course_date)
    expect(page.locator("p", has_text=f"{invoice.number} (PDF)")).to_contain_text("open, te betalen vóór")

    rows = page.get_by_role("list", name="Plaatsen").get_by_role("listitem")
    rows.nth(0).get_by_label("Naam").fill("Piet Jansen")
    rows.nth(0).get_by_label("E-mailadres").fill("piet@example.org")
    rows.nth(0).get_by_role("button", name="Uitnodiging sturen").click()
    expect(page.get_by_text("We hebben piet@example.org een uitnodiging gestuurd")).to_be_visible()
    rows.nth(1).get_by_label("E-mailadres").fill("anna@example.org")
    rows.nth(1).get_by_role("button", name="Uitnodiging sturen").click()
    expect(rows.nth(1)).to_contain_text("nog niet geaccepteerd")
    expect(rows.nth(2)).to_contain_text("Nog te benoemen")

    invited = browser.new_page()
    invited.goto(site_url + invitation_path("piet@example.org"))
    expect(invited.get_by_text("Voor je geboekt door Re-integratiebureau De Brug")).to_be_visible()
    invited.locator("#main").get_by_role("link", name="Inloggen").click()
    invited.get_by_label("E-mail:").fill("piet@example.org")
    invited.get_by_label("Wachtwoord:").fill(PASSWORD)
    invited.get_by_role("button", name="Inloggen").click()
    invited.get_by_label("De contactpersonen van mijn organisatie mogen").check()
    invited.get_by_role("button", name="Mijn plaats accepteren").click()
    expect(invited.get_by_text("De plaats is van jou.")).to_be_visible()
    expect(invited.get_by_text("Je plaats is bevestigd.")).to_be_visible()
    expect(invited.get_by_role("link", name="Mijn inschrijving annuleren")).to_have_count(0)
    invited.goto(site_url + ModulePage.objects.get(slug="voorbereiding").url)  # his own progress, from now on
    invited.get_by_role("button", name="Markeer als klaar").click()
    expect(invited.get_by_text("Je hebt deze module afgevinkt.")).to_be_visible()
    place = Enrolment.objects.get(user=piet)
    assert (place.status, place.booking.organisation.name) == (Enrolment.Status.CONFIRMED,
                                                                "Re-integratiebureau De Brug")
    invited.close()

    page.reload()
    expect(rows.nth(0)).to_contain_text("Piet Jansen · Geaccepteerd")
    expect(rows.nth(0)).to_contain_text("Aanwezig 0 van 1 dagen")  # he shares his progress with De Brug

    office = browser.new_page()
    log_in(office, site_url, "office@example.org")
    office.goto(site_url + f"/admin/invoice/inspect/{invoice.pk}/")
    office.get_by_role("link", name="Bankoverschrijving vastleggen").click()
    office.get_by_label("Bedrag").fill("1.485,00")  # as a Dutch bank statement writes it
    office.get_by_label("Datum van de overschrijving").fill(date.today().strftime("%Y-%m-%d"))
    office.get_by_role("button", name="Overschrijving bekijken").click()
    expect(office.get_by_text("€ 1.485,00 ontvangen op")).to_be_visible()
    office.get_by_role("button", name="Ja, € 1.485,00 vastleggen").click()
    expect(office.get_by_text(re.compile("aangemaakt|toegevoegd")).first).to_be_visible()
    office.close()

    page.goto(site_url + "/my/organisation/")
    expect(page.get_by_role("row").nth(1)).to_contain_text("betaald")


def test_a_contact_person_pays_every_seat_online_in_one_checkout_then_names_them(page: Page, live_site, site_url,
                                                                                 stripe_double):
    stripe_double.double.webhook_url = site_url + "/payments/stripe/webhook/"
    course = CoursePage.objects.get(slug="basistraining")
    course_date = make_date(course, capacity=5)
    contact = UserFactory(email="werkgever@example.org", full_name="Wendy Werkgever")
    make_organisation(contact)

    log_in(page, site_url, "werkgever@example.org")
    page.get_by_role("link", name="Mijn organisatie").click()
    page.get_by_role("link", name="Plaatsen boeken").click()
    page.get_by_label("Datum").select_option(value=str(course_date.pk))
    page.get_by_label("Aantal plaatsen").fill("2")
    page.get_by_label("Nu online, voor alle plaatsen in één keer").check()
    page.get_by_label("Ik ga akkoord").check()
    page.get_by_role("button", name="Plaatsen boeken").click()

    # Stripe's page (the test double) asks for both seats at once; going back keeps them held.
    expect(page.get_by_text("€ 990,00", exact=True)).to_be_visible()
    assert set(course_date.enrolments.values_list("status", flat=True)) == {Enrolment.Status.HELD}
    page.get_by_role("button", name="Cancel and go back").click()
    expect(page.get_by_role("status")).to_contain_text("Betaling open: de plaatsen worden vastgehouden tot")
    expect(page.get_by_role("list", name="Plaatsen")).to_have_count(0)  # nothing to name before it is paid

    page.get_by_role("button", name="Betaal 2 × € 495,00").click()
    page.get_by_role("button", name="Pay € 990,00").click()

    expect(page.get_by_text("Betaald, dank je wel.")).to_be_visible()
    expect(page.locator("p", has_text="(PDF)")).to_contain_text("online betaald op")
    assert set(course_date.enrolments.values_list("status", flat=True)) == {Enrolment.Status.CONFIRMED}
    rows = page.get_by_role("list", name="Plaatsen").get_by_role("listitem")
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_label("E-mailadres").fill("piet@example.org")
    rows.nth(0).get_by_role("button", name="Uitnodiging sturen").click()
    expect(page.get_by_text("We hebben piet@example.org een uitnodiging gestuurd")).to_be_visible()

    page.get_by_role("link", name="Mijn organisatie").last.click()
    expect(page.get_by_role("table")).to_contain_text("online betaald op")
