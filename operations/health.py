"""What /healthz/ checks: the database answers, the private storage takes a file, the scheduler and the worker
have been heard from lately, and the shared cache answers. Each part answers "ok" or says what is wrong, nothing
secret. Without the cache the site works, slower: that part alone makes the report degraded, not unavailable."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import Heartbeat

PARTS = ("scheduler", "worker")
OPTIONAL = ("cache",)  # the site works without it


def heartbeat(name: str, *, now: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return "ok"


def _private_storage() -> str:
    storage = storages["private"]
    try:
        name = storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        storage.delete(name)
    except Exception:  # noqa: BLE001 - any backend's failure (a disk, S3) means the same: not writable
        return "not writable"
    return "ok"


def _cache() -> str:
    backend = caches["default"]
    backend.get("healthz")  # asks Redis (again, once its retry interval has passed)
    return "ok" if getattr(backend, "reachable", True) else "unreachable"


def health_report(*, now: datetime | None = None) -> dict[str, str]:
    now = now or timezone.now()
    report = {"database": _database()}
    report["private_storage"] = _private_storage()
    report["cache"] = _cache()
    if report["database"] == "ok":
        beats = dict(Heartbeat.objects.filter(name__in=PARTS).values_list("name", "beat_at"))
        stale = timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS)
        for part in PARTS:
            beat = beats.get(part)
            report[part] = "ok" if beat and now - beat <= stale else ("never seen" if beat is None else "stale")
    return report
