"""HTTP through the office's ASGI handler: Django's middleware and views as one
synchronous stack, in one trip to the request's thread, answering as Django's own
handler does (pages, JSON, refusals, not found)."""

import asyncio
import threading

import pytest
from asgiref.sync import iscoroutinefunction
from channels.testing import HttpCommunicator

from buergerbuero.asgi import django_asgi_app
from buergerbuero.http_handler import SyncStackASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


async def get(path: str, method: str = "GET", body: bytes = b"") -> dict:
    communicator = HttpCommunicator(
        django_asgi_app, method, path, body=body, headers=[(b"host", b"localhost")]
    )
    response = await communicator.get_response(timeout=10)
    await communicator.wait(timeout=10)  # the request's end: its body file is closed
    return response


def test_the_stack_is_built_synchronous():
    assert isinstance(django_asgi_app, SyncStackASGIHandler)
    assert not iscoroutinefunction(django_asgi_app._middleware_chain)


async def test_pages_static_files_and_refusals_answer_as_before(make_department, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    await asyncio.to_thread(make_department, slug="wohngeld", name="Wohngeld")
    overview = await get("/")
    assert overview["status"] == 200 and b"Wohngeld" in overview["body"]
    headers = {name.lower(): value for name, value in overview["headers"]}
    assert headers[b"content-language"] == b"de"
    # Static files (streamed) are served under uvicorn in the browser tests: the test
    # communicator stops reading a streamed body after its first part.
    status = await get("/status.json")
    assert status["status"] == 200 and b'"departments"' in status["body"]
    missing = await get("/fachbereich/gibt-es-nicht/")
    assert missing["status"] == 404
    # A form sent without its CSRF token is refused with the office's own page.
    refused = await get("/fachbereich/wohngeld/anklopfen/", "POST", b"display_name=Ada")
    assert refused["status"] == 403 and b"<html" in refused["body"]


async def test_the_view_runs_in_a_thread_of_its_own_not_on_the_event_loop(monkeypatch):
    seen = []
    from buergerbuero.operations import middleware

    original = middleware.ProbeMiddleware.__call__

    def recording(self, request):
        seen.append(threading.get_ident())
        return original(self, request)

    monkeypatch.setattr(middleware.ProbeMiddleware, "__call__", recording)
    handler = SyncStackASGIHandler()
    communicator = HttpCommunicator(handler, "GET", "/healthz", headers=[(b"host", b"localhost")])
    response = await communicator.get_response(timeout=10)
    await communicator.wait(timeout=10)
    assert response["status"] == 200
    assert seen and seen[0] != threading.get_ident()
