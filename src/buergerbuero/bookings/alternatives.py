"""What a citizen can do when a department is closed or nobody is there: when it is
staffed next by its schedule, the next free appointments, related departments open now,
and whether it takes callback requests.

"Staffed next" is read from the published schedule only, and worded so: presence is a
person's choice minute by minute, and a guess from past presence would promise what
nobody promised.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from buergerbuero.departments import closures as department_closures
from buergerbuero.departments import schedule
from buergerbuero.departments.models import Department
from buergerbuero.office.status import OfficeStatus, department_states, ranges_of

from .availability import slots_of_kinds

SLOTS_SHOWN = 3


@dataclass(frozen=True)
class Slot:
    kind_id: int
    kind_name: str
    starts_at: datetime


@dataclass(frozen=True)
class Related:
    department: Department
    state: OfficeStatus


@dataclass(frozen=True)
class Alternatives:
    # Within opening hours by the schedule, but nobody available now.
    unstaffed: bool
    # When the current opening range ends (unstaffed only).
    hours_end: datetime | None
    # The next scheduled opening after now (after the current range when unstaffed).
    next_opening: datetime | None
    slots: list[Slot] = field(default_factory=list)
    related_open: list[Related] = field(default_factory=list)
    callbacks: bool = False


def alternatives_for(department: Department, now: datetime | None = None) -> Alternatives:
    """Alternatives for a department that is closed or unstaffed now."""
    now = now or timezone.now()
    closures = department_closures.closures_by_department([department.pk], now)
    closed = department_closures.closed_intervals(department, now, closures.get(department.pk, []))
    ranges = ranges_of(department)
    running = schedule.current_interval(ranges, department.zone, now, closed)
    after = running[1] if running else now
    return Alternatives(
        unstaffed=running is not None,
        hours_end=running[1] if running else None,
        next_opening=schedule.next_opening(ranges, department.zone, after, closed),
        slots=next_slots(department, now),
        related_open=related_open(department, now),
        callbacks=department.accepts_callbacks,
    )


def next_slots(department: Department, now: datetime, count: int = SLOTS_SHOWN) -> list[Slot]:
    """The first `count` free appointment times, whatever their kind."""
    kinds = list(department.appointment_kinds.filter(is_active=True))
    if not kinds:
        return []
    by_kind = slots_of_kinds(department, kinds, now)
    names = {kind.pk: kind for kind in kinds}
    found = sorted((start, kind_id) for kind_id, slots in by_kind.items() for start, _seat in slots)
    seen: set[datetime] = set()
    result = []
    for start, kind_id in found:
        if start in seen:
            continue
        seen.add(start)
        result.append(Slot(kind_id, names[kind_id].name, start))
        if len(result) == count:
            break
    return result


def related_open(department: Department, now: datetime) -> list[Related]:
    """The department's related departments that take citizens now, in display order."""
    related = list(
        department.related_departments.filter(is_active=True)
        .exclude(pk=department.pk)
        .prefetch_related("hours")
    )
    if not related:
        return []
    states = department_states(related, now)
    return [
        Related(d, states[d.pk].state)
        for d in related
        if states[d.pk].state in (OfficeStatus.OPEN, OfficeStatus.BUSY)
    ]
