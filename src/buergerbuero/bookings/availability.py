"""Reading a department's calendar from the database for the slot computation."""

from dataclasses import replace
from datetime import datetime, timedelta

from django.utils import timezone

from buergerbuero.departments.closures import public_holidays
from buergerbuero.departments.models import Closure
from buergerbuero.office.status import ranges_of

from .models import AppointmentKind, BookingSettings, OccupiedCell
from .slots import Rules, bookable_intervals, free_slots


def settings_for(department) -> BookingSettings:
    found = BookingSettings.objects.filter(department=department).first()
    return found or BookingSettings(department=department)


def rules_for(kind: AppointmentKind, settings: BookingSettings) -> Rules:
    return Rules(
        duration=timedelta(minutes=kind.duration_minutes),
        buffer=timedelta(minutes=settings.buffer_minutes),
        parallel=max(1, settings.parallel_staff),
        min_notice=timedelta(minutes=settings.min_notice_minutes),
        horizon_days=settings.horizon_days,
        rhythm=timedelta(minutes=kind.slot_rhythm_minutes or settings.slot_rhythm_minutes),
    )


def calendar_of(department, settings: BookingSettings, now: datetime):
    """Bookable intervals and occupied cells per seat, from now to the horizon."""
    zone = department.zone
    horizon_end = now + timedelta(days=settings.horizon_days + 2)
    years = sorted({now.astimezone(zone).year, horizon_end.astimezone(zone).year})
    closures = Closure.objects.filter(
        department=department, ends_at__gt=now, starts_at__lt=horizon_end
    )
    intervals = bookable_intervals(
        ranges_of(department),
        zone,
        now,
        settings.horizon_days,
        public_holidays(department, years),
        [(c.starts_at, c.ends_at) for c in closures],
    )
    occupied: dict[int, set[datetime]] = {}
    for seat, start in OccupiedCell.objects.filter(
        department=department, starts_at__gte=now - timedelta(hours=12), starts_at__lt=horizon_end
    ).values_list("seat", "starts_at"):
        occupied.setdefault(seat, set()).add(start)
    return intervals, occupied


def available_slots(
    kind: AppointmentKind, now: datetime | None = None, ignore_notice: bool = False
) -> list[tuple[datetime, int]]:
    """Every free (start, seat) of `kind` from now to the booking horizon."""
    return slots_of_kinds(kind.department, [kind], now, ignore_notice)[kind.pk]


def slots_of_kinds(
    department, kinds: list[AppointmentKind], now: datetime | None = None, ignore_notice=False
) -> dict[int, list[tuple[datetime, int]]]:
    """The free (start, seat) of each of the department's `kinds`, by kind id: the
    department's calendar is read once, however many kinds there are."""
    now = now or timezone.now()
    settings = settings_for(department)
    intervals, occupied = calendar_of(department, settings, now)
    result = {}
    for kind in kinds:
        rules = rules_for(kind, settings)
        if ignore_notice:
            rules = replace(rules, min_notice=timedelta(0))
        result[kind.pk] = free_slots(intervals, rules, occupied, now, department.zone)
    return result
