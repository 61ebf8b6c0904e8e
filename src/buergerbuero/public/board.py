"""The status board for pages and the API: from this process's status hub when it has one,
from the database otherwise.

Recomputing the board costs four queries and about 9 ms; the hub already holds it, kept
current by every announced change (across processes through Redis) and by the ticker
(docs/benchmarks.md, "Pages"). What each reader needs (the rows, the bytes of
`status.json`, its ETag) is derived once per board, not once per request.
"""

import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from buergerbuero.live.outgoing import Status
from buergerbuero.live.statusboard import hub
from buergerbuero.office.status import BoardRow, StatusDocument, board


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]
    # `GET /status.json`, byte for byte what JsonResponse makes of the StatusDocument.
    document: bytes
    etag: str
    # The hub's text this was derived from; None when read from the database.
    text: str | None = None

    def row(self, slug: str) -> BoardRow | None:
        return next((row for row in self.rows if row.slug == slug), None)


_last: Board | None = None


def from_rows(rows: list[BoardRow], text: str | None = None) -> Board:
    document = JsonResponse(StatusDocument(departments=rows).model_dump(mode="json")).content
    etag = '"' + hashlib.blake2b(document, digest_size=12).hexdigest() + '"'
    return Board(rows=rows, document=document, etag=etag, text=text)


def current() -> Board:
    """The board as citizens see it now: no query when the hub has it."""
    global _last
    text = hub.board_text()
    if text is None:
        return from_rows(board())
    last = _last
    if last is not None and last.text == text:
        return last
    # Two threads may both derive a new board: the same value, so either may win.
    _last = from_rows(Status.model_validate_json(text).departments, text)
    return _last


def live() -> Board | None:
    """The hub's board, or None in a process without one (a command, a test without the
    lifespan): a caller that only wants to save queries then reads the database itself
    rather than the whole board."""
    if hub.board_text() is None:
        return None
    return current()


# Rendered fragments of the current board: rendering the overview's list costs far more
# than the rest of the page (docs/benchmarks.md, "Pages"). Keyed on everything the
# fragment shows, so a stale one can never be served; emptied when it grows (a new board
# makes all earlier keys unreachable).
_fragments: dict[tuple, str] = {}
FRAGMENTS_MAX = 64


def fragment(template_name: str, board: Board, departments: list) -> SafeString:
    """`template_name` rendered with `departments` ((Department, BoardRow) pairs) in the
    active language, once per board, language and the departments' names and summaries."""
    key = (
        template_name,
        board.etag,
        get_language(),
        tuple((d.slug, d.name, d.summary) for d, _row in departments),
    )
    html = _fragments.get(key)
    if html is None:
        if len(_fragments) >= FRAGMENTS_MAX:
            _fragments.clear()
        html = render_to_string(template_name, {"departments": departments})
        _fragments[key] = html
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped by it


# Whole pages for visitors without a session: rendered once per board and language and
# kept for at most one tick (10 s), so a department's summary edited in the admin shows
# as soon as an unannounced change of the board would. Such a visitor's page differs from
# another's only in the CSRF token of the language switcher, which is swapped in. No
# query, no session read.
PAGE_SECONDS = 10.0
_pages: dict[tuple, tuple[float, str, bytes]] = {}
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def anonymous(request: HttpRequest) -> bool:
    """No session and no flashed messages to show: the page is the same for everyone."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and not request.GET
    )


def _page_key(name: str, board: Board) -> tuple:
    return (name, board.etag, get_language())


def cached_page(request: HttpRequest, name: str, board: Board) -> HttpResponse | None:
    if board.text is None or not anonymous(request):
        return None
    found = _pages.get(_page_key(name, board))
    if found is None or time.monotonic() - found[0] > PAGE_SECONDS:
        return None
    _at, token, content = found
    # get_token also makes the CSRF middleware set the cookie, as rendering would.
    return HttpResponse(content.replace(token.encode(), get_token(request).encode()))


def keep_page(request: HttpRequest, name: str, board: Board, response: HttpResponse) -> None:
    if board.text is None or not anonymous(request) or response.status_code != 200:
        return
    token = CSRF_FIELD.search(response.content)
    if token is None:
        return
    if len(_pages) >= FRAGMENTS_MAX:
        _pages.clear()
    _pages[_page_key(name, board)] = (time.monotonic(), token.group(1).decode(), response.content)


def forget_pages() -> None:
    """For tests that change a department behind the board's back."""
    _pages.clear()
    _fragments.clear()
