"""Schemas of every message a client may send. Anything else is refused with an error.

Strict models: unknown fields are errors, strings have length caps, `type` is a literal.
The messages the server sends are documented in docs/websocket-protocol.md.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from buergerbuero.calls.chat import CHAT_MAX
from buergerbuero.waiting.models import REPLY_MAX, STAFF_MESSAGE_MAX, TRANSFER_NOTE_MAX

# A browser's SDP for audio+video with a few codecs is 5-10 KB; 64 KiB leaves room
# without letting one client push megabytes through the relay.
MAX_MESSAGE_BYTES = 64 * 1024
ID = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class Message(BaseModel):
    # strict: no coercion, so "yes" is not a boolean and "1" not a department id.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Ping(Message):
    type: Literal["ping"]


# --- waiting room (citizen) ----------------------------------------------------
class Leave(Message):
    type: Literal["leave"]


class Hidden(Message):
    """The page went to the background (hidden, or kept in the back/forward cache)."""

    type: Literal["hidden"]


class Visible(Message):
    """The page is shown again, or is being closed or reloaded."""

    type: Literal["visible"]


class Rejoin(Message):
    """Take the place at the front after a call missed while the page slept."""

    type: Literal["rejoin"]


class Reply(Message):
    """An answer to the office, relayed to its consoles and never stored."""

    type: Literal["reply"]
    text: str = Field(min_length=1, max_length=REPLY_MAX)


WaitingIn = Annotated[Ping | Leave | Hidden | Visible | Rejoin | Reply, Field(discriminator="type")]


# --- staff console -----------------------------------------------------------------
class SetPresence(Message):
    type: Literal["presence"]
    presence: Literal["available", "paused", "offline"]
    # Which of the member's departments; left out: all of them.
    departments: list[int] | None = Field(default=None, max_length=200)


class Admit(Message):
    type: Literal["admit"]
    entry: ID


class Decline(Message):
    type: Literal["decline"]
    entry: ID
    message: str = Field(default="", max_length=STAFF_MESSAGE_MAX)
    # The language the message is written in: the console's (its default text is in it).
    lang: str = Field(default="", max_length=8, pattern=r"^[a-z]{0,3}(-[A-Za-z]{2,4})?$")


class StaffMessage(Message):
    type: Literal["message"]
    department: int
    entry: ID | None = None
    text: str = Field(min_length=1, max_length=STAFF_MESSAGE_MAX)


class Transfer(Message):
    """Pass a waiting citizen on to another (open) department's queue."""

    type: Literal["transfer"]
    entry: ID
    department: int
    note: str = Field(default="", max_length=TRANSFER_NOTE_MAX)
    # The note is written for the colleague; the citizen reads it only when staff say so.
    tell_citizen: bool = False


ConsoleIn = Annotated[
    Ping | SetPresence | Admit | Decline | StaffMessage | Transfer, Field(discriminator="type")
]


# --- call room ---------------------------------------------------------------------
class SessionDescription(Message):
    type: Literal["offer", "answer"]
    sdp: str = Field(max_length=MAX_MESSAGE_BYTES)


class IceCandidate(Message):
    candidate: str = Field(max_length=1024)
    sdpMid: str | None = Field(default=None, max_length=64)
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=64)
    usernameFragment: str | None = Field(default=None, max_length=256)


class Signal(Message):
    type: Literal["signal"]
    to: ID
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None

    @field_validator("candidate")
    @classmethod
    def one_payload(cls, value: Any, info) -> Any:
        if value is not None and info.data.get("description") is not None:
            raise ValueError("a signal carries a description or a candidate, not both")
        return value


class Chat(Message):
    type: Literal["chat"]
    text: str = Field(min_length=1, max_length=CHAT_MAX)


class MediaState(Message):
    type: Literal["media-state"]
    audio: bool
    video: bool
    screen: bool


class Invite(Message):
    type: Literal["invite"]
    label: str = Field(default="", max_length=60)
    # The guest interprets sign language ("Gebärdensprachdolmetschung").
    sign_language: bool = False


class End(Message):
    type: Literal["end"]


class LeaveRoom(Message):
    type: Literal["leave"]


class BackToQueue(Message):
    """Staff only: the citizen goes back to the waiting room, at the front."""

    type: Literal["back-to-queue"]


RoomIn = Annotated[
    Ping | Signal | Chat | MediaState | Invite | End | LeaveRoom | BackToQueue,
    Field(discriminator="type"),
]

waiting_in = TypeAdapter(WaitingIn)
console_in = TypeAdapter(ConsoleIn)
room_in = TypeAdapter(RoomIn)
