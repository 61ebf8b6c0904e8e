"""`manage.py check --deploy` refuses what works on a laptop but not in production: a
local SITE_URL, a weak SECRET_KEY, no TURN, /metrics open to everyone, an accessibility
statement without a contact, enforcement link or date, a sign-language video that cannot load. Each check through
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
    for name in ("NAME", "EMAIL", "PHONE", "ADDRESS"):
        setattr(settings, f"ACCESSIBILITY_CONTACT_{name}", "")
    for name in ("NAME", "ADDRESS", "EMAIL"):
        setattr(settings, f"PRIVACY_CONTROLLER_{name}", "")
    settings.ACCESSIBILITY_CONTACT_EMAIL = "barrierefrei@kreis.example"
    settings.ACCESSIBILITY_ENFORCEMENT_NAME = "Ombudsstelle für barrierefreie IT"
    settings.ACCESSIBILITY_ENFORCEMENT_URL = "https://ombudsstelle.land.example/"
    settings.ACCESSIBILITY_STATEMENT_DATE = "2026-11-24"
    settings.DGS_MEDIA_DIR = None
    settings.DGS_VIDEO_URL = "/medien/dgs.webm"
    settings.DGS_CAPTIONS_URL = "/medien/dgs.vtt"
    settings.DGS_POSTER_URL = ""
    return settings


def our_warnings() -> list[str]:
    return sorted(
        message.id
        for message in checks.run_checks(include_deployment_checks=True)
        if message.level == checks.WARNING and (message.id or "").startswith("buergerbuero.W2")
    )


def our_errors(include_deployment_checks: bool = True) -> list[str]:
    return sorted(
        message.id
        for message in checks.run_checks(include_deployment_checks=include_deployment_checks)
        if message.level >= checks.ERROR and (message.id or "").startswith("buergerbuero.E2")
    )


def test_production_settings_pass(production):
    assert our_errors() == []
    assert our_warnings() == []


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


# --- accessibility statement and sign language --------------------------------------------


def test_statement_without_email_or_phone_is_an_error(production):
    production.ACCESSIBILITY_CONTACT_EMAIL = ""
    production.ACCESSIBILITY_CONTACT_NAME = "Kreis Beispiel"
    assert our_errors() == ["buergerbuero.E205"]
    production.ACCESSIBILITY_CONTACT_PHONE = "02331 12345"
    assert our_errors() == []


def test_statement_contact_falls_back_to_the_privacy_controller(production):
    production.ACCESSIBILITY_CONTACT_EMAIL = ""
    production.PRIVACY_CONTROLLER_EMAIL = "datenschutz@kreis.example"
    assert our_errors() == []


@pytest.mark.parametrize("email", ["kaputt", "barrierefrei@", "a b@kreis.example"])
def test_statement_contact_email_must_be_an_address(production, email):
    production.ACCESSIBILITY_CONTACT_EMAIL = email
    assert our_errors() == ["buergerbuero.E205"]


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("Ombudsstelle", ""),
        ("Ombudsstelle", "http://ombudsstelle.land.example/"),
        ("Ombudsstelle", "https://localhost/"),
        ("Ombudsstelle", "ombudsstelle.land.example"),
        ("", "https://ombudsstelle.land.example/"),
    ],
)
def test_statement_without_enforcement_name_or_https_link_is_an_error(production, name, url):
    production.ACCESSIBILITY_ENFORCEMENT_NAME = name
    production.ACCESSIBILITY_ENFORCEMENT_URL = url
    assert our_errors() == ["buergerbuero.E206"]


@pytest.mark.parametrize("value", ["", "soon", "24.11.2026", "2026-13-01"])
def test_statement_without_a_valid_date_is_an_error(production, value):
    production.ACCESSIBILITY_STATEMENT_DATE = value
    assert our_errors() == ["buergerbuero.E207"]


def test_no_sign_language_video_passes(production):
    # The page and the statement say that there is none yet.
    production.DGS_VIDEO_URL = ""
    production.DGS_CAPTIONS_URL = ""
    assert (our_errors(), our_warnings()) == ([], [])


@pytest.mark.parametrize(
    ("video", "captions"),
    [
        ("https://kreis.example/dgs.webm", "/medien/dgs.vtt"),  # another site: CSP blocks it
        ("dgs.webm", "dgs.vtt"),  # file names without DGS_MEDIA_DIR
        ("/medien/dgs.webm", ""),  # no captions
    ],
)
def test_sign_language_video_that_cannot_load_is_an_error(production, video, captions):
    production.DGS_VIDEO_URL = video
    production.DGS_CAPTIONS_URL = captions
    assert (our_errors(), our_warnings()) == (["buergerbuero.E208"], [])


def test_sign_language_files_in_the_media_dir_pass(production, tmp_path):
    (tmp_path / "dgs.webm").write_bytes(b"")
    (tmp_path / "dgs.vtt").write_text("WEBVTT\n")
    production.DGS_MEDIA_DIR = tmp_path
    production.DGS_VIDEO_URL = "dgs.webm"
    production.DGS_CAPTIONS_URL = "dgs.vtt"
    assert (our_errors(), our_warnings()) == ([], [])
    production.DGS_CAPTIONS_URL = "untertitel.vtt"
    assert our_errors() == ["buergerbuero.E208"]
