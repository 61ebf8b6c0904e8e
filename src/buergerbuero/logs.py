"""What the office's logs may hold, and in which shape.

Shape (`LOG_FORMAT`): one JSON object per line (`json`, the default without DEBUG) with
`timestamp` (ISO 8601, UTC), `level`, `logger`, `message` and `request_id`, or a line of
text (`text`, for `make run`). The request id is made per HTTP request and per WebSocket
connection (`live/request_ids.py`, through the `request_id` context variable), or taken
from the request's `X-Request-ID` when that is a safe token, so one request's lines can
be found together, and with nginx's.

No client address: uvicorn writes the client's IP address first on every access line and
every WebSocket handshake line; `WithoutClientAddress` drops it, so even the access log
may stay on. No name, topic, booking code or e-mail address: nothing of ours logs them
(an SMTP refusal, which quotes the address, is logged by its kind only), and the mail
console backend, which prints whole mails, is for trying things out only.

No secret from a URL, and no error for a client's fault:

A booking's or invitation's token, a waiting-room entry id and a room id are keys: whoever
reads them from a log can open the booking, the invitation or the person's socket. Django
logs every 4xx and 5xx with the path (`django.request`, and `django.security.csrf` for a
refused form), uvicorn every request (`uvicorn.access`, when the access log is on) and
every WebSocket handshake (`uvicorn.error`). `RedactSecrets` replaces those path segments
(and `?verschieben=<token>`) before any handler sees the record.

A refused request (4xx: a page a staff member may not open, a Host the office does not
serve) is the client's doing, yet Django logs it with the exception's traceback
(`django.request`, `django.security.<kind>`). `ClientErrorsWithoutTraceback` keeps the
line and drops the traceback, so a traceback in the log always means a fault of ours.

The filters are added to the loggers themselves, by `install()` from `LiveConfig.ready`
(after Django has applied settings.LOGGING): a logger-level filter sees every record
logged there, whatever handler the server set up. Through settings.LOGGING, dictConfig
would first remove uvicorn's own handlers from its loggers (and with them the access log,
or bring it back after --no-access-log).
"""

import logging
import re
import secrets
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

REDACTED = "***"
# /termin/<token>/…, /einladung/<token>/, /warteraum/<entry id>/, /gespraech/<room id>/…
# the sockets /ws/warteraum/<entry id>/, /ws/raum/<room id>/ and the API's
# /api/v1/bookings/<token>…: the segment after the prefix, at the start of a path (so
# /fachbereich/<slug>/termin/ keeps its kind and time).
SECRET_SEGMENT = re.compile(
    r"""(?:^|(?<=[\s"'(]))(/(?:ws/)?(?:termin|einladung|warteraum|gespraech|raum)/|/api/v1/bookings/)"""
    r"""[^/?#\s"']+"""
)
SECRET_PARAMETER = re.compile(r"([?&]verschieben=)[^&#\s\"']*")
REDACTED_LOGGERS = (
    "django.request",
    "django.security.csrf",
    "django.server",
    "uvicorn.access",
    "uvicorn.error",
)
# uvicorn's websockets-sansio protocol decodes a text frame itself and, when the client
# sent invalid UTF-8, logs the UnicodeDecodeError with its traceback at ERROR before it
# closes the socket with 1007. The client's fault, not the server's.
INVALID_UTF8 = "Invalid UTF-8 sequence received from client."


def redact(text: str) -> str:
    return SECRET_PARAMETER.sub(rf"\g<1>{REDACTED}", SECRET_SEGMENT.sub(rf"\g<1>{REDACTED}", text))


class RedactSecrets(logging.Filter):
    """Redacts the message and each text argument, keeping the arguments' shape (uvicorn's
    access formatter unpacks them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        return True


def _redacted(value):
    return redact(value) if isinstance(value, str) else value


class ClientProtocolErrors(logging.Filter):
    """A client's invalid UTF-8 becomes one INFO line without a traceback (dropped where
    the logger does not log INFO, e.g. under --log-level warning)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != INVALID_UTF8:
            return True
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        record.msg = "WebSocket closed (1007): the client sent text that is not UTF-8."
        record.exc_info = record.exc_text = None
        return logging.getLogger(record.name).isEnabledFor(logging.INFO)


class ClientErrorsWithoutTraceback(logging.Filter):
    """Django's line for a 4xx without the traceback Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = record.exc_text = None
        return True


def client_error_loggers() -> list[str]:
    """django.request, and the logger Django picks for each kind of suspicious request
    (`django.security.DisallowedHost`, …: the exception's class name)."""
    from django.core.exceptions import SuspiciousOperation

    kinds, found = [SuspiciousOperation], []
    while kinds:
        kind = kinds.pop()
        found.append(f"django.security.{kind.__name__}")
        kinds.extend(kind.__subclasses__())
    return ["django.request", *sorted(found)]


# An incoming X-Request-ID is kept when it is this kind of token (a UUID, nginx's
# $request_id, a load balancer's); anything else is replaced, so a client cannot write
# arbitrary text into every line of its request.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
NO_REQUEST = "-"
# What every JSON line has.
LINE_KEYS = ("timestamp", "level", "logger", "message", "request_id")
request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def new_request_id(incoming: str = "") -> str:
    return incoming if SAFE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(16)


class RequestId(logging.Filter):
    """Adds the current request's id (`-` outside a request: the ticker, start-up)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


# uvicorn's lines that start with the client's address ('%s - "GET …" 200',
# '%s - "WebSocket …" [accepted]').
CLIENT_FIRST = "%s - "


class WithoutClientAddress(logging.Filter):
    """Drops the client's address from uvicorn's access and handshake lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            isinstance(record.msg, str)
            and record.msg.startswith(CLIENT_FIRST)
            and isinstance(record.args, tuple)
            and record.args
        ):
            record.msg = record.msg[len(CLIENT_FIRST) :]
            record.args = record.args[1:]
        return True


class OfficeJsonFormatter(JsonFormatter):
    """Only the fields named here: a library's `extra` may carry anything (Django's
    `django.request` passes the whole request, whose repr holds the path with a booking
    token; uvicorn a copy of the message with terminal colours)."""

    FIELDS = frozenset({*LINE_KEYS, "exc_info", "stack_info", "status_code"})

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in [key for key in log_data if key not in self.FIELDS]:
            del log_data[key]


def json_formatter() -> logging.Formatter:
    return OfficeJsonFormatter(
        "{levelname}{name}{message}{request_id}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,  # record.created as ISO 8601 in UTC
        json_ensure_ascii=False,
    )


def text_formatter() -> logging.Formatter:
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


FORMATTERS = {"json": json_formatter, "text": text_formatter}
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def install(log_format: str = "json") -> None:
    """Adds the filters to their loggers, and gives uvicorn's own handlers (set up before
    Django, with a formatter that expects the client's address) the office's format.
    Once, however often it is called."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithoutClientAddress) for f in logger.filters):
            logger.addFilter(WithoutClientAddress())
    # Python's warnings as log records too, so that every line has the one format.
    logging.captureWarnings(True)
    for name in UVICORN_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(FORMATTERS[log_format]())
            if not any(isinstance(f, RequestId) for f in handler.filters):
                handler.addFilter(RequestId())
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, ClientProtocolErrors) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(ClientProtocolErrors())
    for name in client_error_loggers():
        logger = logging.getLogger(name)
        if not any(isinstance(f, ClientErrorsWithoutTraceback) for f in logger.filters):
            logger.addFilter(ClientErrorsWithoutTraceback())
