from django_tasks import task


@task()
def retry_failed_tasks() -> int:
    """Enqueues failed one-off tasks again (see home.retries)."""
    from lms.schedule import periodic_task_paths

    from .retries import failed_tasks_retry

    return failed_tasks_retry(periodic=periodic_task_paths())
