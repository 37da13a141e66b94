"""What `manage.py scheduler` enqueues, tick by tick (every 30 seconds by default)."""

from certification.tasks import remind_before_expiry
from courses.tasks import announce_new_dates, process_waitlists, send_reminders
from home.tasks import retry_failed_tasks
from payments.tasks import reconcile_with_stripe, refund_cancelled_dates

EVERY_TICK = [process_waitlists, announce_new_dates, send_reminders, refund_cancelled_dates, retry_failed_tasks]
EVERY_TENTH_TICK = [reconcile_with_stripe, remind_before_expiry]  # every five minutes at the default interval


def periodic_task_paths() -> set[str]:
    return {periodic.module_path for periodic in EVERY_TICK + EVERY_TENTH_TICK}
