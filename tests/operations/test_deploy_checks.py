"""`manage.py check --deploy` refuses what works on a laptop but not in production: a
local SITE_URL, a weak SECRET_KEY, no TURN, /metrics open to everyone. Each check through
Django's check framework (registered with the deploy tag), each named by its id."""

import ipaddress
import secrets

import pytest
from django.core import checks

from buergerbuero import settings as module

# Fixed, not drawn per run: parameters must be the same in every test worker.
STRONG_KEY = "q7Vb2Lr9XcT4mPz8Nw3Kd6Hs1Jf5Gy0Ua-Ee_Ri2Oo7Wt4Yp9Zn3Ml6Kb8Vc1Xd5Sq0Ah"


@pytest.fixture
def production(settings):
    """Settings that pass every check of ours; each test spoils one."""
    settings.SITE_URL = "https://buergerbuero.kreis.example"
    settings.SECRET_KEY = STRONG_KEY
    settings.TURN_URLS = ["turn:turn.kreis.example:3478?transport=udp"]
    settings.TURN_SECRET = secrets.token_urlsafe(32)
    return settings


def our_errors(include_deployment_checks: bool = True) -> list[str]:
    return sorted(
        message.id
        for message in checks.run_checks(include_deployment_checks=include_deployment_checks)
        if message.level >= checks.ERROR and (message.id or "").startswith("buergerbuero.E2")
    )


def test_production_settings_pass(production):
    assert our_errors() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "https://localhost",
        "https://termine.localhost",
        "https://127.0.1.1",
        "https://[::1]:8443",
        "https://0.0.0.0",
        "http://buergerbuero.kreis.example",
        "",
    ],
)
def test_local_or_plain_http_site_url_is_an_error(production, url):
    production.SITE_URL = url
    assert our_errors() == ["buergerbuero.E201"]


@pytest.mark.parametrize(
    "key",
    [
        "x" * 50 + "abc",  # long enough, four different characters
        STRONG_KEY[:49],
        "django-insecure-" + STRONG_KEY,
    ],
)
def test_weak_or_default_secret_key_is_an_error(production, key):
    production.SECRET_KEY = key
    assert our_errors() == ["buergerbuero.E202"]


def test_generated_installation_key_passes(production, tmp_path, monkeypatch):
    # Without SECRET_KEY, settings.py makes a random key in BB_VAR_DIR: not a default.
    monkeypatch.setattr(module, "VAR_DIR", tmp_path)
    production.SECRET_KEY = module.installation_secret_key()
    assert our_errors() == []


@pytest.mark.parametrize("missing", ["TURN_URLS", "TURN_SECRET"])
def test_missing_turn_is_an_error(production, missing):
    setattr(production, missing, [] if missing == "TURN_URLS" else "")
    assert our_errors() == ["buergerbuero.E203"]


def test_the_checks_run_only_with_deploy(production):
    production.SITE_URL = "http://127.0.0.1:8000"
    production.TURN_SECRET = ""
    assert our_errors() == ["buergerbuero.E201", "buergerbuero.E203"]
    assert our_errors(include_deployment_checks=False) == []


@pytest.mark.parametrize("networks", [["0.0.0.0/0"], ["127.0.0.1/32", "::/0"]])
def test_metrics_open_to_every_address_without_a_token_is_an_error(production, networks):
    production.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network(n) for n in networks]
    assert our_errors() == ["buergerbuero.E204"]
    production.METRICS_TOKEN = secrets.token_urlsafe(32)
    assert our_errors() == []


def test_metrics_for_the_monitoring_network_pass(production):
    production.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.5.0/24")]
    assert our_errors() == []
