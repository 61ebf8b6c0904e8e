"""Many citizens click the same slot at the same moment: real parallel HTTP requests
against the real server and database (SQLite, or PostgreSQL in the PostgreSQL run)."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from .flows import OFFICE

pytestmark = pytest.mark.e2e
CLIENTS = 8


class Browserless:
    """One citizen's HTTP client with its own cookies (session, CSRF)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        # Like the browser tests: English pages, so assertions read the source texts.
        self.opener.addheaders = [("Accept-Language", "en")]

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base + path},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_parallel_clicks_on_one_slot_book_it_exactly_once(own_server):
    server = own_server({"RATE_BOOK": "1000"})
    page = Browserless(server.url).get(f"/fachbereich/{OFFICE}/termin/")
    slot_path = re.search(r'href="(/fachbereich/[^"]+/termin/\d+/[^"]+/)"', page).group(1)

    clients = [Browserless(server.url) for _ in range(CLIENTS)]
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', c.get(slot_path)).group(1)
        for c in clients
    ]
    start = threading.Barrier(CLIENTS)
    results: list = [None] * CLIENTS

    def click(index: int) -> None:
        start.wait()
        results[index] = clients[index].post(
            slot_path, {"csrfmiddlewaretoken": tokens[index], "display_name": f"Citizen {index}"}
        )

    threads = [threading.Thread(target=click, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    statuses = sorted(status for status, _location, _body in results)
    assert statuses == [302] + [409] * (CLIENTS - 1)
    winner = next(location for status, location, _ in results if status == 302)
    assert re.fullmatch(r"/termin/[\w-]{40,}/", winner)
    # Every loser is told, and offered other free times.
    for status, _location, body in results:
        if status == 409:
            assert "This time has just been booked by someone else." in body
            assert "These times are still free:" in body
    # The slot is gone from the offer.
    assert slot_path not in Browserless(server.url).get(f"/fachbereich/{OFFICE}/termin/")
