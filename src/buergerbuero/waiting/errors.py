from buergerbuero.errors import DomainError


class QueueError(DomainError):
    """A queue action that cannot happen."""

    code = "queue_error"


class OfficeClosed(QueueError):
    """This office is closed right now."""

    code = "closed"


class QueueFull(QueueError):
    """Too many people are waiting right now; please try again later."""

    code = "queue_full"


class AlreadyHandled(QueueError):
    """Someone else has already handled this knock."""

    code = "already_handled"


class NotWaiting(QueueError):
    """This place in the queue is no longer active."""

    code = "not_waiting"
