"""The domain's one way to say that something changed: a port the transport implements.

Domain actions describe each change as a small typed event and hand it to `announce`
(now) or `announce_on_commit` (once their transaction commits). Who must hear it, and
how, is decided by the listeners: `live/` registers one at start-up (`LiveConfig.ready`)
that turns events into socket messages. So the domain never imports a transport, a new
way in (an API, a command) gets the announcements for free, and a domain test can watch
the events without Channels. With no listener an event simply goes nowhere.
"""

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueChanged:
    """Somebody joined or left a department's queue: positions and consoles refresh.
    `joined`: the entry of a citizen who just joined (a knock, a check-in), so consoles
    can be sent that one row instead of reading the whole department again."""

    department_id: int
    joined: str | None = None
    # For a knock: how many wait now (counted under the knock's lock), and that the
    # newcomer is last in line. Nobody else's place or estimate changed, so the waiting
    # rooms are not told: each would read its place again, 50 reads for a knock at a
    # department where 50 wait (docs/benchmarks.md, "Knock to staff alert").
    waiting: int | None = None
    last_in_line: bool = False
    # With them, the newcomer's console row as JSON (`waiting.desk.waiting_citizen`), so
    # that announcing a knock reads nothing back. Derived from `joined`: not compared.
    row: Mapping[str, object] | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class PresenceChanged:
    """A waiting citizen's page went away, came back, or went to or from the background:
    only staff see that. Nobody's place or estimate changes, so the waiting rooms are not
    told (after a restart every citizen comes back at once, and telling each of them about
    every other one made reconnecting quadratic: docs/benchmarks.md, "Reconnect storm")."""

    department_id: int


@dataclass(frozen=True)
class StaffingChanged:
    """Who is available or in a call changed: queues re-estimate, consoles refresh and the
    public status board updates."""

    department_ids: tuple[int, ...]


@dataclass(frozen=True)
class AccessChanged:
    """A staff member's account or memberships changed (suspended, removed, departments or
    roles changed): their open consoles decide again, at once, what they may see."""

    user_id: int


@dataclass(frozen=True)
class EntryAdmitted:
    """The citizen may come in (`room_id`). The staff member's being in a call, and the
    queue without the citizen, follow as a `StaffingChanged`."""

    entry_id: str
    department_id: int
    room_id: str


@dataclass(frozen=True)
class EntryDeclined:
    """Declined by staff, or withdrawn because the citizen's appointment ended."""

    entry_id: str
    department_id: int
    message: str
    language: str = ""  # of the message; empty: the office's


@dataclass(frozen=True)
class StaffMessageSent:
    """A short message from the office to one waiting citizen, or (entry_id None) to the
    whole queue of the department."""

    department_id: int
    entry_id: str | None
    text: str


@dataclass(frozen=True)
class EntryTransferred:
    """A waiting citizen was passed on to another department's queue. `note` is the
    staff member's note only when they chose to show it to the citizen, else empty."""

    entry_id: str
    from_department_id: int
    to_department_id: int
    department_name: str
    department_slug: str
    note: str


@dataclass(frozen=True)
class CitizenReplied:
    """A waiting citizen answered the office: relayed to the department's consoles,
    never stored."""

    department_id: int
    entry_id: str
    text: str
    at: datetime


@dataclass(frozen=True)
class CallbacksChanged:
    """A callback request was made or done: the department's consoles show the open ones.
    `withdrawn`: the citizen took it back (staff about to dial are told)."""

    department_id: int
    withdrawn: bool = False


@dataclass(frozen=True)
class RoomEnded:
    room_id: str
    department_id: int
    ended_by: str  # the staff participant's id
    # "citizen-absent": the citizen never arrived and is gone; "unanswered": never arrived,
    # still heard, waiting again at the front; "returned": see below
    reason: str = ""
    # "returned", "unanswered": the queue entry waiting again at the front.
    entry_id: str = ""


Event = (
    QueueChanged
    | PresenceChanged
    | StaffingChanged
    | AccessChanged
    | EntryAdmitted
    | EntryDeclined
    | StaffMessageSent
    | EntryTransferred
    | CitizenReplied
    | RoomEnded
    | CallbacksChanged
)
Listener = Callable[[Event], None]

_listeners: list[Listener] = []
# Per thread: the events held back by `held()` (None: deliver at once).
_holding = threading.local()


def listen(listener: Listener) -> None:
    """Register a listener once (repeated registration of the same one is ignored)."""
    if listener not in _listeners:
        _listeners.append(listener)


def unlisten(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def announce(event: Event) -> None:
    """Tell every listener now (or, inside `held()`, when the holder releases it). A
    listener's failure is logged and never reaches the caller: the change it describes has
    already happened, and clients resynchronise from the database when they reconnect."""
    events = getattr(_holding, "events", None)
    if events is not None:
        events.append(event)
        return
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:
            # The event's kind, not its fields: a staff message's words may name someone.
            log.exception("listener %r failed on %s", listener, type(event).__name__)


def announce_on_commit(event: Event) -> None:
    """Tell every listener once the surrounding transaction commits (at once outside one),
    so nobody hears about a change that was rolled back."""
    transaction.on_commit(lambda: announce(event))


@contextmanager
def held() -> Iterator[list[Event]]:
    """Keep this thread's announcements (those on commit too) in the yielded list instead
    of telling anyone, for the caller to `release` later. For a transport that must answer
    its own client first: the console that admits a citizen is sent the call's address
    before the status board and the other consoles are brought up to date, which would
    otherwise stand between the click and the call (docs/benchmarks.md, "Call set-up")."""
    outer = getattr(_holding, "events", None)
    events: list[Event] = []
    _holding.events = events
    try:
        yield events
    finally:
        _holding.events = outer


def release(events: list[Event]) -> None:
    """Announce what `held()` kept, in order."""
    for event in events:
        announce(event)
