"""Restoring a backup of operations/backup.py: all of it or nothing, then the privacy duties.

Before anything is replaced the file is checked completely: its metadata, that it holds
the database kind this office runs on, that its schema is not newer than this code, the
payload's SHA-256, and the payload itself (SQLite's integrity check, `pg_restore --list`).

The replacement is one transaction:

- SQLite: the backup API copies the backup's pages into the live database in one step,
  under one write lock; a failure leaves the database as it was.
- PostgreSQL: psql runs, in a single transaction (`--single-transaction`,
  `ON_ERROR_STOP`), a prelude that drops the office's tables, sequences and functions and
  the SQL pg_restore makes of the dump; any error rolls all of it back.

Afterwards: the migrations the backup lacks are applied, erasure requests made after the
backup (read from the database before it was replaced) are carried out again, and the
retention purge runs, so that a restore never brings back personal data whose deletion
was due or requested after the backup was made.
"""

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from buergerbuero.audit.models import Action, AuditEvent
from buergerbuero.bookings.models import Booking
from buergerbuero.privacy.actions import erase_booking
from buergerbuero.privacy.anonymise import still_personal
from buergerbuero.privacy.purge import purge_expired

from . import running
from .backup import (
    FORMAT_VERSION,
    KIND_NAMES,
    METADATA_NAME,
    BackupError,
    Metadata,
    database_kind,
    run_pg,
    sqlite_migrations,
    tool,
)

# Everything the office's migrations create in the schema `public`, except what belongs
# to an extension. lock_timeout: a running office holding a lock makes the restore fail
# (and roll back) instead of wait without end.
POSTGRES_PRELUDE = """
SET lock_timeout = '30s';
DO $$
DECLARE item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE 'DROP TABLE IF EXISTS ' || item.name || ' CASCADE';
    END LOOP;
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'S'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE 'DROP SEQUENCE IF EXISTS ' || item.name || ' CASCADE';
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || item.name || ' CASCADE';
    END LOOP;
END
$$;
"""


STOP_FIRST = (
    "stop every instance of the office first (systemctl stop 'buergerbuero@*'; "
    "docs/operations.md, 'Restoring')"
)


@dataclass(frozen=True)
class Restored:
    metadata: Metadata
    migrated: int  # migrations applied because the backup was older than the code
    erasures_repeated: int
    purged: dict[str, int]


def read_metadata(path: Path) -> Metadata:
    with _open(path) as archive:
        return _metadata(archive)


def check_backup(path: Path) -> Metadata:
    """Everything `restore_backup` checks before it replaces anything; changes nothing."""
    with tempfile.TemporaryDirectory(prefix="bb-restore-") as work:
        return _checked_payload(path, Path(work))[0]


def others_connected() -> int:
    """How many other sessions are connected to the office's PostgreSQL database: a
    running office (each process's pool), an administrator's psql, a report. Sessions of
    this process do not count (they share its application_name, settings.py). SQLite
    keeps no such list (running.py marks its file instead): always 0 there."""
    if connection.vendor != "postgresql":
        return 0
    own_name = connection.settings_dict.get("OPTIONS", {}).get("application_name", "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            " AND application_name IS DISTINCT FROM %s",
            [own_name],
        )
        return cursor.fetchone()[0]


def in_use() -> str | None:
    """What shows that the office may be running on its database now, in words (for
    `restore --check`); None when nothing does."""
    if others := others_connected():
        return f"{others} other connection(s) to the database are open"
    with running.alone() as alone:
        return None if alone else "An office process is running on this database file"


def restore_backup(path: Path, *, even_if_connected: bool = False) -> Restored:
    # An office process cannot start on the SQLite file until this block is left.
    with tempfile.TemporaryDirectory(prefix="bb-restore-") as work, running.alone() as alone:
        found, payload = _checked_payload(path, Path(work))
        # A running office would go on with what it holds of the old data (sockets,
        # boards, its ticker's writes), and its locks would make the restore wait.
        if not even_if_connected and not alone:
            raise BackupError(
                "An office process is running on this database file (it holds "
                f"{running.mark_path()}): {STOP_FIRST}. Nothing was changed."
            )
        if not even_if_connected and (others := others_connected()):
            raise BackupError(
                f"{others} other connection(s) to the database are open: {STOP_FIRST}. "
                "If they are not the office's, restore with --even-if-connected. "
                "Nothing was changed."
            )
        erased = erasures_since(found)
        if found.database == "sqlite":
            _replace_sqlite(payload)
        else:
            _replace_postgres(payload, Path(work))
        connection.close()
        migrated = migrate()
        repeated = repeat_erasures(erased)
        purged = purge_expired(timezone.now())
    return Restored(found, migrated, repeated, purged)


def _checked_payload(path: Path, work: Path) -> tuple[Metadata, Path]:
    with _open(path) as archive:
        found = _metadata(archive)
        _check_fits(found)
        member = archive.next()
        if member is None or member.name != found.payload or not member.isfile():
            raise BackupError(f"{path} is incomplete: the database copy is missing.")
        payload = work / found.payload
        digest = hashlib.sha256()
        source = archive.extractfile(member)
        if source is None:
            raise BackupError(f"{path} is incomplete: the database copy is missing.")
        with source, open(os.open(payload, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as target:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                target.write(block)
    if digest.hexdigest() != found.sha256:
        raise BackupError(f"{path} is damaged: its database copy does not match its checksum.")
    if found.database == "sqlite":
        _check_sqlite(payload, found)
    else:
        tool("psql")
        result = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [tool("pg_restore"), "--list", str(payload)], capture_output=True, check=False
        )
        if result.returncode != 0:
            raise BackupError(f"{path} is damaged: {result.stderr.decode(errors='replace')}")
    return found, payload


@contextlib.contextmanager
def _open(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(path, mode="r:") as archive:
            yield archive
    except FileNotFoundError as error:
        raise BackupError(f"{path} does not exist.") from error
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(f"{path} is not a Bürgerbüro backup (or it is damaged).") from error
    except OSError as error:
        raise BackupError(f"{path} cannot be read: {error.strerror or error}.") from error


def _metadata(archive: tarfile.TarFile) -> Metadata:
    member = archive.next()
    if member is None or member.name != METADATA_NAME or not member.isfile():
        raise BackupError("This file is not a Bürgerbüro backup (no metadata).")
    raw = archive.extractfile(member)
    if raw is None:
        raise BackupError("This file is not a Bürgerbüro backup (no metadata).")
    return Metadata.from_json(raw.read())


def _check_fits(found: Metadata) -> None:
    """The backup must be of this office's database kind and not from newer code."""
    if found.version > FORMAT_VERSION:
        raise BackupError(
            f"This backup was written by a newer version of the office (backup format "
            f"{found.version}, this one reads {FORMAT_VERSION}): update the office first."
        )
    kind = database_kind()
    if found.database != kind:
        raise BackupError(
            f"This backup holds a {KIND_NAMES.get(found.database, found.database)} database, "
            f"but this office runs on {KIND_NAMES[kind]}. Restore it into an office that "
            f"uses {KIND_NAMES.get(found.database, found.database)} (DATABASE_URL)."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in found.migrations if (app, name) not in known]
    if unknown:
        raise BackupError(
            "This backup comes from a newer version of the office: its database has "
            f"migrations this code does not know ({', '.join(unknown[:5])}"
            f"{', …' if len(unknown) > 5 else ''}). Install that version (or a newer one) "
            "first, then restore."
        )


def _check_sqlite(payload: Path, found: Metadata) -> None:
    try:
        with contextlib.closing(sqlite3.connect(payload)) as copy:
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok" or sqlite_migrations(copy) != found.migrations:
                raise BackupError("The backup is damaged: its database copy fails its checks.")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The backup is damaged: {error}.") from error


def erasures_since(found: Metadata) -> list[str]:
    """The bookings whose erasure was requested after the backup was made, from the
    database about to be replaced (none when it cannot be read: a fresh or lost one)."""
    try:
        return list(
            AuditEvent.objects.filter(
                action=Action.ERASE_BOOKING, object_type="booking", at__gte=found.created()
            ).values_list("object_id", flat=True)
        )
    except DatabaseError:
        return []
    finally:
        connection.close()


def _replace_sqlite(payload: Path) -> None:
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(payload)) as copy:
        try:
            # pages=-1: all pages in one step, one transaction on the live database.
            copy.backup(connection.connection, pages=-1)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"The restore failed and changed nothing: {error}.") from error


def _replace_postgres(payload: Path, work: Path) -> None:
    script = work / "restore.sql"
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [tool("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(payload)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.decode(errors='replace')}")
    prelude = work / "prelude.sql"
    prelude.write_text(POSTGRES_PRELUDE)
    connection.close()
    try:
        run_pg(
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={prelude}",
            f"--file={script}",
            stdout=subprocess.DEVNULL,
        )
    except BackupError as error:
        raise BackupError(f"The restore failed and changed nothing: {error}") from error


def migrate() -> int:
    """Bring an older backup up to this code's schema; returns how many were applied."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=0)
    return len(plan)


def repeat_erasures(booking_ids: list[str]) -> int:
    repeated = 0
    for booking in Booking.objects.filter(pk__in=booking_ids).filter(still_personal(Booking)):
        erase_booking(booking)
        repeated += 1
    return repeated
