"""Every change to a booking happens here: book, move, cancel, check in, no-show.

Double booking is prevented by OccupiedCell's unique constraint: each attempt claims
its cells inside a savepoint and, on an IntegrityError, tries the next seat. Python's
view of free slots only decides what to offer, never what is allowed.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.errors import NameRequired
from buergerbuero.text import clean_text
from buergerbuero.waiting.actions import knock_booked, withdraw
from buergerbuero.waiting.models import EntryState

from . import mails
from .availability import available_slots, settings_for
from .errors import NotActive, NotBookable, NotVideo, SlotUnavailable, TooEarly, TooLate
from .models import (
    CANCEL_MESSAGE_MAX,
    DISPLAY_NAME_MAX,
    LANGUAGE_MAX,
    PHONE_MAX,
    TOPIC_MAX,
    AppointmentKind,
    Booking,
    BookingStatus,
    Mode,
    OccupiedCell,
)
from .slots import cells

ALTERNATIVES = 5


def next_free(kind: AppointmentKind, after: datetime, now=None) -> list[datetime]:
    return [start for start, _seat in available_slots(kind, now) if start >= after][:ALTERNATIVES]


def _check_offered(
    kind: AppointmentKind, starts_at: datetime, now: datetime, by_staff: bool
) -> None:
    # Staff booking for a caller on the phone may ignore the minimum notice, nothing else.
    offered = {start for start, _seat in available_slots(kind, now, ignore_notice=by_staff)}
    if starts_at in offered:
        return
    if starts_at <= now:
        raise NotBookable(_("This time is in the past."), next_free(kind, now, now))
    raise SlotUnavailable(alternatives=next_free(kind, starts_at, now))


def _claim(booking: Booking) -> None:
    """Claim the booking's cells (time plus buffer) on the first seat that has them all."""
    booking_settings = settings_for(booking.department)
    length = (
        booking.ends_at - booking.starts_at + timedelta(minutes=booking_settings.buffer_minutes)
    )
    needed = cells(booking.starts_at, length)
    for seat in range(max(1, booking_settings.parallel_staff)):
        try:
            with transaction.atomic():
                OccupiedCell.objects.bulk_create(
                    OccupiedCell(
                        booking=booking,
                        department_id=booking.department_id,
                        seat=seat,
                        starts_at=cell,
                    )
                    for cell in needed
                )
        except IntegrityError:
            continue
        Booking.objects.filter(pk=booking.pk).update(seat=seat)
        booking.seat = seat
        return
    raise SlotUnavailable()


def book(
    kind: AppointmentKind,
    starts_at: datetime,
    display_name: str,
    email: str = "",
    phone: str = "",
    topic: str = "",
    language: str = "",
    staff_user=None,
    now: datetime | None = None,
) -> Booking:
    """A citizen books online, or (`staff_user`) staff book for a caller on the phone,
    which is audited."""
    now = now or timezone.now()
    display_name = clean_text(display_name, DISPLAY_NAME_MAX)
    if not display_name:
        raise NameRequired()
    _check_offered(kind, starts_at, now, by_staff=staff_user is not None)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                department=kind.department,
                kind=kind,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=kind.duration_minutes),
                display_name=display_name,
                email=email.strip(),
                phone=clean_text(phone, PHONE_MAX),
                topic=clean_text(topic, TOPIC_MAX),
                language=language[:LANGUAGE_MAX],
                booked_by_staff=staff_user,
            )
            _claim(booking)
            mails.booking_confirmed(booking)
            if staff_user is not None:
                _audit(Action.BOOK_FOR_CALLER, staff_user, booking, booking.starts_at.isoformat())
    except SlotUnavailable:
        # Someone was faster: offer what is still free.
        raise SlotUnavailable(alternatives=next_free(kind, starts_at, now)) from None
    return booking


def move(booking: Booking, starts_at: datetime, now: datetime | None = None) -> Booking:
    """Same booking, same code and link, new time; the old time is kept if the new one
    cannot be had."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # Locked, so a cancel at the same moment cannot leave a cancelled booking
            # holding the new cells.
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            if locked.status != BookingStatus.BOOKED:
                raise NotActive()
            OccupiedCell.objects.filter(booking=booking).delete()
            _check_offered(booking.kind, starts_at, now, by_staff=False)
            Booking.objects.filter(pk=booking.pk).update(
                starts_at=starts_at, ends_at=starts_at + (booking.ends_at - booking.starts_at)
            )
            booking.refresh_from_db()
            _claim(booking)
            mails.discard_unsent(booking)
            mails.booking_moved(booking)
    except SlotUnavailable as error:
        raise SlotUnavailable(
            alternatives=error.alternatives or next_free(booking.kind, starts_at, now)
        ) from None
    return booking


def cancel(booking: Booking, message: str = "", by=None) -> Booking:
    """Cancelled by the citizen, or (`by`, a staff user) by the department, which is
    audited and tells the citizen so in the mail."""
    with transaction.atomic():
        updated = Booking.objects.filter(
            pk=booking.pk, status__in=[BookingStatus.BOOKED, BookingStatus.WAITING]
        ).update(
            status=BookingStatus.CANCELLED,
            cancelled_at=timezone.now(),
            cancel_message=clean_text(message, CANCEL_MESSAGE_MAX),
        )
        if not updated:
            raise NotActive()
        OccupiedCell.objects.filter(booking=booking).delete()
        booking.refresh_from_db()
        _withdraw_place(booking, booking.cancel_message)
        mails.discard_unsent(booking)
        mails.booking_cancelled(booking, by_staff=by is not None)
        if by is not None:
            # Whether there was a message, never its words.
            _audit(Action.CANCEL_BOOKING, by, booking, "with message" if message.strip() else "")
    return booking


def _withdraw_place(booking: Booking, message: str = "") -> None:
    """A checked-in citizen whose appointment ends this way leaves the queue, told why."""
    if booking.queue_entry_id:
        withdraw(booking.queue_entry_id, message)


def check_in_window(booking: Booking) -> tuple[datetime, datetime]:
    early = timedelta(minutes=settings.BOOKING_EARLY_MINUTES)
    late = timedelta(minutes=settings.BOOKING_LATE_MINUTES)
    return booking.starts_at - early, booking.starts_at + late


def check_in(booking: Booking, now: datetime | None = None):
    """Into the waiting room at the appointment time, marked as booked; returns the entry."""
    now = now or timezone.now()
    if booking.kind.mode != Mode.VIDEO:
        raise NotVideo()
    entry = booking.queue_entry
    if (
        booking.status == BookingStatus.WAITING
        and entry is not None
        and entry.state == EntryState.WAITING
    ):
        return entry  # a second tab or a double click: the same place
    # A place that expired (browser gone) or was left can be taken again in the window;
    # one that staff admitted or declined cannot.
    place_lost = entry is not None and entry.state in (EntryState.EXPIRED, EntryState.LEFT)
    if not (
        booking.status == BookingStatus.BOOKED
        or (booking.status == BookingStatus.WAITING and place_lost)
    ):
        raise NotActive()
    opens, closes = check_in_window(booking)
    if now < opens:
        raise TooEarly()
    if now > closes:
        raise TooLate()
    with transaction.atomic():
        # Booked, or waiting with a place that expired or was left: (re)enter.
        updated = Booking.objects.filter(
            pk=booking.pk, status=booking.status, queue_entry=booking.queue_entry_id
        ).update(status=BookingStatus.WAITING)
        if not updated:
            raise NotActive()
        entry = knock_booked(booking)
        Booking.objects.filter(pk=booking.pk).update(queue_entry=entry)
    booking.refresh_from_db()
    return entry


def mark_no_show(booking: Booking, by) -> Booking:
    """Staff (`by`) record that the citizen did not come; audited."""
    with transaction.atomic():
        updated = Booking.objects.filter(
            pk=booking.pk, status__in=[BookingStatus.BOOKED, BookingStatus.WAITING]
        ).update(status=BookingStatus.NO_SHOW)
        if not updated:
            raise NotActive()
        booking.refresh_from_db()
        _withdraw_place(booking)
        _audit(Action.NO_SHOW, by, booking)
    return booking


def _audit(action: Action, user, booking: Booking, detail: str = "") -> None:
    record(
        action,
        actor=user,
        department_id=booking.department_id,
        object_type="booking",
        object_id=booking.pk,
        detail=detail,
    )
