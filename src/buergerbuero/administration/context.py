"""`may_administer` for the console header's link to the administration (administrators
and department leads), without touching the console's views."""

from django.utils.functional import SimpleLazyObject

from buergerbuero.staff import permissions


def may_administer(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "may_administer": SimpleLazyObject(lambda: bool(permissions.lead_department_ids(user))),
        "is_county_administrator": SimpleLazyObject(lambda: permissions.is_administrator(user)),
    }
