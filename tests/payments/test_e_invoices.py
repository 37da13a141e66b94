"""E-invoices in the Dutch standard (SI-UBL 2.0): every invoice and credit invoice to a business customer exists
as one beside its PDF, goes with the organisation's invoice mail, and downloads one by one or per period for the
bookkeeper. Each document is read back with another parser and the published rules (tests/si_ubl.py)."""

import base64
import hashlib
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Membership
from core.models import ProviderSettings
from courses import enrolments, seating
from courses.forms import EnrolForm
from courses.models import Voucher
from payments.invoices import e_invoice_store, invoice_issue, invoice_pdf_store
from payments.models import Invoice, Payment
from payments.references import creditor_reference
from places import bookings as places_bookings
from tests.factories import UserFactory, make_course, make_date, make_organisation
from tests.si_ubl import NS, findings, parse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def provider(db):
    return ProviderSettings.objects.update_or_create(defaults={
        "name": "Spoor 2 Academy", "street_address": "Oudegracht 123", "postcode": "3511 AB", "city": "Utrecht",
        "kvk_number": "12345678", "vat_number": "NL001234567B01", "iban": "NL91 ABNA 0417 1643 00",
        "email": "office@spoor2.example", "crkbo_registered": True, "crkbo_number": "1234"})[0]


def booked(course, *, seats=3, organisation=None, **organisation_fields):
    """An organisation's seats on invoice, booked by its contact person: the booking, its invoice, the contact."""
    contact = UserFactory(full_name="Wendy Werkgever")
    if organisation is None:
        organisation = make_organisation(contact, **organisation_fields)
    else:
        organisation.memberships.create(user=contact, role=Membership.Role.CONTACT)
    booking = places_bookings.booking_on_invoice(course_date=make_date(course), organisation=organisation,
                                                 booked_by=contact, seats=seats, reference="PO-77")
    return booking, Invoice.objects.get(booking=booking, kind=Invoice.Kind.INVOICE), contact


def paid_place(course_date, billing: seating.Billing, *, code: str = "") -> Invoice:
    """A place paid online (as the Stripe webhook records it), and its invoice."""
    held = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=billing, code=code)
    place = enrolments.enrolment_confirm(enrolment=held)
    payment = Payment.objects.create(enrolment=place, amount=place.price_incl_vat, status=Payment.Status.PAID,
                                     paid_at=timezone.now(), expires_at=timezone.now(),
                                     checkout_session_id=f"cs_{place.pk}")
    return invoice_issue(payment=payment)


def xml_of(invoice: Invoice) -> bytes:
    """The invoice's e-invoice as kept (checked against its checksum). With SI_UBL_DUMP set to a folder, each is
    also written there, for the published validation artefact (scripts/si_ubl_validate.py)."""
    stored = e_invoice_store(invoice)
    with stored.ubl.open("rb") as file:
        content = file.read()
    assert hashlib.sha256(content).hexdigest() == stored.ubl_sha256
    if os.environ.get("SI_UBL_DUMP"):
        case = os.environ["PYTEST_CURRENT_TEST"].split("::")[-1].split(" ")[0][:60]
        Path(os.environ["SI_UBL_DUMP"], f"{case}-{invoice.number}.xml").write_bytes(content)
    return content


def text(root, path: str) -> str:
    return root.xpath(f"string({path})", namespaces=NS)


def iso_7064_holds(reference: str) -> bool:
    """The RF reference's check digits, counted as ISO 11649 says (moved to the end, letters as 10-35, mod 97)."""
    moved = reference[4:] + reference[:4]
    return int("".join(str(int(character, 36)) for character in moved)) % 97 == 1


def test_an_organisations_invoice_and_its_credit_are_si_ubl_documents_with_the_pdf_inside(
        course, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        booking, invoice, contact = booked(course)
    with django_capture_on_commit_callbacks(execute=True):
        places_bookings.seat_cancel(place=booking.places.order_by("seat").last(), actor=contact)
    credit = Invoice.objects.get(kind=Invoice.Kind.CREDIT)

    document = parse(xml_of(invoice))
    assert findings(xml_of(invoice)) == [] and findings(xml_of(credit)) == []
    assert text(document, "/inv:Invoice/cbc:ID") == invoice.number
    assert text(document, "//cbc:BuyerReference") == "PO-77"
    customer = document.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert [text(customer, f"cac:PostalAddress/cbc:{part}") for part in ("StreetName", "PostalZone", "CityName")] \
        == ["Stationsplein 1", "3511 AA", "Utrecht"]
    assert customer.xpath("string(cac:PartyLegalEntity/cbc:CompanyID/@schemeID)", namespaces=NS) == "0106"
    # The CRKBO exemption: category E, its reason the provider's exemption text; the payment: a SEPA transfer to
    # our IBAN naming an RF reference whose check digits hold.
    assert text(document, "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == "E"
    assert "vrijgesteld" in text(document, "//cbc:TaxExemptionReason").lower()
    assert text(document, "//cac:PaymentMeans/cbc:PaymentMeansCode") == "58"
    assert text(document, "//cac:PayeeFinancialAccount/cbc:ID") == "NL91ABNA0417164300"
    reference = text(document, "//cac:PaymentMeans/cbc:PaymentID")
    assert reference == invoice.payment_reference and reference.startswith("RF") and iso_7064_holds(reference)
    assert text(document, "//cac:LegalMonetaryTotal/cbc:PayableAmount") == f"{invoice.total:.2f}"
    # The PDF inside is the PDF as issued.
    attached = base64.b64decode(text(document, "//cbc:EmbeddedDocumentBinaryObject"))
    assert hashlib.sha256(attached).hexdigest() == invoice.pdf_sha256

    credit_note = parse(xml_of(credit))
    assert credit_note.tag == f"{{{NS['cn']}}}CreditNote"
    assert text(credit_note, "//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == invoice.number
    assert text(credit_note, "/cn:CreditNote/cbc:CreditNoteTypeCode") == "381"
    assert text(credit_note, "//cac:LegalMonetaryTotal/cbc:PayableAmount") == f"{-credit.total:.2f}"  # positive

    # The organisation's invoice mail carries both, the e-invoice byte for byte as kept.
    [mail] = [m for m in mailoutbox if m.to == ["facturen@debrug.example"] and invoice.number in m.subject]
    attachments = {name: content for name, content, _type in mail.attachments}
    assert set(attachments) == {f"{invoice.number}.pdf", f"{invoice.number}.xml"}
    assert attachments[f"{invoice.number}.xml"] == xml_of(invoice)
    assert "e-factuur" in mail.body and invoice.payment_reference_printed in mail.body


def test_a_place_paid_online_with_vat_and_a_voucher_is_an_e_invoice_with_nothing_left_to_pay(site):
    course = make_course(site.catalogue, slug="met-btw", vat_treatment="standard", price_excl_vat=Decimal("400.00"))
    Voucher.objects.create(code="VROEG", kind=Voucher.Kind.PERCENT, value=Decimal("10"))
    employer = seating.Billing(billing_type="employer", company_name="Jansen & Zn <Re-integratie>",
                               billing_street="Kerkstraat 3", billing_postcode="1234 AB", billing_city="Ergens",
                               company_contact="Piet Jansen", company_kvk="87654321")
    invoice = paid_place(make_date(course), employer, code="vroeg")
    content = xml_of(invoice)
    document = parse(content)

    assert findings(content) == []
    assert text(document, "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == "S"
    assert text(document, "//cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "21"
    assert text(document, "//cac:TaxTotal/cbc:TaxAmount") == f"{invoice.vat_amount:.2f}"
    assert text(document, "//cac:LegalMonetaryTotal/cbc:PrepaidAmount") == f"{invoice.total:.2f}"
    assert text(document, "//cac:LegalMonetaryTotal/cbc:PayableAmount") == "0.00"
    assert not document.findall("cac:PaymentMeans", NS)  # nothing left to pay
    assert text(document, "//cac:InvoiceLine/cac:AllowanceCharge/cbc:AllowanceChargeReason") == "Korting (VROEG)"
    # Text from people stays text: escaped in the XML, read back as typed.
    assert text(document, "//cac:AccountingCustomerParty//cbc:RegistrationName") == "Jansen & Zn <Re-integratie>"
    assert text(document, "//cbc:BuyerReference") == "Piet Jansen"  # no PO given: the person it is addressed to


def test_a_public_body_is_named_by_its_oin_and_a_foreign_customer_needs_no_kvk(course):
    _booking, invoice, _contact = booked(course, name="Gemeente Utrecht", oin="00000001002220647000",
                                         kvk_number="")
    document = parse(xml_of(invoice))
    assert findings(xml_of(invoice)) == []
    assert document.xpath("string(//cac:AccountingCustomerParty//cbc:EndpointID/@schemeID)", namespaces=NS) == "0190"
    assert text(document, "//cac:AccountingCustomerParty//cac:PartyLegalEntity/cbc:CompanyID") \
        == "00000001002220647000"

    belgian = make_organisation(name="Loopbaan BV", kvk_number="", vat_id="BE0123456749", street="Rue Haute 1",
                                postcode="1000", city="Brussel", country="BE")
    _booking, invoice, _contact = booked(course, organisation=belgian)
    document = parse(xml_of(invoice))
    assert findings(xml_of(invoice)) == []
    assert text(document, "//cac:AccountingCustomerParty//cac:Country/cbc:IdentificationCode") == "BE"


def test_a_broken_document_fails_the_rules(course):
    """The negative control: the checker finds what a receiving package would refuse."""
    _booking, invoice, _contact = booked(course)
    content = xml_of(invoice)
    broken = content.replace(b"<cbc:BuyerReference>PO-77</cbc:BuyerReference>", b"")
    broken = broken.replace(b'schemeID="0106">12345678</cbc:CompanyID>', b'schemeID="0088">12345678</cbc:CompanyID>')
    broken = broken.replace(b"<cbc:InvoiceTypeCode>380", b"<cbc:InvoiceTypeCode>381")
    assert {"BR-NL-1", "BR-NL-2", "BR-NL-8"} <= set(findings(broken))


def test_a_private_person_keeps_the_pdf_only(course, client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = paid_place(make_date(course), seating.Billing())
    person = invoice.payment.enrolment.user

    assert e_invoice_store(invoice) is None
    [mail] = [m for m in mailoutbox if m.to == [person.email] and m.attachments]
    assert [name for name, *_ in mail.attachments] == [f"{invoice.number}.pdf"]
    client.force_login(person)
    assert client.get(f"/invoices/{invoice.number}.pdf").status_code == 200
    assert client.get(f"/invoices/{invoice.number}.xml").status_code == 404


def test_the_contact_person_and_the_bookkeeper_download_them(course, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _booking, invoice, contact = booked(course)
    private_invoice = paid_place(make_date(course), seating.Billing())

    client.force_login(contact)
    overview = client.get(reverse("organisations:overview")).content.decode()
    assert f'href="/invoices/{invoice.number}.xml"' in overview
    response = client.get(f"/invoices/{invoice.number}.xml")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert b"".join(response.streaming_content) == xml_of(invoice)
    client.force_login(UserFactory())
    assert client.get(f"/invoices/{invoice.number}.xml").status_code == 404  # someone else's

    client.force_login(UserFactory(is_superuser=True))
    inspect = client.get(reverse("invoice:inspect", args=[invoice.pk])).content.decode()
    assert reverse("invoice:ubl", args=[invoice.pk]) in inspect
    assert reverse("invoice:zip") in client.get(reverse("invoice:index")).content.decode()
    refused = client.post(reverse("invoice:zip"), {"first_day": "2027-02-01", "last_day": "2027-01-01"})
    assert "De periode eindigt voordat hij begint." in refused.content.decode()
    today = timezone.localdate(invoice.issued_at).isoformat()  # the office's day, not UTC's
    response = client.post(reverse("invoice:zip"), {"first_day": today, "last_day": today})
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert sorted(archive.namelist()) == sorted([f"{invoice.number}.xml", f"{private_invoice.number}.pdf"])
        assert archive.read(f"{invoice.number}.xml") == xml_of(invoice)
        assert findings(archive.read(f"{invoice.number}.xml")) == []


def test_the_rf_reference_is_iso_11649():
    assert creditor_reference("539007547034") == "RF18539007547034"  # the standard's own example
    assert iso_7064_holds(creditor_reference("2026-000012"))


def test_an_invoice_address_is_asked_in_parts_and_a_dutch_postcode_written_as_postnl_does():
    data = {"billing_type": "employer", "company_name": "Werkgever BV", "billing_street": "Straat 1",
            "billing_postcode": "1234ab", "billing_city": "Utrecht", "billing_country": "NL",
            "company_contact": "Piet", "accept_terms": "on"}
    form = EnrolForm(data)
    assert form.is_valid(), form.errors
    assert form.billing().billing_postcode == "1234 AB"
    form = EnrolForm({**data, "billing_postcode": "123"})
    assert not form.is_valid()
    assert form.errors["billing_postcode"] == ["Een Nederlandse postcode heeft 4 cijfers en 2 letters, bijvoorbeeld "
                                               "1234 AB."]
    assert EnrolForm({**data, "billing_postcode": "1000", "billing_country": "BE"}).is_valid()


@pytest.mark.parametrize(("typed", "parts"), [
    ("Brugstraat 12\n3811 AB Amersfoort", ("Brugstraat 12", "3811 AB", "Amersfoort")),
    ("Kerkstraat 3, 1234ab Ergens", ("Kerkstraat 3", "1234 AB", "Ergens")),
    ("Postbus 12\n3500 AA\nUtrecht", ("Postbus 12", "3500 AA", "Utrecht")),
    ("ergens in Utrecht", ("ergens in Utrecht", "", "")),  # left for the office to finish
])
def test_an_address_typed_in_one_field_is_split_where_its_postcode_shows(typed, parts):
    from core.addresses import legacy_address_split

    assert legacy_address_split(typed) == parts


def test_the_employers_invoice_address_gets_the_invoice_and_its_e_invoice(
        course, mailoutbox, django_capture_on_commit_callbacks):
    employer = seating.Billing(billing_type="employer", company_name="Jansen Re-integratie",
                               billing_street="Kerkstraat 3", billing_postcode="1234 AB", billing_city="Ergens",
                               company_contact="Piet Jansen", company_email="crediteuren@jansen.example",
                               company_kvk="87654321")
    with django_capture_on_commit_callbacks(execute=True):
        invoice = paid_place(make_date(course), employer)

    person = invoice.payment.enrolment.user
    [to_person] = [m for m in mailoutbox if m.to == [person.email] and m.attachments]
    [to_employer] = [m for m in mailoutbox if m.to == ["crediteuren@jansen.example"]]
    assert [name for name, *_ in to_person.attachments] == [f"{invoice.number}.pdf"]
    assert {name for name, *_ in to_employer.attachments} == {f"{invoice.number}.pdf", f"{invoice.number}.xml"}
    assert to_employer.body.startswith("Geachte heer, mevrouw,")
    assert person.get_full_name() in to_employer.body and "online betaald: er staat niets meer open" in to_employer.body


def test_a_self_payer_may_put_their_address_on_the_invoice_whole_or_not_at_all(course):
    data = {"billing_type": "self", "accept_terms": "on", "billing_street": "Dorpsstraat 1", "billing_postcode": "",
            "billing_city": "Ergens", "billing_country": "NL"}
    form = EnrolForm(data)
    assert not form.is_valid()
    assert form.errors["billing_postcode"] == ["Vul straat, postcode en plaats in, of laat alle drie leeg."]
    assert EnrolForm({"billing_type": "self", "accept_terms": "on"}).is_valid()  # optional
    form = EnrolForm({**data, "billing_postcode": "9999zz", "company_name": "typed, then switched to self"})
    assert form.is_valid(), form.errors
    billing = form.billing()
    assert (billing.company_name, billing.billing_postcode) == ("", "9999 ZZ")  # a person, not a company

    invoice = paid_place(make_date(course), billing)
    with invoice_pdf_store(invoice).pdf.open("rb") as pdf:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Dorpsstraat 1" in text and "9999 ZZ Ergens" in text
    assert e_invoice_store(invoice) is None  # a private person: the PDF only
