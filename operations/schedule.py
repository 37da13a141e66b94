"""What `manage.py scheduler` enqueues, tick by tick (every 30 seconds by default): the periodic work of every
app, and the task that retries what failed (it must know which tasks are periodic, so it lives here)."""

from django_tasks import task

from certification.tasks import remind_before_expiry
from courses.tasks import (
    announce_new_dates,
    complete_past_dates,
    process_waitlists,
    remind_coaching_sessions,
    send_reminders,
)
from organisations.tasks import remind_unnamed_seats
from payments.tasks import remind_open_invoices
from places.tasks import reconcile_with_stripe, refund_cancelled_dates
from privacy.tasks import apply_retention
from registers.tasks import remind_attendance_deadlines

from .health import heartbeat
from .retries import failed_tasks_retry, stale_tasks_requeue


@task()
def retry_failed_tasks() -> int:
    """Queues again the one-off tasks whose worker died while running them, and enqueues failed ones again
    (see operations.retries)."""
    heartbeat("worker")  # this task runs every tick: a worker is running tasks
    periodic = periodic_task_paths()
    return stale_tasks_requeue(periodic=periodic) + failed_tasks_retry(periodic=periodic)


EVERY_TICK = [process_waitlists, announce_new_dates, send_reminders, remind_coaching_sessions, refund_cancelled_dates,
              retry_failed_tasks]
# Every five minutes at the default interval.
EVERY_TENTH_TICK = [reconcile_with_stripe, remind_before_expiry, complete_past_dates, remind_open_invoices,
                    remind_unnamed_seats, remind_attendance_deadlines, apply_retention]


def periodic_task_paths() -> set[str]:
    return {periodic.module_path for periodic in EVERY_TICK + EVERY_TENTH_TICK}
