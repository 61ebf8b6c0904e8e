"""Sign-in through the county's OpenID Connect provider (mozilla-django-oidc; Keycloak,
Microsoft Entra ID, ...): authorisation code flow with PKCE, the roles from the groups
claim (OIDC_GROUPS_CLAIM) through the same GroupMapping as LDAP.

The account is found by the provider's `sub`, never by name or e-mail: a local account
of the same name is not taken over (sync.LocalAccountClash).
"""

import logging
import threading
import time

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from . import sync
from .models import DirectoryAccount, Source

log = logging.getLogger(__name__)

DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
DISCOVERY_TTL_SECONDS = 3600
_discovery: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


def discovery_document() -> dict:
    """The provider's /.well-known/openid-configuration, fetched at most hourly; raises
    requests.RequestException when the provider does not answer."""
    url = getattr(settings, "OIDC_OP_DISCOVERY_URL", "")
    if not url:
        return {}
    with _discovery_lock:
        fetched = _discovery.get(url)
        if fetched is not None and time.monotonic() - fetched[0] < DISCOVERY_TTL_SECONDS:
            return fetched[1]
    response = requests.get(
        url, timeout=settings.OIDC_TIMEOUT, verify=getattr(settings, "OIDC_VERIFY_SSL", True)
    )
    response.raise_for_status()
    document = response.json()
    with _discovery_lock:
        _discovery[url] = (time.monotonic(), document)
    return document


def provider_setting(attr: str, *default):
    """A setting of mozilla-django-oidc; an endpoint not set explicitly comes from the
    discovery document."""
    if attr in DISCOVERED and not getattr(settings, attr, None):
        value = discovery_document().get(DISCOVERED[attr])
        if value:
            return value
        if default:
            return default[0]
    return import_from_settings(attr, *default)


def groups_of(claims: dict) -> list[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM, [])
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list) else []


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    """Django makes a backend for every sign-in and every request of a signed-in user:
    the endpoints are looked up only when a sign-in through the provider needs them, so
    a provider that is away never stands in the way of a password login."""

    def __init__(self, *args, **kwargs):
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None)
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):
        return provider_setting("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self):
        return provider_setting("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):
        return provider_setting("OIDC_OP_JWKS_ENDPOINT", None)

    @staticmethod
    def get_settings(attr, *args):
        return provider_setting(attr, *args)

    def get_or_create_user(self, access_token, id_token, payload):
        # Entra ID puts the groups into the ID token only, Keycloak into both: the
        # user info answer, over the ID token's claims.
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        username = str(claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("sub", ""))
        subject = str(claims.get("sub", ""))
        if not username or not subject:
            return None
        try:
            return self._sign_in(claims, username, subject)
        except sync.Refused as reason:
            self.request.directory_refusal = reason
            return None

    def _sign_in(self, claims, username: str, subject: str):
        groups = groups_of(claims)
        link = DirectoryAccount.objects.filter(source=Source.OIDC, subject=subject).first()
        if link is None:
            # Added in the staff area by user name or e-mail, before the first sign-in.
            link = sync.waiting_oidc_account(subject, claims)
        if link is None or not link.roles_here:
            # Refused before any account is made or changed.
            sync.check_groups(groups, Source.OIDC, username)
        User = get_user_model()
        if link is not None:
            user = link.user
        else:
            if User.objects.filter(username=username).exists():
                sync.refuse(username, Source.OIDC, sync.LocalAccountClash())
            user = User(username=username)
            user.set_unusable_password()
        user.first_name = str(claims.get("given_name", ""))[:150]
        user.last_name = str(claims.get("family_name", ""))[:150]
        user.email = str(claims.get("email", ""))[:254]
        if not user.is_active:
            sync.refuse(username, Source.OIDC, sync.AccountDisabled())
        user.save()
        sync.apply_groups(user, groups, Source.OIDC, subject)
        return user
