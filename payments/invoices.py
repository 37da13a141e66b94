"""Invoices for paid places and credit invoices for refunds, as Dutch rules want them: numbered per year
without gaps, with the supplier's and customer's details, VAT or the CRKBO exemption text, kept for good."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from core.addresses import NETHERLANDS, address_lines
from core.audit import record
from core.documents import render_once
from core.mail import Attachment, email, email_person
from core.models import ProviderSettings
from core.sequences import next_number
from core.storage import read_verified
from core.tasks import enqueue_with_change
from courses.models import CENT, BillingType, Booking

from .models import Invoice, InvoiceSequence, Payment, Refund
from .pdf import invoice_pdf
from .references import creditor_reference
from .selectors import balance
from .ubl import e_invoice_possible, e_invoice_xml


def _next_number(year: int) -> tuple[int, str]:
    number = next_number(InvoiceSequence, year)
    return number, f"{year}-{number:06d}"


def _supplier(provider: ProviderSettings) -> dict:
    """The provider as the invoice names it (a Dutch training provider: its address is in the Netherlands)."""
    return {"name": provider.name, "address": provider.street_address,
            "postcode_city": f"{provider.postcode} {provider.city}".strip(), "street": provider.street_address,
            "postcode": provider.postcode, "city": provider.city, "country": NETHERLANDS, "email": provider.email,
            "kvk": provider.kvk_number, "vat_id": provider.vat_number, "iban": provider.iban,
            "crkbo": provider.crkbo_number if provider.crkbo_registered else ""}


def _address(street: str, postcode: str, city: str, country: str) -> dict:
    """An address in parts (for the e-invoice) and as its lines (for the PDF)."""
    return {"address": "\n".join(address_lines(street, postcode, city, country)), "street": street,
            "postcode": postcode, "city": city, "country": country}


def _customer(enrolment) -> dict:
    """The invoice's customer from a place's billing details: the person, or their employer or business."""
    person = enrolment.user
    customer = {"participant": person.get_full_name() or person.email, "email": person.email}
    if enrolment.billing_street:  # an employer's or business's, or a self-payer's who wanted it on the invoice
        customer.update(_address(enrolment.billing_street, enrolment.billing_postcode, enrolment.billing_city,
                                 enrolment.billing_country))
    if enrolment.billing_type in (BillingType.EMPLOYER, BillingType.BUSINESS):
        customer.update(company=enrolment.company_name, contact=enrolment.company_contact or customer["participant"],
                        reference=enrolment.company_reference, vat_id=enrolment.company_vat_id,
                        kvk=enrolment.company_kvk, invoice_email=enrolment.company_email)
    return customer


def _booking_customer(booking: Booking) -> dict:
    if booking.organisation_id is None:  # a person's own place on invoice
        return _customer(booking.places.select_related("user").get())
    organisation, contact = booking.organisation, booking.booked_by
    return {"company": organisation.name, "email": organisation.invoice_email,
            **_address(organisation.street, organisation.postcode, organisation.city, organisation.country),
            "contact": (contact.get_full_name() or contact.email) if contact else "", "reference": booking.reference,
            "vat_id": organisation.vat_id, "kvk": organisation.kvk_number, "oin": organisation.oin}


def _split(total: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(excl. VAT, VAT) of an amount that includes VAT at `rate`."""
    excl = (total / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return excl, total - excl


def _issued(*, now: datetime, **fields) -> Invoice:
    """Gives the invoice the next number of its year, keeps it, logs it and queues its PDF and email: the one
    way an invoice or credit invoice comes into being."""
    year = timezone.localtime(now).year
    sequence, number = _next_number(year)
    reference = creditor_reference(number) if fields.get("kind", Invoice.Kind.INVOICE) == Invoice.Kind.INVOICE else ""
    invoice = Invoice.objects.create(number=number, year=year, sequence=sequence, issued_at=now,
                                     payment_reference=reference, **fields)
    record(invoice, "invoice.issued", at=now, note=invoice.number)
    _after_commit_render_and_send(invoice)
    return invoice


def _amounts(total: Decimal, course, provider: ProviderSettings, *, discount: Decimal = Decimal("0.00"),
             voucher=None) -> dict:
    """An invoice's amounts from the total incl. VAT (after any discount) at the course's rate, with the
    discount and its code, and the exemption text when exempt. VAT is computed on the total after the discount."""
    excl, vat = _split(total, course.vat_rate)
    return {"amount_excl_vat": excl, "vat_rate": course.vat_rate, "vat_amount": vat, "total": total,
            "discount": discount, "voucher_code": voucher.code if voucher else "",
            "vat_exemption_text": provider.vat_exemption_text if course.is_vat_exempt else ""}


@transaction.atomic
def invoice_issue(*, payment: Payment, now: datetime | None = None) -> Invoice:
    """The invoice for a paid place; the same one however often it is asked for."""
    existing = payment.invoices.filter(kind=Invoice.Kind.INVOICE).first()
    if existing:
        return existing
    provider = ProviderSettings.load()
    if payment.booking_id:
        return _booking_payment_invoice(payment, provider, now or timezone.now())
    place = payment.enrolment
    return _issued(now=now or timezone.now(), payment=payment, supplier=_supplier(provider),
                   customer=_customer(place), description=str(place.course_date)[:255],
                   **_amounts(payment.amount, place.course_date.course, provider, discount=place.discount_incl_vat,
                              voucher=place.voucher))


def invoice_now(payment: Payment) -> Invoice:
    """The invoice of a paid place at once, for the page that confirms the payment, rather than when the worker
    gets to it (its task then finds it issued). If the worker issues it at this very moment, that one."""
    try:
        return invoice_issue(payment=payment)
    except IntegrityError:
        return payment.invoices.get(kind=Invoice.Kind.INVOICE)


def _booking_payment_invoice(payment: Payment, provider: ProviderSettings, now: datetime) -> Invoice:
    """The invoice for a booking's seats paid online: addressed as a booking's invoice, paid already."""
    booking = payment.booking
    return _issued(now=now, payment=payment, supplier=_supplier(provider), customer=_booking_customer(booking),
                   description=str(booking.course_date)[:255], quantity=booking.seats,
                   **_amounts(payment.amount, booking.course_date.course, provider,
                              discount=booking.discount_incl_vat * booking.seats, voucher=booking.voucher))


PAYMENT_TERM = timedelta(days=14)


def payment_due(issued_at: datetime, starts_at: datetime) -> datetime:
    """The payment term: 14 days, but never after the date starts."""
    return min(issued_at + PAYMENT_TERM, starts_at)


@transaction.atomic
def booking_invoice_issue(*, booking: Booking, now: datetime | None = None) -> Invoice:
    """The invoice for an organisation's booked seats, to be paid by bank transfer by its due date."""
    existing = booking.invoices.filter(kind=Invoice.Kind.INVOICE).first()
    if existing:
        return existing
    now = now or timezone.now()
    course_date, provider = booking.course_date, ProviderSettings.load()
    return _issued(now=now, booking=booking, due_at=payment_due(now, course_date.starts_at),
                   supplier=_supplier(provider), customer=_booking_customer(booking),
                   description=str(course_date)[:255], quantity=booking.seats,
                   **_amounts(booking.price_incl_vat * booking.seats, course_date.course, provider,
                              discount=booking.discount_incl_vat * booking.seats, voucher=booking.voucher))


@transaction.atomic
def credit_invoice_issue(*, refund: Refund, now: datetime | None = None) -> Invoice | None:
    """The credit invoice for a refund of an invoiced payment, referring to that invoice."""
    original = refund.payment.invoices.filter(kind=Invoice.Kind.INVOICE).first()
    if original is None or Invoice.objects.filter(refund=refund).exists():
        return None
    excl, vat = _split(refund.amount, original.vat_rate)
    return _issued(now=now or timezone.now(), kind=Invoice.Kind.CREDIT, payment=refund.payment, refund=refund,
                   credits=original, supplier=original.supplier, customer=original.customer,
                   description=original.description, reason=refund.reason[:255], amount_excl_vat=-excl,
                   vat_rate=original.vat_rate,
                   vat_amount=-vat, total=-refund.amount, vat_exemption_text=original.vat_exemption_text)


@transaction.atomic
def booking_credit_issue(*, invoice: Invoice, amount: Decimal, reason: str,
                         now: datetime | None = None) -> Invoice | None:
    """A credit invoice of `amount` (incl. VAT) on a booking's invoice: seats cancelled or released. It lowers
    what the organisation owes; what it paid already beyond that, the office pays back by hand. Never more than
    is left of the invoice after earlier credits (None when nothing is)."""
    amount = min(amount, balance(invoice).total)
    if amount <= 0:
        return None
    excl, vat = _split(amount, invoice.vat_rate)
    return _issued(now=now or timezone.now(), kind=Invoice.Kind.CREDIT, booking=invoice.booking, credits=invoice,
                   supplier=invoice.supplier, customer=invoice.customer, description=invoice.description,
                   reason=reason[:255], amount_excl_vat=-excl, vat_rate=invoice.vat_rate, vat_amount=-vat,
                   total=-amount, vat_exemption_text=invoice.vat_exemption_text)


def credit_on_invoice(*, booking_id: int, amount: Decimal, reason: str,
                      now: datetime | None = None) -> Invoice | None:
    """Money back for places of a booking, as a credit invoice on its invoice (locked: one credit at a time)."""
    invoice = Invoice.objects.select_for_update().get(booking_id=booking_id, kind=Invoice.Kind.INVOICE)
    return booking_credit_issue(invoice=invoice, amount=amount, reason=reason, now=now)


def _after_commit_render_and_send(invoice: Invoice) -> None:
    enqueue_with_change(send_invoice, invoice_id=invoice.pk)


def invoice_pdf_store(invoice: Invoice) -> Invoice:
    """The invoice with its PDF, rendered once (core.documents); later downloads get that very document."""
    return render_once(invoice, invoice_pdf, checksum_field="pdf_sha256")


def e_invoice_store(invoice: Invoice) -> Invoice | None:
    """The invoice with its e-invoice (SI-UBL 2.0, payments.ubl), rendered once with the PDF as issued inside;
    None for an invoice that cannot have one (a private person's, or one issued before addresses had parts)."""
    if not invoice.ubl and not e_invoice_possible(invoice):
        return None
    invoice = invoice_pdf_store(invoice)
    return render_once(invoice, lambda issued: e_invoice_xml(issued, read_verified(issued.pdf, issued.pdf_sha256)),
                       checksum_field="ubl_sha256", file_field="ubl", extension="xml")


@task()
def issue_invoice(*, payment_id: int) -> str:
    payment = Payment.objects.select_related("enrolment__course_date__course", "enrolment__user",
                                             "booking__course_date__course").get(pk=payment_id)
    return invoice_issue(payment=payment).number


@task()
def send_invoice(*, invoice_id: int) -> None:
    """Renders the invoice once, keeps it, and sends it: a booking's to the organisation's invoice address
    (the contact person who booked gets a copy), a paid place's to the participant and to the invoice address
    their employer gave. Whoever pays as a business gets the e-invoice with it."""
    invoice = invoice_pdf_store(Invoice.objects.select_related(
        "payment__enrolment__user", "payment__booking__booked_by", "booking__booked_by").get(pk=invoice_id))
    document = Attachment(f"{invoice.number}.pdf", read_verified(invoice.pdf, invoice.pdf_sha256), "application/pdf")
    e_invoice = e_invoice_store(invoice)  # a business customer's, kept for its bookkeeping (and the office's ZIP)
    documents = (document,) if e_invoice is None else (document, Attachment(
        f"{invoice.number}.xml", read_verified(e_invoice.ubl, e_invoice.ubl_sha256), "application/xml"))
    booking = invoice.booking if invoice.booking_id else invoice.payment.booking
    if booking is not None:
        contact = booking.booked_by  # None: the contact person had their account erased
        context = {"invoice": invoice, "booking": booking, "e_invoice": e_invoice is not None}
        email("payments/email/booking_invoice", context, to=invoice.customer["email"],
              language=contact.language if contact else settings.LANGUAGE_CODE, attachments=documents)
        if contact and contact.email.lower() != invoice.customer["email"].lower():
            email_person(contact, "payments/email/booking_invoice", context, attachments=documents)
        _to_employer(invoice, documents, e_invoice=e_invoice is not None, person_email=invoice.customer["email"])
        return
    person = invoice.payment.enrolment.user
    employer = _to_employer(invoice, documents, e_invoice=e_invoice is not None, person_email=person.email)
    email_person(person, "payments/email/invoice", {"invoice": invoice, "person": person},
                 attachments=(document,) if employer else documents)


def _to_employer(invoice: Invoice, documents: tuple[Attachment, ...], *, e_invoice: bool, person_email: str) -> bool:
    """The invoice (and its e-invoice) to the address the person's employer gave for invoices, when it is another
    than the person's own; whether it went."""
    employer = invoice.customer.get("invoice_email", "")
    if not employer or employer.lower() == person_email.lower():
        return False
    email("payments/email/employer_invoice", {"invoice": invoice, "e_invoice": e_invoice},
          to=employer, language=settings.LANGUAGE_CODE, attachments=documents)
    return True
