"""The privacy app's periodic work, enqueued by `manage.py scheduler` (home/schedule.py)."""

from django_tasks import task

from . import services


@task()
def remove_expired_exports() -> int:
    return services.exports_remove_expired()
