"""Writing the audit log. Domain actions call `record` inside their own transaction for
every staff action that touches a citizen's record or a department's configuration, and
for a citizen's erasure request, so no way in can skip it; nothing updates or deletes an
event.

PostgreSQL enforces that too (migration 0002): an UPDATE is refused always, a DELETE
unless `purge_before` asked for it in the same transaction.
"""

from datetime import datetime

from django.db import connection, transaction

from .models import Action, AuditEvent

DETAIL_MAX = 200


def record(
    action: Action | str,
    *,
    actor,
    object_type: str,
    object_id: object = "",
    department_id: int | None = None,
    detail: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """Append one event. `detail` is for ids, dates and fixed words, never a citizen's
    name, topic or message. Without a user as `actor` (an API token, a command),
    `actor_name` says who it was."""
    return AuditEvent.objects.create(
        action=Action(action),
        # A command's actor (manage.py) is no account: its name is recorded, no id.
        actor=actor if getattr(actor, "pk", None) is not None else None,
        actor_name=actor.get_username() if actor is not None else actor_name,
        department_id=department_id,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail[:DETAIL_MAX],
    )


def purge_before(cutoff: datetime) -> int:
    """Delete events older than `cutoff` (the operator's retention period); the only
    deletion the PostgreSQL trigger lets through."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL buergerbuero.audit_purge = 'on'")
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
