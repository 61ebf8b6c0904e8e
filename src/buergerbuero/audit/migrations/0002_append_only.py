"""The database refuses to change or remove audit events, whoever asks.

PostgreSQL: a row trigger rejects every UPDATE, and every DELETE except inside a
transaction that set `buergerbuero.audit_purge` (audit.actions.purge_before, for the
retention period). TRUNCATE fires no row trigger: Django's test flush uses it, and only
the table's owner may run it, so production's application role should not own the tables
(docs/security.md, "Audit log").

SQLite: UPDATE is rejected; DELETE is not, because Django's flush (tests) deletes row by
row and SQLite has no session setting a trigger could read. SQLite is for trials and
small single-host installs, where whoever reaches the file can rewrite it anyway.
"""

from django.db import migrations

POSTGRES_CREATE = [
    """
    CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('buergerbuero.audit_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]
SQLITE_CREATE = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only');
    END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_no_update"]

BY_VENDOR = {
    "postgresql": (POSTGRES_CREATE, POSTGRES_DROP),
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
}


def _run(schema_editor, index: int) -> None:
    # Any other database: protecting the table is the operator's job (docs/security.md).
    for statement in BY_VENDOR.get(schema_editor.connection.vendor, ([], []))[index]:
        schema_editor.execute(statement, params=None)


def create(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def drop(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
