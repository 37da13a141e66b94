"""The payments app's periodic work, enqueued by `manage.py scheduler` (home/schedule.py). One-off tasks live
beside the work they do (services.send_refund, invoices.issue_invoice and invoices.send_invoice), so the
services that enqueue them import nothing that imports them back."""

from django_tasks import task

from . import bookings, services


@task()
def reconcile_with_stripe() -> dict:
    return services.reconcile()


@task()
def refund_cancelled_dates() -> int:
    return services.cancelled_dates_refund()


@task()
def remind_open_invoices() -> int:
    return bookings.payment_reminders_send()
