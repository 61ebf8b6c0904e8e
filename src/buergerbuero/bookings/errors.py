from buergerbuero.errors import DomainError


class BookingError(DomainError):
    """A booking action that cannot happen; may offer other free times."""

    code = "booking_error"

    def __init__(self, message: str = "", alternatives=None):
        super().__init__(message)
        self.alternatives = alternatives or []


class SlotUnavailable(BookingError):
    """This time is no longer free."""

    code = "slot_taken"


class NotBookable(BookingError):
    """This time cannot be booked."""

    code = "not_bookable"


class TooEarly(BookingError):
    """Your appointment has not started yet."""

    code = "too_early"


class TooLate(BookingError):
    """Your appointment time is over."""

    code = "too_late"


class NotActive(BookingError):
    """This appointment is no longer active."""

    code = "not_active"


class NotVideo(BookingError):
    """This is an in-person appointment; please come to the address given."""

    code = "not_video"
