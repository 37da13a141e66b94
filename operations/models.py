from django.db import models


class TaskRetry(models.Model):
    """A failed task run that was enqueued again (see operations.retries): one row per failed run, so a run is
    retried once, whoever looks; `attempt` counts the retries of the original task."""

    failed_result_id = models.UUIDField(unique=True)
    retry_result_id = models.UUIDField(null=True, unique=True)  # None: given up after the last attempt
    attempt = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.failed_result_id} → {self.retry_result_id or 'given up'} ({self.attempt})"


class Heartbeat(models.Model):
    """When the scheduler last ticked and the worker last ran its tasks: /healthz/ reports a stale one."""

    name = models.CharField(max_length=20, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} · {self.beat_at:%Y-%m-%d %H:%M:%S}"
