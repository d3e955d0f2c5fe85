"""Pacing requests under Discord's global limit (50/s) when many posts are due at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pacer:
    """Hands out evenly spaced send slots: `rate` per second, with a small burst.

    discord.py reacts to 429s but does not pace itself, and a global 429 stalls every request
    of the bot; pacing ahead of it keeps daily fan-out from ever tripping one.
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.interval = 1.0 / rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self.granted = 0

    async def acquire(self, cost: int = 1) -> None:
        """Wait for the next free slot, reserving `cost` slots in a row (a post and its
        thread go out together instead of every thread queueing behind every post). Slots
        are reserved before sleeping, so concurrent callers queue in order without a lock."""
        now = self._clock()
        slot = max(now - (self.burst - 1) * self.interval, self._next)
        self._next = slot + cost * self.interval
        self.granted += cost
        delay = slot - now
        if delay > 0:
            await self._sleep(delay)
