"""The payments app's periodic work, enqueued by `manage.py scheduler` (operations/schedule.py). One-off tasks live
beside the work they do (refunds.send_refund, invoices.issue_invoice and invoices.send_invoice), so the
services that enqueue them import nothing that imports them back."""

from django_tasks import task

from . import transfers


@task()
def remind_open_invoices() -> int:
    return transfers.payment_reminders_send()
