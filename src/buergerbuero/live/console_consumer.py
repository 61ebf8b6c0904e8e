"""The staff console socket: live queues of the staff member's departments, and actions.

Also opened by a staff member's call page, to count who is waiting meanwhile. Each socket
is registered (`presence.console_opened`), so the member goes offline a few seconds after
their last one closed (CONSOLE_RELEASE_SECONDS), not only when the heartbeat lapses.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from buergerbuero import access
from buergerbuero.calls.models import Role
from buergerbuero.staff import permissions, presence
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting import actions
from buergerbuero.waiting.desk import desk_of
from buergerbuero.waiting.errors import NotWaiting
from buergerbuero.waiting.models import QueueEntry

from . import groups, outgoing, schemas
from .protocol import CLOSE_FORBIDDEN, ProtocolConsumer

log = logging.getLogger(__name__)
# Releases scheduled after a socket closed; held here so the event loop keeps them.
_releases: set[asyncio.Task] = set()


class ConsoleConsumer(ProtocolConsumer):
    schema = schemas.console_in

    async def connect(self) -> None:
        self.department_ids: set[int] = set()
        # Departments whose update is due (None: the whole desk), and the task sending them.
        self.due: set[int | None] = set()
        self.flusher: asyncio.Task | None = None
        user = self.scope.get("user")
        profile = await database_sync_to_async(_profile_of)(user)
        if profile is None:
            await self.refuse("forbidden", _("Staff login required."))
            return
        self.profile = profile
        self.user = user
        self.department_ids = await database_sync_to_async(permissions.staff_department_ids)(user)
        staff_groups = [groups.staff(d) for d in sorted(self.department_ids)]
        if not await self.join([groups.member(profile.user_id), *staff_groups]):
            return
        await self.accept()
        await database_sync_to_async(presence.console_opened)(self.profile, self.channel_name)
        await self.send_snapshot()

    async def disconnect(self, code) -> None:
        flusher = getattr(self, "flusher", None)
        if flusher is not None:
            flusher.cancel()
        await self.leave_groups()
        profile = getattr(self, "profile", None)
        if profile is None:
            return
        await database_sync_to_async(presence.console_closed)(self.channel_name)
        delay = settings.CONSOLE_RELEASE_SECONDS
        if delay <= 0:
            await database_sync_to_async(presence.release_if_absent)(profile)
            return
        task = asyncio.create_task(_release_later(profile, delay))
        _releases.add(task)
        task.add_done_callback(_releases.discard)

    async def send_snapshot(self) -> None:
        desk = await database_sync_to_async(desk_of)(self.profile.pk)
        await self.send_message(outgoing.Queues(departments=desk.departments, waiting=desk.waiting))

    async def send_update(self, department_ids: list[int]) -> None:
        desk = await database_sync_to_async(desk_of)(self.profile.pk, department_ids)
        await self.send_message(
            outgoing.QueueUpdate(departments=desk.departments, waiting=desk.waiting)
        )

    async def access_changed(self, event) -> None:
        """The member was suspended or removed, or their departments changed: what this
        socket hears is decided again now, not at the next sign-in. Without access it is
        closed (4403: the browser does not come back); otherwise it follows the new
        departments and starts afresh with a snapshot."""
        profile = await database_sync_to_async(_active_profile)(self.profile.user_id)
        if profile is None:
            await self.send_error("forbidden", _("Your access has changed. Please sign in again."))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.profile = profile
        wanted = await database_sync_to_async(permissions.staff_department_ids)(profile.user)
        for gone in self.department_ids - wanted:
            await self.channel_layer.group_discard(groups.staff(gone), self.channel_name)
            self.joined.remove(groups.staff(gone))
        for new in wanted - self.department_ids:
            await self.channel_layer.group_add(groups.staff(new), self.channel_name)
            self.joined.append(groups.staff(new))
        self.department_ids = wanted
        self.due.clear()
        await self.send_snapshot()

    async def queue_changed(self, event) -> None:
        """Coalesced: the handler only notes the department, and one task sends the updates
        of every department noted meanwhile. So a burst of knocks costs one read and one
        message per console, not one per knock, and the socket's channel never fills up
        behind a slow database (a full channel would drop events and leave it stale)."""
        department_id = event.get("department")
        self.due.add(department_id if department_id in self.department_ids else None)
        # Changed together (a citizen passed on): in the same update, where served here.
        self.due.update(d for d in event.get("together", ()) if d in self.department_ids)
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self.flush_due())

    async def flush_due(self) -> None:
        while self.due:
            due, self.due = self.due, set()
            try:
                if None in due:
                    await self.send_snapshot()
                else:
                    await self.send_update(sorted(d for d in due if d is not None))
            except Exception as error:
                # As for any event (ProtocolConsumer.dispatch_event): the socket stays open,
                # the next change or the next connection brings it up to date.
                log.warning("could not update a console: %s: %s", type(error).__name__, error)

    async def on_ping(self, message: schemas.Ping) -> None:
        await database_sync_to_async(presence.console_seen)(self.profile, self.channel_name)
        await self.send_message(outgoing.Pong())

    async def on_presence(self, message: schemas.SetPresence) -> None:
        wanted = (
            sorted(self.department_ids)
            if message.departments is None
            else sorted(self.department_ids.intersection(message.departments))
        )
        if not wanted:
            raise NotWaiting(_("No such department among yours."))
        await database_sync_to_async(presence.set_presence)(self.profile, message.presence, wanted)
        await self.send_update(wanted)

    async def _entry_department(self, entry_id: str) -> int:
        """The entry's department, only if this staff member serves it."""
        department_id = await database_sync_to_async(
            lambda: (
                QueueEntry.objects.filter(pk=entry_id)
                .values_list("department_id", flat=True)
                .first()
            )
        )()
        if department_id is None or department_id not in self.department_ids:
            # Same answer for "unknown" and "not yours": ids of other departments stay secret.
            raise NotWaiting(_("No such waiting citizen in your departments."))
        return department_id

    async def on_admit(self, message: schemas.Admit) -> None:
        await self._entry_department(message.entry)
        room = await database_sync_to_async(actions.admit)(message.entry, self.user)
        participant_id = await database_sync_to_async(
            lambda: room.participants.get(role=Role.STAFF).pk
        )()
        session = self.scope["session"]
        access.remember_participant(session, room.pk, participant_id)
        await database_sync_to_async(session.save)()
        await self.send_message(
            outgoing.EntryAdmitted(
                entry=message.entry,
                call_url=reverse("public:call", args=[room.pk]),
                socket=outgoing.room_socket_path(room.pk),
            )
        )

    async def on_decline(self, message: schemas.Decline) -> None:
        await self._entry_department(message.entry)
        await database_sync_to_async(actions.decline)(message.entry, self.user, message.message)
        await self.send_message(outgoing.EntryDeclined(entry=message.entry))

    async def on_transfer(self, message: schemas.Transfer) -> None:
        await self._entry_department(message.entry)
        await database_sync_to_async(actions.transfer)(
            message.entry, message.department, self.user, message.note, message.tell_citizen
        )
        await self.send_message(
            outgoing.EntryTransferred(entry=message.entry, department=message.department)
        )

    async def on_message(self, message: schemas.StaffMessage) -> None:
        if message.department not in self.department_ids:
            raise NotWaiting(_("No such department among yours."))
        if message.entry is not None:
            await self._entry_department(message.entry)
        count = await database_sync_to_async(actions.message_waiting)(
            message.department, message.text, message.entry, self.user
        )
        await self.send_message(outgoing.MessageSent(recipients=count))


async def _release_later(profile: StaffProfile, delay: float) -> None:
    await asyncio.sleep(delay)
    try:
        await database_sync_to_async(presence.release_if_absent)(profile)
    except Exception:
        # The heartbeat's timeout is the safety net: the member counts as away soon anyway.
        log.warning("could not set %s offline after the last console closed", profile.pk)


def _active_profile(user_id: int) -> StaffProfile | None:
    """Read afresh: the socket's user object is the one from when it connected."""
    return (
        StaffProfile.objects.select_related("user")
        .filter(user_id=user_id, user__is_active=True)
        .first()
    )


def _profile_of(user) -> StaffProfile | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return StaffProfile.objects.filter(user=user).first()
