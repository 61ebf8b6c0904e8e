class CallError(Exception):
    code = "call_error"

    def __init__(self, message: str = ""):
        super().__init__(message or self.__class__.__doc__ or self.code)


class RoomEnded(CallError):
    """This consultation has ended."""

    code = "room_ended"


class InvitationInvalid(CallError):
    """This invitation link is invalid, expired or already used."""

    code = "invitation_invalid"


class NotAllowed(CallError):
    """You are not allowed to do this."""

    code = "forbidden"
