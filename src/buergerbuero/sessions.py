"""Django's database sessions without the look-up before a new session is written.

Django asks the database whether a freshly drawn key is taken before it inserts the row.
With 32 random characters (165 bits) it never is, and the insert itself refuses a taken
key (`must_create`, which makes Django draw again), so the question only cost every new
session a query: every citizen's first knock (docs/benchmarks.md, "Knock to staff alert").
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
