import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.storage import private_storage_unwritable as unwritable

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


PARTS_OK = {"database": "ok", "private_storage": "ok", "cache": "ok", "scheduler": "ok", "worker": "ok"}


@pytest.fixture
def beating():
    """The scheduler has ticked and the worker has run its tasks, as they do every 30 seconds."""
    from django.core.management import call_command

    from operations.schedule import retry_failed_tasks

    call_command("scheduler", once=True)
    retry_failed_tasks.call()


def test_health_is_ok_when_every_part_answers(client, beating):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", **PARTS_OK}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_naming_the_part_when_the_worker_or_scheduler_went_quiet(client, beating):
    from datetime import timedelta

    from django.utils import timezone

    from operations.models import Heartbeat

    Heartbeat.objects.filter(name="worker").update(beat_at=timezone.now() - timedelta(minutes=6))
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", **PARTS_OK, "worker": "stale"}
    Heartbeat.objects.all().delete()
    assert client.get("/healthz/").json() == {"status": "unavailable", **PARTS_OK, "scheduler": "never seen",
                                              "worker": "never seen"}


@pytest.fixture
def private_storage_unwritable(settings):
    with unwritable(settings):
        yield


def test_a_private_storage_that_cannot_be_written_is_a_503_on_health_and_a_clear_page_on_upload(
        client, beating, classroom, private_storage_unwritable):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from learning.models import AssignmentSubmission
    from tests.factories import pdf_bytes

    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", **PARTS_OK, "private_storage": "not writable"}

    client.force_login(classroom.coach)
    upload = SimpleUploadedFile("casus.pdf", pdf_bytes(), content_type="application/pdf")
    handed_in = client.post(f"/learn/assignments/{classroom.assignment.pk}/hand-in/", {"file": upload})
    assert handed_in.status_code == 503 and handed_in["Retry-After"] == "120"
    assert "Tijdelijk niet beschikbaar" in handed_in.content.decode()
    assert not AssignmentSubmission.objects.exists()


def test_health_is_503_when_the_database_does_not_answer(tmp_path):
    """A separate process whose database file cannot be opened: the real failure, not a mock."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz/');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/db.sqlite3",
    }
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["status"] == "unavailable" and result["body"]["database"] == "unreachable"


@pytest.mark.parametrize("database_url", ["sqlite:///{tmp}/missing-dir/db.sqlite3",
                                          "postgres://academy:secret@127.0.0.1:{closed_port}/academy"])
def test_while_the_database_is_away_pages_are_a_quick_503_made_without_it(tmp_path, database_url):
    """A separate process whose database cannot be reached (a file that cannot be opened; a PostgreSQL port
    nobody listens on): every page says so with a 503 in a second, without the layout that needs the database."""
    from bench.common import free_port

    script = (
        "import django, json, time; django.setup();"
        "from django.test import Client;"
        "started = time.monotonic();"
        "pages = [Client(raise_request_exception=False).get(path) for path in "
        "('/', '/opleidingen/basistraining/', '/accounts/login/', '/verify/abc/')];"
        "print(json.dumps({'seconds': time.monotonic() - started, 'pages': ["
        "[r.status_code, r.get('Retry-After'), r.content.decode()] for r in pages]}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test",
           "DATABASE_URL": database_url.format(tmp=tmp_path, closed_port=free_port())}
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    for status, retry_after, html in answer["pages"]:
        assert status == 503 and retry_after == "30"
        assert "<h1>Even niet beschikbaar</h1>" in html and "Er is niets half opgeslagen" in html
        assert "css/site" in html and "style=" not in html  # styled as the Content-Security-Policy allows
    assert answer["seconds"] < 10
    assert "the database is unavailable" in out.stderr


def test_a_query_of_ours_that_fails_is_a_bug_not_a_database_that_is_away():
    """A missing table, a syntax error: a 500 that gets looked at, never "try again in a minute"."""
    from django.db import DatabaseError, connection

    from core.middleware import database_away

    with pytest.raises(DatabaseError) as failed, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_at_all")
    assert not database_away(failed.value)
