"""The staff console socket: live queues of the staff member's departments, and actions.

Also opened by a staff member's call page, to count who is waiting meanwhile. Each socket
is registered (`presence.console_opened`), so the member goes offline a few seconds after
their last one closed (CONSOLE_RELEASE_SECONDS), not only when the heartbeat lapses.

A connection can also die without a close (the network gone, a laptop lid shut): the
server then hears nothing, and TCP may take minutes to notice. So the server asks every
CONSOLE_PING_SECONDS (`ping`, answered by socket.js at once, even in a background tab
whose timers run once a minute) and a console not heard for CONSOLE_SILENCE_SECONDS is
taken as gone at once (`watch`): its member offline unless another console of theirs is
open, and the socket closed with CLOSE_NOT_HEARD, after which a browser that was merely
slow comes back.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from buergerbuero import access, notify
from buergerbuero.calls.models import Role
from buergerbuero.calls.turn import ice_servers_for
from buergerbuero.staff import permissions, presence
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting import actions
from buergerbuero.waiting.desk import DeskDepartment, WaitingCitizen, desk_of
from buergerbuero.waiting.errors import NotWaiting
from buergerbuero.waiting.models import QueueEntry

from . import groups, outgoing, schemas, sequence
from .protocol import CLOSE_FORBIDDEN, CLOSE_NOT_HEARD, ProtocolConsumer

log = logging.getLogger(__name__)
# A console update that could not be read is tried again after this pause, doubling.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 30.0
# Releases scheduled after a socket closed, and announcements due after an admission;
# held here so the event loop keeps them.
_releases: set[asyncio.Task] = set()
# How long after an admission the queue, the consoles and the status board hear of it.
# Not longer than it takes a person to notice; long enough that their reads are not queued
# on the database thread in front of the two sockets that open the call and its first
# signalling (about 0.15-0.25 s after the click here: docs/benchmarks.md "Call set-up").
STAFFING_AFTER_ADMISSION_SECONDS = 0.3


class ConsoleConsumer(ProtocolConsumer):
    schema = schemas.console_in

    async def connect(self) -> None:
        self.department_ids: set[int] = set()
        # Departments whose update is due (None: the whole desk), citizens who joined
        # meanwhile (by department: announcement number, row, how many wait), and the task
        # sending them.
        self.due: set[int | None] = set()
        self.joined_rows: dict[int, list[tuple[int, dict, int]]] = {}
        self.flusher: asyncio.Task | None = None
        # The number of the last announcement per department this console is up to date
        # with (sequence.py); its department lines as last sent, for deltas.
        self.heard: dict[int, int] = {}
        # Departments whose counter was ahead of what was heard at the last heartbeat.
        self.ahead: dict[int, int] = {}
        self.lines: dict[int, DeskDepartment] = {}
        self.watchdog: asyncio.Task | None = None
        self.note_heard()
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
        self.watchdog = asyncio.create_task(self.watch())
        await self.send_snapshot()

    async def receive(self, text_data=None, bytes_data=None) -> None:
        self.note_heard()
        await super().receive(text_data, bytes_data)

    # Silence counts only while this socket could have read the browser's words: not
    # while it handles a message or an event, when they wait unread in its queue (after a
    # restart a database trip may wait for seconds behind everyone else's: consoles were
    # closed as silent in a reconnect storm, docs/benchmarks.md).
    busy_total = 0.0  # seconds spent handling, in all
    busy_since: float | None = None  # when the message being handled now came in
    heard_at = 0.0
    busy_at_heard = 0.0

    def busy_seconds(self, now: float) -> float:
        return self.busy_total + (now - self.busy_since if self.busy_since is not None else 0.0)

    def note_heard(self) -> None:
        now = asyncio.get_running_loop().time()
        self.heard_at, self.busy_at_heard = now, self.busy_seconds(now)

    def silence(self) -> float:
        now = asyncio.get_running_loop().time()
        return (now - self.heard_at) - (self.busy_seconds(now) - self.busy_at_heard)

    async def dispatch(self, message) -> None:
        loop = asyncio.get_running_loop()
        self.busy_since = loop.time()
        try:
            await super().dispatch(message)
        finally:
            self.busy_total += loop.time() - self.busy_since
            self.busy_since = None

    async def watch(self) -> None:
        """Ask the browser every CONSOLE_PING_SECONDS; after CONSOLE_SILENCE_SECONDS without
        a word from it (counted as above), the console counts as gone."""
        while True:
            await asyncio.sleep(settings.CONSOLE_PING_SECONDS)
            silent = self.silence()
            if silent >= settings.CONSOLE_SILENCE_SECONDS:
                break
            await self.send_message(outgoing.Ping())
        log.info("console of staff %s not heard for %.0f s: gone", self.profile.pk, silent)
        try:
            await database_sync_to_async(presence.console_closed)(self.channel_name)
            await database_sync_to_async(presence.release_if_absent)(self.profile)
        except Exception as error:
            # The heartbeat's timeout is the safety net, as for a closed console.
            log.warning("could not set a silent console's member offline: %s", error)
        await self.close(code=CLOSE_NOT_HEARD)

    async def disconnect(self, code) -> None:
        for task in (getattr(self, "flusher", None), getattr(self, "watchdog", None)):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
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
        heard, desk = await database_sync_to_async(_numbered_desk)(
            self.profile.pk, self.department_ids
        )
        self._up_to(heard, desk)
        await self.send_message(outgoing.Queues(departments=desk.departments, waiting=desk.waiting))

    async def send_update(self, department_ids: list[int]) -> None:
        heard, desk = await database_sync_to_async(_numbered_desk)(
            self.profile.pk, None, department_ids
        )
        self._up_to(heard, desk)
        await self.send_message(
            outgoing.QueueUpdate(departments=desk.departments, waiting=desk.waiting)
        )

    def _up_to(self, heard: dict[int, int], desk) -> None:
        """What was read includes every announcement up to these numbers: rows that joined
        with one of them are in it already. (Taken as they are, not as a maximum: a counter
        lower than what was heard means Redis lost its data, and counts afresh.)"""
        for department_id, number in heard.items():
            self.heard[department_id] = number
            rows = self.joined_rows.get(department_id)
            if rows:
                self.joined_rows[department_id] = [r for r in rows if r[0] > number]
        self.lines.update((d.id, d) for d in desk.departments)

    async def send_joined(self) -> None:
        """The citizens who joined since the last message, as one delta."""
        rows, self.joined_rows = self.joined_rows, {}
        added, departments = [], []
        for department_id in sorted(rows):
            line = self.lines.get(department_id)
            if not rows[department_id] or line is None:
                continue
            added += [WaitingCitizen.model_validate(row) for _, row, _ in rows[department_id]]
            # The count announced with the latest of them.
            line = line.model_copy(update={"waiting": rows[department_id][-1][2]})
            self.lines[department_id] = line
            departments.append(line)
        if added:
            await self.send_message(outgoing.QueueDelta(departments=departments, added=added))

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
        self.joined_rows.clear()
        await self.send_snapshot()

    async def queue_changed(self, event) -> None:
        """Coalesced: the handler only notes what changed, and one task sends everything
        noted meanwhile. A citizen who joined travels with the event and is sent as is
        (no read); any other change costs one read of the departments concerned. So a
        burst of knocks costs at most one message per console, and the socket's channel
        never fills up behind a slow database. Events are numbered per department
        (sequence.py): when one is missing (the channel layer drops events for a full
        channel), the console is sent that department afresh, never left silent; a loss
        with nothing after it is found on the next heartbeat (`on_ping`)."""
        department_id = event.get("department")
        number = event.get("seq")
        heard = self.heard.get(department_id, 0)
        if department_id not in self.department_ids:
            self.due.add(None)
        elif number is None:
            self.due.add(department_id)
        elif number <= heard:
            pass  # already in what this console was sent
        elif number != heard + 1:
            # Missed (dropped by a full channel) or overtaken by one from another process:
            # this department is read afresh.
            self.due.add(department_id)
            self.heard[department_id] = number
        else:
            self.heard[department_id] = number
            if "added" in event and "waiting" in event and department_id not in self.due:
                self.joined_rows.setdefault(department_id, []).append(
                    (number, event["added"], event["waiting"])
                )
            else:
                self.due.add(department_id)
        # Changed together (a citizen passed on): in the same update, where served here.
        self.due.update(d for d in event.get("together", ()) if d in self.department_ids)
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self.flush_due())

    async def flush_due(self) -> None:
        pause = RETRY_FIRST_SECONDS
        while self.due or self.joined_rows:
            due, self.due = self.due, set()
            try:
                if None in due:
                    self.joined_rows = {}
                    await self.send_snapshot()
                elif due:
                    departments = sorted(d for d in due if d is not None)
                    for department_id in departments:
                        self.joined_rows.pop(department_id, None)
                    await self.send_update(departments)
                await self.send_joined()
            except Exception as error:
                # As for any event (ProtocolConsumer.dispatch_event) the socket stays open;
                # what could not be read (the database busy or away) is read again after
                # a pause, so the console is not left behind until the next change.
                log.warning("could not update a console: %s: %s", type(error).__name__, error)
                self.due |= due
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY_MAX_SECONDS)

    async def on_ping(self, message: schemas.Ping) -> None:
        numbers = await database_sync_to_async(_seen_and_numbered)(
            self.profile, self.channel_name, self.department_ids
        )
        await self.send_message(outgoing.Pong())
        # An announcement lost with nothing after it for its department: the counter was
        # already past what this console heard at the last heartbeat, and it still has not
        # heard that far (one merely on its way would have arrived long since). A counter
        # behind what it heard means Redis lost its data: read afresh at once.
        ahead, self.ahead = self.ahead, {}
        behind = set()
        for department_id, number in numbers.items():
            heard = self.heard.get(department_id, 0)
            if number < heard or heard < ahead.get(department_id, 0):
                behind.add(department_id)
            elif number > heard:
                self.ahead[department_id] = number
        if behind:
            log.info("console missed announcements for departments %s; update", sorted(behind))
            self.due.update(behind)
            if self.flusher is None or self.flusher.done():
                self.flusher = asyncio.create_task(self.flush_due())

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
        return await database_sync_to_async(self._department_of)(entry_id)

    def _department_of(self, entry_id: str) -> int:
        """The entry's department, only if this staff member serves it."""
        department_id = (
            QueueEntry.objects.filter(pk=entry_id).values_list("department_id", flat=True).first()
        )
        if department_id is None or department_id not in self.department_ids:
            # Same answer for "unknown" and "not yours": ids of other departments stay secret.
            raise NotWaiting(_("No such waiting citizen in your departments."))
        return department_id

    async def on_admit(self, message: schemas.Admit) -> None:
        # The admission in one trip to the database thread, and the answer at once: it
        # opens the call. The citizen's "admitted" follows; the rest (the queue without the
        # citizen, this member in a call on every console and the status board) a moment
        # later, out of the call's way.
        room_id, participant_id, held = await database_sync_to_async(self._admit)(message.entry)
        session = self.scope["session"]
        access.remember_participant(session, room_id, participant_id)
        await self.send_message(
            outgoing.EntryAdmitted(
                entry=message.entry,
                call_url=reverse("public:call", args=[room_id]),
                socket=outgoing.room_socket_path(room_id),
                ice_servers=[outgoing.IceServer(**s) for s in ice_servers_for(participant_id)],
                ice_transport_policy=settings.ICE_TRANSPORT_POLICY,
            )
        )
        later: list[notify.Event] = [e for e in held if isinstance(e, notify.StaffingChanged)]
        await database_sync_to_async(self._admitted)([e for e in held if e not in later])
        if later:
            task = asyncio.create_task(_announce_later(later, STAFFING_AFTER_ADMISSION_SECONDS))
            _releases.add(task)
            task.add_done_callback(_releases.discard)

    def _admit(self, entry_id: str) -> tuple[str, str, list[notify.Event]]:
        held: list[notify.Event] = []
        try:
            with notify.held() as held:
                self._department_of(entry_id)
                room = actions.admit(entry_id, self.user)
                participant_id = room.participants.get(role=Role.STAFF).pk
        except Exception:
            notify.release(held)  # whatever committed before the failure is still told
            raise
        return room.pk, participant_id, held

    def _admitted(self, events: list[notify.Event]) -> None:
        notify.release(events)
        # The staff member is found in the room by their account too; the session only
        # spares a lookup on a reload, so it is saved last.
        self.scope["session"].save()

    async def on_decline(self, message: schemas.Decline) -> None:
        await self._entry_department(message.entry)
        await database_sync_to_async(actions.decline)(
            message.entry, self.user, message.message, message.lang
        )
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


async def _announce_later(events: list[notify.Event], delay: float) -> None:
    """Announced even if the console closes meanwhile; lost only with the process, whose
    successor's consoles and board read everything afresh."""
    await asyncio.sleep(delay)
    await database_sync_to_async(notify.release)(events)


def _numbered_desk(profile_id: int, numbered, department_ids: list[int] | None = None):
    """The numbers of the departments' latest announcements, then the desk (or the part
    of it for `department_ids`): whatever was announced up to those numbers is in it,
    since each is announced after its commit."""
    numbers = sequence.current(numbered if department_ids is None else department_ids)
    return numbers, desk_of(profile_id, department_ids)


def _seen_and_numbered(profile: StaffProfile, channel_name: str, department_ids) -> dict:
    presence.console_seen(profile, channel_name)
    return sequence.current(department_ids)


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
