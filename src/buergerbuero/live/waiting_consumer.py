"""The citizen's waiting room socket: place in the queue, then admitted or declined."""

from channels.db import database_sync_to_async
from django.urls import reverse

from buergerbuero.waiting import actions, queue
from buergerbuero.waiting.models import EntryState, QueueEntry

from . import groups, schemas, sessions
from .protocol import CLOSE_GONE, ProtocolConsumer


class WaitingConsumer(ProtocolConsumer):
    schema = schemas.waiting_in

    async def connect(self) -> None:
        self.entry_id = self.scope["url_route"]["kwargs"]["entry_id"]
        self.joined: list[str] = []
        if not sessions.holds_entry(self.scope["session"], self.entry_id):
            await self.refuse("forbidden", "This waiting room belongs to another browser.")
            return
        entry = await database_sync_to_async(QueueEntry.objects.filter(pk=self.entry_id).first)()
        if entry is None:
            await self.refuse("not_found", "Unknown queue entry.", CLOSE_GONE)
            return
        self.department_id = entry.department_id
        await self.accept()
        final = await database_sync_to_async(final_message)(entry)
        if final is not None:
            await self.send_json(final)
            await self.close(code=CLOSE_GONE)
            return
        await database_sync_to_async(actions.touch)(self.entry_id)
        self.joined = [groups.entry(self.entry_id), groups.queue(self.department_id)]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_position()

    async def disconnect(self, code) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.joined:
            # The grace period counts from the moment the browser went away.
            await database_sync_to_async(actions.touch)(self.entry_id)

    async def send_position(self) -> None:
        payload = await database_sync_to_async(position_message)(self.entry_id)
        await self.send_json(payload)

    async def on_ping(self, message) -> None:
        await database_sync_to_async(actions.touch)(self.entry_id)
        await self.send_json({"type": "pong"})

    async def on_leave(self, message) -> None:
        await database_sync_to_async(actions.leave)(self.entry_id)
        await self.send_json({"type": "left"})
        await self.close(code=CLOSE_GONE)

    async def queue_changed(self, event) -> None:
        await self.send_position()


def final_message(entry: QueueEntry) -> dict | None:
    """What a browser coming back to a resolved entry should be told."""
    if entry.state == EntryState.ADMITTED:
        room = getattr(entry, "room", None)
        if room is not None and room.is_active:
            return {"type": "admitted", "call_url": reverse("public:call", args=[room.pk])}
        return {"type": "ended"}
    if entry.state == EntryState.DECLINED:
        return {"type": "declined", "message": entry.decline_message}
    if entry.state in (EntryState.LEFT, EntryState.EXPIRED):
        return {"type": "expired"}
    return None


def position_message(entry_id: str) -> dict:
    from buergerbuero.departments.status import department_state

    entry = QueueEntry.objects.select_related("department").get(pk=entry_id)
    final = final_message(entry)
    if final is not None:
        return final
    state = department_state(entry.department)
    position = queue.position_of(entry)
    average = queue.average_consultation_minutes(entry.department_id)
    return {
        "type": "position",
        "position": position,
        "estimate_minutes": queue.estimate_minutes(
            position, average, state.staff_available, state.staff_free
        ),
        "office": state.state,
    }
