"""Telling the operator, once, that a shared service (Redis) has stopped answering.

During an outage every request and every socket hits the same error; a traceback each
time would bury the log (a probe counted 196 in ten seconds on one process). An
`Outage` logs one WARNING when the service first fails and one INFO when it answers
again, per process.
"""

import logging
import threading

import redis

# What Redis (Django's cache, channels-redis, redis-py) raises when it cannot be reached
# or stops answering; OSError covers a socket that breaks below redis-py.
UNREACHABLE = (redis.exceptions.RedisError, OSError)


class Outage:
    def __init__(self, logger: logging.Logger, what: str, fallback: str) -> None:
        self.logger = logger
        self.what = what
        self.fallback = fallback
        self.down = False
        self._lock = threading.Lock()

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
        self.logger.warning(
            "%s unreachable (%s: %s); %s",
            self.what,
            type(error).__name__,
            error,
            self.fallback,
        )

    def recovered(self) -> None:
        with self._lock:
            if not self.down:
                return
            self.down = False
        self.logger.info("%s answers again", self.what)
