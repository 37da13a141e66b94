"""The restore drill (`manage.py restore_drill`): a backup of the database and of the private files, restored into
a scratch database and folder, and every stored document (invoices, certificates, hand-ins) read back from the
restored files and checked against the SHA-256 the restored database keeps for it. A backup nobody restored is a
hope; this proves one, and leaves the live database and files untouched.

The database is copied as each engine copies itself consistently while in use: SQLite's online backup, and
PostgreSQL's `pg_dump` (a snapshot) restored with `pg_restore` into a database made for the drill and dropped after.
The private files are read through the storage API, so a bucket works as a folder does."""

import hashlib
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, connections

from certification.models import Certificate
from learning.models import AssignmentSubmission
from payments.models import Invoice

RESTORED = "restore_drill"  # the connection alias of the restored database while it is checked
CHECKSUMMED = ((Invoice, "pdf", "pdf_sha256"), (Certificate, "pdf", "sha256"), (AssignmentSubmission, "file", "sha256"))


@dataclass
class DrillReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    documents: int = 0
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        return (f"restore_drill tables={self.tables} rows={self.rows} files={self.files} documents={self.documents} "
                f"checksums_ok={self.documents - len(self.mismatches)} mismatches={len(self.mismatches)} "
                f"seconds={self.seconds:.1f}")


def _postgres_binary(name: str) -> str:
    found = shutil.which(name) or max(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                      key=lambda path: int(path.parts[-3]), default=None)
    if found is None:
        raise FileNotFoundError(f"{name} (PostgreSQL's client tools) is needed for the drill")
    return str(found)


def _postgres_args(settings: dict) -> tuple[list[str], dict]:
    args = [f"--host={settings['HOST'] or 'localhost'}", f"--port={settings['PORT'] or 5432}",
            f"--username={settings['USER']}"]
    return args, {"PGPASSWORD": settings.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"}


def back_up_database(folder: Path) -> Path:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        with sqlite3.connect(settings["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    target = folder / "database.dump"
    args, env = _postgres_args(settings)
    subprocess.run([_postgres_binary("pg_dump"), *args, "--format=custom", "--no-owner", f"--file={target}",  # noqa: S603 (no shell; our settings)
                    settings["NAME"]], env=env, check=True, capture_output=True)
    return target


def restore_database(backup: Path, folder: Path) -> dict:
    """The backup restored as a database of its own: the settings to reach it."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        restored = folder / "restored.sqlite3"
        shutil.copyfile(backup, restored)
        return {**settings, "NAME": str(restored)}
    name = f"restore_drill_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    args, env = _postgres_args(settings)
    subprocess.run([_postgres_binary("pg_restore"), *args, "--no-owner", f"--dbname={name}", str(backup)],  # noqa: S603 (no shell)
                   env=env, check=True, capture_output=True)
    return {**settings, "NAME": name}


def _all_files(storage, path: str = ""):
    folders, files = storage.listdir(path)
    for name in files:
        yield f"{path}/{name}" if path else name
    for folder in folders:
        yield from _all_files(storage, f"{path}/{folder}" if path else folder)


def copy_files(source, target) -> int:
    copied = 0
    for name in _all_files(source):
        with source.open(name, "rb") as original:
            target.save(name, original)
        copied += 1
    return copied


def _sha256(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_restored(files: FileSystemStorage, report: DrillReport) -> None:
    """Counts the restored database's rows and checks every stored document in the restored files."""
    restored = connections[RESTORED]
    tables = set(restored.introspection.table_names())
    for model in apps.get_models():
        if model._meta.db_table in tables and model._meta.managed and not model._meta.proxy:
            report.tables += 1
            report.rows += model._base_manager.using(RESTORED).count()
    for model, file_field, checksum_field in CHECKSUMMED:
        documents = (model._base_manager.using(RESTORED).exclude(**{checksum_field: ""})
                     .values_list("pk", file_field, checksum_field))
        for pk, name, checksum in documents.iterator():
            report.documents += 1
            label = f"{model._meta.label} {pk} ({name})"
            if not name or not files.exists(name):
                report.mismatches.append(f"{label}: missing")
            elif _sha256(files, name) != checksum:
                report.mismatches.append(f"{label}: checksum differs")


def restore_drill(*, keep: Path | None = None) -> DrillReport:
    started, report = time.monotonic(), DrillReport()
    folder = Path(keep or tempfile.mkdtemp(prefix="restore-drill-"))
    (folder / "backup").mkdir(parents=True, exist_ok=True)
    backup = back_up_database(folder / "backup")
    report.files = copy_files(storages["private"], FileSystemStorage(location=folder / "backup" / "private"))
    restored_files = FileSystemStorage(location=folder / "restored" / "private")
    copy_files(FileSystemStorage(location=folder / "backup" / "private"), restored_files)
    restored = restore_database(backup, folder)
    connections.settings[RESTORED] = restored
    try:
        check_restored(restored_files, report)
    finally:
        connections[RESTORED].close()
        del connections[RESTORED]
        del connections.settings[RESTORED]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{restored["NAME"]}"')
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report
