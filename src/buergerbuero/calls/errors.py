from buergerbuero.errors import DomainError


class CallError(DomainError):
    """A call action that cannot happen."""

    code = "call_error"


class RoomEnded(CallError):
    """This consultation has ended."""

    code = "room_ended"


class InvitationInvalid(CallError):
    """This invitation link is invalid, expired or already used."""

    code = "invitation_invalid"


class NotAllowed(CallError):
    """You are not allowed to do this."""

    code = "forbidden"
