from django_tasks import task


@task()
def retry_failed_tasks() -> int:
    """Queues again the one-off tasks whose worker died while running them, and enqueues failed ones again
    (see home.retries)."""
    from lms.schedule import periodic_task_paths

    from .health import heartbeat
    from .retries import failed_tasks_retry, stale_tasks_requeue

    heartbeat("worker")  # this task runs every tick: a worker is running tasks
    periodic = periodic_task_paths()
    return stale_tasks_requeue(periodic=periodic) + failed_tasks_retry(periodic=periodic)
