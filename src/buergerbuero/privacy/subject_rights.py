"""A citizen's rights over a booking: see everything held (Art. 15 GDPR) and have it
erased (Art. 17 GDPR), with nothing but the booking link or code as identification.

Erasure keeps the anonymous statistics: the rows stay with their state and times, their
personal fields are emptied, and the days they count towards are recorded first.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from buergerbuero.bookings import actions as booking_actions
from buergerbuero.bookings.errors import NotActive
from buergerbuero.bookings.models import Booking, BookingStatus, OccupiedCell, OutgoingMail
from buergerbuero.bookings.progress import progress
from buergerbuero.calls.models import Participant, Role
from buergerbuero.waiting import actions as queue_actions
from buergerbuero.waiting.errors import NotWaiting
from buergerbuero.waiting.models import QueueEntry

from .anonymise import anonymise, delete_mails
from .statistics import record_days

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


def _withdraw(booking: Booking) -> None:
    """An appointment that has not taken place is cancelled, so its time is free again
    and nobody waits for the citizen; one that took place keeps its outcome."""
    state = progress(booking)
    if state == BookingStatus.WAITING:
        # Admitted or gone a moment ago: nothing to withdraw from.
        with contextlib.suppress(NotWaiting):
            queue_actions.leave(booking.queue_entry_id)
    if state in (BookingStatus.BOOKED, BookingStatus.WAITING):
        with contextlib.suppress(NotActive):
            booking_actions.cancel(booking)


def erase_booking(booking: Booking) -> None:
    """Delete the booking's personal data now (Art. 17 GDPR)."""
    booking = Booking.objects.select_related("queue_entry", "queue_entry__room").get(pk=booking.pk)
    entry = booking.queue_entry
    room = getattr(entry, "room", None) if entry is not None else None
    moments: list[datetime] = [booking.starts_at]
    if entry is not None:
        moments.append(entry.created_at)
    if room is not None:
        moments.append(room.created_at)
    with transaction.atomic():
        _withdraw(booking)
        OccupiedCell.objects.filter(booking=booking).delete()
        # Including the cancellation notice _withdraw just queued: the address goes now.
        delete_mails(OutgoingMail.objects.filter(booking=booking))
        record_days(booking.department, moments)
        anonymise(Booking.objects.filter(pk=booking.pk))
        if entry is not None:
            anonymise(QueueEntry.objects.filter(pk=entry.pk))
        if room is not None:
            anonymise(Participant.objects.filter(room=room, role=Role.CITIZEN))
