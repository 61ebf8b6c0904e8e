"""The call's signalling socket: WebRTC offers, answers and candidates between admitted
participants, the in-call chat (relayed, never stored), invitations and hang-up."""

import secrets

from channels.db import database_sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buergerbuero import access
from buergerbuero.calls import actions, chat
from buergerbuero.calls.errors import UnknownPeer
from buergerbuero.calls.models import Participant, Role
from buergerbuero.calls.turn import ice_servers_for
from buergerbuero.staff import presence
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting import actions as queue_actions

from . import groups, outgoing, schemas
from .beside import write_beside
from .opening_reads import opening_read
from .protocol import CLOSE_GONE, CLOSE_MOVED, ProtocolConsumer


def peer_info(participant: Participant) -> outgoing.Peer:
    return outgoing.Peer(
        id=participant.pk,
        name=participant.display_name,
        role=participant.role,
        sign_language=participant.sign_language,
    )


class RoomConsumer(ProtocolConsumer):
    schema = schemas.room_in
    me: Participant

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.peers_seen: set[str] = set()  # participants checked as signalling targets
        # This socket among the participant's: the others tell a replaced socket's
        # `peer-gone` from a real one by it (outgoing.PeerGone).
        self.connection = secrets.token_urlsafe(9)

    async def connect(self) -> None:
        self.room_id = self.scope["url_route"]["kwargs"]["room_id"]
        # One read for everything the socket needs to open, beside the database thread
        # that the admission's announcements keep busy at this moment (opening_reads.py).
        arrival = await opening_read(self._arrive)()
        if arrival is None:
            await self.refuse("forbidden", _("You have not been admitted to this consultation."))
            return
        if isinstance(arrival, outgoing.Ended):
            await self.accept()
            await self.send_message(arrival)
            await self.close(code=CLOSE_GONE)
            return
        if not await self.join([groups.room(self.room_id), groups.participant(self.me.pk)]):
            return
        self.peers_seen.update(peer.id for peer in arrival)
        # One socket per participant carries the call: an older one (another window, a
        # second device, a page whose closing is not yet heard) hands it over. Sent before
        # our arrival, so it reaches that socket before any offer made to us; and before
        # the welcome, so that nothing stands between the welcome and our `peer-joined`
        # (a socket joining in between would hear of us twice).
        with self.layer_may_fail():
            await self.channel_layer.group_send(
                groups.participant(self.me.pk),
                {"type": "call.moved", "connection": self.connection},
            )
        await self.accept()
        await self.send_message(
            outgoing.Welcome(
                you=peer_info(self.me),
                peers=arrival,
                ice_servers=[outgoing.IceServer(**s) for s in ice_servers_for(self.me.pk)],
                ice_transport_policy=settings.ICE_TRANSPORT_POLICY,
            )
        )
        await self.to_room(outgoing.PeerJoined(peer=peer_info(self.me), connection=self.connection))
        # Noted after the others heard of us, and beside what comes next: this socket must
        # not wait for the write (the database thread is busy at an admission) before it
        # passes on the other side's arrival and offer.
        self._noting = write_beside(self.still_here, failing="could not note a participant present")

    def _arrive(self) -> list[outgoing.Peer] | outgoing.Ended | None:
        """Who this socket is (None: nobody admitted), and then either what an ended room
        says or, for a running one, the others in the call. Only reads. The
        others are listed before this socket joins the room's group: whoever joins later
        hears our `peer-joined` and offers, whoever joined earlier is in the list."""
        me = access.participant_for(self.scope["session"], self.scope.get("user"), self.room_id)
        if me is None:
            return None
        self.me = me
        if not me.room.is_active:
            return self._ended()
        return self._peers()

    def _ended(self) -> outgoing.Ended:
        """What a socket opening to an ended room hears: a citizen who was taken back to
        the queue from it (their connection dropped and staff took them back, or an
        admission nobody answered) is sent to their place at the front."""
        if self.me.role == Role.CITIZEN:
            entry_id = access.entry_taken_back(self.scope["session"], self.me.room)
            if entry_id is not None:
                return outgoing.taken_back(None, entry_id)
        return outgoing.Ended(by=None)

    def still_here(self) -> None:
        """Heartbeat: the participant is in the call, and a staff member in a call is
        still present for the status board ("in a consultation", not "closed")."""
        actions.touch_participant(self.me)
        if self.me.role == Role.STAFF and self.me.user_id:
            profile = StaffProfile.objects.filter(user_id=self.me.user_id).first()
            if profile is not None:
                presence.heartbeat(profile)

    def _peers(self) -> list[outgoing.Peer]:
        others = Participant.objects.filter(room_id=self.room_id, left_at__isnull=True).exclude(
            pk=self.me.pk
        )
        return [peer_info(p) for p in others]

    async def disconnect(self, code) -> None:
        noting = getattr(self, "_noting", None)
        if noting is not None:
            # The arrival's mark first: no write of this socket outlives it.
            await noting
        if await self.leave_groups():
            await database_sync_to_async(self.still_here)()
            with self.layer_may_fail():
                await self.to_room(outgoing.PeerGone(id=self.me.pk, connection=self.connection))

    async def call_moved(self, event) -> None:
        """The participant's newer socket took the call over: this one says so and closes,
        without a `peer-gone` (the participant is there, elsewhere)."""
        if event["connection"] == self.connection:
            return
        await self.leave_groups()
        await self.send_message(outgoing.Moved())
        await self.close(code=CLOSE_MOVED)

    async def to_room(self, message: outgoing.Out) -> None:
        """Everyone in the room but this participant."""
        await self.channel_layer.group_send(
            groups.room(self.room_id),
            {"type": "relay", "sender": self.me.pk, "payload": message.dump()},
        )

    async def to_everyone(self, group: str, message: outgoing.Out) -> None:
        await self.channel_layer.group_send(group, {"type": "forward", "payload": message.dump()})

    async def forward(self, event) -> None:
        await super().forward(event)
        if event["payload"]["type"] == "ended":
            # An ended room carries nothing more: no chat, no signalling.
            await self.close(code=CLOSE_GONE)

    async def relay(self, event) -> None:
        # Only the room's participants can join its group: whoever comes or goes here is
        # (or is no longer) a target for our signalling.
        if event["payload"]["type"] == "peer-joined":
            self.peers_seen.add(event["sender"])
        elif event["payload"]["type"] == "peer-left":
            self.peers_seen.discard(event["sender"])
        if event["sender"] != self.me.pk:
            await self.send_json(event["payload"])

    async def on_ping(self, message: schemas.Ping) -> None:
        await database_sync_to_async(self.still_here)()
        await self.send_message(outgoing.Pong())

    async def on_signal(self, message: schemas.Signal) -> None:
        # Only to a current participant of this room: the target's group name is derived
        # from its id, so check membership before relaying anything. Known are those listed
        # in our welcome and those who joined since (their "peer-joined" came through the
        # room's group); others are looked up. Not a trip to the database thread for each
        # of the dozen candidates a negotiation trickles: each would wait its turn there
        # (docs/benchmarks.md, "Call set-up"). A target that leaves is forgotten when its
        # "peer-left" passes by; one that left otherwise (the room ended) can no longer
        # open a socket, so nobody would hear.
        if message.to == self.me.pk:
            raise UnknownPeer()
        if message.to not in self.peers_seen:
            if not await database_sync_to_async(
                Participant.objects.filter(
                    pk=message.to, room_id=self.room_id, left_at__isnull=True
                ).exists
            )():
                raise UnknownPeer()
            self.peers_seen.add(message.to)
        relayed: dict = {}
        if message.description is not None:
            relayed["description"] = message.description
        if message.candidate is not None:
            # Only the fields that carry a value, as the browser produced them.
            candidate = message.candidate.model_dump(exclude_none=True)
            relayed["candidate"] = schemas.IceCandidate(**candidate)
        await self.to_everyone(
            groups.participant(message.to), outgoing.Signal(from_=self.me.pk, **relayed)
        )

    async def on_chat(self, message: schemas.Chat) -> None:
        text = chat.clean_chat(message.text)
        relayed = outgoing.Chat(
            from_=self.me.pk, name=self.me.display_name, text=text, at=timezone.now()
        )
        await self.to_everyone(groups.room(self.room_id), relayed)

    async def on_media_state(self, message: schemas.MediaState) -> None:
        await self.to_room(
            outgoing.MediaState(
                from_=self.me.pk, audio=message.audio, video=message.video, screen=message.screen
            )
        )

    async def on_invite(self, message: schemas.Invite) -> None:
        invitation = await database_sync_to_async(actions.issue_invitation)(
            self.room_id, self.me, message.label, sign_language=message.sign_language
        )
        await self.send_message(
            outgoing.Invitation(
                path=reverse("public:invitation", args=[invitation.token]),
                expires_at=invitation.expires_at,
            )
        )

    async def on_end(self, message: schemas.End) -> None:
        await database_sync_to_async(actions.end_room)(self.room_id, self.me)

    async def on_back_to_queue(self, message: schemas.BackToQueue) -> None:
        await database_sync_to_async(queue_actions.return_to_queue)(self.room_id, self.me)

    async def on_leave(self, message: schemas.LeaveRoom) -> None:
        await database_sync_to_async(actions.leave_room)(self.me)
        await self.to_room(outgoing.PeerLeft(id=self.me.pk))
        await self.send_message(outgoing.Left())
        await self.leave_groups()
        await self.close(code=CLOSE_GONE)
