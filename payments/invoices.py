"""Invoices for paid places and credit invoices for refunds, as Dutch rules want them: numbered per year
without gaps, with the supplier's and customer's details, VAT or the CRKBO exemption text, kept for good."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.audit import record
from core.documents import render_once
from core.mail import Attachment, email_person
from core.models import ProviderSettings
from core.sequences import next_number
from core.tasks import enqueue_with_change
from courses.models import CENT, BillingType

from .models import Invoice, InvoiceSequence, Payment, Refund
from .pdf import invoice_pdf


def _next_number(year: int) -> tuple[int, str]:
    number = next_number(InvoiceSequence, year)
    return number, f"{year}-{number:06d}"


def _supplier(provider: ProviderSettings) -> dict:
    return {"name": provider.name, "address": provider.street_address,
            "postcode_city": f"{provider.postcode} {provider.city}".strip(), "email": provider.email,
            "kvk": provider.kvk_number, "vat_id": provider.vat_number}


def _customer(payment: Payment) -> dict:
    enrolment, person = payment.enrolment, payment.enrolment.user
    customer = {"participant": person.get_full_name() or person.email, "email": person.email}
    if enrolment.billing_type == BillingType.EMPLOYER:
        customer.update(company=enrolment.company_name, address=enrolment.company_address,
                        contact=enrolment.company_contact, reference=enrolment.company_reference,
                        vat_id=enrolment.company_vat_id)
    return customer


def _split(total: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(excl. VAT, VAT) of an amount that includes VAT at `rate`."""
    excl = (total / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return excl, total - excl


@transaction.atomic
def invoice_issue(*, payment: Payment, now: datetime | None = None) -> Invoice:
    """The invoice for a paid place; the same one however often it is asked for."""
    existing = payment.invoices.filter(kind=Invoice.Kind.INVOICE).first()
    if existing:
        return existing
    now = now or timezone.now()
    course, provider = payment.enrolment.course_date.course, ProviderSettings.load()
    rate = course.vat_rate
    excl, vat = _split(payment.amount, rate)
    sequence, number = _next_number(timezone.localtime(now).year)
    invoice = Invoice.objects.create(
        number=number, year=timezone.localtime(now).year, sequence=sequence, issued_at=now, payment=payment,
        supplier=_supplier(provider), customer=_customer(payment), description=str(payment.enrolment.course_date)[:255],
        amount_excl_vat=excl, vat_rate=rate, vat_amount=vat, total=payment.amount,
        vat_exemption_text=provider.vat_exemption_text if course.is_vat_exempt else "",
    )
    record(invoice, "invoice.issued", at=now, note=invoice.number)
    _after_commit_render_and_send(invoice)
    return invoice


@transaction.atomic
def credit_invoice_issue(*, refund: Refund, now: datetime | None = None) -> Invoice | None:
    """The credit invoice for a refund of an invoiced payment, referring to that invoice."""
    original = refund.payment.invoices.filter(kind=Invoice.Kind.INVOICE).first()
    if original is None or Invoice.objects.filter(refund=refund).exists():
        return None
    now = now or timezone.now()
    excl, vat = _split(refund.amount, original.vat_rate)
    sequence, number = _next_number(timezone.localtime(now).year)
    credit = Invoice.objects.create(
        number=number, year=timezone.localtime(now).year, sequence=sequence, kind=Invoice.Kind.CREDIT, issued_at=now,
        payment=refund.payment, refund=refund, credits=original, supplier=original.supplier,
        customer=original.customer, description=original.description, amount_excl_vat=-excl,
        vat_rate=original.vat_rate, vat_amount=-vat, total=-refund.amount,
        vat_exemption_text=original.vat_exemption_text,
    )
    record(credit, "invoice.issued", at=now, note=credit.number)
    _after_commit_render_and_send(credit)
    return credit


def _after_commit_render_and_send(invoice: Invoice) -> None:
    enqueue_with_change(send_invoice, invoice_id=invoice.pk)


def invoice_pdf_store(invoice: Invoice) -> Invoice:
    """The invoice with its PDF, rendered once (core.documents); later downloads get that very document."""
    return render_once(invoice, invoice_pdf, checksum_field="pdf_sha256")


@task()
def issue_invoice(*, payment_id: int) -> str:
    payment = Payment.objects.select_related("enrolment__course_date__course", "enrolment__user").get(pk=payment_id)
    return invoice_issue(payment=payment).number


@task()
def send_invoice(*, invoice_id: int) -> None:
    """Renders the invoice once, keeps it, and sends it to the participant."""
    invoice = invoice_pdf_store(Invoice.objects.select_related("payment__enrolment__user").get(pk=invoice_id))
    person = invoice.payment.enrolment.user
    with invoice.pdf.open("rb") as pdf:
        document = Attachment(f"{invoice.number}.pdf", pdf.read(), "application/pdf")
    email_person(person, "payments/email/invoice", {"invoice": invoice, "person": person}, attachments=(document,))
