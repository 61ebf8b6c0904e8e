"""The citizen's waiting room socket: place in the queue, then admitted or declined."""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.db import DatabaseError
from django.utils.translation import gettext as _

from buergerbuero import access
from buergerbuero.office.status import department_state
from buergerbuero.waiting import actions, queue
from buergerbuero.waiting.models import EntryState, QueueEntry

from . import groups, outgoing, schemas, shutdown
from .protocol import CLOSE_GONE, ProtocolConsumer

log = logging.getLogger(__name__)


class _Batch:
    """Entry ids marked as seen together. One writer: each write takes every id that came
    while the one before was written; each caller returns once its id is written."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.next: asyncio.Future | None = None  # done when the gathering ids are written
        self.writer: asyncio.Task | None = None

    async def add(self, entry_id: str) -> None:
        loop = asyncio.get_running_loop()
        if self.next is None:
            self.next = loop.create_future()
        self.ids.add(entry_id)
        written = self.next
        if self.writer is None or self.writer.done():
            self.writer = loop.create_task(self._write())
        await asyncio.shield(written)

    async def _write(self) -> None:
        while self.ids:
            ids, self.ids = self.ids, set()
            done, self.next = self.next, None
            try:
                await database_sync_to_async(actions.touch_all)(ids)
            except DatabaseError as error:
                # Their grace period then counts from their last ping, as after a crash.
                log.warning("could not mark %d waiting citizens as seen: %s", len(ids), error)
            finally:
                if done is not None:
                    done.set_result(None)


_seen_while_stopping = _Batch()


class WaitingConsumer(ProtocolConsumer):
    schema = schemas.waiting_in

    async def connect(self) -> None:
        self.entry_id = self.scope["url_route"]["kwargs"]["entry_id"]
        if not access.holds_entry(self.scope["session"], self.entry_id):
            await self.refuse("forbidden", _("This waiting room belongs to another browser."))
            return
        # One trip to the database thread for what decides the connection: after a restart
        # all the office's waiting rooms arrive within seconds, and every trip queues behind
        # the others' (docs/benchmarks.md, "Reconnect storm").
        found = await database_sync_to_async(arriving)(self.entry_id)
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
            await _seen_while_stopping.add(self.entry_id)
            return
        # The grace period counts from the moment the browser went away; staff see it.
        await database_sync_to_async(actions.disconnected)(self.entry_id)

    async def send_position(self) -> None:
        await self.send_message(await database_sync_to_async(position_message)(self.entry_id))

    async def on_ping(self, message: schemas.Ping) -> None:
        # Also clears a "gone" mark left by another tab of the same place that closed.
        await database_sync_to_async(actions.reconnected)(self.entry_id)
        await self.send_message(outgoing.Pong())
        if self.database_was_unavailable:
            # Back after an outage: the page said "cannot be reached"; show where it stands.
            self.database_was_unavailable = False
            await self.send_position()

    async def on_leave(self, message: schemas.Leave) -> None:
        await database_sync_to_async(actions.leave)(self.entry_id)
        await self.send_message(outgoing.Left())
        await self.close(code=CLOSE_GONE)

    async def on_hidden(self, message: schemas.Hidden) -> None:
        await database_sync_to_async(actions.backgrounded)(self.entry_id)

    async def on_visible(self, message: schemas.Visible) -> None:
        # Back from the background (and on every opening): show where they stand now.
        await self.send_message(await database_sync_to_async(shown_again)(self.entry_id))

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


def arriving(entry_id: str) -> tuple[int, Final | None] | None:
    """A waiting room opens: the entry's department and, for a resolved entry, what to
    tell the browser; None for an unknown entry. A waiting entry is marked as seen (and
    no longer gone) before the socket joins its groups: a browser turned away while
    Redis is down is still here, and keeps its place while it tries again."""
    entry = QueueEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        return None
    final = final_message(entry)
    if final is None:
        actions.reconnected(entry_id)
    return entry.department_id, final


def shown_again(entry_id: str) -> outgoing.Position | Final:
    actions.foregrounded(entry_id)
    return position_message(entry_id)


def position_message(entry_id: str) -> outgoing.Position | Final:
    entry = QueueEntry.objects.select_related("department").get(pk=entry_id)
    final = final_message(entry)
    if final is not None:
        return final
    state = department_state(entry.department)
    position = queue.position_of(entry)
    average = queue.average_consultation_minutes(entry.department_id)
    return outgoing.Position(
        position=position,
        estimate_minutes=queue.estimate_minutes(
            position, average, state.staff_available, state.staff_free
        ),
        office=state.state,
        department=entry.department.name,
    )
