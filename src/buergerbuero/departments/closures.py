"""What closes a department beyond its weekly schedule: one-off closures and the public
holidays of its region. Read here, below the office status, so the status board, "opens
next", the knock and the appointment slots all obey the same closures."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays as holiday_calendars

from . import schedule
from .models import Closure, Department

# Closures further ahead than this do not change what the status board shows.
CLOSURE_HORIZON = timedelta(days=400)


@lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    if not country:
        return frozenset()  # no public holidays (test offices open around the clock)
    calendar = holiday_calendars.country_holidays(country, subdiv=subdivision or None, years=[year])
    return frozenset(calendar.keys())


def public_holidays(department: Department, years: Iterable[int]) -> set[date]:
    """The public holidays of the department's region (`holidays` package)."""
    found: set[date] = set()
    for year in years:
        found |= _holidays(department.holiday_country, department.holiday_subdivision, year)
    return found


def known_region(country: str, subdivision: str) -> bool:
    try:
        holiday_calendars.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        return False
    return True


def closures_by_department(
    department_ids: Iterable[int], now: datetime
) -> dict[int, list[schedule.Interval]]:
    """Closures not yet over, per department, in one query."""
    found: dict[int, list[schedule.Interval]] = defaultdict(list)
    rows = Closure.objects.filter(
        department_id__in=list(department_ids),
        ends_at__gt=now,
        starts_at__lt=now + CLOSURE_HORIZON,
    ).values_list("department_id", "starts_at", "ends_at")
    for department_id, starts_at, ends_at in rows:
        found[department_id].append((starts_at, ends_at))
    return found


def closed_intervals(
    department: Department, now: datetime, closures: list[schedule.Interval]
) -> list[schedule.Interval]:
    """Closures and public holidays from now until the closures end plus a few weeks."""
    zone = department.zone
    today = now.astimezone(zone).date()
    last = (max((end for _begin, end in closures), default=now) + timedelta(days=14)).astimezone(
        zone
    )
    years = range(today.year - 1, last.year + 1)
    days = {
        day
        for day in public_holidays(department, years)
        if today - timedelta(days=1) <= day <= last.date()
    }
    return sorted([*closures, *schedule.whole_days(sorted(days), zone)])


def upcoming(department: Department, now: datetime, days: int = 14) -> list[dict]:
    """Closures and public holidays of the coming `days`, for the department's page
    (no reasons: they are internal)."""
    until = now + timedelta(days=days)
    zone = department.zone
    rows = [
        {"starts_at": c.starts_at, "ends_at": c.ends_at, "holiday": False}
        for c in Closure.objects.filter(department=department, ends_at__gt=now, starts_at__lt=until)
    ]
    today = now.astimezone(zone).date()
    years = range(today.year, until.astimezone(zone).year + 1)
    for day in sorted(public_holidays(department, years)):
        if today <= day <= until.astimezone(zone).date():
            [(begin, end)] = schedule.whole_days([day], zone)
            rows.append({"starts_at": begin, "ends_at": end, "holiday": True})
    return sorted(rows, key=lambda row: row["starts_at"])
