"""The restore drill restores a real backup of the database and the private files into a scratch database and
folder and checks every stored document against its checksum there; a document changed or lost in storage fails
it. Run as the operator runs it (`manage.py restore_drill`, a process of its own) on the test database, committed,
of the engine the suite runs on (SQLite, then PostgreSQL with pg_dump and pg_restore)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from certification import services

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:{settings['PORT']}/"
            f"{settings['NAME']}")


def run_drill(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test", "DATABASE_URL": database_url()}
    return subprocess.run([sys.executable, "manage.py", "restore_drill", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def figures(done: subprocess.CompletedProcess) -> dict[str, float]:
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith("restore_drill ")
    return {name: float(value) for name, value in re.findall(r"(\w+)=([\d.]+)", line)}


@pytest.fixture
def certificate(classroom):
    return services.certificate_issue(enrolment=classroom.place, actor=classroom.trainer, reason="test")


def test_the_drill_restores_the_database_and_every_document_matches_its_checksum(certificate, tmp_path):
    done = run_drill("--keep", str(tmp_path))
    assert done.returncode == 0, done.stderr
    found = figures(done)
    assert found["documents"] >= 1 and found["checksums_ok"] == found["documents"]
    assert found["mismatches"] == 0 and found["files"] >= 1
    assert found["tables"] > 50 and found["rows"] > 10
    assert (tmp_path / "restored" / "private" / certificate.pdf.name).read_bytes()[:5] == b"%PDF-"


def test_a_document_changed_in_storage_fails_the_drill_by_name(certificate):
    storage = certificate.pdf.storage
    storage.delete(certificate.pdf.name)
    storage.save(certificate.pdf.name, ContentFile(b"%PDF-1.7 not what was issued"))
    done = run_drill()
    assert done.returncode != 0
    assert f"certification.Certificate {certificate.pk} ({certificate.pdf.name}): checksum differs" in done.stderr
    assert figures(done)["mismatches"] == 1


def test_a_site_without_documents_yet_passes_and_a_used_folder_is_refused(tmp_path):
    from django.core.files.storage import storages

    live = Path(storages["private"].location)
    aside = tmp_path / "aside"
    if live.exists():
        live.rename(aside)  # no private file at all yet, as on a new site
    try:
        done = run_drill()
    finally:
        if aside.exists():
            aside.rename(live)
    assert done.returncode == 0, done.stderr
    assert figures(done)["documents"] == 0 and figures(done)["mismatches"] == 0

    (tmp_path / "kept" / "old").mkdir(parents=True)
    refused = run_drill("--keep", str(tmp_path / "kept"))
    assert refused.returncode != 0 and "is not empty" in refused.stderr
