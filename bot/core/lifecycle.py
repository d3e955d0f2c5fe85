"""In-flight work, so a shutdown lets running handlers and posts finish first."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class InFlight:
    """The tasks currently doing user-visible work (a command, a click, a daily post)."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[object]] = set()

    @contextmanager
    def track(self) -> Iterator[None]:
        """Mark the current task as in flight while the block runs."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self.tasks.add(task)
        try:
            yield
        finally:
            self.tasks.discard(task)

    async def drain(self, grace: float) -> int:
        """Wait up to `grace` seconds for in-flight work; return how many were still running."""
        current = asyncio.current_task()
        pending = {t for t in self.tasks if t is not current and not t.done()}
        if not pending:
            return 0
        _, still = await asyncio.wait(pending, timeout=grace)
        return len(still)
