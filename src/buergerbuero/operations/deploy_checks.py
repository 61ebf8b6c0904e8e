"""`manage.py check --deploy`: settings that work on a laptop but must not reach
production fail the check (docs/operations.md, "Before going live").

Each is an Error, not a Warning, so `check --deploy` in a deploy script stops the rollout.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from buergerbuero.public import info_pages, sign_language

# As Django's security.W009, but refused: a key anyone may guess signs sessions and
# booking links.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
SECRET_KEY_INSECURE_PREFIX = "django-insecure-"  # noqa: S105 - startproject's mark, not a key


def _is_local(host: str) -> bool:
    if host in {"", "localhost"} or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def site_url_is_public(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Links in booking mails and calendar files are built from SITE_URL: a local or
    plain-HTTP address sends citizens nowhere, or over an unencrypted connection."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and not _is_local(parts.hostname or ""):
        return []
    return [
        checks.Error(
            f"SITE_URL is {settings.SITE_URL!r}: not the office's public HTTPS address.",
            hint="Set SITE_URL to the address citizens open, e.g. "
            "https://buergerbuero.kreis.example (docs/deploy.md).",
            id="buergerbuero.E201",
        )
    ]


def secret_key_is_strong(app_configs, **kwargs) -> list[checks.CheckMessage]:
    key = settings.SECRET_KEY
    if (
        len(key) >= SECRET_KEY_MIN_LENGTH
        and len(set(key)) >= SECRET_KEY_MIN_UNIQUE_CHARACTERS
        and not key.startswith(SECRET_KEY_INSECURE_PREFIX)
    ):
        return []
    return [
        checks.Error(
            f"SECRET_KEY is a default or too weak: it needs at least {SECRET_KEY_MIN_LENGTH} "
            f"characters, {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, and no "
            f"'{SECRET_KEY_INSECURE_PREFIX}' prefix.",
            hint="Unset SECRET_KEY to have a random key made in BB_VAR_DIR, or set one from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
            id="buergerbuero.E202",
        )
    ]


def turn_is_configured(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Without TURN, citizens behind a strict firewall or a mobile carrier's NAT get a
    call page but no picture and no sound."""
    missing = [name for name in ("TURN_URLS", "TURN_SECRET") if not getattr(settings, name)]
    if not missing:
        return []
    return [
        checks.Error(
            f"{' and '.join(missing)} not set: calls fail for everyone whose network blocks "
            "direct connections.",
            hint="Run coturn with use-auth-secret and set TURN_URLS and TURN_SECRET "
            "(docs/deploy.md, TURN).",
            id="buergerbuero.E203",
        )
    ]


def metrics_are_not_public(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """/metrics tells anyone who may read it how many people wait where, and when the
    office is unstaffed: for the monitoring only."""
    everyone = [str(n) for n in settings.METRICS_ALLOWED_NETWORKS if n.prefixlen == 0]
    if not everyone or settings.METRICS_TOKEN:
        return []
    return [
        checks.Error(
            f"METRICS_ALLOWED_NETWORKS includes {', '.join(everyone)} and METRICS_TOKEN is "
            "not set: every address may read /metrics.",
            hint="List the monitoring's addresses (e.g. 10.0.5.0/24) or set METRICS_TOKEN "
            "(docs/operations.md, Metrics).",
            id="buergerbuero.E204",
        )
    ]


def accessibility_statement_is_complete(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """The statement (BITV 2.0 § 7) must name a contact that answers, link the enforcement
    body, and carry its date; otherwise the page shows red notices to citizens instead."""
    found: list[checks.CheckMessage] = []
    contact = {line.kind: line.value for line in info_pages.feedback_contact()}
    email = contact.get("email", "")
    try:
        if email:
            validate_email(email)
    except ValidationError:
        found.append(
            checks.Error(
                f"The accessibility feedback e-mail {email!r} is not an e-mail address.",
                hint="Set ACCESSIBILITY_CONTACT_EMAIL (docs/accessibility.md).",
                id="buergerbuero.E205",
            )
        )
    if not email and not contact.get("phone"):
        found.append(
            checks.Error(
                "The accessibility statement names no e-mail address or phone number for "
                "feedback about barriers.",
                hint="Set ACCESSIBILITY_CONTACT_EMAIL or ACCESSIBILITY_CONTACT_PHONE, or "
                "PRIVACY_CONTROLLER_EMAIL (docs/accessibility.md).",
                id="buergerbuero.E205",
            )
        )
    body = info_pages.enforcement_body()
    url = urlsplit(body["url"])
    if not body["name"] or url.scheme != "https" or _is_local(url.hostname or ""):
        found.append(
            checks.Error(
                f"The enforcement body is {body['name']!r} at {body['url']!r}: the statement "
                "must name it and link its public HTTPS page.",
                hint="Set ACCESSIBILITY_ENFORCEMENT_NAME and ACCESSIBILITY_ENFORCEMENT_URL "
                "to your state's body (docs/accessibility.md).",
                id="buergerbuero.E206",
            )
        )
    if info_pages.statement_date() is None:
        found.append(
            checks.Error(
                f"ACCESSIBILITY_STATEMENT_DATE is {settings.ACCESSIBILITY_STATEMENT_DATE!r}: "
                "not a date (YYYY-MM-DD).",
                hint="Set it to the day the statement was last reviewed.",
                id="buergerbuero.E207",
            )
        )
    return found


def sign_language_video_is_usable(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A configured sign-language video (BITV 2.0 § 4) that cannot load, or has no
    captions, is an error. None at all is not: /gebaerdensprache/ and the statement then
    say honestly that there is none yet, with a notice for the operator."""
    problems = sign_language.problems()
    if not problems:
        return []
    return [
        checks.Error(
            " ".join(problems),
            hint="See docs/accessibility.md, German Sign Language.",
            id="buergerbuero.E208",
        )
    ]


ALL = [
    site_url_is_public,
    secret_key_is_strong,
    turn_is_configured,
    metrics_are_not_public,
    accessibility_statement_is_complete,
    sign_language_video_is_usable,
]
