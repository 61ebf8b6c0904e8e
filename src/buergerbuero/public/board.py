"""The status board for pages and the API: from this process's status hub when it has one,
from the database otherwise.

Recomputing the board costs four queries and about 9 ms; the hub already holds it, kept
current by every announced change (across processes through Redis) and by the ticker
(docs/benchmarks.md, "Pages"). What each reader needs (the rows, the bytes of
`status.json`, its ETag) is derived once per board, not once per request.
"""

import hashlib
from dataclasses import dataclass

from django.http import JsonResponse

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
