"""Test data, made once: plain functions that write rows straight to the database.

Tests that need the database ask for it (a `db` fixture or the `django_db` mark); the
fixtures of tests/conftest.py (`make_department`, `make_staff`, `make_kind`) wrap these
functions for tests that prefer a fixture. Rows that the domain would refuse or date
differently (a visit that ended last year) are made here too: `created_at` is set on
insert, so it is moved back with an UPDATE afterwards.
"""

import itertools
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from buergerbuero.bookings.models import (
    DEFAULT_RHYTHM_MINUTES,
    RHYTHM_MINUTES,
    AppointmentKind,
    Booking,
    BookingSettings,
)
from buergerbuero.calls.models import Room
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting.models import QueueEntry

PASSWORD = "pw-for-tests-123"
ALWAYS_OPEN = [(day, 0, 1440) for day in range(7)]

_counter = itertools.count()


def make_department(slug=None, hours=None, time_zone="Europe/Berlin", **fields) -> Department:
    """hours: list of (weekday, opens_minute, closes_minute); default: always open."""
    n = next(_counter)
    # No public holidays unless a test asks for them: "always open" must hold on
    # Christmas Day too.
    fields.setdefault("holiday_country", "")
    department = Department.objects.create(
        slug=slug or f"dept-{n}",
        name=fields.pop("name", f"Department {n}"),
        time_zone=time_zone,
        **fields,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(department=department, weekday=d, opens_minute=o, closes_minute=c)
        for d, o, c in (ALWAYS_OPEN if hours is None else hours)
    )
    return department


def make_staff(
    *departments,
    username=None,
    presence="available",
    password=PASSWORD,
    role="staff",
    administrator=False,
):
    """A member of `departments` in `role` ("staff" or "lead"), seen just now; returns
    the user."""
    n = next(_counter)
    user = get_user_model().objects.create_user(
        username=username or f"staff{n}",
        password=password,
        first_name="Sam",
        last_name=f"Staff{n}",
    )
    profile = StaffProfile.objects.create(
        user=user, seen_at=timezone.now(), is_administrator=administrator
    )
    profile.departments.set(departments, through_defaults={"role": role, "presence": presence})
    return user


def make_kind(
    department,
    *,
    minutes=30,
    mode="video",
    name=None,
    location=None,
    buffer=0,
    parallel=1,
    notice=0,
    horizon=28,
    subdivision="NW",
    rhythm=None,
) -> AppointmentKind:
    """An appointment kind of `department`, and the department's booking rules: by default
    bookable right now (no notice, no buffer), one seat, four weeks ahead, NRW holidays.
    Without a `rhythm`, slots start every `minutes` where that is a rhythm on the clock
    (so neighbouring slots can both be booked), else at the default rhythm.
    An in-person kind gets an address unless `location` says otherwise."""
    if rhythm is None:
        rhythm = minutes if minutes in RHYTHM_MINUTES else DEFAULT_RHYTHM_MINUTES
    BookingSettings.objects.update_or_create(
        department=department,
        defaults={
            "slot_rhythm_minutes": rhythm,
            "buffer_minutes": buffer,
            "parallel_staff": parallel,
            "min_notice_minutes": notice,
            "horizon_days": horizon,
        },
    )
    Department.objects.filter(pk=department.pk).update(holiday_subdivision=subdivision)
    department.holiday_subdivision = subdivision
    if location is None:
        location = "Kreishaus, Zimmer 1" if mode == "in_person" else ""
    return AppointmentKind.objects.create(
        department=department,
        name=name or f"Kind {minutes}",
        mode=mode,
        duration_minutes=minutes,
        location=location,
    )


def make_queue_entry(department, *, created_at: datetime, **fields) -> QueueEntry:
    """A queue entry as if the citizen had knocked at `created_at`; `fields` as stored
    (state, seen_at, resolved_at, display_name, ...)."""
    entry = QueueEntry.objects.create(department=department, **fields)
    QueueEntry.objects.filter(pk=entry.pk).update(created_at=created_at)
    entry.refresh_from_db()
    return entry


def make_room(department, *, created_at: datetime, ended_at: datetime | None = None) -> Room:
    """A call room opened at `created_at`, still running unless `ended_at` is given."""
    room = Room.objects.create(department=department, ended_at=ended_at)
    Room.objects.filter(pk=room.pk).update(created_at=created_at)
    room.refresh_from_db()
    return room


def make_booking(kind, starts_at: datetime, **fields) -> Booking:
    """A booking of `kind` at `starts_at`, written straight to the table (no seat is taken,
    no mail is queued); `fields` as stored (display_name, status, email, ...)."""
    return Booking.objects.create(
        department=kind.department,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=kind.duration_minutes),
        **fields,
    )
