"""Live status of departments: open and free, open but busy, or closed.

A department is open when its schedule says so and a staff member is available;
busy when every available staff member is in a call.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from . import schedule
from .models import Department

OPEN = "open"
BUSY = "busy"
CLOSED = "closed"


@dataclass(frozen=True)
class DepartmentState:
    state: str
    next_opening: datetime | None
    staff_available: int
    staff_free: int


def ranges_of(department: Department) -> list[schedule.Range]:
    # Uses prefetched hours when the caller prefetched them.
    return [
        schedule.Range(h.weekday, h.opens_minute, h.closes_minute) for h in department.hours.all()
    ]


def staffing(department_ids, now=None) -> dict[int, tuple[int, int]]:
    """(available, free) staff counts per department, in two queries."""
    from buergerbuero.calls.models import Participant, Role
    from buergerbuero.staff.models import StaffProfile
    from buergerbuero.staff.presence import available_profiles

    links = StaffProfile.departments.through.objects.filter(
        department_id__in=list(department_ids), staffprofile__in=available_profiles(now)
    ).values_list("department_id", "staffprofile__user_id")
    in_call = set(
        Participant.objects.filter(
            role=Role.STAFF, left_at__isnull=True, room__ended_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for department_id, user_id in links:
        counts[department_id][0] += 1
        if user_id not in in_call:
            counts[department_id][1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def state_from(
    ranges: list[schedule.Range], zone, now: datetime, available: int, free: int
) -> DepartmentState:
    if schedule.is_open(ranges, zone, now):
        if available:
            return DepartmentState(OPEN if free else BUSY, None, available, free)
        # Within opening hours but nobody at the desk: the next scheduled opening (after
        # today's hours) would mislead, since staff may be back any minute.
        return DepartmentState(CLOSED, None, available, free)
    return DepartmentState(CLOSED, schedule.next_opening(ranges, zone, now), available, free)


def department_state(department: Department, now=None) -> DepartmentState:
    now = now or timezone.now()
    available, free = staffing([department.pk], now).get(department.pk, (0, 0))
    return state_from(ranges_of(department), department.zone, now, available, free)


def board(now=None) -> list[dict]:
    """The public status board: every active department, JSON-ready, no timestamp of its
    own, so two snapshots compare equal exactly when nothing a citizen sees has changed."""
    now = now or timezone.now()
    departments = list(Department.objects.filter(is_active=True).prefetch_related("hours"))
    counts = staffing([d.pk for d in departments], now)
    rows = []
    for department in departments:
        available, free = counts.get(department.pk, (0, 0))
        state = state_from(ranges_of(department), department.zone, now, available, free)
        rows.append(
            {
                "slug": department.slug,
                "name": department.name,
                "state": state.state,
                "next_opening": state.next_opening.isoformat() if state.next_opening else None,
                "time_zone": department.time_zone,
            }
        )
    return rows
