"""The citizen's waiting room socket: place in the queue, then admitted or declined."""

import logging

from channels.db import database_sync_to_async
from django.db import DatabaseError
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from buergerbuero import access
from buergerbuero.office.status import department_states
from buergerbuero.waiting import actions, queue
from buergerbuero.waiting.models import EntryState, QueueEntry

from . import groups, outgoing, schemas, shutdown
from .gathered import Gathered
from .protocol import CLOSE_GONE, ProtocolConsumer

log = logging.getLogger(__name__)


def _mark_seen(entry_ids: set[str]) -> None:
    try:
        actions.touch_all(entry_ids)
    except DatabaseError as error:
        # Their grace period then counts from their last ping, as after a crash.
        log.warning("could not mark %d waiting citizens as seen: %s", len(entry_ids), error)


# A stopping process's waiting rooms, marked as seen together (gathered.py).
_seen_while_stopping: Gathered[str, None] = Gathered(_mark_seen)


class WaitingConsumer(ProtocolConsumer):
    schema = schemas.waiting_in

    async def connect(self) -> None:
        self.entry_id = self.scope["url_route"]["kwargs"]["entry_id"]
        if not access.holds_entry(self.scope["session"], self.entry_id):
            await self.refuse("forbidden", _("This waiting room belongs to another browser."))
            return
        # What decides the connection, in one trip to the database thread with every
        # other waiting room opening meanwhile: after a restart all the office's waiting
        # rooms arrive within seconds (docs/benchmarks.md, "Reconnect storm").
        found = await arriving(self.entry_id)
        if found is None:
            await self.refuse("not_found", _("Unknown queue entry."), CLOSE_GONE)
            return
        self.department_id, final = found
        if isinstance(final, outgoing.MissedCall):
            # Left open: the citizen may answer "rejoin" and wait at the front.
            await self.accept()
            await self.send_message(final)
            return
        if final is not None:
            await self.accept()
            await self.send_message(final)
            await self.close(code=CLOSE_GONE)
            return
        if not await self.join([groups.entry(self.entry_id), groups.queue(self.department_id)]):
            return
        await self.accept()
        await self.send_position()

    async def disconnect(self, code) -> None:
        if not await self.leave_groups():
            return
        if shutdown.draining():
            # This process is stopping and told the browser to come back (1012): not gone,
            # so staff are not shown every citizen leaving and returning; the grace period
            # still counts from now, should the page not come back. All of the process's
            # waiting rooms close at once: their marks go in batches, one statement each,
            # not one trip to the database thread per citizen, which made the stop take
            # 13 s with 1,000 citizens (docs/benchmarks.md, "Reconnect storm").
            await _seen_while_stopping(self.entry_id)
            return
        # The grace period counts from the moment the browser went away; staff see it.
        await database_sync_to_async(actions.disconnected)(self.entry_id)
        # Unless another page of the same place is still open: on a reload or a switch of
        # language the new page's socket often opens before the old one's close is
        # handled, and would clear the mark only at its next ping, 20 s on, while staff saw
        # the citizen as gone and were asked to confirm admitting them. Whichever of the
        # place's sockets still listens, in any process, answers (`tab_closed`).
        with self.layer_may_fail():
            await self.channel_layer.group_send(groups.entry(self.entry_id), {"type": "tab.closed"})

    async def send_position(self) -> None:
        # Gathered with every other waiting room of the process that asks meanwhile: after
        # a knock or a restart, dozens ask at once (gathered.py).
        message = await positions(self.entry_id)
        assert message is not None  # position_messages answers every entry it is asked
        await self.send_message(message)

    async def on_ping(self, message: schemas.Ping) -> None:
        # Also clears a "gone" mark left by another tab of the same place that closed.
        await database_sync_to_async(actions.reconnected)(self.entry_id)
        await self.send_message(outgoing.Pong())
        if self.database_was_unavailable:
            # Back after an outage: the page said "cannot be reached"; show where it stands.
            self.database_was_unavailable = False
            await self.send_position()

    async def tab_closed(self, event) -> None:
        """Another page of this place closed and marked the citizen as gone: this one is
        still here."""
        await database_sync_to_async(actions.reconnected)(self.entry_id)

    async def on_leave(self, message: schemas.Leave) -> None:
        await database_sync_to_async(actions.leave)(self.entry_id)
        await self.send_message(outgoing.Left())
        await self.close(code=CLOSE_GONE)

    async def on_hidden(self, message: schemas.Hidden) -> None:
        await database_sync_to_async(actions.backgrounded)(self.entry_id)

    async def on_visible(self, message: schemas.Visible) -> None:
        # Back from the background (and on every opening): show where they stand now.
        await foregrounds(self.entry_id)
        await self.send_position()

    async def on_rejoin(self, message: schemas.Rejoin) -> None:
        await database_sync_to_async(actions.rejoin_at_front)(self.entry_id)
        if self.joined or await self.join(
            [groups.entry(self.entry_id), groups.queue(self.department_id)]
        ):
            await self.send_position()

    async def on_reply(self, message: schemas.Reply) -> None:
        await database_sync_to_async(actions.reply)(self.entry_id, message.text)
        await self.send_message(outgoing.ReplySent())

    async def queue_changed(self, event) -> None:
        await self.send_position()

    async def entry_transferred(self, event) -> None:
        """Passed on by staff: from now on this socket hears the new department's queue."""
        old = groups.queue(self.department_id)
        self.department_id = event["department"]
        new = groups.queue(self.department_id)
        with self.layer_may_fail():
            await self.channel_layer.group_discard(old, self.channel_name)
            await self.channel_layer.group_add(new, self.channel_name)
        self.joined = [name for name in self.joined if name != old] + [new]
        await self.send_json(event["payload"])
        await self.send_position()


Final = (
    outgoing.Admitted
    | outgoing.CallOver
    | outgoing.MissedCall
    | outgoing.Declined
    | outgoing.Expired
)


def final_message(entry: QueueEntry) -> Final | None:
    """What a browser coming back to a resolved entry should be told."""
    if entry.state == EntryState.ADMITTED:
        room = getattr(entry, "room", None)
        if room is not None and room.is_active:
            return outgoing.admitted(room.pk)
        if actions.missed_call(entry) is not None:
            return outgoing.MissedCall()
        return outgoing.CallOver()
    if entry.state == EntryState.DECLINED:
        return outgoing.Declined(message=entry.decline_message, lang=entry.decline_language)
    if entry.state in (EntryState.LEFT, EntryState.EXPIRED):
        return outgoing.Expired()
    return None


def arrivals(entry_ids: set[str]) -> dict[str, tuple[int, Final | None]]:
    """Waiting rooms open: each entry's department and, for a resolved entry, what to
    tell the browser; unknown entries are left out. Waiting entries are marked as seen
    (and no longer gone) before their sockets join their groups: a browser turned away
    while Redis is down is still here, and keeps its place while it tries again."""
    entries = list(QueueEntry.objects.filter(pk__in=entry_ids))
    found = {entry.pk: (entry.department_id, final_message(entry)) for entry in entries}
    back = [entry_id for entry_id, (_, final) in found.items() if final is None]
    if back:
        actions.reconnected_all(back)
    return found


def position_messages(entry_ids: set[str]) -> dict[str, outgoing.Position | Final]:
    """What each of these waiting rooms should show now: its place, or what became of it.
    A few statements for any number of entries: the department-wide figures (state,
    staffing, the queue's order, the average consultation) once per department, not once
    per citizen (gathered.py)."""
    entries = list(QueueEntry.objects.select_related("department").filter(pk__in=entry_ids))
    messages: dict[str, outgoing.Position | Final] = {}
    waiting: list[QueueEntry] = []
    for entry in entries:
        final = final_message(entry)
        if final is None:
            waiting.append(entry)
        else:
            messages[entry.pk] = final
    # An entry that is gone altogether (deleted on schedule) has no place any more.
    found = {entry.pk for entry in entries}
    messages |= {entry_id: outgoing.Expired() for entry_id in entry_ids - found}
    departments = {entry.department_id: entry.department for entry in waiting}
    if not departments:
        return messages
    prefetch_related_objects(list(departments.values()), "hours")
    states = department_states(list(departments.values()))
    for department_id, department in departments.items():
        order = {
            e.pk: i
            for i, e in enumerate(queue.queue_order(queue.ordering_fields(department_id)), 1)
        }
        average = queue.average_consultation_minutes(department_id)
        state = states[department_id]
        for entry in (e for e in waiting if e.department_id == department_id):
            position = order.get(entry.pk, len(order) + 1)
            messages[entry.pk] = outgoing.Position(
                position=position,
                estimate_minutes=queue.estimate_minutes(
                    position, average, state.staff_available, state.staff_free
                ),
                office=state.state,
                department=department.name,
            )
    return messages


# Every waiting room of the process opens, is shown again and asks for what to show
# here, together with the others that do so meanwhile (gathered.py).
arriving: Gathered[str, tuple[int, Final | None]] = Gathered(arrivals)
foregrounds: Gathered[str, None] = Gathered(actions.foregrounded_all)
positions: Gathered[str, outgoing.Position | Final] = Gathered(position_messages)
