"""Directory groups become roles at sign-in, and administrators edit which group means what.

`apply_groups` is the only writer of a directory user's profile and memberships: the
directory is the source of truth for such an account, so its memberships are replaced on
every sign-in (presence kept where a department stays), its administrator flag follows the
mapping, and nothing grants more than a mapping says. Every sign-in, refusal and change
of a mapping is audited (user names, group ids and department ids only).
"""

from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buergerbuero import notify
from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.errors import DomainError, InvalidInput
from buergerbuero.staff import accounts
from buergerbuero.staff.models import Membership, Presence, Role, StaffProfile

from .models import DirectoryAccount, GroupMapping, Source


class Refused(DomainError):
    """A directory sign-in that must not open a session; the message is shown on the
    login page."""

    code = "directory_refused"


class NoMappedGroup(Refused):
    code = "no_mapped_group"
    message = _(
        "Your directory account is not in any group that has access to the office. "
        "Please ask the county's IT to add you to the right group."
    )


class AccountDisabled(Refused):
    code = "account_disabled"
    message = _("Your directory account is disabled. Please contact the county's IT.")


class LocalAccountClash(Refused):
    code = "local_account_clash"
    message = _(
        "A local account with this user name already exists, so the directory account "
        "cannot sign in. Please contact the county's IT."
    )


class AccessRemoved(Refused):
    code = "access_removed"
    message = _(
        "Your staff account was suspended or removed in the office. Please contact the "
        "county's IT or your department lead."
    )


class DirectoryUnreachable(Refused):
    code = "directory_unreachable"
    message = _(
        "The directory is not reachable at the moment, so directory accounts cannot sign "
        "in. Please try again in a few minutes; local accounts still work."
    )


@dataclass(frozen=True)
class Grant:
    """What a user's groups give: role per department id, and administration."""

    roles: dict[int, str]
    administrator: bool


def _same(source: str, a: str, b: str) -> bool:
    # Distinguished names compare case-insensitively; claim values exactly.
    return a.strip().casefold() == b.strip().casefold() if source == Source.LDAP else a == b


def grant_for(groups, source: str) -> Grant:
    """The roles the mappings give to members of `groups` (nothing beyond them: the
    higher role where two mappings name the same department)."""
    groups = [str(group) for group in groups]
    roles: dict[int, str] = {}
    administrator = False
    for mapping in GroupMapping.objects.filter(
        Q(department__isnull=True) | Q(department__is_active=True), source=source
    ):
        if not any(_same(source, mapping.group, group) for group in groups):
            continue
        administrator = administrator or mapping.administrator
        if mapping.department_id is not None and roles.get(mapping.department_id) != Role.LEAD:
            roles[mapping.department_id] = mapping.role
    return Grant(roles, administrator)


def check_groups(groups, source: str, username: str) -> Grant:
    """The grant of a directory user's groups; refused (and audited) when they give
    nothing, before any account is made."""
    grant = grant_for(groups, source)
    if not grant.roles and not grant.administrator:
        refuse(username, source, NoMappedGroup())
    return grant


def refuse(username: str, source: str, reason: Refused) -> NoReturn:
    """Audit a refused directory sign-in and raise `reason`."""
    record(
        Action.DIRECTORY_REFUSED,
        actor=None,
        object_type="user",
        object_id=username[:64],
        detail=f"{source}: {reason.code}",
    )
    raise reason


def check_link(user, source: str, subject: str, created: bool) -> None:
    """A directory sign-in may use an account only if the directory made it: a local
    account of the same name is never taken over (its password and roles stay its own)."""
    if created:
        return
    link = DirectoryAccount.objects.filter(user=user).first()
    if link is None:
        refuse(user.get_username(), source, LocalAccountClash())
    if link is not None and link.source != source:
        refuse(user.get_username(), source, LocalAccountClash())


def apply_groups(user, groups, source: str, subject: str = "") -> Grant:
    """Bring `user`'s profile and memberships in line with the directory groups at
    sign-in; raises NoMappedGroup (audited) when no mapped group is among them. An
    account added in the staff area (`roles_here`) keeps the roles given there."""
    link = DirectoryAccount.objects.filter(user=user, source=source, roles_here=True).first()
    if link is not None:
        return _sign_in_with_roles_here(user, link, subject)
    grant = check_groups(groups, source, user.get_username())
    with transaction.atomic():
        DirectoryAccount.objects.update_or_create(
            user=user,
            defaults={
                "source": source,
                "subject": subject or user.get_username(),
                "signed_in_at": timezone.now(),
            },
        )
        profile, _created = StaffProfile.objects.select_for_update().get_or_create(user=user)
        if profile.is_administrator != grant.administrator:
            StaffProfile.objects.filter(pk=profile.pk).update(is_administrator=grant.administrator)
        existing = {m.department_id: m for m in Membership.objects.filter(profile=profile)}
        gone = [dept for dept in existing if dept not in grant.roles]
        left_available = [dept for dept in gone if existing[dept].presence == Presence.AVAILABLE]
        Membership.objects.filter(profile=profile, department_id__in=gone).delete()
        for department_id, role in grant.roles.items():
            membership = existing.get(department_id)
            if membership is None:
                Membership.objects.create(profile=profile, department_id=department_id, role=role)
            elif membership.role != role:
                Membership.objects.filter(pk=membership.pk).update(role=role)
        leads = sorted(d for d, r in grant.roles.items() if r == Role.LEAD)
        serves = sorted(d for d, r in grant.roles.items() if r == Role.STAFF)
        record(
            Action.DIRECTORY_SIGN_IN,
            actor=user,
            object_type="user",
            object_id=user.pk,
            detail=(
                f"{source}: lead {leads or '-'}, staff {serves or '-'}"
                + (", administrator" if grant.administrator else "")
            ),
        )
        if left_available:
            notify.announce_on_commit(notify.StaffingChanged(tuple(left_available)))
        if gone or grant.roles.keys() - existing.keys():
            # The member's consoles open in other sessions follow the directory at once.
            notify.announce_on_commit(notify.AccessChanged(user.pk))
    return grant


# --- accounts added in the staff area --------------------------------------------------


class DirectoryNotConfigured(InvalidInput):
    code = "directory_not_configured"
    message = _("Sign-in through this directory is not set up on this server.")


class SubjectTaken(InvalidInput):
    code = "subject_taken"
    message = _("This directory account is already a staff member.")


def configured_sources() -> list[str]:
    """The directories this server signs in through (docs/administration-directory.md)."""
    backends = settings.AUTHENTICATION_BACKENDS
    return [
        source
        for source, backend in (
            (Source.LDAP, "buergerbuero.directory.ldap_backend.DirectoryLDAPBackend"),
            (Source.OIDC, "buergerbuero.directory.oidc_backend.DirectoryOIDCBackend"),
        )
        if backend in backends
    ]


def add_directory_member(
    *,
    name: str,
    source: str,
    account: str,
    email: str = "",
    memberships: dict[int, str],
    is_administrator: bool = False,
    by,
):
    """A staff member who signs in through the directory, added before their first
    sign-in with the roles given here (no invitation, no password here). `account`:
    LDAP: the user name they sign in with (uid, sAMAccountName); OpenID Connect: their
    subject, or the user name (OIDC_USERNAME_CLAIM) or verified e-mail the provider
    sends. Their directory groups need no mapping; a disabled directory account is still
    refused at sign-in."""
    if source not in configured_sources():
        raise DirectoryNotConfigured
    account = account.strip()
    if source == Source.LDAP:
        account = account.lower()  # django-auth-ldap looks user names up in lower case
    if not account:
        raise InvalidInput
    if DirectoryAccount.objects.filter(source=source, subject__iexact=account).exists():
        raise SubjectTaken

    def link(user):
        DirectoryAccount.objects.create(user=user, source=source, subject=account, roles_here=True)

    return accounts.add_member(
        name=name,
        email=email,
        memberships=memberships,
        is_administrator=is_administrator,
        by=by,
        invite=False,
        username=account,
        on_created=link,
        audit_note=f" directory {source}",
    )


def waiting_oidc_account(subject: str, claims: dict) -> DirectoryAccount | None:
    """An OpenID Connect account added in the staff area that never signed in, named by
    the provider's subject, user name or verified e-mail address."""
    names = [subject, str(claims.get(settings.OIDC_USERNAME_CLAIM) or "")]
    if claims.get("email") and claims.get("email_verified", True) is not False:
        names.append(str(claims["email"]))
    names = [n for n in names if n]
    query = Q()
    for n in names:
        query |= Q(subject__iexact=n)
    return (
        DirectoryAccount.objects.filter(
            query, source=Source.OIDC, roles_here=True, signed_in_at__isnull=True
        )
        .select_related("user")
        .first()
    )


def has_roles_here(source: str, username: str) -> bool:
    return DirectoryAccount.objects.filter(
        source=source, roles_here=True, user__username__iexact=username
    ).exists()


def _sign_in_with_roles_here(user, link: DirectoryAccount, subject: str) -> Grant:
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None or not user.is_active:
        # Removed (or suspended) in the staff area: that holds until given back there.
        refuse(user.get_username(), link.source, AccessRemoved())
    with transaction.atomic():
        DirectoryAccount.objects.filter(pk=link.pk).update(
            subject=subject or link.subject, signed_in_at=timezone.now()
        )
        roles = dict(
            Membership.objects.filter(profile=profile, department__is_active=True).values_list(
                "department_id", "role"
            )
        )
        grant = Grant(roles, profile.is_administrator)
        leads = sorted(d for d, r in roles.items() if r == Role.LEAD)
        serves = sorted(d for d, r in roles.items() if r == Role.STAFF)
        record(
            Action.DIRECTORY_SIGN_IN,
            actor=user,
            object_type="user",
            object_id=user.pk,
            detail=(
                f"{link.source}: roles given here: lead {leads or '-'}, staff {serves or '-'}"
                + (", administrator" if grant.administrator else "")
            ),
        )
    return grant


def add_mapping(*, source, group, department, role, administrator, by) -> GroupMapping:
    with transaction.atomic():
        mapping = GroupMapping.objects.create(
            source=source,
            group=group.strip(),
            department=department,
            role=role,
            administrator=administrator,
        )
        record(
            Action.ADD_GROUP_MAPPING,
            actor=by,
            object_type="group_mapping",
            object_id=mapping.pk,
            department_id=department.pk if department is not None else None,
            detail=f"{source}: {role}" + (", administrator" if administrator else ""),
        )
    return mapping


def remove_mapping(mapping: GroupMapping, *, by) -> None:
    """Remove a mapping; its members lose what it gave at their next sign-in."""
    with transaction.atomic():
        record(
            Action.REMOVE_GROUP_MAPPING,
            actor=by,
            object_type="group_mapping",
            object_id=mapping.pk,
            department_id=mapping.department_id,
            detail=f"{mapping.source}: {mapping.role}"
            + (", administrator" if mapping.administrator else ""),
        )
        mapping.delete()
