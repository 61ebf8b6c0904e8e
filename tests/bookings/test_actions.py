"""Booking, moving, cancelling, checking in; mails and the calendar file."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from buergerbuero.bookings import actions, mails
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.codes import format_code, normalise_code
from buergerbuero.bookings.errors import NotActive, NotBookable, SlotUnavailable, TooEarly, TooLate
from buergerbuero.bookings.ics import booking_ics
from buergerbuero.bookings.models import BookingStatus, Closure, OccupiedCell, OutgoingMail
from buergerbuero.waiting.models import EntryState

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


def first_slot(kind, now=None):
    """The first free time at least an hour ahead: times fall on the clock's rhythm, and
    one that starts in the next minutes may pass while the test runs."""
    soon = (now or timezone.now()) + timedelta(hours=1)
    return next(start for start, _seat in available_slots(kind, now) if start >= soon)


def test_book_takes_the_slot_and_queues_mails(make_kind):
    kind = make_kind(minutes=30, buffer=10)
    start = first_slot(kind)
    booking = actions.book(kind, start, "  Ada  Lovelace ", email="ada@example.org", topic="Antrag")
    assert (booking.display_name, booking.status, booking.seat) == ("Ada Lovelace", "booked", 0)
    assert booking.ends_at - booking.starts_at == timedelta(minutes=30)
    assert (
        OccupiedCell.objects.filter(booking=booking).count() == 8
    )  # 30 + 10 minutes in 5-minute cells
    assert start not in {s for s, _ in available_slots(kind)}
    kinds = sorted(OutgoingMail.objects.filter(booking=booking).values_list("kind", flat=True))
    assert kinds in (["confirmation"], ["confirmation", "reminder"])


def test_book_same_slot_twice_offers_the_next_free(make_kind):
    kind = make_kind(minutes=30)
    start = first_slot(kind)
    actions.book(kind, start, "Erste")
    with pytest.raises(SlotUnavailable) as taken:
        actions.book(kind, start, "Zweite")
    assert taken.value.alternatives[0] == start + timedelta(minutes=30)
    assert OccupiedCell.objects.count() == 6


def test_database_refuses_overlapping_cells_even_if_python_offered_them(make_kind):
    """The unique constraint is the guard, not the Python check: bypass the check."""
    kind = make_kind(minutes=30)
    start = first_slot(kind)
    first = actions.book(kind, start, "Erste")
    from buergerbuero.bookings.models import Booking

    second = Booking.objects.create(
        department=kind.department,
        kind=kind,
        starts_at=start,
        ends_at=first.ends_at,
        display_name="Zweite",
    )
    with pytest.raises(SlotUnavailable):
        actions._claim(second)


def test_parallel_staff_allow_two_bookings_at_one_time(make_kind):
    kind = make_kind(minutes=30, parallel=2)
    start = first_slot(kind)
    a = actions.book(kind, start, "A")
    b = actions.book(kind, start, "B")
    assert (a.seat, b.seat) == (0, 1)
    with pytest.raises(SlotUnavailable):
        actions.book(kind, start, "C")


def test_book_rejects_past_times_and_times_outside_opening_hours(make_kind):
    kind = make_kind(minutes=30, hours=[(d, 9 * 60, 12 * 60) for d in range(7)])
    with pytest.raises(NotBookable):
        actions.book(kind, timezone.now() - timedelta(days=1), "Zu spät")
    start = first_slot(kind)
    with pytest.raises(SlotUnavailable):
        actions.book(kind, start + timedelta(minutes=7), "Krumm")
    tomorrow_night = (start + timedelta(days=1)).astimezone(BERLIN).replace(hour=22, minute=0)
    with pytest.raises(SlotUnavailable):
        actions.book(kind, tomorrow_night, "Nachts")
    assert OccupiedCell.objects.count() == 0


def test_closure_removes_slots(make_kind):
    kind = make_kind(minutes=60)
    start = first_slot(kind)
    Closure.objects.create(
        department=kind.department, starts_at=start, ends_at=start + timedelta(hours=3)
    )
    # Nothing that overlaps the closure; times that end before it (within the first hour
    # ahead) may stay.
    hour, end = timedelta(hours=1), start + timedelta(hours=3)
    assert not [s for s, _ in available_slots(kind) if s < end and s + hour > start]


def test_staff_may_book_inside_the_minimum_notice(make_kind, make_staff):
    kind = make_kind(minutes=30, notice=24 * 60)
    staff = make_staff(kind.department)
    soon = available_slots(kind, ignore_notice=True)[0][0]
    assert soon < timezone.now() + timedelta(days=1)
    with pytest.raises(SlotUnavailable):
        actions.book(kind, soon, "Bürger")
    booking = actions.book(kind, soon, "Anruferin", phone="0211 123", staff_user=staff)
    assert booking.booked_by_staff == staff


def test_move_keeps_code_and_link_and_frees_the_old_time(make_kind):
    kind = make_kind(minutes=30)
    slots = [s for s, _ in available_slots(kind)]
    booking = actions.book(kind, slots[0], "Mover", email="m@example.org")
    code, token = booking.code, booking.token
    moved = actions.move(booking, slots[3])
    assert (moved.pk, moved.code, moved.token, moved.starts_at) == (
        booking.pk,
        code,
        token,
        slots[3],
    )
    free = {s for s, _ in available_slots(kind)}
    assert slots[0] in free and slots[3] not in free
    assert OutgoingMail.objects.filter(booking=booking, kind="change").count() == 1


def test_move_to_a_taken_time_keeps_the_old_one(make_kind):
    kind = make_kind(minutes=30)
    slots = [s for s, _ in available_slots(kind)]
    mine = actions.book(kind, slots[0], "Mine")
    actions.book(kind, slots[1], "Other")
    with pytest.raises(SlotUnavailable):
        actions.move(mine, slots[1])
    mine.refresh_from_db()
    assert mine.starts_at == slots[0]
    assert OccupiedCell.objects.filter(booking=mine).count() == 6


def test_cancel_frees_the_slot_and_cannot_repeat(make_kind):
    kind = make_kind(minutes=30)
    start = first_slot(kind)
    booking = actions.book(kind, start, "Absage", email="a@example.org")
    actions.cancel(booking, "Krank")
    assert booking.status == BookingStatus.CANCELLED
    assert start in {s for s, _ in available_slots(kind)}
    assert not OutgoingMail.objects.filter(
        booking=booking, kind="reminder", sent_at__isnull=True
    ).exists()
    with pytest.raises(NotActive):
        actions.cancel(booking)


def test_check_in_window(make_kind, settings):
    settings.BOOKING_EARLY_MINUTES, settings.BOOKING_LATE_MINUTES = 10, 15
    kind = make_kind(minutes=30)
    booking = actions.book(kind, first_slot(kind), "Pünktlich")
    with pytest.raises(TooEarly):
        actions.check_in(booking, now=booking.starts_at - timedelta(minutes=11))
    with pytest.raises(TooLate):
        actions.check_in(booking, now=booking.starts_at + timedelta(minutes=16))
    entry = actions.check_in(booking, now=booking.starts_at - timedelta(minutes=5))
    assert (entry.state, entry.booked_for, entry.display_name) == (
        EntryState.WAITING,
        booking.starts_at,
        "Pünktlich",
    )
    booking.refresh_from_db()
    assert (booking.status, booking.queue_entry) == (BookingStatus.WAITING, entry)
    # A second check-in (double click, second tab) gives the same place.
    assert actions.check_in(booking, now=booking.starts_at) == entry


def test_booked_citizen_goes_first_at_their_time(make_kind, make_staff):
    from buergerbuero.waiting import actions as queue_actions
    from buergerbuero.waiting.queue import position_of

    kind = make_kind(minutes=30)
    make_staff(kind.department)
    walk_in = queue_actions.knock(kind.department, "Ohne Termin")
    booking = actions.book(kind, first_slot(kind), "Mit Termin")
    entry = actions.check_in(booking, now=booking.starts_at)
    assert (position_of(entry), position_of(walk_in)) == (1, 2)


def test_booking_survives_daylight_saving_change(make_kind):
    """Booked in summer time for a date in winter time: stored in UTC, shown at 09:00."""
    kind = make_kind(minutes=30, horizon=60, hours=[(0, 9 * 60, 10 * 60)])
    now = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)  # Tuesday, CEST
    target = datetime(2026, 10, 26, 9, 0, tzinfo=BERLIN)  # Monday after the change, CET
    assert target in {s for s, _ in available_slots(kind, now)}
    booking = actions.book(kind, target, "Winterzeit", now=now)
    booking.refresh_from_db()
    assert booking.starts_at == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert booking.starts_at.astimezone(BERLIN).strftime("%H:%M") == "09:00"


def test_mails_are_sent_outside_the_request_and_retried(make_kind, settings):
    from .failing_backend import FailingOnceBackend

    FailingOnceBackend.failed = False
    settings.EMAIL_BACKEND = "tests.bookings.failing_backend.FailingOnceBackend"
    kind = make_kind(minutes=30)
    booking = actions.book(kind, first_slot(kind), "Mail", email="mail@example.org")
    assert mail.outbox == []  # nothing sent while booking
    now = timezone.now()
    assert mails.send_due(now=now) == 0  # the server refused
    confirmation = OutgoingMail.objects.get(booking=booking, kind="confirmation")
    assert confirmation.sent_at is None and confirmation.attempts == 1 and confirmation.last_error
    assert mails.send_due(now=now) == 0  # not due again yet
    assert mails.send_due(now=now + timedelta(minutes=3)) == 1
    assert [m.to for m in mail.outbox] == [["mail@example.org"]]
    sent = mail.outbox[0]
    assert format_code(booking.code) in sent.body and booking.token in sent.body
    assert sent.attachments[0][0] == "termin.ics"


def test_ics_describes_the_appointment(make_kind):
    kind = make_kind(minutes=45, mode="in_person")
    booking = actions.book(kind, first_slot(kind), "Kalender")
    event = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booking.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert str(event["location"]) == "Kreishaus, Zimmer 1"
    assert booking.token in str(event["url"])


def test_codes_are_forgiving_to_type():
    assert normalise_code("ab1o-il 2u") == "AB10112V"
    assert format_code("ABCDE12345") == "ABCDE 12345"


def test_mails_are_plain_text_not_html_escaped(make_kind):
    kind = make_kind(minutes=30)
    booking = actions.book(kind, first_slot(kind), "O'Brien & Söhne", email="ob@example.org")
    mail_row = OutgoingMail.objects.get(booking=booking, kind="confirmation")
    assert "O'Brien & Söhne" in mail_row.body
    assert "&amp;" not in mail_row.body and "&#x27;" not in mail_row.body
    assert format_code(booking.code) in mail_row.body


def test_a_lost_place_can_be_taken_again_within_the_window(make_kind):
    from buergerbuero.waiting.models import QueueEntry

    kind = make_kind(minutes=30)
    booking = actions.book(kind, first_slot(kind), "Wieder da")
    first = actions.check_in(booking, now=booking.starts_at)
    QueueEntry.objects.filter(pk=first.pk).update(state=EntryState.EXPIRED)
    booking.refresh_from_db()
    second = actions.check_in(booking, now=booking.starts_at + timedelta(minutes=2))
    assert second.pk != first.pk and second.state == EntryState.WAITING
    booking.refresh_from_db()
    assert (booking.status, booking.queue_entry_id) == ("waiting", second.pk)


def test_an_admitted_booking_cannot_check_in_again(make_kind, make_staff):
    from buergerbuero.waiting import actions as queue_actions

    kind = make_kind(minutes=30)
    staff = make_staff(kind.department)
    booking = actions.book(kind, first_slot(kind), "Einmal")
    entry = actions.check_in(booking, now=booking.starts_at)
    queue_actions.admit(entry.pk, staff)
    booking.refresh_from_db()
    with pytest.raises(NotActive):
        actions.check_in(booking, now=booking.starts_at)


def test_cancelling_a_checked_in_booking_takes_the_citizen_out_of_the_queue(make_kind, make_staff):
    kind = make_kind(minutes=30)
    booking = actions.book(kind, first_slot(kind), "Abgesagt")
    entry = actions.check_in(booking, now=booking.starts_at)
    clerk = make_staff(kind.department)
    actions.cancel(booking, "Die Sachbearbeiterin ist erkrankt.", by=clerk)
    entry.refresh_from_db()
    assert (entry.state, entry.decline_message) == (
        EntryState.DECLINED,
        "Die Sachbearbeiterin ist erkrankt.",
    )


def test_in_person_booking_does_not_enter_the_video_waiting_room(make_kind):
    from buergerbuero.bookings.errors import NotVideo

    kind = make_kind(minutes=30, mode="in_person")
    booking = actions.book(kind, first_slot(kind), "Vor Ort")
    with pytest.raises(NotVideo):
        actions.check_in(booking, now=booking.starts_at)


def test_move_of_a_cancelled_booking_is_refused(make_kind):
    kind = make_kind(minutes=30)
    slots = [s for s, _ in available_slots(kind)]
    booking = actions.book(kind, slots[0], "Weg")
    stale = type(booking).objects.get(pk=booking.pk)
    actions.cancel(booking)
    with pytest.raises(NotActive):
        actions.move(stale, slots[2])
    assert OccupiedCell.objects.count() == 0
