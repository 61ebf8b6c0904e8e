from django.utils.translation import gettext_lazy as _

from buergerbuero.errors import DomainError


class QueueError(DomainError):
    """A queue action that cannot happen."""

    code = "queue_error"


class OfficeClosed(QueueError):
    code = "closed"
    message = _("This office is closed right now.")


class QueueFull(QueueError):
    code = "queue_full"
    message = _("Too many people are waiting right now. Please try again in a few minutes.")


class AlreadyHandled(QueueError):
    code = "already_handled"
    message = _("Someone else has already handled this knock.")


class NotWaiting(QueueError):
    code = "not_waiting"
    message = _("This place in the queue is no longer active.")


class NotAllowed(QueueError):
    code = "not_allowed"
    message = _("You do not serve this citizen's department.")


class TargetClosed(QueueError):
    """Passed on only to a department that takes citizens now: anyone else would wait
    for nobody."""

    code = "closed"
    message = _("That department is not open right now.")


class SameDepartment(QueueError):
    code = "same_department"
    message = _("The citizen is already waiting in that department.")


class TooManyReplies(QueueError):
    code = "rate_limited"
    message = _("Too many messages in a short time. Please wait a moment.")
