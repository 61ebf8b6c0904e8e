"""A database that is away or out of connections: the page says "try again in a moment"
(503, Retry-After), in the visitor's language, never a 500."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, OperationalError
from django.test import RequestFactory
from django.utils import translation

from buergerbuero.operations.busy import DatabaseBusyMiddleware


def raising(error):
    def view(request):
        raise error

    return view


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_unreachable_database_gives_a_503_page_with_retry_after(language):
    request = RequestFactory().post("/fachbereich/wohngeld/anklopfen/")
    middleware = DatabaseBusyMiddleware(raising(OperationalError("pool timeout")))
    with translation.override(language):
        response = middleware.process_exception(request, OperationalError("pool timeout"))
        expected = translation.gettext("Please try again in a moment")
    assert (response.status_code, response["Retry-After"], response["Cache-Control"]) == (
        503,
        "5",
        "no-store",
    )
    assert expected in response.content.decode()


def test_other_database_errors_are_not_hidden():
    request = RequestFactory().get("/")
    middleware = DatabaseBusyMiddleware(raising(IntegrityError("bug")))
    assert middleware.process_exception(request, IntegrityError("bug")) is None


def test_the_busy_page_needs_no_database():
    # No database access is allowed in this test: the session (and the messages stored in
    # it) live in the database that just failed, so the page must render without them,
    # even for a visitor who has a session.
    request = RequestFactory().get("/fachbereich/wohngeld/")
    request.session = SessionStore("a-session-the-database-would-have-to-load")
    middleware = DatabaseBusyMiddleware(raising(OperationalError("down")))
    response = middleware.process_exception(request, OperationalError("down"))
    assert response.status_code == 503
    assert 'href="/fachbereich/wohngeld/"' in response.content.decode()
