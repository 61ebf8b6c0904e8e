"""Who must hear about a change, decided in one place.

Domain functions call these after their transaction commits. They run in sync code
(views, database threads, commands) and hand events to the channel layer, or, for the
public status board, to the per-process status hub.
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.urls import reverse

from . import groups

log = logging.getLogger(__name__)


def _send(group: str, event: dict) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, event)
    except Exception:
        # A channel-layer hiccup must not undo a change already committed; clients
        # resynchronise from the database when they reconnect.
        log.exception("could not announce to %s", group)


def _forward(group: str, payload: dict) -> None:
    _send(group, {"type": "forward", "payload": payload})


def queue_changed(department_id: int) -> None:
    _send(groups.queue(department_id), {"type": "queue.changed"})
    _send(groups.staff(department_id), {"type": "queue.changed"})


def departments_changed(department_ids) -> None:
    """Staffing changed: queues re-estimate, consoles refresh, the status board updates."""
    for department_id in department_ids:
        queue_changed(department_id)
    status_board()


def entry_admitted(entry, room) -> None:
    _forward(
        groups.entry(entry.pk),
        {"type": "admitted", "call_url": reverse("public:call", args=[room.pk])},
    )
    departments_changed([entry.department_id])


def entry_declined(entry) -> None:
    _forward(groups.entry(entry.pk), {"type": "declined", "message": entry.decline_message})
    queue_changed(entry.department_id)


def staff_message(department_id: int, text: str, entry_id: str | None) -> None:
    group = groups.queue(department_id) if entry_id is None else groups.entry(entry_id)
    _forward(group, {"type": "staff-message", "text": text, "to_all": entry_id is None})


def room_ended(room, by) -> None:
    _forward(groups.room(room.pk), {"type": "ended", "by": by.pk})
    departments_changed([room.department_id])


def status_board() -> None:
    from buergerbuero.departments.status import board

    from .statusboard import publish

    try:
        text = json.dumps({"type": "status", "departments": board()}, separators=(",", ":"))
        publish(text)
    except Exception:
        log.exception("could not publish the status board")
