"""Emails about money, sent by tasks after the transaction commits, in the recipient's language (core.mail)."""

from decimal import Decimal

from django.conf import settings
from django_tasks import task

from core.mail import email, email_office, email_person
from courses.models import Enrolment

from .models import Invoice, Payment
from .selectors import balance


@task()
def send_payment_returned(*, payment_id: int) -> None:
    """A payment that could not buy a place (the seat was gone, or paid twice) is refunded: the person and the
    office hear about it."""
    payment = Payment.objects.select_related(
        "enrolment__user", "enrolment__course_date__course", "booking__booked_by", "booking__organisation",
        "booking__course_date__course").get(pk=payment_id)
    person = payment.payer  # for a booking: the contact person who paid
    context = {"payment": payment, "booking": payment.booking, "person": person, "course_date": payment.course_date,
               "course": payment.course_date.course}
    if person is not None:  # None: they had their account erased since
        email_person(person, "payments/email/payment_returned", context)
    # The office reads its copy in the site's language, whatever the participant's.
    email_office("payments/email/payment_returned", context)


@task()
def send_manual_refund_due(*, enrolment_id: int, amount: str) -> None:
    """A place paid outside Stripe was cancelled with money due back: the office pays it by hand."""
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    email_office("payments/email/manual_refund_due", {"enrolment": enrolment, "amount": Decimal(amount)},
                 admin_link=("courses_trainer:date", enrolment.course_date_id))


@task()
def send_payment_reminder(*, invoice_id: int, kind: str) -> None:
    """Reminds the organisation's accounts department (and the contact person who booked) of an open invoice."""
    invoice = Invoice.objects.select_related("booking__booked_by", "booking__organisation").get(pk=invoice_id)
    standing = balance(invoice)
    if standing.open <= 0:
        return  # paid since
    contact = invoice.booking.booked_by  # None: the contact person had their account erased
    context = {"invoice": invoice, "booking": invoice.booking, "open": standing.open, "overdue": kind == "after"}
    email("payments/email/payment_reminder", context, to=invoice.customer["email"],
          language=contact.language if contact else settings.LANGUAGE_CODE)
    if contact and contact.email.lower() != invoice.customer["email"].lower():
        email_person(contact, "payments/email/payment_reminder", context)
