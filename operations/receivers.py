from django.dispatch import receiver
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import DatabaseBackend

from core.mail import mails_of_task_run

from .models import TaskRetry

GENERATIONS = 10  # more than the retries a task is given (operations.retries)


@receiver(task_started)
def mails_carry_the_first_runs_id(sender, *, task_result, **kwargs):
    """The mails of a queued task carry Message-IDs made from its first run's id: a task a scheduler put back in
    the queue keeps its id; a failed one retried got a new one, so it is followed back to its first run."""
    backend = sender if isinstance(sender, type) else type(sender)  # db_worker sends the backend, not its type
    if not issubclass(backend, DatabaseBackend):
        return  # run at once, in the caller's process: never run twice
    first = str(task_result.id)
    for _ in range(GENERATIONS):
        earlier = TaskRetry.objects.filter(retry_result_id=first).values_list("failed_result_id", flat=True).first()
        if earlier is None:
            break
        first = str(earlier)
    mails_of_task_run(first)


@receiver(task_finished)
def mails_of_no_task(sender, **kwargs):
    mails_of_task_run(None)
