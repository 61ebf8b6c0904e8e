"""A citizen's right to see everything held about a booking (Art. 15 GDPR), with nothing
but the booking link or code as identification. Erasure (Art. 17) is an action:
`privacy.actions.erase_booking`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from buergerbuero.bookings.models import Booking, OutgoingMail
from buergerbuero.calls.models import Participant, Role
from buergerbuero.waiting.models import QueueEntry

# Labels of the booking's stored fields. A field missing here is still shown, under its
# model name, so a field added later can never be held back from the citizen.
BOOKING_LABELS = {
    "id": _("Internal number"),
    "code": _("Booking code"),
    "token": _("Secret part of your booking link"),
    "department": _("Department"),
    "kind": _("Appointment"),
    "starts_at": _("Begins"),
    "ends_at": _("Ends"),
    "seat": _("Parallel appointment number"),
    "display_name": _("Name"),
    "email": _("E-mail address"),
    "phone": _("Phone number"),
    "topic": _("Topic"),
    "language": _("Language"),
    "status": _("Status"),
    "created_at": _("Booked at"),
    "booked_by_staff": _("Booked by staff for you"),
    "cancelled_at": _("Cancelled at"),
    "cancel_message": _("Message with the cancellation"),
    "queue_entry": _("Waiting room entry"),
}


@dataclass(frozen=True)
class HeldData:
    booking: list[tuple[str, object]]
    mails: list[OutgoingMail]
    queue_entry: QueueEntry | None
    participations: list[Participant]


def _value(booking: Booking, field) -> object:
    if field.name == "booked_by_staff":
        # Whether, not who: the staff member's account is not the citizen's data.
        return booking.booked_by_staff_id is not None
    if field.choices:
        return getattr(booking, f"get_{field.name}_display")()
    if field.name in ("department", "kind"):
        return str(getattr(booking, field.name))
    # Other relations by their id: the row behind it is shown in its own section.
    return getattr(booking, field.attname)


def held_about(booking: Booking) -> HeldData:
    """Every stored field of the booking, its mails, its waiting-room entry and the
    citizen's seat in the consultation, if there was one."""
    fields = [
        (str(BOOKING_LABELS.get(field.name, field.verbose_name)), _value(booking, field))
        for field in Booking._meta.concrete_fields
    ]
    entry = booking.queue_entry
    participations = []
    room = getattr(entry, "room", None) if entry is not None else None
    if room is not None:
        participations = list(room.participants.filter(role=Role.CITIZEN))
    return HeldData(
        booking=fields,
        mails=list(booking.mails.order_by("send_after")),
        queue_entry=entry,
        participations=participations,
    )
