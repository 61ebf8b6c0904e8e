"""A citizen's erasure request (Art. 17 GDPR), with nothing but the booking link or code
as identification.

Erasure keeps the anonymous statistics: the rows stay with their state and times, their
personal fields are emptied, and the days they count towards are recorded first. The
audit log keeps that it happened (the booking's id, nothing about the person), so the
data protection officer can answer for it.
"""

import contextlib
from datetime import datetime

from django.db import transaction

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.bookings import actions as booking_actions
from buergerbuero.bookings.errors import NotActive
from buergerbuero.bookings.models import Booking, BookingStatus, OccupiedCell, OutgoingMail
from buergerbuero.bookings.progress import progress
from buergerbuero.calls.models import Participant, Role
from buergerbuero.waiting import actions as queue_actions
from buergerbuero.waiting.errors import NotWaiting
from buergerbuero.waiting.models import QueueEntry

from .anonymise import anonymise, delete_mails
from .models import RetentionPolicy
from .retention import KINDS
from .statistics import record_days


def _withdraw(booking: Booking) -> None:
    """An appointment that has not taken place is cancelled, so its time is free again
    and nobody waits for the citizen; one that took place keeps its outcome."""
    state = progress(booking)
    if state == BookingStatus.WAITING and booking.queue_entry_id is not None:
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
        record(
            Action.ERASE_BOOKING,
            actor=None,
            department_id=booking.department_id,
            object_type="booking",
            object_id=booking.pk,
        )


RETENTION_FIELDS = (*(f"{kind}_days" for kind in KINDS), "special_categories")


def _days(policy: RetentionPolicy, kind: str) -> str:
    days = getattr(policy, f"{kind}_days")
    return "default" if days is None else str(days)


def set_retention(department, values: dict, by) -> RetentionPolicy:
    """A department's retention periods (None: the installation's default) and whether it
    handles special categories of personal data; administrators only (the page checks).
    The next hourly purge applies them."""
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.select_for_update().get_or_create(
            department=department
        )
        for field in RETENTION_FIELDS:
            setattr(policy, field, values.get(field))
        policy.special_categories = bool(values.get("special_categories"))
        policy.full_clean()
        policy.save()
        record(
            Action.CHANGE_RETENTION,
            actor=by,
            object_type="retention_policy",
            object_id=policy.pk,
            department_id=department.pk,
            detail=" ".join(f"{kind}={_days(policy, kind)}" for kind in KINDS)
            + f" special={policy.special_categories}",
        )
    return policy
