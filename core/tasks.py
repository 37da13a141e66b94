"""Work that must follow a change is queued with it.

With the database task queue (production and the demo), the task row is written inside the caller's
transaction: it commits together with the change it follows, or not at all, so a process that dies right
after the commit loses nothing (an on_commit hook would have been lost with it). Other backends (the
immediate one of the tests, or an external queue) cannot take part in the transaction, so there the task is
queued once the change has committed.
"""

from django.db import router, transaction
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def enqueue_with_change(task, **kwargs) -> None:
    """Queues `task(**kwargs)` so that it runs if and only if the current transaction commits."""
    backend = task.get_backend()
    same_database = router.db_for_write(DBTaskResult) == transaction.get_connection().alias
    if isinstance(backend, DatabaseBackend) and same_database:
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))
