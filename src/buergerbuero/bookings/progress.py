"""Where a booking stands, as staff see it.

The stored status says what the citizen or staff decided (booked, waiting after check-in,
no-show, cancelled); the consultation itself lives in the queue entry and the room, so
"in consultation" and "done" are read from there rather than copied and kept in step.
"""

from django.utils.functional import Promise

from buergerbuero.waiting.models import EntryState

from .models import Booking, BookingStatus


def progress(booking: Booking) -> str:
    if booking.status != BookingStatus.WAITING or booking.queue_entry is None:
        return booking.status
    entry = booking.queue_entry
    if entry.state == EntryState.ADMITTED:
        room = getattr(entry, "room", None)
        return (
            BookingStatus.IN_CONSULTATION
            if room is not None and room.is_active
            else BookingStatus.DONE
        )
    if entry.state == EntryState.WAITING:
        return BookingStatus.WAITING
    # Declined, left or expired after checking in: the appointment did not take place.
    return BookingStatus.NO_SHOW


def label(status: str) -> str | Promise:
    return BookingStatus(status).label
