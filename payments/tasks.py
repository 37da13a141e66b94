"""Payment work done after the deciding transaction has committed, by `manage.py db_worker`."""

from django_tasks import task

from . import services
from .models import Refund


@task()
def send_refund(*, refund_id: int) -> str:
    return services.refund_send(refund=Refund.objects.select_related("payment").get(pk=refund_id)).status


@task()
def issue_invoice(*, payment_id: int) -> str:
    from .invoices import invoice_issue
    from .models import Payment

    payment = Payment.objects.select_related("enrolment__course_date__course", "enrolment__user").get(pk=payment_id)
    return invoice_issue(payment=payment).number


@task()
def send_invoice(*, invoice_id: int) -> None:
    from .notifications import email_invoice

    email_invoice(invoice_id=invoice_id)


@task()
def reconcile_with_stripe() -> dict:
    return services.reconcile()


@task()
def refund_cancelled_dates() -> int:
    return services.cancelled_dates_refund()
