"""How a department takes appointments, changed by its staff: rules, kinds, closures.

Each change is audited in its own transaction, so any way in (the settings page, an
API, a command) leaves the same record of who changed what.
"""

from datetime import datetime

from django.db import transaction

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.departments import actions as department_actions
from buergerbuero.departments.models import Closure, Department

from .availability import settings_for
from .models import AppointmentKind, BookingSettings

RULE_FIELDS = (
    "parallel_staff",
    "buffer_minutes",
    "horizon_days",
    "min_notice_minutes",
    "slot_rhythm_minutes",
)
KIND_FIELDS = ("name", "mode", "duration_minutes", "slot_rhythm_minutes", "location", "is_active")


def configure(
    department: Department,
    rules: dict,
    kinds: list[tuple[AppointmentKind | None, dict]],
    by,
) -> BookingSettings:
    """Save the booking rules and the changed or new appointment kinds (None: a new kind)
    together: staff submit them as one page, and half of it must never be saved."""
    with transaction.atomic():
        booking_settings = settings_for(department)
        for field in RULE_FIELDS:
            setattr(booking_settings, field, rules[field])
        booking_settings.save()
        _audit(Action.CHANGE_BOOKING_RULES, by, department, "booking_settings", department.pk)
        for kind, fields in kinds:
            kind = kind if kind is not None else AppointmentKind(department=department)
            if kind.department_id != department.pk:
                raise AppointmentKind.DoesNotExist
            for field in KIND_FIELDS:
                setattr(kind, field, fields[field])
            kind.save()
            _audit(Action.SAVE_APPOINTMENT_KIND, by, department, "appointment_kind", kind.pk)
    return booking_settings


def add_closure(
    department: Department, starts_at: datetime, ends_at: datetime, reason: str, by
) -> Closure:
    """A closure closes the walk-in office too: kept here for the appointment settings."""
    return department_actions.add_closure(department, starts_at, ends_at, reason, by)


def remove_closure(department: Department, closure_id: int, by) -> bool:
    return department_actions.remove_closure(department, closure_id, by)


def _audit(action: Action, user, department: Department, kind: str, pk, detail: str = "") -> None:
    record(
        action,
        actor=user,
        department_id=department.pk,
        object_type=kind,
        object_id=pk,
        detail=detail,
    )
