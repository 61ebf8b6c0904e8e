"""The staff console socket: live queues of the staff member's departments, and actions."""

from channels.db import database_sync_to_async
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
from .protocol import ProtocolConsumer


class ConsoleConsumer(ProtocolConsumer):
    schema = schemas.console_in

    async def connect(self) -> None:
        self.department_ids: set[int] = set()
        user = self.scope.get("user")
        profile = await database_sync_to_async(_profile_of)(user)
        if profile is None:
            await self.refuse("forbidden", _("Staff login required."))
            return
        self.profile = profile
        self.user = user
        self.department_ids = await database_sync_to_async(permissions.staff_department_ids)(user)
        if not await self.join([groups.staff(d) for d in sorted(self.department_ids)]):
            return
        await self.accept()
        await database_sync_to_async(presence.heartbeat)(self.profile)
        await self.send_snapshot()

    async def disconnect(self, code) -> None:
        await self.leave_groups()

    async def send_snapshot(self) -> None:
        desk = await database_sync_to_async(desk_of)(self.profile.pk)
        await self.send_message(
            outgoing.Queues(presence=desk.presence, departments=desk.departments)
        )

    async def queue_changed(self, event) -> None:
        await self.send_snapshot()

    async def on_ping(self, message: schemas.Ping) -> None:
        await database_sync_to_async(presence.heartbeat)(self.profile)
        await self.send_message(outgoing.Pong())

    async def on_presence(self, message: schemas.SetPresence) -> None:
        await database_sync_to_async(presence.set_presence)(self.profile, message.presence)
        await self.send_snapshot()

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
                entry=message.entry, call_url=reverse("public:call", args=[room.pk])
            )
        )

    async def on_decline(self, message: schemas.Decline) -> None:
        await self._entry_department(message.entry)
        await database_sync_to_async(actions.decline)(message.entry, self.user, message.message)
        await self.send_message(outgoing.EntryDeclined(entry=message.entry))

    async def on_message(self, message: schemas.StaffMessage) -> None:
        if message.department not in self.department_ids:
            raise NotWaiting(_("No such department among yours."))
        if message.entry is not None:
            await self._entry_department(message.entry)
        count = await database_sync_to_async(actions.message_waiting)(
            message.department, message.text, message.entry, self.user
        )
        await self.send_message(outgoing.MessageSent(recipients=count))


def _profile_of(user) -> StaffProfile | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return StaffProfile.objects.filter(user=user).first()
