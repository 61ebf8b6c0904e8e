"""Slot computation against schedules, holidays, closures, parallel staff and DST."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from buergerbuero.bookings.slots import Rules, bookable_intervals, cells, free_slots
from buergerbuero.departments.schedule import Range

BERLIN = ZoneInfo("Europe/Berlin")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def rules(minutes=30, buffer=0, parallel=1, notice=0, horizon=28, rhythm=None):
    """Rules of a kind; without a rhythm, slots start every `minutes`."""
    return Rules(
        timedelta(minutes=minutes),
        timedelta(minutes=buffer),
        parallel,
        timedelta(minutes=notice),
        horizon,
        timedelta(minutes=rhythm or minutes),
    )


def local(*args):
    return datetime(*args, tzinfo=BERLIN)


def starts(slots):
    return [s.astimezone(BERLIN).strftime("%a %d.%m. %H:%M") for s, _seat in slots]


# Monday 2026-11-23, 07:00 local: the week ahead.
NOW = local(2026, 11, 23, 7, 0)


def test_free_slots_start_at_the_rhythm_with_no_buffer_added_to_each_step():
    intervals = bookable_intervals([Range(MON, 8 * 60, 10 * 60)], BERLIN, NOW, 6, set(), [])
    # 30 minutes with a 10-minute buffer, every 15 minutes: not 08:00, 08:40, 09:20.
    assert starts(free_slots(intervals, rules(30, buffer=10, rhythm=15), {}, NOW, BERLIN)) == [
        "Mon 23.11. 08:00",
        "Mon 23.11. 08:15",
        "Mon 23.11. 08:30",
        "Mon 23.11. 08:45",
        "Mon 23.11. 09:00",
        "Mon 23.11. 09:15",
        "Mon 23.11. 09:30",
    ]


def test_a_slot_keeps_the_buffer_to_the_bookings_before_and_after_it():
    intervals = bookable_intervals([Range(MON, 8 * 60, 11 * 60)], BERLIN, NOW, 6, set(), [])
    # Booked 09:00-09:30; with its 10-minute buffer it holds 09:00-09:40.
    taken = set(cells(local(2026, 11, 23, 9, 0), timedelta(minutes=30 + 10)))
    got = starts(free_slots(intervals, rules(30, buffer=10, rhythm=15), {0: taken}, NOW, BERLIN))
    # 08:15 ends 08:45, ten minutes before 09:00; 08:30 would leave no buffer before the
    # booking, and 09:45 is the first start ten minutes after it.
    assert got == [
        "Mon 23.11. 08:00",
        "Mon 23.11. 08:15",
        "Mon 23.11. 09:45",
        "Mon 23.11. 10:00",
        "Mon 23.11. 10:15",
        "Mon 23.11. 10:30",
    ]


def test_slots_stay_on_the_clock_after_an_odd_opening_closure_or_notice():
    intervals = bookable_intervals(
        [Range(MON, 8 * 60 + 10, 10 * 60 + 10), Range(TUE, 8 * 60, 9 * 60)],
        BERLIN,
        NOW,
        6,
        set(),
        [(local(2026, 11, 23, 9, 0), local(2026, 11, 23, 9, 35))],
    )
    # Monday opens 08:10 and is closed 09:00-09:35: 20 minutes, every 15.
    now = local(2026, 11, 23, 7, 7)
    assert starts(free_slots(intervals, rules(20, rhythm=15), {}, now, BERLIN)) == [
        "Mon 23.11. 08:15",
        "Mon 23.11. 08:30",
        "Mon 23.11. 09:45",
        "Tue 24.11. 08:00",
        "Tue 24.11. 08:15",
        "Tue 24.11. 08:30",
    ]
    # A notice that ends at 08:07 on Tuesday: the first start is 08:15, not 08:07.
    late = free_slots(intervals, rules(20, notice=25 * 60, rhythm=15), {}, now, BERLIN)
    assert starts(late) == ["Tue 24.11. 08:15", "Tue 24.11. 08:30"]


def test_a_rhythm_longer_than_the_appointment_leaves_gaps():
    intervals = bookable_intervals([Range(MON, 9 * 60, 11 * 60)], BERLIN, NOW, 6, set(), [])
    assert starts(free_slots(intervals, rules(20, buffer=5, rhythm=60), {}, NOW, BERLIN)) == [
        "Mon 23.11. 09:00",
        "Mon 23.11. 10:00",
    ]


def test_free_slots_respect_notice_and_horizon():
    intervals = bookable_intervals(
        [Range(d, 9 * 60, 10 * 60) for d in range(7)], BERLIN, NOW, 3, set(), []
    )
    got = starts(free_slots(intervals, rules(30, notice=150, horizon=2), {}, NOW, BERLIN))
    # 07:00 + 150 min = 09:30: Monday 09:00 is too soon; the horizon ends on Wednesday.
    assert got == [
        "Mon 23.11. 09:30",
        "Tue 24.11. 09:00",
        "Tue 24.11. 09:30",
        "Wed 25.11. 09:00",
        "Wed 25.11. 09:30",
    ]


def test_public_holidays_are_not_bookable():
    # 2026-12-25 and 26 are holidays in NRW; Christmas Eve is not.
    now = local(2026, 12, 21, 7, 0)
    ranges = [Range(d, 9 * 60, 10 * 60) for d in range(7)]
    holidays = {date(2026, 12, 25), date(2026, 12, 26)}
    intervals = bookable_intervals(ranges, BERLIN, now, 7, holidays, [])
    days = sorted(
        {
            s.astimezone(BERLIN).date().day
            for s, _ in free_slots(intervals, rules(60), {}, now, BERLIN)
        }
    )
    assert days == [21, 22, 23, 24, 27, 28]


def test_closures_cut_out_time():
    intervals = bookable_intervals(
        [Range(MON, 9 * 60, 12 * 60)],
        BERLIN,
        NOW,
        6,
        set(),
        [(local(2026, 11, 23, 10, 0), local(2026, 11, 23, 11, 0))],
    )
    assert starts(free_slots(intervals, rules(30), {}, NOW, BERLIN)) == [
        "Mon 23.11. 09:00",
        "Mon 23.11. 09:30",
        "Mon 23.11. 11:00",
        "Mon 23.11. 11:30",
    ]


def test_booked_cells_block_one_seat_and_parallel_staff_add_seats():
    intervals = bookable_intervals([Range(MON, 9 * 60, 10 * 60)], BERLIN, NOW, 6, set(), [])
    taken = set(cells(local(2026, 11, 23, 9, 0), timedelta(minutes=30)))
    assert starts(free_slots(intervals, rules(30), {0: taken}, NOW, BERLIN)) == ["Mon 23.11. 09:30"]
    two = free_slots(intervals, rules(30, parallel=2), {0: taken}, NOW, BERLIN)
    assert [(s.astimezone(BERLIN).strftime("%H:%M"), seat) for s, seat in two] == [
        ("09:00", 1),
        ("09:30", 0),
    ]


def test_a_longer_booking_overlapping_a_slot_blocks_it():
    intervals = bookable_intervals([Range(MON, 9 * 60, 10 * 60)], BERLIN, NOW, 6, set(), [])
    # A 45-minute appointment from 09:00 (another kind) overlaps the 09:30 slot.
    taken = set(cells(local(2026, 11, 23, 9, 0), timedelta(minutes=45)))
    assert starts(free_slots(intervals, rules(30), {0: taken}, NOW, BERLIN)) == []


def test_slots_keep_wall_clock_times_across_daylight_saving_changes():
    ranges = [Range(SUN, 1 * 60, 4 * 60), Range(SUN, 9 * 60, 10 * 60)]
    # Spring forward, 2026-03-29: 02:00-03:00 does not exist; 01:00-04:00 lasts two hours.
    spring_now = local(2026, 3, 28, 12, 0)
    spring = free_slots(
        bookable_intervals(ranges, BERLIN, spring_now, 2, set(), []),
        rules(60),
        {},
        spring_now,
        BERLIN,
    )
    assert [s.astimezone(BERLIN).strftime("%H:%M") for s, _ in spring] == [
        "01:00",
        "03:00",
        "09:00",
    ]
    assert spring[2][0] == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    # Fall back, 2026-10-25: 02:00-03:00 happens twice; 01:00-04:00 lasts four hours.
    fall_now = local(2026, 10, 24, 12, 0)
    fall = free_slots(
        bookable_intervals(ranges, BERLIN, fall_now, 2, set(), []), rules(60), {}, fall_now, BERLIN
    )
    assert len([s for s, _ in fall if s < datetime(2026, 10, 25, 8, 0, tzinfo=UTC)]) == 4
    assert fall[-1][0] == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 09:00 CET


# No deadline: on a busy two-core machine an example's time says nothing about the code.
@settings(deadline=None)
@given(
    minutes=st.sampled_from([15, 20, 30, 45, 60]),
    buffer=st.sampled_from([0, 5, 10]),
    rhythm=st.sampled_from([5, 10, 15, 20, 30, 60]),
    offset_hours=st.integers(0, 24 * 7),
    pick=st.integers(0, 10_000),
)
def test_every_offered_slot_is_on_the_rhythm_and_keeps_the_buffer_to_a_booking(
    minutes, buffer, rhythm, offset_hours, pick
):
    now = NOW + timedelta(minutes=7) + timedelta(hours=offset_hours)
    ranges = [Range(d, 8 * 60, 16 * 60) for d in (MON, WED, FRI)]
    intervals = bookable_intervals(ranges, BERLIN, now, 10, set(), [])
    kind = rules(minutes, buffer, rhythm=rhythm)
    slots = free_slots(intervals, kind, {}, now, BERLIN)
    assert all(s >= now for s, _ in slots)
    assert all(
        (s.astimezone(BERLIN).hour * 60 + s.astimezone(BERLIN).minute) % rhythm == 0
        for s, _ in slots
    )
    # Book any one of them as the booking actions do (its time and buffer), then ask again.
    booked, _seat = slots[pick % len(slots)]
    held = {0: set(cells(booked, timedelta(minutes=minutes + buffer)))}
    length, gap = timedelta(minutes=minutes), timedelta(minutes=buffer)
    for start, _ in free_slots(intervals, kind, held, now, BERLIN):
        assert start >= booked + length + gap or start + length + gap <= booked


def test_a_holiday_inside_an_around_the_clock_opening_is_not_bookable():
    # Open Sunday and Monday around the clock: one merged interval across midnight.
    # Monday 2027-04-05 is Easter Monday.
    now = local(2027, 4, 3, 12, 0)
    ranges = [Range(SUN, 0, 1440), Range(MON, 0, 1440)]
    intervals = bookable_intervals(ranges, BERLIN, now, 3, {date(2027, 4, 5)}, [])
    days = {
        s.astimezone(BERLIN).date() for s, _ in free_slots(intervals, rules(60), {}, now, BERLIN)
    }
    assert days == {date(2027, 4, 4)}
