"""The registers app's periodic work, enqueued by `manage.py scheduler` (operations/schedule.py)."""

from django_tasks import task

from . import services


@task()
def remind_attendance_deadlines() -> int:
    return services.deadline_reminders_send()
