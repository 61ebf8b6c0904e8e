"""Which departments a user may serve. Every staff view and console message asks here."""

from buergerbuero.departments.models import Department


def staff_department_ids(user) -> set[int]:
    if not user.is_authenticated or not user.is_active:
        return set()
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return set()
    return set(profile.departments.filter(is_active=True).values_list("id", flat=True))


def staff_departments(user):
    return Department.objects.filter(id__in=staff_department_ids(user))


def may_serve(user, department_id: int) -> bool:
    return department_id in staff_department_ids(user)
