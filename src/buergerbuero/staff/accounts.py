"""Staff accounts, changed by administrators and department leads: add a member in one
step, change their departments and roles, suspend, reactivate, remove, invite.

Who may do what is checked here as well as on the pages: an administrator manages
everyone; a lead only memberships in the departments they lead, and never the
administrator flag. Nobody types another person's password: a new local account gets
an invitation link by mail and sets its own (Django's password-reset tokens, good once,
for PASSWORD_RESET_TIMEOUT).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buergerbuero import notify
from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.errors import DomainError, InvalidInput

from . import permissions
from .models import Membership, Presence, Role, StaffProfile

User = get_user_model()


class NotAllowed(DomainError):
    code = "forbidden"
    message = gettext_lazy("You may not change this.")


class EmailTaken(InvalidInput):
    code = "email_taken"
    message = gettext_lazy("A staff account with this e-mail address already exists.")


class UsernameTaken(InvalidInput):
    code = "username_taken"
    message = gettext_lazy("An account with this user name already exists.")


class NoDepartment(InvalidInput):
    code = "no_department"
    message = gettext_lazy("Please choose at least one department, or make them an administrator.")


class DirectoryAccountPassword(DomainError):
    """A directory account signs in through its directory: no password is set here, or
    the county's disabling and group mapping would not hold for it."""

    code = "directory_account"
    message = gettext_lazy(
        "This account signs in through the county's directory, so it has no password "
        "here. Its password is changed in the directory."
    )


def is_directory_account(user) -> bool:
    return User.objects.filter(pk=user.pk, directory_account__isnull=False).exists()


def _may_manage(by, department_ids) -> bool:
    return set(department_ids) <= permissions.lead_department_ids(by)


def _audit(action: Action, by, user, detail: str = "", department_id=None) -> None:
    record(
        action,
        actor=by,
        object_type="user",
        object_id=user.pk,
        department_id=department_id,
        detail=detail,
    )


def _roles_detail(memberships: dict[int, str]) -> str:
    return " ".join(f"{d}:{r}" for d, r in sorted(memberships.items()))


def add_member(
    *,
    name: str,
    email: str,
    memberships: dict[int, str],
    is_administrator: bool = False,
    by,
    invite: bool = True,
    username: str = "",
    on_created: Callable[[Any], object] | None = None,
    audit_note: str = "",
):
    """Create the account (username = e-mail unless given, no usable password), its
    profile and memberships in one transaction, and mail the invitation once it is
    committed. `on_created(user)` runs in that transaction (a directory account's link)."""
    email = email.strip().lower()
    username = username.strip() or email
    if is_administrator and not permissions.is_administrator(by):
        raise NotAllowed
    if not memberships and not is_administrator:
        raise NoDepartment
    if not _may_manage(by, memberships):
        raise NotAllowed
    if any(role not in Role.values for role in memberships.values()):
        raise InvalidInput
    if User.objects.filter(username__iexact=username).exists():
        raise EmailTaken if username == email else UsernameTaken
    first, _space, last = name.strip().partition(" ")
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, email=email, first_name=first[:150], last_name=last[:150]
        )
        profile = StaffProfile.objects.create(user=user, is_administrator=is_administrator)
        Membership.objects.bulk_create(
            Membership(profile=profile, department_id=d, role=r) for d, r in memberships.items()
        )
        if on_created is not None:
            on_created(user)
        detail = _roles_detail(memberships) + (" administrator" if is_administrator else "")
        _audit(Action.ADD_MEMBER, by, user, detail + audit_note)
    if invite:
        send_invitation(user, by=by)
    return user


def set_link_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "administration:set_password",
        args=[uid, default_token_generator.make_token(user)],
    )


def send_invitation(user, by, reset: bool = False) -> None:
    """Mail the link to set a password (new account) or a new one (forgot password).
    The link is good once, and only until PASSWORD_RESET_TIMEOUT. Never to a directory
    account (DirectoryAccountPassword)."""
    if is_directory_account(user):
        raise DirectoryAccountPassword
    link = settings.SITE_URL + set_link_path(user)
    with translation.override(settings.LANGUAGE_CODE):
        if reset:
            subject = _("Set a new password for Bürgerbüro")
            body = _(
                "Someone asked to set a new password for your Bürgerbüro staff account.\n\n"
                "Open this link to choose it:\n%(link)s\n\n"
                "If that was not you, ignore this mail: your password stays as it is."
            ) % {"link": link}
        else:
            subject = _("Your Bürgerbüro staff account")
            body = _(
                "An account in the Bürgerbüro staff area was created for you.\n\n"
                "Open this link to choose your password:\n%(link)s\n\n"
                "Your user name is your e-mail address: %(email)s"
            ) % {"link": link, "email": user.email}
    with transaction.atomic():
        _audit(Action.SEND_INVITATION, by, user, "reset" if reset else "invitation")
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        )


def set_memberships(user, memberships: dict[int, str], by, is_administrator=None) -> None:
    """Replace the member's memberships within what `by` manages: a lead's change leaves
    memberships in other departments as they are."""
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    managed = permissions.lead_department_ids(by)
    if not set(memberships) <= managed:
        raise NotAllowed
    changes_flag = is_administrator is not None and is_administrator != profile.is_administrator
    if changes_flag and not permissions.is_administrator(by):
        raise NotAllowed
    if any(role not in Role.values for role in memberships.values()):
        raise InvalidInput
    with transaction.atomic():
        before = dict(
            Membership.objects.filter(profile=profile).values_list("department_id", "role")
        )
        Membership.objects.filter(profile=profile, department_id__in=managed).exclude(
            department_id__in=list(memberships)
        ).delete()
        for department_id, role in memberships.items():
            Membership.objects.update_or_create(
                profile=profile, department_id=department_id, defaults={"role": role}
            )
        if is_administrator is not None:
            StaffProfile.objects.filter(pk=profile.pk).update(is_administrator=is_administrator)
        after = dict(
            Membership.objects.filter(profile=profile).values_list("department_id", "role")
        )
        _audit(
            Action.CHANGE_MEMBERSHIPS,
            by,
            user,
            f"{_roles_detail(before)} -> {_roles_detail(after)}"
            + ("" if is_administrator is None else f" administrator={is_administrator}"),
        )
        notify.announce_on_commit(notify.StaffingChanged(tuple(set(before) | set(after))))
        notify.announce_on_commit(notify.AccessChanged(user.pk))


def end_sessions(user) -> int:
    """Delete every open session of the user (database sessions)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def _go_offline(user) -> tuple[int, ...]:
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        return ()
    Membership.objects.filter(profile=profile).update(presence=Presence.OFFLINE)
    return tuple(Membership.objects.filter(profile=profile).values_list("department_id", flat=True))


def _check_manages(user, by) -> None:
    """Suspending or removing a whole account: administrators always; a lead only a member
    of nothing but their own departments (and never an administrator)."""
    if permissions.is_administrator(by):
        return
    if permissions.is_administrator(user):
        raise NotAllowed
    departments = set(
        Membership.objects.filter(profile__user=user).values_list("department_id", flat=True)
    )
    if not departments or not _may_manage(by, departments):
        raise NotAllowed


def suspend(user, by) -> None:
    """No sign-in any more; open sessions end, presence goes offline."""
    if user.pk == by.pk:
        raise NotAllowed(gettext_lazy("You cannot suspend your own account."))
    _check_manages(user, by)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        department_ids = _go_offline(user)
        end_sessions(user)
        _audit(Action.SUSPEND_MEMBER, by, user)
        notify.announce_on_commit(notify.StaffingChanged(department_ids))
        notify.announce_on_commit(notify.AccessChanged(user.pk))


def reactivate(user, by) -> None:
    _check_manages(user, by)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        _audit(Action.REACTIVATE_MEMBER, by, user)


def remove_member(user, by, department_id: int | None = None) -> None:
    """With a department: end the membership there (a lead's removal). Without: the
    person is no staff member any more: memberships and profile go, the account is
    disabled and kept, so the audit log still names who did what."""
    if department_id is not None:
        if not _may_manage(by, [department_id]):
            raise NotAllowed
        with transaction.atomic():
            Membership.objects.filter(profile__user=user, department_id=department_id).delete()
            _audit(Action.REMOVE_MEMBER, by, user, f"department {department_id}", department_id)
            notify.announce_on_commit(notify.StaffingChanged((department_id,)))
            notify.announce_on_commit(notify.AccessChanged(user.pk))
        return
    if user.pk == by.pk:
        raise NotAllowed(gettext_lazy("You cannot remove your own account."))
    _check_manages(user, by)
    with transaction.atomic():
        department_ids = _go_offline(user)
        StaffProfile.objects.filter(user=user).delete()
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        end_sessions(user)
        _audit(Action.REMOVE_MEMBER, by, user, "account")
        notify.announce_on_commit(notify.StaffingChanged(department_ids))
        notify.announce_on_commit(notify.AccessChanged(user.pk))


def record_sign_in(user) -> None:
    _audit(Action.SIGN_IN, user, user)


def record_failed_sign_in(username: str) -> None:
    """A failed sign-in names the account only if it exists: a typed name that is no
    account (perhaps a password typed into the wrong field) is not stored."""
    user = User.objects.filter(username__iexact=username.strip()).first()
    record(
        Action.SIGN_IN_FAILED,
        actor=None,
        object_type="user",
        object_id=user.pk if user else "",
        detail=user.get_username() if user else "unknown account",
    )
