"""The call's signalling socket: WebRTC offers, answers and candidates between admitted
participants, the in-call chat (relayed, never stored), invitations and hang-up."""

from channels.db import database_sync_to_async
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from buergerbuero.calls import actions
from buergerbuero.calls.models import Participant, Role
from buergerbuero.calls.turn import ice_servers_for
from buergerbuero.staff import presence
from buergerbuero.staff.models import StaffProfile

from . import groups, schemas, sessions
from .protocol import CLOSE_GONE, ProtocolConsumer


def participant_for(session, user, room_id: str) -> Participant | None:
    """The participant this browser is in `room_id`, if it was admitted or invited."""
    # Who left a running call is out; everybody of an ended call is still recognised, so that
    # a reload is told the call ended instead of "not admitted".
    query = Participant.objects.select_related("room").filter(
        Q(left_at__isnull=True) | Q(room__ended_at__isnull=False), room_id=room_id
    )
    participant_id = sessions.participant_id_for(session, room_id)
    if participant_id:
        found = query.filter(pk=participant_id).first()
        if found is not None:
            return found
    # The admitted citizen: this browser holds the queue entry the room was opened for.
    citizen = query.filter(role=Role.CITIZEN).first()
    if (
        citizen is not None
        and citizen.room.queue_entry_id
        and sessions.holds_entry(session, citizen.room.queue_entry_id)
    ):
        return citizen
    if user is not None and user.is_authenticated:
        return query.filter(role=Role.STAFF, user=user).first()
    return None


def peer_info(participant: Participant) -> dict:
    return {"id": participant.pk, "name": participant.display_name, "role": participant.role}


class RoomConsumer(ProtocolConsumer):
    schema = schemas.room_in

    async def connect(self) -> None:
        self.room_id = self.scope["url_route"]["kwargs"]["room_id"]
        self.joined: list[str] = []
        self.me = await database_sync_to_async(participant_for)(
            self.scope["session"], self.scope.get("user"), self.room_id
        )
        if self.me is None:
            await self.refuse("forbidden", "You have not been admitted to this consultation.")
            return
        if not self.me.room.is_active:
            await self.accept()
            await self.send_json({"type": "ended", "by": None})
            await self.close(code=CLOSE_GONE)
            return
        await self.accept()
        await database_sync_to_async(self.still_here)()
        self.joined = [groups.room(self.room_id), groups.participant(self.me.pk)]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        peers = await database_sync_to_async(self._peers)()
        await self.send_json(
            {
                "type": "welcome",
                "you": peer_info(self.me),
                "peers": peers,
                "ice_servers": ice_servers_for(self.me.pk),
                "ice_transport_policy": settings.ICE_TRANSPORT_POLICY,
            }
        )
        await self.to_room({"type": "peer-joined", "peer": peer_info(self.me)})

    def still_here(self) -> None:
        """Heartbeat: the participant is in the call, and a staff member in a call is
        still present for the status board ("in a consultation", not "closed")."""
        actions.touch_participant(self.me)
        if self.me.role == Role.STAFF and self.me.user_id:
            profile = StaffProfile.objects.filter(user_id=self.me.user_id).first()
            if profile is not None:
                presence.heartbeat(profile)

    def _peers(self) -> list[dict]:
        others = Participant.objects.filter(room_id=self.room_id, left_at__isnull=True).exclude(
            pk=self.me.pk
        )
        return [peer_info(p) for p in others]

    async def disconnect(self, code) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.joined:
            await database_sync_to_async(self.still_here)()
            await self.to_room({"type": "peer-gone", "id": self.me.pk})

    async def to_room(self, payload: dict) -> None:
        """Everyone in the room but this participant."""
        await self.channel_layer.group_send(
            groups.room(self.room_id), {"type": "relay", "sender": self.me.pk, "payload": payload}
        )

    async def forward(self, event) -> None:
        await super().forward(event)
        if event["payload"]["type"] == "ended":
            # An ended room carries nothing more: no chat, no signalling.
            await self.close(code=CLOSE_GONE)

    async def relay(self, event) -> None:
        if event["sender"] != self.me.pk:
            await self.send_json(event["payload"])

    async def on_ping(self, message) -> None:
        await database_sync_to_async(self.still_here)()
        await self.send_json({"type": "pong"})

    async def on_signal(self, message: schemas.Signal) -> None:
        # Only to a current participant of this room: the target's group name is derived
        # from its id, so check membership before relaying anything.
        target_ok = await database_sync_to_async(
            Participant.objects.filter(
                pk=message.to, room_id=self.room_id, left_at__isnull=True
            ).exists
        )()
        if not target_ok or message.to == self.me.pk:
            await self.send_error(
                "unknown_peer", "No such participant in this call.", request="signal"
            )
            return
        payload = {"type": "signal", "from": self.me.pk}
        if message.description is not None:
            payload["description"] = message.description.model_dump()
        if message.candidate is not None:
            payload["candidate"] = message.candidate.model_dump(exclude_none=True)
        await self.channel_layer.group_send(
            groups.participant(message.to), {"type": "forward", "payload": payload}
        )

    async def on_chat(self, message: schemas.Chat) -> None:
        payload = {
            "type": "chat",
            "from": self.me.pk,
            "name": self.me.display_name,
            "text": message.text,
            "at": timezone.now().isoformat(),
        }
        await self.channel_layer.group_send(
            groups.room(self.room_id), {"type": "forward", "payload": payload}
        )

    async def on_media_state(self, message: schemas.MediaState) -> None:
        await self.to_room(
            {"type": "media-state", "from": self.me.pk, **message.model_dump(exclude={"type"})}
        )

    async def on_invite(self, message: schemas.Invite) -> None:
        invitation = await database_sync_to_async(actions.issue_invitation)(
            self.room_id, self.me, message.label
        )
        await self.send_json(
            {
                "type": "invitation",
                "path": reverse("public:invitation", args=[invitation.token]),
                "expires_at": invitation.expires_at.isoformat(),
            }
        )

    async def on_end(self, message) -> None:
        await database_sync_to_async(actions.end_room)(self.room_id, self.me)

    async def on_leave(self, message) -> None:
        await database_sync_to_async(actions.leave_room)(self.me)
        await self.to_room({"type": "peer-left", "id": self.me.pk})
        await self.send_json({"type": "left"})
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []
        await self.close(code=CLOSE_GONE)
