"""The places app's periodic work, enqueued by `manage.py scheduler` (operations/schedule.py)."""

from django_tasks import task

from . import changes, reconcile


@task()
def reconcile_with_stripe() -> dict:
    return reconcile.reconcile()


@task()
def refund_cancelled_dates() -> int:
    return changes.cancelled_dates_refund()
