"""Read-only views of a queue: positions and the wait estimate."""

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import DurationField, ExpressionWrapper, F
from django.utils import timezone

from buergerbuero.calls.models import Room

from .models import EntryState, QueueEntry

HISTORY_SIZE = 20
HISTORY_DAYS = 30


def waiting_entries(department_id: int):
    return QueueEntry.objects.filter(department_id=department_id, state=EntryState.WAITING)


def queue_order(entries: list[QueueEntry]) -> list[QueueEntry]:
    """Whoever missed their call while their page slept first, in the order they were
    called; then booked citizens by appointment time; then everyone else by arrival.

    A booked citizen can only check in around the appointment time, so "booked first"
    is "at their time" (issue: booked citizens are offered first at their time).
    """
    return sorted(entries, key=order_key)


def order_key(e: QueueEntry) -> tuple:
    called = e.missed_call_at
    # The second field is only ever compared between entries alike in the first.
    return (
        called is None,
        called or 0,
        e.booked_for is None,
        e.booked_for or e.created_at,
        e.created_at,
    )


def ordering_fields(department_id: int) -> list[QueueEntry]:
    """The department's waiting entries, with only what their order depends on."""
    return list(
        waiting_entries(department_id).only("id", "missed_call_at", "booked_for", "created_at")
    )


def position_of(entry: QueueEntry) -> int:
    """1 means next in line."""
    ordered = queue_order(ordering_fields(entry.department_id))
    return next((i for i, e in enumerate(ordered, 1) if e.pk == entry.pk), len(ordered) + 1)


def average_consultation_minutes(department_id: int, now=None) -> float:
    now = now or timezone.now()
    durations = list(
        Room.objects.filter(
            department_id=department_id,
            ended_at__isnull=False,
            ended_at__gte=now - timedelta(days=HISTORY_DAYS),
        )
        .annotate(
            length=ExpressionWrapper(F("ended_at") - F("created_at"), output_field=DurationField())
        )
        .order_by("-ended_at")
        .values_list("length", flat=True)[:HISTORY_SIZE]
    )
    if not durations:
        return float(settings.DEFAULT_CONSULTATION_MINUTES)
    return sum(d.total_seconds() for d in durations) / len(durations) / 60


def estimate_minutes(
    position: int, average_minutes: float, staff_available: int, staff_free: int
) -> int:
    """Minutes until this citizen is likely seen.

    Everyone ahead takes an average consultation, shared among the available staff;
    when nobody is free, the current consultations are on average half done.
    """
    servers = max(1, staff_available)
    ahead = position - 1
    wait = ahead * average_minutes / servers
    if staff_free == 0:
        wait += average_minutes / 2
    return math.ceil(wait)
