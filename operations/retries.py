"""Failed tasks are tried again. The task framework runs a task once: an email that met a mail server hiccup,
or a certificate whose storage was briefly away, would otherwise be lost. The scheduler enqueues failed one-off
tasks again after a growing pause, at most len(retry_pauses()) times, then gives up and logs it.

A task whose worker died while running it (SIGKILL, out of memory, a host restart) would stay RUNNING forever:
after TASK_LEASE_MINUTES it is put back in the queue, for any worker to run again.

Every one-off task here is safe to run twice: emails check the state they announce, issuing a certificate,
an invoice or a refund is idempotent. Periodic tasks are left alone: the next tick runs them anyway."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import TaskRetry

log = logging.getLogger(__name__)

BATCH = 100


def retry_pauses() -> list[timedelta]:
    """The pause before each retry in turn (TASK_RETRY_AFTER_SECONDS: a minute, five, half an hour, two hours,
    twelve)."""
    return [timedelta(seconds=seconds) for seconds in settings.TASK_RETRY_AFTER_SECONDS]


def failed_tasks_retry(*, periodic: set[str], now: datetime | None = None) -> int:
    """Enqueues again each failed run whose pause is over; returns how many. `periodic` holds the module paths
    of the scheduler's own tasks, which are not retried. Each failed run is claimed by a unique row, so two
    schedulers never enqueue the same retry twice."""
    now, pauses = now or timezone.now(), retry_pauses()
    failed = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, finished_at__lte=now - pauses[0])
        .exclude(task_path__in=periodic)
        .exclude(id__in=TaskRetry.objects.values("failed_result_id"))
        .order_by("finished_at")[:BATCH]
    )
    retries_so_far = dict(TaskRetry.objects.filter(retry_result_id__in=[run.id for run in failed])
                          .values_list("retry_result_id", "attempt"))
    enqueued = 0
    for run in failed:
        attempt = retries_so_far.get(run.id, 0) + 1
        if attempt <= len(pauses) and run.finished_at > now - pauses[attempt - 1]:
            continue  # not yet
        try:
            with transaction.atomic():
                claim = TaskRetry.objects.create(failed_result_id=run.id, attempt=attempt)
                if attempt > len(pauses):
                    log.error("Task %s (%s) failed %s times; not retried again", run.task_path, run.id, attempt)
                    continue
                retry = run.task.enqueue(*run.args_kwargs["args"], **run.args_kwargs["kwargs"])
                claim.retry_result_id = retry.id
                claim.save(update_fields=["retry_result_id"])
        except IntegrityError:  # another scheduler claimed it first
            continue
        enqueued += 1
    return enqueued


def stale_tasks_requeue(*, periodic: set[str], now: datetime | None = None) -> int:
    """Puts one-off tasks that have been RUNNING longer than their lease back in the queue; returns how many.
    One conditional UPDATE: two schedulers never requeue the same run twice, and a run that finished meanwhile
    is left alone. The scheduler's own periodic tasks run again at the next tick anyway."""
    now = now or timezone.now()
    lease = timedelta(minutes=settings.TASK_LEASE_MINUTES)
    stale = (DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - lease)
             .exclude(task_path__in=periodic))
    requeued = stale.update(status=TaskResultStatus.READY, run_after=get_date_max())  # at once
    if requeued:
        log.warning("%s tasks were running longer than their lease of %s and are queued again", requeued, lease)
    return requeued
