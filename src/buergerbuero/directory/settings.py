"""The directory's settings from environment variables, for settings.py (and the tests,
which point them at their own servers). Only plain values and django-auth-ldap's config
objects: nothing here needs Django's app registry."""

from pathlib import Path
from urllib.parse import urlsplit

import ldap
from django_auth_ldap import config as ldap_config

BASE_BACKEND = "buergerbuero.directory.local_backend.LocalAccountBackend"
LDAP_BACKEND = "buergerbuero.directory.ldap_backend.DirectoryLDAPBackend"
OIDC_BACKEND = "buergerbuero.directory.oidc_backend.DirectoryOIDCBackend"
GROUP_TYPES = {
    "groupOfNames": ldap_config.GroupOfNamesType,
    "groupOfUniqueNames": ldap_config.GroupOfUniqueNamesType,
    "posixGroup": ldap_config.PosixGroupType,
    "activeDirectory": ldap_config.ActiveDirectoryGroupType,
    "nestedActiveDirectory": ldap_config.NestedActiveDirectoryGroupType,
}
OIDC_ENDPOINTS = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_LOGOUT_ENDPOINT",
)


def _bool(environ, name: str, default: bool) -> bool:
    value = environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def secret(environ, name: str) -> str:
    """NAME, or the contents of the file NAME_FILE (a container secret)."""
    path = environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return environ.get(name, "")


def ldap_settings(environ) -> dict:
    """AUTH_LDAP_* for django-auth-ldap from LDAP_*; empty without LDAP_SERVER_URI."""
    uri = environ.get("LDAP_SERVER_URI", "")
    if not uri:
        return {}
    # A directory that does not answer must not hold the login page: a short timeout,
    # then the page says so and local accounts still work.
    timeout = float(environ.get("LDAP_TIMEOUT", "3"))
    values = {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": environ.get("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": secret(environ, "LDAP_BIND_PASSWORD"),
        "AUTH_LDAP_START_TLS": _bool(environ, "LDAP_START_TLS", False),
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            ldap.OPT_REFERRALS: 0,
        },
        "AUTH_LDAP_USER_SEARCH": ldap_config.LDAPSearch(
            environ.get("LDAP_USER_SEARCH_BASE", ""),
            ldap.SCOPE_SUBTREE,
            environ.get("LDAP_USER_FILTER", "(uid=%(user)s)"),
            # Operational attributes too: OpenLDAP's pwdAccountLockedTime (ppolicy).
            ["*", "+"],
        ),
        "AUTH_LDAP_GROUP_TYPE": GROUP_TYPES[environ.get("LDAP_GROUP_TYPE", "groupOfNames")](),
        "AUTH_LDAP_GROUP_SEARCH": ldap_config.LDAPSearch(
            environ.get("LDAP_GROUP_SEARCH_BASE", ""),
            ldap.SCOPE_SUBTREE,
            environ.get("LDAP_GROUP_FILTER", "(objectClass=*)"),
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "first_name": environ.get("LDAP_ATTR_FIRST_NAME", "givenName"),
            "last_name": environ.get("LDAP_ATTR_LAST_NAME", "sn"),
            "email": environ.get("LDAP_ATTR_EMAIL", "mail"),
        },
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
    }
    if environ.get("LDAP_CA_FILE"):
        values["AUTH_LDAP_GLOBAL_OPTIONS"] = {ldap.OPT_X_TLS_CACERTFILE: environ["LDAP_CA_FILE"]}
    return values


def oidc_settings(environ) -> dict:
    """mozilla-django-oidc's OIDC_* from the environment; empty without OIDC_RP_CLIENT_ID."""
    client_id = environ.get("OIDC_RP_CLIENT_ID", "")
    if not client_id:
        return {}
    discovery = environ.get("OIDC_OP_DISCOVERY_URL", "")
    values = {
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": secret(environ, "OIDC_RP_CLIENT_SECRET"),
        "OIDC_RP_SIGN_ALGO": environ.get("OIDC_RP_SIGN_ALGO", "RS256"),
        "OIDC_RP_SCOPES": environ.get("OIDC_RP_SCOPES", "openid email profile"),
        "OIDC_USE_PKCE": _bool(environ, "OIDC_USE_PKCE", True),
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        # Endpoints from the provider's discovery document, or each one set explicitly.
        "OIDC_OP_DISCOVERY_URL": discovery,
        **{name: environ[name] for name in OIDC_ENDPOINTS if environ.get(name)},
        "OIDC_GROUPS_CLAIM": environ.get("OIDC_GROUPS_CLAIM", "groups"),
        "OIDC_USERNAME_CLAIM": environ.get("OIDC_USERNAME_CLAIM", "preferred_username"),
        "OIDC_TIMEOUT": float(environ.get("OIDC_TIMEOUT", "5")),
        "OIDC_VERIFY_SSL": _bool(environ, "OIDC_VERIFY_SSL", True),
        # The ID token is kept for logging out at the provider (end_session_endpoint).
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_OP_LOGOUT_URL_METHOD": "buergerbuero.console.directory_login.provider_logout_url",
        "OIDC_AUTHENTICATION_CALLBACK_URL": "console:directory_callback",
        "LOGIN_REDIRECT_URL_FAILURE": "console:login",
    }
    # Logging out sends the browser on to the provider after a form: CSP form-action.
    where = urlsplit(
        discovery
        or environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
        or environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
    )
    values["OIDC_OP_ORIGIN"] = f"{where.scheme}://{where.netloc}" if where.netloc else ""
    return values


def directory_settings(environ) -> dict:
    """Everything settings.py needs, with the backends in their order: local accounts
    first, so they sign in while the directory is down."""
    ldap_values, oidc_values = ldap_settings(environ), oidc_settings(environ)
    backends = [BASE_BACKEND]
    if ldap_values:
        backends.append(LDAP_BACKEND)
    if oidc_values:
        backends.append(OIDC_BACKEND)
    return {"AUTHENTICATION_BACKENDS": backends, **ldap_values, **oidc_values}
