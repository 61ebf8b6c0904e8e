"""Issuing, revoking and checking integration tokens; each one audited.

A token reads `bb_<prefix>_<secret>`: the prefix finds the row (and is all people ever
see again), the secret is compared by its SHA-256 in constant time.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.departments.models import Department

from .errors import DepartmentNotAllowed, ScopeMissing, TokenExpired, TokenInvalid, TokenRevoked
from .models import ApiToken, Scope

PREFIX_BYTES = 6  # 8 characters of token_urlsafe


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    name: str,
    scopes: Iterable[str],
    departments: Iterable[Department],
    expires_at: datetime,
    by=None,
) -> tuple[ApiToken, str]:
    """A new token; returns it and its text, which is shown once and never stored."""
    scope_list = sorted(set(scopes))
    unknown = [s for s in scope_list if s not in Scope.values]
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}")
    prefix = secrets.token_urlsafe(PREFIX_BYTES).replace("_", "x").replace("-", "y")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            prefix=prefix,
            secret_hash=_digest(secret),
            scopes=" ".join(scope_list),
            expires_at=expires_at,
        )
        token.departments.set(list(departments))
        _audit(Action.ISSUE_API_TOKEN, token, by, detail=token.scopes)
    return token, f"bb_{prefix}_{secret}"


def revoke_token(token: ApiToken, by=None) -> ApiToken:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db()
        if updated:
            _audit(Action.REVOKE_API_TOKEN, token, by)
    return token


def authenticate(text: str, now=None) -> ApiToken:
    """The token `text` names, if it may be used now; raises a 401 error otherwise."""
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != "bb" or not parts[1] or not parts[2]:
        raise TokenInvalid()
    token = ApiToken.objects.filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(parts[2])):
        raise TokenInvalid()
    if token.revoked_at is not None:
        raise TokenRevoked()
    if not token.is_usable(now):
        raise TokenExpired()
    return token


def use_token(token: ApiToken, scope: str, department: Department, what: str) -> None:
    """Check that `token` may do `scope` for `department`, and audit the use (allowed or
    not: a token probing other departments is worth seeing)."""
    allowed_scope = scope in token.scope_list
    allowed_department = token.departments.filter(pk=department.pk).exists()
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        outcome = "" if allowed_scope and allowed_department else "refused "
        _audit(Action.USE_API_TOKEN, token, None, department.pk, f"{outcome}{scope} {what}")
    if not allowed_scope:
        raise ScopeMissing()
    if not allowed_department:
        raise DepartmentNotAllowed()


def actor_name(token: ApiToken) -> str:
    """How a token appears in the audit log: never its secret."""
    return f"api:{token.prefix}"


def _audit(action: Action, token: ApiToken, by, department_id=None, detail: str = "") -> None:
    record(
        action,
        actor=by,
        actor_name=actor_name(token),
        department_id=department_id,
        object_type="api_token",
        object_id=token.pk,
        detail=detail,
    )
