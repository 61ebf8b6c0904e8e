"""Run calls in real threads, released together, each with its own database connection."""

import threading
import time

from django.db import OperationalError, connection


def busy_wait(call):
    """Wait for a lock the way SQLite's busy timeout does on a database file.

    The SQLite test database lives in memory with a shared cache, where a locked table is
    reported at once (SQLITE_LOCKED) instead of waited for like on the office's database
    file. Each call writes only inside one transaction, so trying again is what SQLite's
    busy handler would do; PostgreSQL waits on the row lock by itself.
    """
    deadline = time.monotonic() + 10
    while True:
        try:
            return call()
        except OperationalError as error:
            if (
                connection.vendor != "sqlite"
                or "locked" not in str(error)
                or time.monotonic() > deadline
            ):
                raise
            time.sleep(0.005)


def race(*calls):
    """Run each call in its own thread with its own connection, released together.

    Returns what each call returned or raised, in the order given.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = busy_wait(call)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [thread.is_alive() for thread in threads] == [False] * len(calls)
    return results
