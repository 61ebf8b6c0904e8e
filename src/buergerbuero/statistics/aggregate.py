"""Keeping the hourly figures current: recompute every hour that is not yet final, close
the hours that have settled.

Runs from every process's ticker (`run_if_due`, through buergerbuero.housekeeping) and
on demand (`aggregate`). The figures are read from the domain's own rows, only their
state and times (never a name or topic), so recomputing an hour gives the same figures
every time, before and after the purge has anonymised those rows. An hour is final once
it ended SETTLE ago: it is then never computed again, so its figures stay as they are
even if the rows they came from should later be deleted.

Concurrency is settled in the database: a conditional UPDATE of the one `Aggregation`
row lets one process per INTERVAL take the run, and the run itself holds that row's
lock (`select_for_update`) while it replaces the open hours, so two runs that overlap
anyway (a run longer than the interval) take turns instead of mixing their rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from buergerbuero.bookings.models import Booking, BookingStatus
from buergerbuero.bookings.progress import progress
from buergerbuero.calls.models import Room
from buergerbuero.waiting.models import EntryState, QueueEntry

from .histogram import histogram, to_json
from .models import Aggregation, HourlyFigures

HOUR = timedelta(hours=1)
# Long enough for staff to mark a morning's no-show by the end of the working day, for a
# late check-in and for a transaction that commits a moment after its timestamp.
SETTLE = timedelta(hours=24)
INTERVAL = timedelta(minutes=10)
# The first run reads the past in pieces of this size, so memory stays bounded.
CHUNK = timedelta(days=14)
STATE_ID = 1
OUTCOMES: dict[str, str] = {
    EntryState.ADMITTED: "admitted",
    EntryState.DECLINED: "declined",
    EntryState.LEFT: "left",
    EntryState.EXPIRED: "expired",
}


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class _Hour:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    waits: list[float] = field(default_factory=list)
    lengths: list[float] = field(default_factory=list)

    def row(self, department_id: int, hour: datetime) -> HourlyFigures:
        return HourlyFigures(
            department_id=department_id,
            hour=hour,
            **self.counts,
            wait_seconds=to_json(histogram(self.waits)),
            consultation_seconds=to_json(histogram(self.lengths)),
        )


def figures_between(start: datetime, end: datetime) -> list[HourlyFigures]:
    """The figures of every department and hour in [start, end) that saw anything, read
    from the rows; unsaved, in (hour, department) order."""
    hours: dict[tuple[int, datetime], _Hour] = defaultdict(_Hour)
    for department_id, created in QueueEntry.objects.filter(
        created_at__gte=start, created_at__lt=end
    ).values_list("department_id", "created_at"):
        hours[department_id, floor_hour(created)].counts["knocks"] += 1
    for department_id, state, created, resolved in (
        QueueEntry.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
        .exclude(state=EntryState.WAITING)
        .values_list("department_id", "state", "created_at", "resolved_at")
    ):
        assert resolved is not None  # filtered on it
        hour = hours[department_id, floor_hour(resolved)]
        hour.counts[OUTCOMES[state]] += 1
        if state == EntryState.ADMITTED:
            hour.waits.append((resolved - created).total_seconds())
    for department_id, created, ended in Room.objects.filter(
        ended_at__gte=start, ended_at__lt=end
    ).values_list("department_id", "created_at", "ended_at"):
        assert ended is not None  # filtered on it
        hour = hours[department_id, floor_hour(ended)]
        hour.counts["consultations"] += 1
        hour.lengths.append((ended - created).total_seconds())
    for booking in Booking.objects.filter(starts_at__gte=start, starts_at__lt=end).select_related(
        "queue_entry", "queue_entry__room"
    ):
        hour = hours[booking.department_id, floor_hour(booking.starts_at)]
        hour.counts["bookings"] += 1
        # One meaning of "no-show" for the day view and the figures (bookings.progress).
        outcome = progress(booking)
        if outcome == BookingStatus.CANCELLED:
            hour.counts["cancelled"] += 1
        elif outcome == BookingStatus.NO_SHOW:
            hour.counts["no_shows"] += 1
    return [hours[key].row(*key) for key in sorted(hours, key=lambda key: (key[1], key[0]))]


def _earliest(now: datetime) -> datetime:
    """Where the first run starts: the oldest row that can count, or the open hours."""
    found = [
        QueueEntry.objects.aggregate(first=Min("created_at"))["first"],
        Room.objects.aggregate(first=Min("ended_at"))["first"],
        Booking.objects.aggregate(first=Min("starts_at"))["first"],
        now - SETTLE,
    ]
    return floor_hour(min(moment for moment in found if moment is not None))


def _state() -> Aggregation:
    try:
        with transaction.atomic():
            return Aggregation.objects.get_or_create(pk=STATE_ID)[0]
    except IntegrityError:
        # Another process created it a moment ago.
        return Aggregation.objects.get(pk=STATE_ID)


def aggregate(now: datetime | None = None) -> int:
    """Recompute every hour that is not final up to the current one, and close the hours
    that ended SETTLE ago; returns how many hour rows were written."""
    now = now or timezone.now()
    _state()
    current_end = floor_hour(now) + HOUR
    settled = floor_hour(now - SETTLE)
    written = 0
    while True:
        with transaction.atomic():
            state = Aggregation.objects.select_for_update().get(pk=STATE_ID)
            start = state.closed_until or _earliest(now)
            end = min(current_end, start + CHUNK)
            rows = figures_between(start, end)
            HourlyFigures.objects.filter(hour__gte=start, hour__lt=end).delete()
            HourlyFigures.objects.bulk_create(rows)
            written += len(rows)
            state.closed_until = max(start, min(end, settled))
            state.ran_at = now
            state.save(update_fields=["closed_until", "ran_at"])
        if end >= current_end:
            return written


def claim_run(now: datetime) -> bool:
    """Take this INTERVAL's run for this process, or learn that another one has.

    The claim commits on its own, before the work: a run that then fails leaves the
    interval taken, and the next interval catches up (aggregate() starts where the last
    finished run ended), so no process waits on another's long aggregation."""
    _state()
    return bool(
        Aggregation.objects.filter(pk=STATE_ID)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - INTERVAL))
        .update(claimed_at=now)
    )


def run_if_due(now: datetime | None = None) -> bool:
    """The ticker's hook: one process in all takes the run per INTERVAL."""
    now = now or timezone.now()
    if not claim_run(now):
        return False
    aggregate(now)
    return True
