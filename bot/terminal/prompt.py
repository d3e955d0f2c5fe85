"""Reading the candidate's lines in the terminal round, from a terminal or from a pipe.

Both readers wait for a line with a timeout (the round's timer wakes the round up) without
losing what is being typed: a wait that times out goes on in the background.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from typing import Protocol

from prompt_toolkit import PromptSession
from prompt_toolkit.application import run_in_terminal

from bot.terminal.text import say


class Interrupted(Exception):
    """Ctrl-C at a prompt (an Exception, not KeyboardInterrupt, so it can leave a task)."""

    typed = ""  # the line that was being typed, so that it can be kept


class Reader(Protocol):
    """Where the round's lines come from."""

    async def line(self, prompt: str = "", wait: float | None = None) -> str | None:
        """The next line; None at end of input; TimeoutError if none came within `wait` s."""

    async def cut_short(self) -> str:
        """Time's up: end the line being typed and return it ('' if none)."""

    async def show(self, text: str) -> None:
        """Print a notice (the timer's) while a line may be half typed."""

    async def close(self) -> None:
        """Stop reading."""


class PipedReader:
    """Lines from a pipe or a file, read in a thread so the timer can interrupt a wait. Once
    the input has ended it stays ended."""

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.loop = loop
        self.ended = False
        threading.Thread(target=self._pump, args=(fd,), daemon=True).start()

    def _post(self, raw: bytes | None) -> bool:
        # Bytes, decoded here: a line in another encoding is shown garbled, not fatal.
        line = None if raw is None else raw.decode("utf-8", errors="replace").rstrip("\r")
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, line)
        except RuntimeError:  # the round is over and its loop closed: nobody is reading
            return False
        return True

    def _pump(self, fd: int) -> None:
        # os.read, not sys.stdin: a thread blocked inside a Python file object holds its lock,
        # and the interpreter aborts if it must close that object at exit (after Ctrl-C).
        pending = bytearray()
        while chunk := _read(fd):
            pending += chunk
            while (end := pending.find(b"\n")) >= 0:
                if not self._post(bytes(pending[:end])):
                    return
                del pending[: end + 1]
        if pending:
            self._post(bytes(pending))
        self._post(None)

    async def line(self, prompt: str = "", wait: float | None = None) -> str | None:
        """The next line; None at end of input; TimeoutError if none came within `wait` s."""
        if self.ended:
            return None
        wait = None if wait is None else max(0.0, wait)
        line = await asyncio.wait_for(self.queue.get(), wait)  # a cancelled get loses nothing
        self.ended = line is None
        return line

    async def cut_short(self) -> str:
        """Lines from a pipe arrive whole: nothing is half typed."""
        return ""

    async def show(self, text: str) -> None:
        """Print a notice."""
        say(text)

    async def close(self) -> None:
        """The reading thread is a daemon: it ends with the program."""


class TerminalReader:
    """Line editing in a real terminal through prompt_toolkit. The terminal's own line editor
    (canonical mode) keeps at most 4,095 characters of a line and drops the rest of a long
    paste without a word; prompt_toolkit reads keys itself, so a line has no such limit."""

    def __init__(self) -> None:
        self.session: PromptSession[str] = PromptSession(interrupt_exception=Interrupted)
        self.pending: asyncio.Task[str] | None = None

    async def line(self, prompt: str = "", wait: float | None = None) -> str | None:
        """The next line; None at Ctrl-D; TimeoutError if none came within `wait` s (the
        prompt stays open, with what was typed)."""
        if self.pending is None:
            self.pending = asyncio.ensure_future(self.session.prompt_async(prompt))
        done, _ = await asyncio.wait(
            {self.pending}, timeout=None if wait is None else max(0.0, wait)
        )
        if not done:
            raise TimeoutError
        return self._take()

    def _take(self) -> str | None:
        task, self.pending = self.pending, None
        assert task is not None
        try:
            return task.result()
        except EOFError:
            return None
        except Interrupted as exc:
            exc.typed = self.session.default_buffer.text
            raise

    async def cut_short(self) -> str:
        """End the prompt with what it holds, as if Enter had been pressed."""
        if self.pending is None:
            return ""
        if not self.pending.done() and self.session.app.is_running:
            self.session.app.exit(result=self.session.default_buffer.text)
        await asyncio.wait({self.pending})
        return self._take() or ""

    async def show(self, text: str) -> None:
        """Print above the prompt, which is then drawn again below with what was typed."""
        if self.pending is not None and self.session.app.is_running:
            await run_in_terminal(lambda: say(text))
        else:
            say(text)

    async def close(self) -> None:
        """Close an open prompt, which puts the terminal back as it was."""
        if self.pending is not None:
            self.pending.cancel()
            await asyncio.gather(self.pending, return_exceptions=True)
            self.pending = None


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 16)
    except OSError:  # stdin closed under us: that is its end
        return b""


def open_reader(loop: asyncio.AbstractEventLoop) -> Reader:
    """prompt_toolkit when a person types in a terminal; plain reads from a pipe or a file
    (and when output is redirected, where drawing a prompt would garble it)."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalReader()
    return PipedReader(sys.stdin.fileno(), loop)
