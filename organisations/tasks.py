"""The organisations app's periodic work, enqueued by `manage.py scheduler` (operations/schedule.py)."""

from django_tasks import task

from . import services


@task()
def remind_unnamed_seats() -> int:
    return services.naming_reminders_send()
