"""One terminal round at a time per database: an OS file lock next to the database file.

The kernel releases the lock when the process holding it ends, however it ends (Ctrl-C, a
crash, kill -9), so a lock file left behind by a dead process never blocks the next one: only
a running process can hold it. The file also names that process for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import TextIO


class PracticeBusy(Exception):
    """Another running process holds the database's practice lock."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder  # its pid as it wrote it; '' if it had not written it yet


class PracticeLock:
    """The practice lock of one database file."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".practice-lock")
        self.handle: TextIO | None = None

    def acquire(self) -> None:
        """Take the lock, or raise PracticeBusy at once (never wait); OSError if the file
        cannot be made."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise PracticeBusy(holder) from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        """Give the lock up (closing the file releases it)."""
        if self.handle is not None:
            self.handle.truncate(0)
            self.handle.close()
            self.handle = None
