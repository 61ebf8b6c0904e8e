"""One trip to the database thread for many sockets asking the same kind of question.

Every socket of a process shares one database thread. When a crowd of sockets asks the
same thing at once (a restart brings 1,000 waiting rooms back within seconds; a knock
makes every waiting room of its department ask for its new place), a trip each queues
them one behind the other, and each trip repeats the same department-wide queries.
Gathered, each trip takes every key that came while the trip before it was running, and
the function answers them all together (docs/benchmarks.md, "Reconnect storm").

Each caller gets the answer of a trip that started after it asked: never an answer older
than its question.
"""

import asyncio
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

from channels.db import database_sync_to_async

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


class Gathered(Generic[K, R]):
    """`await gathered(key)`: `function(keys)`'s answer for `key` (None when it has none),
    `function` taking a set of keys and returning a mapping (or None, for writes). An
    exception from `function` is raised to every caller of that trip."""

    def __init__(self, function: Callable[[set[K]], Mapping[K, R] | None]) -> None:
        self.function = function
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reset()

    def _reset(self) -> None:
        self._keys: set[K] = set()
        self._next: asyncio.Future | None = None  # done when the gathering keys are answered
        self._runner: asyncio.Task | None = None

    async def __call__(self, key: K) -> R | None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests): nothing pending carries over
            self._loop = loop
            self._reset()
        if self._next is None:
            self._next = loop.create_future()
        self._keys.add(key)
        answered = self._next
        if self._runner is None or self._runner.done():
            self._runner = loop.create_task(self._run())
        # Shielded: a caller that goes away (its socket closed) does not cancel the others'.
        answers = await asyncio.shield(answered)
        return answers.get(key)

    async def _run(self) -> None:
        while self._keys:
            keys, self._keys = self._keys, set()
            done, self._next = self._next, None
            assert done is not None
            try:
                answers = await database_sync_to_async(self.function)(keys)
            except Exception as error:  # for every caller to handle, as if it were its own
                done.set_exception(error)
            else:
                done.set_result(answers or {})
