"""A department's appointments of one day, as staff see them: names and contact details,
so every look is audited."""

from datetime import date, datetime, time, timedelta

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.departments.models import Department

from .models import Booking


def bookings_of_day(department: Department, day: date, viewer) -> list[Booking]:
    """The bookings starting on `day` (the department's local date), in time order."""
    record(
        Action.VIEW_DAY,
        actor=viewer,
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
