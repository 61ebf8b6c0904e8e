"""`manage.py backup` and `manage.py restore` on the run's database (SQLite, or PostgreSQL
with the real pg_dump, pg_restore and psql), and once as the county's IT runs them: the
commands in processes of their own against an office's SQLite file in WAL mode.

Every row of every table is compared before the backup and after the restore, exactly."""

import io
import json
import sqlite3
import stat
import subprocess
import sys
import tarfile
from contextlib import closing
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from buergerbuero.bookings.models import Booking
from buergerbuero.privacy.actions import erase_booking

from ..server import ROOT, Uvicorn, server_env
from . import backup_data

pytestmark = pytest.mark.django_db(transaction=True)
KIND = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def refusal(*args: str) -> str:
    with pytest.raises(CommandError) as refused:
        run(*args)
    return str(refused.value)


def test_a_restore_brings_back_every_row_exactly(tmp_path):
    backup_data.seed()
    before = backup_data.rows()
    backup = tmp_path / "backups" / "office.bbbackup"
    backup.parent.mkdir()

    written = run("backup", str(backup))

    assert written.startswith(f"Backup of the {connection.vendor} database written to {backup}")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    # No temporary file is left beside it.
    assert [p.name for p in backup.parent.iterdir()] == ["office.bbbackup"]
    backup_data.change()
    assert backup_data.rows() != before

    restored = run("restore", "--no-input", str(backup))

    assert restored.splitlines()[1:3] == [
        "Migrations applied after the restore: 0",
        "Erasure requests made after the backup, carried out again: 0",
    ]
    after = backup_data.rows()
    assert after == before
    assert [label for label in backup_data.NAMED if not after[label]] == []
    # The office goes on on the restored database: new rows get fresh ids.
    backup_data.change()


def test_a_restore_while_the_office_is_connected_is_refused_and_nothing_changes(tmp_path):
    backup_data.seed()
    before = backup_data.rows()
    backup = tmp_path / "office.bbbackup"
    run("backup", str(backup))
    backup_data.change()
    changed = backup_data.rows()

    if connection.vendor == "postgresql":
        # A running office: a process of its own, connected as its pool is.
        params = connection.settings_dict
        with psycopg.connect(
            dbname=params["NAME"],
            host=params["HOST"] or None,
            port=params["PORT"] or None,
            user=params["USER"] or None,
            password=params["PASSWORD"] or None,
            application_name="buergerbuero office-host:4242",
        ):
            refused = refusal("restore", "--no-input", str(backup))
            assert refused.startswith(
                "1 other connection(s) to the database are open: stop every instance of the "
                "office first (systemctl stop 'buergerbuero@*'"
            ), refused
            assert refused.endswith("Nothing was changed.")
            assert backup_data.rows() == changed
            checked = run("restore", "--check", str(backup))
            assert checked.splitlines()[1] == (
                "1 other connection(s) to the database are open now: stop every instance of "
                "the office before the restore."
            )
            # Someone who knows the session is not the office's (a report, say).
            run("restore", "--no-input", "--even-if-connected", str(backup))
    else:
        # A connection that is not an office process (a report, the sqlite3 shell) is
        # not counted (office processes mark the file: the test above); the restore goes
        # ahead under its write lock.
        with closing(sqlite3.connect(connection.settings_dict["NAME"])):
            run("restore", "--no-input", str(backup))
    assert backup_data.rows() == before


def test_a_backup_is_a_tar_with_its_metadata_first_and_can_be_checked(tmp_path):
    backup_data.seed()
    backup = tmp_path / "office.bbbackup"
    run("backup", str(backup))

    with tarfile.open(backup) as archive:
        names = archive.getnames()
        metadata = json.load(archive.extractfile("metadata.json"))
    payload = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[connection.vendor]
    assert names == ["metadata.json", payload]
    assert (metadata["format"], metadata["version"], metadata["database"]) == (
        "buergerbuero-backup",
        1,
        connection.vendor,
    )
    assert ["audit", "0003_alter_auditevent_action"] in metadata["migrations"]
    assert run("restore", "--check", str(backup)).startswith(
        f"{backup} can be restored here: {connection.vendor} database of {metadata['created_at']}"
    )


def test_personal_data_purged_or_erased_after_the_backup_stays_gone(tmp_path):
    backup_data.seed(old_booking=True)
    backup = tmp_path / "office.bbbackup"
    run("backup", str(backup))
    # After the backup: the purge anonymises the old booking, a citizen erases another.
    run("purge_personal_data")
    erase_booking(Booking.objects.get(display_name="Jörg Ölmann"))

    restored = run("restore", "--no-input", str(backup))

    assert "Erasure requests made after the backup, carried out again: 1\n" in restored
    assert "bookings: 1 purged\n" in restored
    names = sorted(Booking.objects.values_list("display_name", flat=True))
    assert names == ["", "", "Ayşe Yılmaz"]


def test_a_backup_from_an_older_schema_is_restored_and_migrated(tmp_path):
    backup_data.seed()
    before = backup_data.rows()
    # As an older office had it: without the audit app's newest migration.
    graph = MigrationLoader(connection).graph
    newest = graph.leaf_nodes("audit")[0]
    previous = next(node for node in graph.node_map[newest].parents if node.key[0] == "audit")
    call_command("migrate", "audit", previous.key[1], verbosity=0)
    backup = tmp_path / "older.bbbackup"
    run("backup", str(backup))
    call_command("migrate", "audit", verbosity=0)

    restored = run("restore", "--no-input", str(backup))

    assert "Migrations applied after the restore: 1\n" in restored
    assert backup_data.rows() == before
    assert newest in MigrationRecorder(connection).applied_migrations()


def test_a_backup_of_the_other_database_kind_is_refused_and_nothing_changes(tmp_path):
    backup_data.seed()
    before = backup_data.rows()
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    forged = forge(tmp_path / "other.bbbackup", database=other)

    refused = refusal("restore", "--no-input", str(forged))

    assert refused == (
        f"This backup holds a {KIND[other]} database, but this office runs on "
        f"{KIND[connection.vendor]}. Restore it into an office that uses {KIND[other]} "
        "(DATABASE_URL)."
    )
    assert backup_data.rows() == before


def test_a_backup_from_a_newer_schema_is_refused_and_nothing_changes(tmp_path):
    backup_data.seed()
    before = backup_data.rows()
    forged = forge(
        tmp_path / "newer.bbbackup",
        database=connection.vendor,
        migrations=[["audit", "0001_initial"], ["bookings", "9999_from_the_future"]],
    )

    refused = refusal("restore", "--no-input", str(forged))

    assert refused == (
        "This backup comes from a newer version of the office: its database has "
        "migrations this code does not know (bookings.9999_from_the_future). Install that "
        "version (or a newer one) first, then restore."
    )
    assert backup_data.rows() == before


def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(tmp_path):
    backup_data.seed()
    backup = tmp_path / "office.bbbackup"
    run("backup", str(backup))
    before = backup_data.rows()
    damaged = tmp_path / "damaged.bbbackup"
    with tarfile.open(backup) as archive:
        payload = archive.getmembers()[1]
    data = bytearray(backup.read_bytes())
    data[payload.offset_data + payload.size // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a backup")
    missing = tmp_path / "missing.bbbackup"

    refused = [refusal("restore", "--no-input", str(path)) for path in (damaged, foreign, missing)]

    assert refused == [
        f"{damaged} is damaged: its database copy does not match its checksum.",
        f"{foreign} is not a Bürgerbüro backup (or it is damaged).",
        f"{missing} does not exist.",
    ]
    assert backup_data.rows() == before


def test_a_backup_into_a_missing_directory_or_onto_a_directory_is_refused(tmp_path):
    assert refusal("backup", str(tmp_path / "nowhere" / "office.bbbackup")) == (
        f"The directory {tmp_path / 'nowhere'} does not exist."
    )
    assert refusal("backup", str(tmp_path)) == f"{tmp_path} is a directory: name the backup file."


def forge(path: Path, *, database: str, migrations=None) -> Path:
    """A well-formed backup file with metadata of our choosing (and a payload that must
    never be read, because the metadata is refused first)."""
    payload = b"never restored"
    metadata = {
        "format": "buergerbuero-backup",
        "version": 1,
        "database": database,
        "created_at": "2026-01-05T08:00:00+00:00",
        "migrations": migrations or [["audit", "0001_initial"]],
        "payload": "database.bin",
        "size": len(payload),
        "sha256": "0" * 64,
        "office_version": "0.1.0",
    }
    with tarfile.open(path, "w") as archive:
        for name, data in (
            ("metadata.json", json.dumps(metadata).encode()),
            ("database.bin", payload),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def sqlite_office_env(tmp_path: Path, database: Path, **overrides: str) -> dict[str, str]:
    """An office of its own on the SQLite file `database`, whatever this run's database."""
    env = server_env(tmp_path, DATABASE_URL=f"sqlite:///{database}", **overrides)
    env.pop("REDIS_URL", None)
    return env


def manage_in(env: dict[str, str], *args: str, succeeds: bool = True) -> str:
    """manage.py in its own process, as IT runs it; its output (stdout, or stderr when it
    is to fail)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if succeeds:
        assert done.returncode == 0, done.stderr
        return done.stdout
    assert done.returncode != 0, done.stdout
    return done.stderr


def test_a_restore_while_the_office_runs_on_the_sqlite_file_is_refused(tmp_path):
    """A real office process on the file: the restore refuses and changes nothing, --check
    says so; once the office is stopped, the same restore goes ahead."""
    database = tmp_path / "office.sqlite3"
    env = sqlite_office_env(tmp_path, database)
    rows = "from tests.operations import backup_data; print(json.dumps(backup_data.rows()))"
    manage_in(env, "migrate", "--no-input", "-v0")
    before = manage_in(env, "shell", "-v0", "-c", f"import json\n{SEED_CALL}\n{rows}")
    backup = tmp_path / "office.bbbackup"
    manage_in(env, "backup", str(backup))
    change = "from tests.operations import backup_data; backup_data.change()"
    changed = manage_in(env, "shell", "-v0", "-c", f"import json\n{change}\n{rows}")
    assert changed != before

    office = Uvicorn(env, ["--log-level", "warning"], tmp_path / "server.log")
    office.start()
    try:
        refused = manage_in(env, "restore", "--no-input", str(backup), succeeds=False)
        assert (
            "CommandError: An office process is running on this database file (it holds "
            f"{database}.running): stop every instance of the office first"
        ) in refused, refused
        assert refused.rstrip().endswith("Nothing was changed.")
        # What was changed after the backup is all still there (the running office's
        # ticker may have written more meanwhile: a reminder mail, say).
        assert manage_in(env, "shell", "-v0", "-c", CHANGES_KEPT).split() == ["True"] * 3
        checked = manage_in(env, "restore", "--check", str(backup))
        assert checked.splitlines()[1] == (
            "An office process is running on this database file now: stop every instance "
            "of the office before the restore."
        )
    finally:
        office.stop()

    # Stopped (the kernel let go of its mark): the same restore goes ahead.
    assert len(manage_in(env, "restore", "--check", str(backup)).splitlines()) == 1
    manage_in(env, "restore", "--no-input", str(backup))
    assert manage_in(env, "shell", "-v0", "-c", f"import json\n{rows}") == before


def test_the_commands_round_trip_an_office_s_sqlite_file_while_it_is_written(tmp_path):
    """As IT runs them: separate processes on the office's database file in WAL mode, the
    backup taken while another process keeps writing."""
    database = tmp_path / "office.sqlite3"
    env = sqlite_office_env(
        tmp_path, database, PYTHONWARNINGS="error", MAX_WAITING_PER_DEPARTMENT="1000000"
    )

    def manage(*args: str) -> str:
        return manage_in(env, *args)

    rows = "from tests.operations import backup_data; print(json.dumps(backup_data.rows()))"
    manage("migrate", "--no-input", "-v0")
    before = json.loads(
        manage("shell", "-v0", "-c", f"import json\n{SEED_CALL}\n{rows}").splitlines()[-1]
    )
    # A writer that commits a knock every few milliseconds until the backup is done.
    writer = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-v0", "-c", WRITER],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "writing\n"
        backup = tmp_path / "office.bbbackup"
        manage("backup", str(backup))
    finally:
        writer.terminate()
        writer.wait(10)
        writer.stdout.close()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with tarfile.open(backup) as archive:
        copy = tmp_path / "copy.sqlite3"
        copy.write_bytes(archive.extractfile("database.sqlite3").read())
    # The copy is consistent: what the writer had committed, entry and audit alike.
    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        knocked = db.execute(
            "SELECT count(*) FROM waiting_queueentry WHERE display_name LIKE 'Writer %'"
        ).fetchone()[0]
    assert knocked >= 1

    manage("restore", "--no-input", str(backup))
    manage("shell", "-v0", "-c", "from tests.operations import backup_data; backup_data.change()")
    manage("restore", "--no-input", str(backup))

    after = json.loads(manage("shell", "-v0", "-c", f"import json\n{rows}"))
    writer_rows = [row for row in after["waiting.QueueEntry"] if "Writer" in str(row)]
    assert len(writer_rows) == knocked
    assert {
        **after,
        "waiting.QueueEntry": [r for r in after["waiting.QueueEntry"] if r not in writer_rows],
    } == before


SEED_CALL = "from tests.operations import backup_data; backup_data.seed()"
CHANGES_KEPT = """
from buergerbuero.bookings.models import Booking
from buergerbuero.departments.models import Department
from buergerbuero.waiting.models import QueueEntry
print(Department.objects.get(slug="wohngeld").name == "Umbenannt")
print(QueueEntry.objects.filter(display_name="Später gekommen").exists())
print(set(Booking.objects.values_list("topic", flat=True)) == {"geändert"})
"""
WRITER = """
import itertools, time
from buergerbuero.departments.models import Department
from buergerbuero.waiting.actions import knock
department = Department.objects.get(slug="wohngeld")
for n in itertools.count():
    knock(department, f"Writer {n}")
    time.sleep(0.002)
    if n == 0:
        print("writing", flush=True)
"""
