"""No secret from a URL reaches a log (logs.py): Django logs every refused request with its
path, and the paths of bookings, invitations, waiting rooms and calls carry keys."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.bookings import actions as bookings
from buergerbuero.bookings.availability import available_slots
from buergerbuero.logs import REDACTED_LOGGERS, RedactSecrets, redact

pytestmark = pytest.mark.django_db

# Any key: an unknown one is a guess, or a real one mistyped.
SECRET = "Kx9-secret_Token0123456789abcdef"


def logged_messages(caplog) -> list[str]:
    return [f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records]


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/termin/{SECRET}/", "Not Found: /termin/***/"),
        (f"/termin/{SECRET}/termin.ics", "Not Found: /termin/***/termin.ics"),
        (f"/termin/{SECRET}/qr.svg", "Not Found: /termin/***/qr.svg"),
        (f"/termin/{SECRET}/daten/", "Not Found: /termin/***/daten/"),
        (f"/einladung/{SECRET}/", "Gone: /einladung/***/"),
        (f"/warteraum/{SECRET}/", "Not Found: /warteraum/***/"),
        (f"/gespraech/{SECRET}/", "Not Found: /gespraech/***/"),
        (f"/gespraech/{SECRET}/beendet/", "Not Found: /gespraech/***/beendet/"),
        (f"/api/v1/bookings/{SECRET}", "Not Found: /api/v1/bookings/***"),
    ],
)
def test_a_refused_request_is_logged_without_its_key(caplog, path, logged):
    with caplog.at_level(logging.INFO):
        status = Client().get(path).status_code
    assert status in {404, 410}
    assert logged_messages(caplog) == [f"django.request WARNING {logged}"]


def test_a_refused_form_on_a_real_booking_is_logged_without_its_token(caplog, make_kind):
    # Without the CSRF cookie: django.security.csrf logs the path (django.request then
    # leaves the response alone, as already logged).
    kind = make_kind()
    booking = bookings.book(kind, available_slots(kind)[0][0], "Ada")
    browser = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.INFO):
        status = browser.post(reverse("bookings:cancel", args=[booking.token])).status_code
    assert status == 403
    assert logged_messages(caplog) == [
        "django.security.csrf WARNING Forbidden (CSRF cookie not set.): /termin/***/absagen/"
    ]


def test_every_logger_that_writes_paths_redacts():
    for name in REDACTED_LOGGERS:
        assert any(isinstance(f, RedactSecrets) for f in logging.getLogger(name).filters), name


def test_uvicorns_access_line_keeps_its_shape_and_loses_the_token():
    # uvicorn's access formatter unpacks exactly these five arguments.
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("-", "GET", f"/fachbereich/kfz/termin/?art=2&verschieben={SECRET}", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record) is True
    assert record.args == ("-", "GET", "/fachbereich/kfz/termin/?art=2&verschieben=***", "1.1", 200)


@pytest.mark.parametrize(
    "kept",
    [
        "/fachbereich/kfz/termin/3/2026-03-02T09:00:00+01:00/",
        "/konsole/termine/kfz/?tag=2026-03-02",
        "/datenschutz/",
        "/api/v1/bookings",
        "/api/v1/departments/kfz/kinds/3/slots",
    ],
)
def test_paths_without_a_key_stay_as_they_are(kept):
    assert redact(f"Not Found: {kept}") == f"Not Found: {kept}"


def test_the_apis_booking_paths_lose_the_token():
    line = f'"POST /api/v1/bookings/{SECRET}/move HTTP/1.1" 409'
    assert redact(line) == '"POST /api/v1/bookings/***/move HTTP/1.1" 409'


@pytest.mark.parametrize(
    ("path", "headers", "line"),
    [
        ("/test/403/", {}, "django.request WARNING Forbidden (Permission denied): /test/403/"),
        (
            "/test/400/",
            {},
            "django.security.SuspiciousOperation ERROR a request that makes no sense",
        ),
        (
            "/",
            {"host": "evil.example"},
            "django.security.DisallowedHost ERROR Invalid HTTP_HOST header: 'evil.example'. "
            "You may need to add 'evil.example' to ALLOWED_HOSTS.",
        ),
    ],
)
def test_a_refused_request_is_one_line_without_a_traceback(caplog, settings, path, headers, line):
    settings.ROOT_URLCONF = "tests.operations.raising_urls"
    with caplog.at_level(logging.INFO):
        response = Client(raise_request_exception=False).get(path, headers=headers)
    assert response.status_code in {400, 403}
    assert logged_messages(caplog) == [line]
    assert [(r.exc_info, r.exc_text) for r in caplog.records] == [(None, None)]
    assert "Traceback" not in caplog.text


def test_a_fault_of_ours_keeps_its_traceback(caplog, settings):
    settings.ROOT_URLCONF = "tests.operations.raising_urls"
    with caplog.at_level(logging.INFO):
        assert Client(raise_request_exception=False).get("/test/500/").status_code == 500
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [RuntimeError]
