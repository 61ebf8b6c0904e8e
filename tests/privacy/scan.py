"""Reading every text value of every table, to prove a string is gone from the database."""

import json

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection


def _text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return None


def _session_text(session_data: str) -> str:
    # Session data is signed and base64-encoded: a name in it would not show as such.
    return json.dumps(SessionStore().decode(session_data), ensure_ascii=False, default=str)


def database_texts() -> list[tuple[str, str, str]]:
    """(table, column, text) of every non-empty text value in the database."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - our own table names
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = _text(value)
                    if table == "django_session" and column == "session_data":
                        text = _session_text(value)
                    if text:
                        found.append((table, column, text))
    return found


def occurrences(needles: list[str]) -> list[tuple[str, str, str]]:
    """Where any of `needles` (case-insensitive) still appears: (table, column, needle)."""
    lowered = [needle.lower() for needle in needles]
    return sorted(
        {
            (table, column, needle)
            for table, column, text in database_texts()
            for needle in lowered
            if needle in text.lower()
        }
    )
