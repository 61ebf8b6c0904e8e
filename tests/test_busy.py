"""A database that is away or out of connections: the page says "try again in a moment"
(503, Retry-After), in the visitor's language, never a 500."""

import pytest
from django.db import IntegrityError, OperationalError
from django.test import RequestFactory
from django.utils import translation

from buergerbuero.busy import DatabaseBusyMiddleware


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
