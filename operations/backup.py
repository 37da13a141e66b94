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
    """pg_dump's and pg_restore's way to the database the site uses: the same host (none: the local socket, as
    psycopg does), port, role, password and SSL options."""
    args = [*([f"--host={settings['HOST']}"] if settings["HOST"] else []),
            *([f"--port={settings['PORT']}"] if settings["PORT"] else []), f"--username={settings['USER']}"]
    options = settings.get("OPTIONS", {})
    env = {"PATH": "/usr/bin:/bin", "PGPASSWORD": settings.get("PASSWORD") or "",
           **{f"PG{name.upper()}": str(options[name]) for name in ("sslmode", "sslrootcert", "sslcert", "sslkey")
              if name in options}}
    return args, env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 (no shell; our settings)
    if done.returncode:
        raise RuntimeError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def back_up_database(folder: Path) -> Path:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        with sqlite3.connect(settings["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    target = folder / "database.dump"
    args, env = _postgres_args(settings)
    _run([_postgres_binary("pg_dump"), *args, "--format=custom", "--no-owner", f"--file={target}", settings["NAME"]],
         env)
    return target


def restore_database(backup: Path, folder: Path) -> dict:
    """The backup restored as a database of its own: the settings to reach it."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        restored = folder / "restored.sqlite3"
        shutil.copyfile(backup, restored)
        return {**settings, "NAME": str(restored)}
    name = f"restore_drill_{uuid.uuid4().hex[:12]}"  # ours alone: nothing from outside goes into the SQL
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    restored = {**settings, "NAME": name}
    args, env = _postgres_args(settings)
    try:
        _run([_postgres_binary("pg_restore"), *args, "--no-owner", f"--dbname={name}", str(backup)], env)
    except Exception:
        drop_database(restored)
        raise
    return restored


def drop_database(restored: dict) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored["NAME"]}"')


def _all_files(storage, path: str = ""):
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:  # a folder nothing was stored in yet (a bucket's empty prefix lists as empty)
        return
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
    """`keep`: an empty (or new) folder to leave the backup and the restored files in; else a temporary one."""
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise ValueError(f"{keep} is not empty: the drill restores into an empty folder only")
    started, report = time.monotonic(), DrillReport()
    folder = Path(keep or tempfile.mkdtemp(prefix="restore-drill-"))
    backup_files = FileSystemStorage(location=folder / "backup" / "private")
    restored_files = FileSystemStorage(location=folder / "restored" / "private")
    for storage in (backup_files, restored_files):
        Path(storage.location).mkdir(parents=True, exist_ok=True)
    restored = None
    try:
        backup = back_up_database(folder / "backup")
        report.files = copy_files(storages["private"], backup_files)
        copy_files(backup_files, restored_files)
        restored = restore_database(backup, folder)
        connections.settings[RESTORED] = restored
        check_restored(restored_files, report)
    finally:
        if RESTORED in connections.settings:
            connections[RESTORED].close()
            del connections[RESTORED]
            del connections.settings[RESTORED]
        if restored is not None:
            drop_database(restored)
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report
