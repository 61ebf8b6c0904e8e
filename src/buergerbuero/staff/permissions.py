"""Who may do what, in one place: every staff page, console message and API call asks here.

Three roles. An **administrator** (county IT; `StaffProfile.is_administrator`, or a
Django superuser) administers every department, staff accounts, roles and system
settings. A **department lead** configures their departments (schedule, closures,
appointments, who serves there) and sees their statistics. **Staff** serve their
departments. Roles are per department (`Membership.role`): a member may lead one
department and serve in another. Administering does not make anyone serve: an
administrator answers citizens only where they hold a membership.
"""

from buergerbuero.departments.models import Department

from .models import Role


def _profile(user):
    if not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "staff_profile", None)


def is_administrator(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = _profile(user)
    return profile is not None and profile.is_administrator


def staff_department_ids(user) -> set[int]:
    """The departments the user serves (any role)."""
    profile = _profile(user)
    if profile is None:
        return set()
    return set(
        profile.memberships.filter(department__is_active=True).values_list(
            "department_id", flat=True
        )
    )


def staff_departments(user):
    return Department.objects.filter(id__in=staff_department_ids(user))


def may_serve(user, department_id: int) -> bool:
    return department_id in staff_department_ids(user)


def lead_department_ids(user) -> set[int]:
    """The departments the user may configure: all (active or not) for an administrator,
    the active ones they lead otherwise."""
    if is_administrator(user):
        return set(Department.objects.values_list("id", flat=True))
    profile = _profile(user)
    if profile is None:
        return set()
    return set(
        profile.memberships.filter(role=Role.LEAD, department__is_active=True).values_list(
            "department_id", flat=True
        )
    )


def led_departments(user):
    return Department.objects.filter(id__in=lead_department_ids(user))


def may_lead(user, department_id: int) -> bool:
    """Configure a department and see its statistics."""
    return department_id in lead_department_ids(user)


def is_staff_member(user) -> bool:
    """May enter the staff area at all."""
    return is_administrator(user) or _profile(user) is not None
