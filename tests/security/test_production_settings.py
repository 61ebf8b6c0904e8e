"""Production settings, read in a process of their own from the environment an operator
sets (docs/deploy.md): Django's deployment checks pass with no warning, cookies are
Secure, HSTS is on."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "SECURE_COOKIES", "DJANGO_SETTINGS_MODULE"}
    }
    return env | {
        "HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "buergerbuero.kreis.example",
        "SITE_URL": "https://buergerbuero.kreis.example",
        "TURN_URLS": "turn:turn.kreis.example:3478?transport=udp",
        "TURN_SECRET": secrets.token_urlsafe(32),
        "ACCESSIBILITY_CONTACT_EMAIL": "barrierefrei@kreis.example",
        "ACCESSIBILITY_ENFORCEMENT_URL": "https://ombudsstelle.land.example/",
        "BB_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
    }


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_without_warnings(tmp_path):
    result = check_deploy(production_env(tmp_path))
    # The one silenced check is HSTS preload (settings.py says why).
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (1 silenced).\n",
        "",
    )


def test_check_deploy_fails_without_site_url_and_turn(tmp_path):
    # The office's own deploy checks (operations/deploy_checks.py) are errors: a deploy
    # script that runs `check --deploy` stops.
    env = production_env(tmp_path)
    for name in ("SITE_URL", "TURN_URLS", "TURN_SECRET"):
        del env[name]
    result = check_deploy(env)
    errors = sorted(line.split(")")[0] for line in result.stderr.splitlines() if "(bu" in line)
    assert (result.returncode, errors) == (1, ["?: (buergerbuero.E201", "?: (buergerbuero.E203"])


def test_production_cookies_are_secure_and_hsts_is_on(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SECURE",
        "LANGUAGE_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "DEBUG",
    ]
    script = (
        "import json; from buergerbuero import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "DEBUG": False,
    }


def test_socket_origins_come_from_the_site_address_and_the_trusted_origins(tmp_path):
    env = production_env(tmp_path) | {
        "SITE_URL": "https://buergerbuero.kreis.example/",
        "CSRF_TRUSTED_ORIGINS": "https://intranet.kreis.example",
        "WEBSOCKET_ALLOWED_ORIGINS": "https://termine.kreis.example:8443",
    }
    script = "from buergerbuero import settings as s; print(s.WEBSOCKET_ALLOWED_ORIGINS)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert (
        result.stdout
        == str(
            [
                "https://buergerbuero.kreis.example",
                "https://intranet.kreis.example",
                "https://termine.kreis.example:8443",
            ]
        )
        + "\n"
    )
