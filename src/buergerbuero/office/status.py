"""Live status of departments: open and free, open but busy, or closed.

A department is open when its schedule says so and a staff member is available;
busy when every available staff member is in a call.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from buergerbuero.calls.models import Participant, Role
from buergerbuero.departments import closures as department_closures
from buergerbuero.departments import schedule
from buergerbuero.departments.models import Department
from buergerbuero.staff.presence import available_memberships
from buergerbuero.values import IsoDateTime


class OfficeStatus(StrEnum):
    OPEN = "open"
    BUSY = "busy"
    CLOSED = "closed"


@dataclass(frozen=True)
class DepartmentState:
    state: OfficeStatus
    next_opening: datetime | None
    staff_available: int
    staff_free: int


class BoardRow(BaseModel):
    """One department on the public status board. No timestamp of its own, so two
    boards compare equal exactly when nothing a citizen sees has changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str
    name: str
    state: OfficeStatus
    # UTC; set only when closed, and None if nothing opens within the schedule's lookahead.
    next_opening: IsoDateTime | None
    time_zone: str


class StatusDocument(BaseModel):
    """`GET /status.json`: the board for the county's homepage and other systems."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    departments: list[BoardRow]


def ranges_of(department: Department) -> list[schedule.Range]:
    # Uses prefetched hours when the caller prefetched them.
    return [
        schedule.Range(h.weekday, h.opens_minute, h.closes_minute) for h in department.hours.all()
    ]


def staffing(department_ids: Iterable[int], now=None) -> dict[int, tuple[int, int]]:
    """(available, free) staff counts per department, in two queries: a member counts
    where their own membership is available (presence is per department)."""
    links = (
        available_memberships(now)
        .filter(department_id__in=list(department_ids))
        .values_list("department_id", "profile__user_id")
    )
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
    ranges: list[schedule.Range],
    zone: ZoneInfo,
    now: datetime,
    available: int,
    free: int,
    closed: list[schedule.Interval] | None = None,
) -> DepartmentState:
    """`closed`: the department's closures and public holidays (closed all day, and
    "opens next" names the first opening after them)."""
    closed = closed or []
    if schedule.is_open(ranges, zone, now, closed):
        if available:
            status = OfficeStatus.OPEN if free else OfficeStatus.BUSY
            return DepartmentState(status, None, available, free)
        # Within opening hours but nobody at the desk: the next scheduled opening (after
        # today's hours) would mislead, since staff may be back any minute.
        return DepartmentState(OfficeStatus.CLOSED, None, available, free)
    return DepartmentState(
        OfficeStatus.CLOSED, schedule.next_opening(ranges, zone, now, closed), available, free
    )


def department_state(department: Department, now=None) -> DepartmentState:
    return department_states([department], now)[department.pk]


def department_states(departments: list[Department], now=None) -> dict[int, DepartmentState]:
    """The state of each department (hours prefetched by the caller) in three queries
    (staffing, calls, closures), however many departments there are."""
    now = now or timezone.now()
    counts = staffing([d.pk for d in departments], now)
    closures = department_closures.closures_by_department([d.pk for d in departments], now)
    return {
        d.pk: state_from(
            ranges_of(d),
            d.zone,
            now,
            *counts.get(d.pk, (0, 0)),
            department_closures.closed_intervals(d, now, closures.get(d.pk, [])),
        )
        for d in departments
    }


def board(now=None) -> list[BoardRow]:
    """The public status board: every active department, in display order."""
    departments = list(Department.objects.filter(is_active=True).prefetch_related("hours"))
    states = department_states(departments, now)
    return [
        BoardRow(
            slug=d.slug,
            name=d.name,
            state=states[d.pk].state,
            next_opening=states[d.pk].next_opening,
            time_zone=d.time_zone,
        )
        for d in departments
    ]
