"""Whether an office process runs on this SQLite file: a mark each one holds while it runs.

PostgreSQL lists who is connected (`restore.others_connected`); an SQLite file keeps no
such list. So every office process holds a shared lock (`flock`) on a file beside the
database, `<database>.running`, from its start (the ASGI lifespan) to its end. The
kernel lets go of the lock when the process ends, however it ends (stopped, crashed,
killed), so the mark is never stale; the file itself stays and means nothing on its own.

`manage.py restore` takes the lock exclusively for the whole restore: refused, without
waiting, while any office process holds it; and an office starting meanwhile waits
until the restore is over instead of serving a database being replaced.
"""

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from .backup import BackupError

log = logging.getLogger(__name__)

SUFFIX = ".running"

_held: int | None = None  # this process's open mark, while it runs the office


def mark_path() -> Path | None:
    """The mark of the office's SQLite file; None for PostgreSQL or a database in memory."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    name = str(database["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    path = Path(name)
    return path.with_name(path.name + SUFFIX)


def hold() -> None:
    """This process runs the office on the file until it ends (or `release`). Blocks
    while a restore is under way. Blocking: call it off the event loop."""
    global _held
    path = mark_path()
    if path is None or _held is not None:
        return
    try:
        mark = _open(path)
    except OSError as error:  # the office runs all the same; the restore cannot tell
        log.warning("cannot mark %s as in use (%s): a restore will not see the office", path, error)
        return
    try:
        fcntl.flock(mark, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        log.warning("a restore is under way on %s: the office starts when it is over", path)
        fcntl.flock(mark, fcntl.LOCK_SH)
    _held = mark


def release() -> None:
    global _held
    if _held is not None:
        os.close(_held)
        _held = None


@contextlib.contextmanager
def alone() -> Iterator[bool]:
    """Yields whether no office process runs on the file (always True for PostgreSQL and
    for a database in memory); while True, no office process can start until the block
    is left."""
    path = mark_path()
    if path is None:
        yield True
        return
    try:
        mark = _open(path)
    except OSError as error:
        raise BackupError(
            f"Cannot open {path} to see whether the office runs on the database: "
            f"{error.strerror or error}."
        ) from error
    try:
        try:
            fcntl.flock(mark, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(mark)


def _open(path: Path) -> int:
    # Read-only is enough for flock, so a mark created by whoever came first (the service
    # user's office, or root running a restore) opens for the other too. It holds nothing.
    return os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
