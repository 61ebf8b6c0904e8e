"""What the office's logs may hold: no secret from a URL, and no error for a client's fault.

A booking's or invitation's token, a waiting-room entry id and a room id are keys: whoever
reads them from a log can open the booking, the invitation or the person's socket. Django
logs every 4xx and 5xx with the path (`django.request`, and `django.security.csrf` for a
refused form), uvicorn every request (`uvicorn.access`, when the access log is on) and
every WebSocket handshake (`uvicorn.error`). `RedactSecrets` replaces those path segments
(and `?verschieben=<token>`) before any handler sees the record.

The filters are added to the loggers themselves, by `install()` from `LiveConfig.ready`
(after Django has applied settings.LOGGING): a logger-level filter sees every record
logged there, whatever handler the server set up. Through settings.LOGGING, dictConfig
would first remove uvicorn's own handlers from its loggers (and with them the access log,
or bring it back after --no-access-log).
"""

import logging
import re

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


def install() -> None:
    """Adds the filters to their loggers, once however often it is called."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, ClientProtocolErrors) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(ClientProtocolErrors())
