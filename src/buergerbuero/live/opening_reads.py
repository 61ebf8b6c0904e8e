"""The reads that open a socket, on a few threads of their own.

Channels does all database work of a process's sockets on one thread, one call after the
other. At an admission that thread is busy with what the admission announces (the
citizen's `admitted`, the consoles' updates) just when the two sockets of the call open,
and their reads (who is on the socket, whether the room runs, who else is in it) waited
behind it: 10-80 ms per socket, measured (docs/benchmarks.md, "Call set-up"). They only
read what has committed before the socket could be opened (an admission commits before
its answer goes out), so nothing orders them with that thread's work, and they run here.

Only a call's sockets (live/application.py): they are few and someone waits for each.
The crowd of waiting rooms and consoles that reconnects after a restart stays on the
database thread, as before: on a pool of its own it would take the interpreter from the
event loop that has to answer all their handshakes (docs/benchmarks.md, "Reconnect
storm"). A small pool, so it never takes more database connections than a process's
pool allows (settings.DB_POOL_MAX_SIZE)."""

from concurrent.futures import ThreadPoolExecutor
from functools import wraps

from asgiref.sync import sync_to_async
from django.db import close_old_connections

THREADS = 4
_readers = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="socket-opening")


def opening_read(function):
    """`function` (synchronous, reading only) as a coroutine function on the pool. Its
    connection goes back to the pool when it returns: closed inside the call, where it
    was opened (Channels' `database_sync_to_async` closes it outside, in the thread's
    other context, which on these threads left it checked out)."""

    @wraps(function)
    def read(*args, **kwargs):
        close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(read, thread_sensitive=False, executor=_readers)
