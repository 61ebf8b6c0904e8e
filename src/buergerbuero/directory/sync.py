"""Directory groups become roles at sign-in, and administrators edit which group means what.

`apply_groups` is the only writer of a directory user's profile and memberships: the
directory is the source of truth for such an account, so its memberships are replaced on
every sign-in (presence kept where a department stays), its administrator flag follows the
mapping, and nothing grants more than a mapping says. Every sign-in, refusal and change
of a mapping is audited (user names, group ids and department ids only).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buergerbuero import notify
from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.errors import DomainError
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


def refuse(username: str, source: str, reason: Refused):
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
    sign-in; raises NoMappedGroup (audited) when no mapped group is among them."""
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
