"""Sign-in against the county's LDAP or Active Directory (django-auth-ldap).

The service account (LDAP_BIND_DN) finds the person (LDAP_USER_SEARCH_BASE,
LDAP_USER_FILTER), their password is checked by binding as them, their groups are read
(LDAP_GROUP_SEARCH_BASE) and turned into roles by `sync.apply_groups`. A disabled account
(Active Directory: userAccountControl bit 2; OpenLDAP ppolicy: pwdAccountLockedTime) is
refused before any account is made here. When the directory does not answer, the login
page says so (`sync.DirectoryUnreachable`) and local accounts still sign in: the model
backend comes first.
"""

import logging

import ldap
from django_auth_ldap.backend import LDAPBackend, ldap_error

from . import sync
from .models import Source

log = logging.getLogger(__name__)

# Active Directory's userAccountControl flag ACCOUNTDISABLE.
AD_ACCOUNT_DISABLED = 0x2
UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR)


def refusal_of(request) -> sync.Refused | None:
    """Why the directory refused the last sign-in of this request, if it did."""
    return getattr(request, "directory_refusal", None)


def _note(request, reason: sync.Refused) -> None:
    if request is not None:
        request.directory_refusal = reason


def is_disabled(attrs) -> bool:
    for value in attrs.get("userAccountControl", []):
        try:
            if int(value) & AD_ACCOUNT_DISABLED:
                return True
        except ValueError:
            return True  # a value we cannot read is not taken as "enabled"
    return bool(attrs.get("pwdAccountLockedTime"))


class DirectoryLDAPBackend(LDAPBackend):
    def get_or_build_user(self, username, ldap_user):
        # Called once the password is checked, before the account is made or updated:
        # the place to refuse without leaving an account behind.
        request = ldap_user._request
        try:
            if is_disabled(ldap_user.attrs):
                sync.refuse(username, Source.LDAP, sync.AccountDisabled())
            if not sync.has_roles_here(Source.LDAP, username):
                sync.check_groups(ldap_user.group_dns, Source.LDAP, username)
        except sync.Refused as reason:
            _note(request, reason)
            raise ldap_user.AuthenticationFailed(reason.code) from None
        user, built = super().get_or_build_user(username, ldap_user)
        try:
            sync.check_link(user, Source.LDAP, ldap_user.dn, created=built)
        except sync.Refused as reason:
            _note(request, reason)
            raise ldap_user.AuthenticationFailed(reason.code) from None
        return user, built

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        try:
            sync.apply_groups(user, user.ldap_user.group_dns, Source.LDAP, user.ldap_user.dn)
        except sync.Refused as reason:
            _note(request, reason)
            return None
        return user


def _on_ldap_error(sender, context, user, request=None, exception=None, **kwargs):
    if isinstance(exception, UNREACHABLE):
        log.warning("The LDAP directory is not reachable (%s)", type(exception).__name__)
        _note(request, sync.DirectoryUnreachable())
    else:
        log.warning("LDAP error while signing in (%s): %s", context, exception)


ldap_error.connect(_on_ldap_error, sender=DirectoryLDAPBackend, dispatch_uid="bb-ldap-error")
