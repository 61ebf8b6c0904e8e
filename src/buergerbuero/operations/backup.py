"""A backup of the office's database in one file (docs/operations.md, "Backup and restore").

The file is an uncompressed tar archive with two members, in this order:

- `metadata.json`: what `Metadata` holds: the database kind, the migrations applied in
  the copy, when it was taken, the payload's name, size and SHA-256;
- the payload: `database.sqlite3` (a copy made with SQLite's online backup API) or
  `database.pgdump` (pg_dump's custom format).

Both copies are consistent snapshots taken while the office keeps running: SQLite's
backup API copies the pages under one read lock, and pg_dump reads the snapshot of the
transaction that also read the migration list for the metadata (`pg_export_snapshot`).

The file holds personal data. It is written under a temporary name with mode 0600 in the
target's directory and renamed into place when complete, so a half-written backup never
carries the final name.
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path

from django.db import connection, transaction

FORMAT = "buergerbuero-backup"
FORMAT_VERSION = 1
METADATA_NAME = "metadata.json"
PAYLOAD_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Metadata:
    format: str
    version: int
    database: str  # "sqlite" or "postgresql"
    created_at: str  # ISO 8601, UTC
    migrations: list[tuple[str, str]]  # (app, name), as in django_migrations
    payload: str
    size: int
    sha256: str
    office_version: str

    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Metadata":
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("format")
            data["migrations"] = [(str(app), str(name)) for app, name in data["migrations"]]
            found = cls(**data)
            found.created()
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise BackupError("This file is not a Bürgerbüro backup (no valid metadata).") from (
                error
            )
        return found


def database_kind() -> str:
    if connection.vendor not in PAYLOAD_NAMES:
        raise BackupError(f"Backups are made for SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def write_backup(target: Path) -> Metadata:
    """Copy the database into `target` (replaced if it exists); returns what the file says."""
    kind = database_kind()
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"The directory {target.parent} does not exist.")
    if target.is_dir():
        raise BackupError(f"{target} is a directory: name the backup file.")
    try:
        return _write(target, kind)
    except OSError as error:
        raise BackupError(f"Cannot write {target}: {error.strerror or error}.") from error


def _write(target: Path, kind: str) -> Metadata:
    # Temporary files hold personal data too: a private directory beside the target.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".bb-backup-") as work:
        payload = Path(work) / PAYLOAD_NAMES[kind]
        created = datetime.now(UTC)
        migrations = dump_sqlite(payload) if kind == "sqlite" else dump_postgres(payload)
        found = Metadata(
            format=FORMAT,
            version=FORMAT_VERSION,
            database=kind,
            created_at=created.isoformat(),
            migrations=migrations,
            payload=payload.name,
            size=payload.stat().st_size,
            sha256=file_sha256(payload),
            office_version=office_version(),
        )
        partial = Path(work) / "backup.tar"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as archive:
                _add_bytes(archive, METADATA_NAME, found.to_json(), created)
                with payload.open("rb") as data:
                    _add_file(archive, payload.name, data, found.size, created)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    return found


def dump_sqlite(payload: Path) -> list[tuple[str, str]]:
    """Copy the live database with SQLite's online backup API, in one step (one read lock,
    so the copy is consistent while the office writes); returns the copy's migrations."""
    connection.ensure_connection()
    live = connection.connection
    with contextlib.closing(sqlite3.connect(payload)) as copy:
        live.backup(copy)
        # A single self-contained file: no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        return sqlite_migrations(copy)


def sqlite_migrations(database: sqlite3.Connection) -> list[tuple[str, str]]:
    try:
        rows = database.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    except sqlite3.DatabaseError as error:
        raise BackupError("The database has no migration table: nothing to back up.") from error
    return [(app, name) for app, name in rows]


def dump_postgres(payload: Path) -> list[tuple[str, str]]:
    """pg_dump in custom format, reading the same snapshot as the migration list."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
        if not cursor.fetchone()[0]:
            raise BackupError("The database has no migration table: nothing to back up.")
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = [(app, name) for app, name in cursor.fetchall()]
        run_pg(
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={payload}",
        )
    return migrations


def tool(name: str) -> str:
    """The full path of one of PostgreSQL's client programs."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install PostgreSQL's client programs "
            "(Debian: postgresql-client, of the server's major version or newer)."
        )
    return path


def run_pg(program: str, *parameters: str, stdin=None, stdout=None) -> None:
    """Run one of PostgreSQL's client programs against the office's database."""
    args, extra_env = connection.client.settings_to_cmd_args_env(
        connection.settings_dict, list(parameters)
    )
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [tool(program), *args[1:]],
        env={**os.environ, **(extra_env or {})},
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.decode(errors='replace').strip()}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def office_version() -> str:
    try:
        return package_metadata.version("buergerbuero")
    except package_metadata.PackageNotFoundError:
        return "unknown"


def _member(name: str, size: int, created: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(created.timestamp())
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, created: datetime) -> None:
    archive.addfile(_member(name, len(data), created), io.BytesIO(data))


def _add_file(archive: tarfile.TarFile, name: str, data, size: int, created: datetime) -> None:
    archive.addfile(_member(name, size, created), data)
