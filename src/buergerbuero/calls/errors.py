from django.utils.translation import gettext_lazy as _

from buergerbuero.errors import DomainError


class CallError(DomainError):
    """A call action that cannot happen."""

    code = "call_error"


class RoomEnded(CallError):
    code = "room_ended"
    message = _("This consultation has ended.")


class InvitationInvalid(CallError):
    code = "invitation_invalid"
    message = _("This invitation link is invalid, expired or already used.")


class NotAllowed(CallError):
    code = "forbidden"
    message = _("You are not allowed to do this.")


class UnknownPeer(CallError):
    code = "unknown_peer"
    message = _("No such participant in this call.")
