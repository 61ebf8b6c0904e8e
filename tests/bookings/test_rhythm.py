"""The rhythm a department's appointments start at, and a kind's own rhythm."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from buergerbuero.bookings import actions
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.errors import SlotUnavailable
from buergerbuero.bookings.models import AppointmentKind

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2027-01-04, 07:00: the department is open 08:00-10:00 every day.
NOW = datetime(2027, 1, 4, 7, 0, tzinfo=BERLIN)
HOURS = [(d, 8 * 60, 10 * 60) for d in range(7)]


def first_day(kind) -> list[str]:
    return [
        start.astimezone(BERLIN).strftime("%H:%M")
        for start, _seat in available_slots(kind, now=NOW)
        if start.astimezone(BERLIN).date() == NOW.date()
    ]


def test_a_kind_starts_at_the_departments_rhythm_unless_it_has_its_own(make_kind):
    kind = make_kind(minutes=20, buffer=5, rhythm=30, hours=HOURS)
    assert first_day(kind) == ["08:00", "08:30", "09:00", "09:30"]
    AppointmentKind.objects.filter(pk=kind.pk).update(slot_rhythm_minutes=20)
    kind.refresh_from_db()
    assert first_day(kind) == ["08:00", "08:20", "08:40", "09:00", "09:20", "09:40"]


def test_booking_a_slot_keeps_the_buffer_on_both_sides_and_refuses_a_time_off_the_rhythm(
    make_kind,
):
    kind = make_kind(minutes=30, buffer=10, rhythm=15, hours=HOURS)
    booked = actions.book(kind, NOW.replace(hour=8, minute=45), "Anna", now=NOW)
    # 08:45-09:15 holds until 09:25: 08:00 ends ten minutes before it (08:15 would not),
    # 09:30 starts after its buffer, and 09:45 would run past closing.
    assert first_day(kind) == ["08:00", "09:30"]
    with pytest.raises(SlotUnavailable) as refused:
        actions.book(kind, NOW.replace(hour=8, minute=50), "Off the clock", now=NOW)
    assert refused.value.alternatives[0] == NOW.replace(hour=9, minute=30)
    assert booked.ends_at - booked.starts_at == timedelta(minutes=30)
