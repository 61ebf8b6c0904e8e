"""The Redis channel layer, without losing an event when a socket closes.

channels-redis receives the events of all the sockets of a process through one of them
at a time: the socket whose receive holds the layer's lock pops the process's next event
from Redis (BZPOPMIN) and puts it in the buffer of the socket it is for. When that socket
closed at that moment, its receive was cancelled, and an event Redis had already handed
out was lost with it, whichever socket it was for (channels-redis issue 366). Here it
happened when a citizen's waiting room closed as the citizen entered the call: the first
event to the staff's call socket, the citizen's offer, never arrived, and both sides said
"Connecting…" for good (about one admission in twenty on a busy machine).

Here one task of the process's own pops the events (`_read`), for as long as the process
runs, and no socket's closing cancels it; a socket's receive only waits for its buffer.
The rest is channels-redis's: sending, groups, capacity, expiry, the backup queue. When
Redis cannot be reached, every socket waiting for an event hears the error at once (as
each did, in turn, when its receive took the lock) and is closed to come back later
(protocol.py); the next receive starts the reading again.
"""

import asyncio
import contextlib

from channels_redis import core


class RedisChannelLayer(core.RedisChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._reader: asyncio.Task | None = None
        self._waiting: dict[str, asyncio.Future] = {}
        # The sockets that receive: from their first receive (a consumer's first step)
        # until a receive of theirs ends without an event (cancelled: the socket closed).
        # Events for others are dropped, not kept in a buffer nobody reads.
        self._receiving: set[str] = set()

    async def receive(self, channel):
        if "!" not in channel:
            # A plain channel, read directly (we have none): as channels-redis does.
            return await super().receive(channel)
        assert self.require_valid_channel_name(channel)
        self._receiving.add(channel)
        if self.receive_buffer[channel].empty():
            self._read_on(self.non_local_name(channel))
            waiter = asyncio.get_running_loop().create_future()
            self._waiting[channel] = waiter
            try:
                await waiter
            except BaseException:
                # Cancelled (the socket closed) or Redis unreachable (it is closed now):
                # nobody reads this channel any more.
                self._receiving.discard(channel)
                self.receive_buffer.pop(channel, None)
                raise
            finally:
                if self._waiting.get(channel) is waiter:
                    del self._waiting[channel]
        buffer = self.receive_buffer[channel]
        message = buffer.get_nowait()
        if buffer.empty():
            del self.receive_buffer[channel]
        return message

    def _read_on(self, process_channel: str) -> None:
        loop = asyncio.get_running_loop()
        if self._reader is None or self._reader.done() or self._reader.get_loop() is not loop:
            self._reader = loop.create_task(self._read(process_channel))

    async def _read(self, process_channel: str) -> None:
        """The process's events, each into the buffer of every socket it is for."""
        try:
            while True:
                channel, message = await self.receive_single(process_channel)
                for name in channel if isinstance(channel, list) else [channel]:
                    if name not in self._receiving:
                        continue
                    self.receive_buffer[name].put_nowait(message)
                    waiter = self._waiting.get(name)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
        except Exception as error:
            for waiter in self._waiting.values():
                if not waiter.done():
                    waiter.set_exception(error)

    async def close_pools(self):
        reader = self._reader
        if reader is not None and not reader.done():
            reader.cancel()
            if reader.get_loop() is asyncio.get_running_loop():
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
        await super().close_pools()
