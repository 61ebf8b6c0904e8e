from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buergerbuero.errors import DomainError


class BookingError(DomainError):
    """A booking action that cannot happen; may offer other free times."""

    code = "booking_error"

    def __init__(self, message="", alternatives=None):
        super().__init__(message)
        self.alternatives = alternatives or []


class SlotUnavailable(BookingError):
    code = "slot_taken"
    message = _("This time has just been booked by someone else. Please choose another.")


class NotBookable(BookingError):
    code = "not_bookable"
    message = _("This time cannot be booked.")


class TooEarly(BookingError):
    code = "too_early"

    def __str__(self) -> str:
        return gettext(
            "Your appointment has not started yet. "
            "You can enter the waiting room %(minutes)s minutes before."
        ) % {"minutes": settings.BOOKING_EARLY_MINUTES}


class TooLate(BookingError):
    code = "too_late"
    message = _(
        "Your appointment time is over. "
        "Please book a new appointment or knock when the office is open."
    )


class NotActive(BookingError):
    code = "not_active"
    message = _("This appointment is no longer active.")


class NotVideo(BookingError):
    code = "not_video"
    message = _("This is an in-person appointment. Please come to the address given.")
