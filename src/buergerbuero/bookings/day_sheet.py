"""A department's appointments of one day, as staff see them: names and contact details,
so every look is audited."""

from datetime import date, datetime, time, timedelta

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.departments.models import Department

from .models import Booking


def bookings_of_day(
    department: Department, day: date, viewer, viewer_name: str = ""
) -> list[Booking]:
    """The bookings starting on `day` (the department's local date), in time order.
    `viewer` is a staff user, or None with `viewer_name` (an API token's)."""
    record(
        Action.VIEW_DAY,
        actor=viewer,
        actor_name=viewer_name,
        department_id=department.pk,
        object_type="department",
        object_id=department.pk,
        detail=day.isoformat(),
    )
    begin = datetime.combine(day, time(0), tzinfo=department.zone)
    return list(
        Booking.objects.filter(
            department=department, starts_at__gte=begin, starts_at__lt=begin + timedelta(days=1)
        )
        .select_related("kind", "queue_entry", "queue_entry__room")
        .order_by("starts_at", "seat")
    )
