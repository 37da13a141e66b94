"""The privacy app's periodic work, enqueued by `manage.py scheduler` (operations/schedule.py)."""

from django_tasks import task

from . import retention


@task()
def apply_retention() -> dict:
    """Unconfirmed accounts, old assignment files, old evaluations' links to people, expired data exports."""
    return retention.retention_apply()
