"""The security policy: which roles must sign in with a second factor (TOTP).

A member whose role requires it and who has no authenticator app yet is led to set one
up at sign-in, before any other staff page (`middleware.SecondFactorRequired`).
"""

from django.db import transaction

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.staff import permissions, second_factor
from buergerbuero.staff.models import Membership, Role

from .models import SecurityPolicy

FIELDS = ("second_factor_administrators", "second_factor_leads", "second_factor_staff")


def current() -> SecurityPolicy:
    return SecurityPolicy.objects.filter(pk=1).first() or SecurityPolicy(pk=1)


def set_policy(fields: dict, by) -> SecurityPolicy:
    with transaction.atomic():
        policy = current()
        for field in FIELDS:
            setattr(policy, field, bool(fields.get(field)))
        policy.save()
        record(
            Action.CHANGE_SECURITY_POLICY,
            actor=by,
            object_type="security_policy",
            object_id=1,
            detail=" ".join(f"{f}={getattr(policy, f)}" for f in FIELDS),
        )
    return policy


def requires_second_factor(user) -> bool:
    """Whether any of the user's roles requires an authenticator app."""
    policy = current()
    if not (
        policy.second_factor_administrators
        or policy.second_factor_leads
        or policy.second_factor_staff
    ):
        return False
    if policy.second_factor_administrators and permissions.is_administrator(user):
        return True
    roles = set(Membership.objects.filter(profile__user=user).values_list("role", flat=True))
    return bool(
        (policy.second_factor_leads and Role.LEAD in roles)
        or (policy.second_factor_staff and Role.STAFF in roles)
    )


def must_enrol(user) -> bool:
    return requires_second_factor(user) and second_factor.confirmed_device(user) is None
