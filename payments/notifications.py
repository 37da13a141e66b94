"""Emails about money, sent as tasks after the transaction commits, in the recipient's language."""

from decimal import Decimal

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from core.mail import email_office
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
    with translation.override(person.language):
        subject = render_to_string("payments/email/payment_returned_subject.txt", context).strip()
        body = render_to_string("payments/email/payment_returned.txt", context)
    send_mail(subject, body, None, [person.email], fail_silently=False)
    # The office reads its copy in the site's language, whatever the participant's.
    email_office("payments/email/payment_returned", {**context, "person": person})


@task()
def send_manual_refund_due(*, enrolment_id: int, amount: str) -> None:
    """A place paid outside Stripe was cancelled with money due back: the office pays it by hand."""
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    email_office("payments/email/manual_refund_due", {"enrolment": enrolment, "amount": Decimal(amount)},
                 admin_link=("courses_trainer:date", enrolment.course_date_id))
