"""Emails about money, sent by tasks after the transaction commits, in the recipient's language (core.mail)."""

from decimal import Decimal

from django_tasks import task

from core.mail import email_office, email_person
from courses.models import Enrolment

from .models import Payment


@task()
def send_payment_returned(*, payment_id: int) -> None:
    """A payment that could not buy a place (the seat was gone, or paid twice) is refunded: the person and the
    office hear about it."""
    payment = Payment.objects.select_related("enrolment__user", "enrolment__course_date__course").get(pk=payment_id)
    person = payment.enrolment.user
    context = {"payment": payment, "enrolment": payment.enrolment, "course_date": payment.enrolment.course_date,
               "course": payment.enrolment.course_date.course}
    email_person(person, "payments/email/payment_returned", context)
    # The office reads its copy in the site's language, whatever the participant's.
    email_office("payments/email/payment_returned", {**context, "person": person})


@task()
def send_manual_refund_due(*, enrolment_id: int, amount: str) -> None:
    """A place paid outside Stripe was cancelled with money due back: the office pays it by hand."""
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    email_office("payments/email/manual_refund_due", {"enrolment": enrolment, "amount": Decimal(amount)},
                 admin_link=("courses_trainer:date", enrolment.course_date_id))
