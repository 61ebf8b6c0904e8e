"""The mark an office process holds on its SQLite file (operations/running.py), as a
restore sees it: held by a process that runs, gone with the process however it ends."""

import logging
import subprocess
import sys
from types import SimpleNamespace

import pytest

from buergerbuero.operations import running
from buergerbuero.operations.backup import BackupError

HOLDER = """
import fcntl, os, sys, time
mark = os.open(sys.argv[1], os.O_RDONLY | os.O_CREAT, 0o644)
fcntl.flock(mark, fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def mark(tmp_path, monkeypatch):
    path = tmp_path / "office.sqlite3.running"
    monkeypatch.setattr(running, "mark_path", lambda: path)
    yield path
    running.release()


def alone() -> bool:
    with running.alone() as result:
        return result


def test_an_office_process_holds_the_mark_until_it_is_killed(mark):
    assert alone()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(mark)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "held\n"
        assert not alone()
        holder.kill()  # no chance to clean up: the kernel lets go of the lock
        holder.wait(10)
    finally:
        holder.kill()
        holder.stdout.close()
    assert alone()
    assert mark.exists()  # the file stays, and means nothing on its own


def test_this_process_s_own_hold_counts_and_its_release_ends_it(mark):
    running.hold()
    assert not alone()
    running.release()
    assert alone()


def test_a_mark_that_cannot_be_opened_lets_the_office_run_and_the_restore_say_why(mark, caplog):
    mark.mkdir()  # not a file: cannot be opened as one
    with caplog.at_level(logging.WARNING, logger="buergerbuero.operations.running"):
        running.hold()
    assert f"cannot mark {mark} as in use" in caplog.text
    with pytest.raises(BackupError, match=r"^Cannot open .* to see whether the office runs"):
        alone()


@pytest.mark.parametrize(
    ("engine", "name", "expected"),
    [
        ("postgresql", "buergerbuero", None),
        ("sqlite3", ":memory:", None),
        ("sqlite3", "file:memorydb_default?mode=memory&cache=shared", None),
        ("sqlite3", "/srv/bb/db.sqlite3", "/srv/bb/db.sqlite3.running"),
    ],
)
def test_only_an_sqlite_file_has_a_mark(monkeypatch, engine, name, expected):
    databases = {"default": {"ENGINE": f"django.db.backends.{engine}", "NAME": name}}
    monkeypatch.setattr(running, "settings", SimpleNamespace(DATABASES=databases))
    path = running.mark_path()
    assert (str(path) if path else None) == expected
