"""The directory's settings from the environment, and a provider that does not answer."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from buergerbuero.directory import oidc_backend
from buergerbuero.directory.ldap_backend import is_disabled
from buergerbuero.directory.settings import directory_settings

from ..server import free_port
from .conftest import use_directory


def test_without_directory_variables_only_local_accounts():
    assert directory_settings({}) == {
        "AUTHENTICATION_BACKENDS": ["buergerbuero.directory.local_backend.LocalAccountBackend"]
    }


def test_local_accounts_come_first_and_secrets_may_come_from_files(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    values = directory_settings(
        {
            "LDAP_SERVER_URI": "ldaps://dc.example",
            "LDAP_BIND_PASSWORD_FILE": str(secret),
            "OIDC_RP_CLIENT_ID": "office",
            "OIDC_RP_CLIENT_SECRET_FILE": str(secret),
            "OIDC_OP_DISCOVERY_URL": "https://sso.example:8443/realms/k/.well-known/openid-configuration",
        }
    )
    assert values["AUTHENTICATION_BACKENDS"] == [
        "buergerbuero.directory.local_backend.LocalAccountBackend",
        "buergerbuero.directory.ldap_backend.DirectoryLDAPBackend",
        "buergerbuero.directory.oidc_backend.DirectoryOIDCBackend",
    ]
    assert values["AUTH_LDAP_BIND_PASSWORD"] == "from-a-file"
    assert values["OIDC_RP_CLIENT_SECRET"] == "from-a-file"
    assert values["OIDC_USE_PKCE"] is True
    assert values["OIDC_OP_ORIGIN"] == "https://sso.example:8443"


@pytest.mark.django_db
def test_a_provider_that_does_not_answer_is_named_on_the_login_page(settings):
    oidc_backend._discovery.clear()
    nobody = f"http://127.0.0.1:{free_port()}"
    use_directory(
        settings,
        {
            "OIDC_RP_CLIENT_ID": "office",
            "OIDC_RP_CLIENT_SECRET": "secret",
            "OIDC_OP_DISCOVERY_URL": f"{nobody}/.well-known/openid-configuration",
            "OIDC_TIMEOUT": "2",
        },
    )
    client = Client()
    login = client.get(reverse("console:login"))
    assert 'href="/konsole/anmelden/landkreis/"' in login.content.decode()
    response = client.get(reverse("console:directory_login"))
    assert (response.status_code, response["Location"]) == (302, reverse("console:login"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Das Verzeichnis ist nicht erreichbar, daher können sich Verzeichniskonten gerade "
        "nicht anmelden. Bitte versuchen Sie es in einigen Minuten erneut; lokale Konten "
        "funktionieren weiterhin."
    ]
    # A password login does not need the provider.
    assert (
        client.post(reverse("console:login"), {"username": "x", "password": "y"}).status_code == 200
    )


@pytest.mark.parametrize(
    ("attrs", "disabled"),
    [
        ({"userAccountControl": ["512"]}, False),  # AD: a normal account
        ({"userAccountControl": ["514"]}, True),  # AD: ACCOUNTDISABLE
        ({"userAccountControl": ["66050"]}, True),  # disabled, password never expires
        ({"userAccountControl": ["garbage"]}, True),  # unreadable is not "enabled"
        ({"pwdAccountLockedTime": ["000001010000Z"]}, True),  # OpenLDAP ppolicy lock
        ({"uid": ["anna"]}, False),
    ],
)
def test_disabled_directory_accounts(attrs, disabled):
    assert is_disabled(attrs) is disabled


@pytest.mark.django_db
def test_no_provider_button_without_a_provider():
    html = Client().get(reverse("console:login")).content.decode()
    assert "/konsole/anmelden/landkreis/" not in html
