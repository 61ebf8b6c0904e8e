"""Who must hear about a change, decided in one place: the transport's side of
`buergerbuero.notify`.

`deliver` is registered as a listener at start-up (`LiveConfig.ready`). It runs in sync
code (views, database threads, commands, the ticker) and hands each event to the channel
layer, or, for the public status board, to the per-process status hub.
"""

import logging
from collections.abc import Mapping

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import DatabaseError
from django.urls import reverse
from redis.exceptions import RedisError

from buergerbuero import notify
from buergerbuero.office.status import board
from buergerbuero.outage import Outage
from buergerbuero.waiting import desk

from . import groups, outgoing, sequence
from .statusboard import publish

log = logging.getLogger(__name__)
# While Redis is down nothing can be announced; sockets were sent away with 1013 and read
# the current state from the database when they come back. One WARNING per outage.
_outage = Outage(
    log,
    "Redis (announcing changes)",
    "nothing is announced until it answers again; sockets catch up when they reconnect",
)


def deliver(event: notify.Event) -> None:
    match event:
        case notify.QueueChanged(department_id, joined, waiting, last_in_line, row):
            if not last_in_line:
                # Places and estimates may have moved (a knock, last in line, moves none).
                _send(groups.queue(department_id), {"type": "queue.changed"})
            added = (row, waiting) if row is not None and waiting is not None else None
            _consoles_changed(department_id, joined=joined, added=added)
        case notify.PresenceChanged(department_id):
            # The consoles' part of a queue change only: the waiting rooms' positions
            # and estimates stay as they are.
            _consoles_changed(department_id)
        case notify.StaffingChanged(department_ids):
            _staffing_changed(department_ids)
        case notify.AccessChanged(user_id):
            _send(groups.member(user_id), {"type": "access.changed"})
        case notify.EntryAdmitted(entry_id, _, room_id):
            _forward(groups.entry(entry_id), outgoing.admitted(room_id))
        case notify.EntryDeclined(entry_id, department_id, message, language):
            _forward(groups.entry(entry_id), outgoing.Declined(message=message, lang=language))
            _queue_changed(department_id)
        case notify.StaffMessageSent(department_id, entry_id, text):
            group = groups.queue(department_id) if entry_id is None else groups.entry(entry_id)
            _forward(group, outgoing.StaffMessage(text=text, to_all=entry_id is None))
        case notify.EntryTransferred(entry_id, from_id, to_id, name, slug, note):
            # The waiting room moves to the new queue's group itself (it must leave the
            # old one), then says where the citizen is now.
            _send(
                groups.entry(entry_id),
                {
                    "type": "entry.transferred",
                    "department": to_id,
                    "payload": outgoing.Transferred(
                        department=name,
                        note=note,
                        page=reverse("public:department", args=[slug]),
                        alternatives=reverse("public:alternatives", args=[slug]),
                    ).dump(),
                },
            )
            # Both queues in one console update where a console serves both: the citizen's
            # row stays (and keeps the focus) instead of leaving and coming back.
            for department_id in (from_id, to_id):
                _queue_changed(department_id, together=(from_id, to_id))
            status_board()
        case notify.CitizenReplied(department_id, entry_id, text, at):
            _forward(
                groups.staff(department_id),
                outgoing.CitizenReply(entry=entry_id, department=department_id, text=text, at=at),
            )
        case notify.CallbacksChanged(department_id, withdrawn):
            changed = (
                outgoing.CallbacksChanged(department=department_id, withdrawn=True)
                if withdrawn
                else outgoing.CallbacksChanged(department=department_id)
            )
            _forward(groups.staff(department_id), changed)
        case notify.RoomEnded(room_id, department_id, ended_by, reason, entry_id):
            if reason == "citizen-absent":
                ended = outgoing.Ended(by=ended_by, reason="citizen-absent")
            elif reason == "unanswered":
                ended = outgoing.Ended(by=ended_by, reason="unanswered")
            elif reason == "returned":
                ended = outgoing.taken_back(ended_by, entry_id)
            else:
                ended = outgoing.Ended(by=ended_by)
            _forward(groups.room(room_id), ended)
            _staffing_changed([department_id])


def _send(group: str, event: dict) -> None:
    try:
        layer = get_channel_layer()
        assert layer is not None  # settings.CHANNEL_LAYERS always has a default layer
        async_to_sync(layer.group_send)(group, event)
    except RedisError as error:
        _outage.failed(error)
        return
    except Exception:
        # A channel-layer hiccup must not undo a change already committed; clients
        # resynchronise from the database when they reconnect.
        log.exception("could not announce to %s", group)
        return
    _outage.recovered()


def _forward(group: str, message: outgoing.Out) -> None:
    _send(group, {"type": "forward", "payload": message.dump()})


def _queue_changed(
    department_id: int, together: tuple[int, ...] = (), joined: str | None = None
) -> None:
    _send(groups.queue(department_id), {"type": "queue.changed"})
    _consoles_changed(department_id, together, joined)


def _consoles_changed(
    department_id: int,
    together: tuple[int, ...] = (),
    joined: str | None = None,
    added: tuple[Mapping[str, object], int] | None = None,
) -> None:
    # Consoles send only this department's part of the desk (and of the departments that
    # changed together with it, those they serve); a citizen who joined travels with the
    # event, so a knock costs the consoles no read at all. Numbered, so a console that
    # missed an event (a full channel drops it) notices and starts afresh (sequence.py).
    if added is None and joined is not None:
        try:
            row = desk.joined(joined)
            if row is not None:
                added = (row[0].model_dump(mode="json"), row[1])
        except DatabaseError as error:
            # The database is too busy to read the row: the consoles are told that the
            # department changed, and read it themselves.
            log.warning("could not read a new waiting citizen: %s", error)
    try:
        event: dict = {
            "type": "queue.changed",
            "department": department_id,
            "seq": sequence.next_number(department_id),
        }
    except RedisError as error:
        _outage.failed(error)
        return
    if together:
        event["together"] = list(together)
    if added is not None:
        event["added"], event["waiting"] = added
    _send(groups.staff(department_id), event)


def _staffing_changed(department_ids) -> None:
    """Queues re-estimate, consoles refresh, the status board updates."""
    for department_id in department_ids:
        _queue_changed(department_id)
    status_board()


def board_text() -> str:
    """The status board as the text every watcher is sent."""
    return outgoing.Status(departments=board()).model_dump_json(by_alias=True)


def status_board() -> None:
    try:
        publish(board_text())
    except RedisError as error:
        _outage.failed(error)
        return
    except Exception:
        log.exception("could not publish the status board")
