"""Schemas of every message the server sends on a socket (incoming ones: schemas.py).

Every message is built as one of these models and serialised by `dump()`, so a field
that is misspelt, missing or of the wrong type fails where it is built, not in a
browser. The tests validate what they receive against the union of their endpoint, and
docs/websocket-protocol.md carries a reference generated from these models
(`python -m buergerbuero.live.protocol_doc`), which a test keeps in step.
"""

from typing import Annotated, Any, Literal

from django.urls import reverse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from buergerbuero.office.status import BoardRow, OfficeStatus
from buergerbuero.values import IsoDateTime
from buergerbuero.waiting.desk import DeskDepartment, WaitingCitizen

from .schemas import ID, IceCandidate, SessionDescription


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def dump(self) -> dict[str, Any]:
        """The JSON-ready dict: optional fields that were not given are left out (an
        error has `details` only when the schema refused a message), `type` always in."""
        data = self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return {"type": self.type, **data}  # type: ignore[attr-defined]


# --- every endpoint --------------------------------------------------------------------
class Pong(Out):
    type: Literal["pong"] = "pong"


class Ping(Out):
    """The server asks whether the console is still there (every CONSOLE_PING_SECONDS);
    socket.js answers with a `ping` of its own at once. Sent by the server, not left to the
    browser's timers, which a background tab runs once a minute at most."""

    type: Literal["ping"] = "ping"


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    loc: str
    msg: str


class Error(Out):
    """A message that could not be handled, or a refused connection (then closed)."""

    type: Literal["error"] = "error"
    code: str
    message: str = Field(description="A sentence in the language of the page.")
    request: str | None = Field(default=None, description="The `type` that failed.")
    details: list[ErrorDetail] | None = Field(default=None, description="For `invalid`.")


class Left(Out):
    type: Literal["left"] = "left"


class Reconnect(Out):
    """This server process is stopping (an upgrade, a restart): the socket closes next
    with 1012 ("service restart"). Reconnect, after a short random pause, and another
    process carries on: the state lives in the database."""

    type: Literal["reconnect"] = "reconnect"


# --- /ws/status/ -------------------------------------------------------------------------
class Status(Out):
    type: Literal["status"] = "status"
    departments: list[BoardRow]


# --- /ws/warteraum/<entry_id>/ ------------------------------------------------------------
class Position(Out):
    type: Literal["position"] = "position"
    position: int = Field(ge=1, description="1 = next in line.")
    estimate_minutes: int = Field(ge=0)
    office: OfficeStatus
    department: str = Field(description="The name of the department they wait for now.")


class Transferred(Out):
    """Passed on to another department's queue by staff; a `position` follows."""

    type: Literal["transferred"] = "transferred"
    department: str = Field(description="The new department's name.")
    note: str = Field(description="The staff member's note, only if they chose to show it.")
    page: str = Field(
        description="The new department's page: where the waiting room links back to."
    )
    alternatives: str = Field(
        description="Where the waiting room reads what to offer while the new department is closed."
    )


class Admitted(Out):
    type: Literal["admitted"] = "admitted"
    call_url: str = Field(description="The call page: where a reload of the call goes.")
    socket: str = Field(description="The call's socket: the waiting room starts the call in place.")
    ended_url: str = Field(description="Where the citizen goes when the call is over.")


class Declined(Out):
    type: Literal["declined"] = "declined"
    message: str = Field(description="The staff member's words; may be empty.")
    lang: str = Field(
        default="",
        description="The language the words are written in (the staff member's console's); "
        "empty: the office's own language.",
    )


class ReplySent(Out):
    """The citizen's answer reached the office's consoles (it is not kept)."""

    type: Literal["reply-sent"] = "reply-sent"


class StaffMessage(Out):
    type: Literal["staff-message"] = "staff-message"
    text: str
    to_all: bool = Field(description="True: sent to the whole queue.")


class CallOver(Out):
    """Admitted, but the consultation has ended since."""

    type: Literal["ended"] = "ended"


class MissedCall(Out):
    """Called while the page was in the background, and the call ended before they came:
    they may take their place at the front of the queue (`rejoin`)."""

    type: Literal["missed-call"] = "missed-call"


class Expired(Out):
    """The entry left the queue or expired."""

    type: Literal["expired"] = "expired"


# --- /ws/konsole/ -------------------------------------------------------------------------
class Queues(Out):
    """The whole desk: sent when the console connects (or reconnects). Replaces all."""

    type: Literal["queues"] = "queues"
    departments: list[DeskDepartment]
    waiting: list[WaitingCitizen] = Field(description="In the office's order.")


class QueueUpdate(Out):
    """What changed in some departments (a knock, a departure, a presence change): their
    lines and everyone waiting in them replace what the console showed for those
    departments; the rest stays as it is."""

    type: Literal["queue-update"] = "queue-update"
    departments: list[DeskDepartment]
    waiting: list[WaitingCitizen] = Field(description="Of these departments, in order.")


class QueueDelta(Out):
    """Citizens who joined (a knock, a check-in), sent without reading the queue again:
    they are added to what the console shows, and these departments' lines replace the
    ones shown (their `waiting` counts them). Nothing is removed; whatever else changes
    comes as a `queue-update`."""

    type: Literal["queue-delta"] = "queue-delta"
    departments: list[DeskDepartment]
    added: list[WaitingCitizen] = Field(description="In the office's order.")


class EntryAdmitted(Out):
    type: Literal["admitted"] = "admitted"
    entry: str
    call_url: str = Field(description="The call page: where a reload of the call goes.")
    socket: str = Field(description="The call's socket: the console starts the call in place.")
    ice_servers: list["IceServer"] = Field(
        default_factory=list,
        description="The staff member's ICE servers in this call (as in its `welcome`): the "
        "console makes the connection to the citizen while the call's socket opens.",
    )
    ice_transport_policy: Literal["all", "relay"] = "all"


class EntryDeclined(Out):
    type: Literal["declined"] = "declined"
    entry: str


class EntryTransferred(Out):
    """This console passed the citizen on."""

    type: Literal["transferred"] = "transferred"
    entry: str
    department: int


class CitizenReply(Out):
    """A waiting citizen of one of the member's departments answered; never stored."""

    type: Literal["reply"] = "reply"
    entry: str
    department: int
    text: str
    at: IsoDateTime


class CallbacksChanged(Out):
    """A callback request to one of the member's departments was made or done: the console
    reads its list of open requests again (no number travels over the socket)."""

    type: Literal["callbacks"] = "callbacks"
    department: int
    withdrawn: bool = Field(
        default=False,
        description="Only when the citizen withdrew a request (the console says so).",
    )


class MessageSent(Out):
    type: Literal["message-sent"] = "message-sent"
    recipients: int = Field(ge=0)


# --- /ws/raum/<room_id>/ ------------------------------------------------------------------
class Peer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    role: Literal["staff", "citizen", "guest"]
    sign_language: bool = Field(
        default=False,
        description="Invited as the sign-language interpreter: "
        "shown large, never behind a shared screen.",
    )


class IceServer(BaseModel):
    """An RTCIceServer; `username` and `credential` only for our short-lived TURN entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    urls: str | list[str]
    username: str | None = None
    credential: str | None = None


class Welcome(Out):
    type: Literal["welcome"] = "welcome"
    you: Peer
    peers: list[Peer]
    ice_servers: list[IceServer]
    ice_transport_policy: Literal["all", "relay"]


CONNECTION_DESCRIPTION = (
    "Which of the peer's sockets: a page that reloads opens its new socket before the old "
    "one's closing is heard, so a `peer-gone` whose `connection` is not the one of the "
    "peer's latest `peer-joined` is about a socket already replaced, and is ignored."
)


class PeerJoined(Out):
    type: Literal["peer-joined"] = "peer-joined"
    peer: Peer
    connection: str = Field(description=CONNECTION_DESCRIPTION)


class PeerGone(Out):
    """The peer's socket closed without `leave`: it may come back."""

    type: Literal["peer-gone"] = "peer-gone"
    id: str
    connection: str = Field(description=CONNECTION_DESCRIPTION)


class Moved(Out):
    """The same participant opened the call in another window or tab, or on another
    device: the call goes on there, and this socket closes next (4409). The page offers
    to continue here (which moves the call back)."""

    type: Literal["moved"] = "moved"


class PeerLeft(Out):
    type: Literal["peer-left"] = "peer-left"
    id: str


class Signal(Out):
    type: Literal["signal"] = "signal"
    from_: ID = Field(alias="from")
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None


class Chat(Out):
    type: Literal["chat"] = "chat"
    from_: str = Field(alias="from")
    name: str
    text: str
    at: IsoDateTime


class MediaState(Out):
    type: Literal["media-state"] = "media-state"
    from_: str = Field(alias="from")
    audio: bool
    video: bool
    screen: bool


class Invitation(Out):
    type: Literal["invitation"] = "invitation"
    path: str
    expires_at: IsoDateTime


class Ended(Out):
    type: Literal["ended"] = "ended"
    by: str | None = Field(
        description="The staff participant who ended it; null if it had ended before connect."
    )
    reason: Literal["citizen-absent", "unanswered", "returned"] | None = Field(
        default=None,
        description="`citizen-absent`: the office ended it, the admitted citizen never "
        "joined within CALL_NO_SHOW_SECONDS and their page is gone; `unanswered`: the "
        "same, but their page is still heard (hidden, or a connection that dropped within "
        "the grace), so they wait again at the front of the queue; `returned`: staff took "
        "the citizen back to the waiting room, at the front.",
    )
    waiting_url: str | None = Field(
        default=None,
        description="With `returned`: the citizen's waiting room (it opens nothing for "
        "anyone whose session does not hold that place).",
    )


# --- what each endpoint may send ------------------------------------------------------------
StatusOut = Annotated[Status | Reconnect, Field(discriminator="type")]
WaitingOut = Annotated[
    Position
    | Transferred
    | ReplySent
    | StaffMessage
    | Admitted
    | Declined
    | CallOver
    | MissedCall
    | Expired
    | Left
    | Reconnect
    | Pong
    | Error,
    Field(discriminator="type"),
]
ConsoleOut = Annotated[
    Queues
    | QueueUpdate
    | QueueDelta
    | EntryAdmitted
    | EntryDeclined
    | EntryTransferred
    | CitizenReply
    | CallbacksChanged
    | MessageSent
    | Reconnect
    | Ping
    | Pong
    | Error,
    Field(discriminator="type"),
]
RoomOut = Annotated[
    Welcome
    | PeerJoined
    | PeerGone
    | Moved
    | PeerLeft
    | Signal
    | Chat
    | MediaState
    | Invitation
    | Ended
    | Left
    | Reconnect
    | Pong
    | Error,
    Field(discriminator="type"),
]

status_out: TypeAdapter[StatusOut] = TypeAdapter(StatusOut)
waiting_out: TypeAdapter[WaitingOut] = TypeAdapter(WaitingOut)
console_out: TypeAdapter[ConsoleOut] = TypeAdapter(ConsoleOut)
room_out: TypeAdapter[RoomOut] = TypeAdapter(RoomOut)


def room_socket_path(room_id: str) -> str:
    """The call's socket (live/application.py)."""
    return f"/ws/raum/{room_id}/"


def taken_back(by: str | None, entry_id: str) -> Ended:
    """The call is over for a citizen who waits again at the front: their page goes to
    the waiting room, which says so."""
    waiting_url = reverse("public:waiting", args=[entry_id]) + "?zurueck=1"
    return Ended(by=by, reason="returned", waiting_url=waiting_url)


def admitted(room_id: str) -> Admitted:
    """The citizen's admission, with what their waiting room needs to start the call in
    place (no page load: the camera it holds and the page stay)."""
    return Admitted(
        call_url=reverse("public:call", args=[room_id]),
        socket=room_socket_path(room_id),
        ended_url=reverse("public:call_ended", args=[room_id]),
    )
