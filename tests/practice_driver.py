"""Drive `python -m bot practice` as a person would: piped, live over a pipe, or in a terminal.

Every wait is for something the program does (a line it prints, a row it saves, its exit),
bounded only by a generous guard against hangs, never a fixed delay.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.helpers import ROOT, run_bot

GUARD = 120.0  # seconds: only ever reached if the program hangs
STOPPED = "Stopped. Your round is saved: practice --resume goes on, --abandon drops it."
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|[\x07\x08]")
CPR_QUERY = b"\x1b[6n"  # "where is the cursor?": a terminal answers it, so the driver does


def config(tmp_path: Path, extra: str = "") -> Path:
    """Settings for a database in the test's folder."""
    path = tmp_path / "config.toml"
    path.write_text(f'[bot]\ndatabase = "{database(tmp_path)}"\n{extra}', encoding="utf-8")
    return path


def database(tmp_path: Path) -> Path:
    """The test's database file."""
    return tmp_path / "practice.sqlite3"


def practise(
    tmp_path: Path, stdin: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A terminal round with its whole input piped in at once."""
    return run_bot(
        "--config", str(config(tmp_path)), "practice", *args, cwd=tmp_path, stdin=stdin, env=env
    )


def rows(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    """What the database holds."""
    with sqlite3.connect(database(tmp_path)) as db:
        return db.execute(sql).fetchall()


def saved_round(tmp_path: Path) -> dict[str, Any]:
    """The state of the only round."""
    ((state,),) = rows(tmp_path, "SELECT state FROM rounds")
    return json.loads(state)


def move_back(tmp_path: Path, hours: float) -> None:
    """Make every stored time of the rounds `hours` older: as if the program had been closed
    that long ago."""
    back = timedelta(hours=hours)
    with sqlite3.connect(database(tmp_path)) as db:
        for round_id, text, updated in db.execute("SELECT id, state, updated_at FROM rounds"):
            state = json.loads(text)
            for key in ("started_at", "part_started", "deadline", "paused_at"):
                if state.get(key):
                    state[key] = (datetime.fromisoformat(state[key]) - back).isoformat()
            older = (datetime.fromisoformat(updated) - back).isoformat()
            db.execute(
                "UPDATE rounds SET state = ?, updated_at = ? WHERE id = ?",
                (json.dumps(state), older, round_id),
            )


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll a condition the program brings about (a saved row), bounded by the guard."""
    end = time.monotonic() + GUARD
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.05)


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "COLUMNS", "LINES")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


class Output:
    """Text a process writes, collected by a thread, waited on by the test."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.changed = threading.Condition()

    def add(self, chunk: bytes) -> None:
        with self.changed:
            self.data.extend(chunk)
            self.changed.notify_all()

    def text(self) -> str:
        """What was written so far, without terminal control sequences."""
        with self.changed:
            raw = bytes(self.data)
        return ESCAPES.sub(b"", raw).replace(b"\r", b"").decode("utf-8", errors="replace")

    def count(self, needle: bytes) -> int:
        with self.changed:
            return self.data.count(needle)

    def wait_for(self, needle: str | bytes, times: int = 1) -> None:
        """Until `needle` has been written `times` times: bytes as written, text as shown
        (without control sequences, which a terminal draws between the characters typed)."""

        def seen() -> int:
            if isinstance(needle, bytes):
                return self.data.count(needle)
            return ESCAPES.sub(b"", bytes(self.data)).replace(b"\r", b"").count(needle.encode())

        with self.changed:
            found = self.changed.wait_for(lambda: seen() >= times, GUARD)
        assert found, f"gave up waiting for {needle!r}; got:\n{self.text()[-3000:]}"


class LiveRun:
    """`practice` with its stdin kept open: the test writes lines as a person would.
    `last_read`: stop reading the output once it has shown this (see leave)."""

    def __init__(self, tmp_path: Path, *args: str, last_read: str = "") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config(tmp_path)), "practice", *args],
            cwd=tmp_path,
            env=_environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.out = Output()
        self.last_read = last_read.encode()
        assert self.process.stdout is not None
        self.pump = threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True)
        self.pump.start()

    def _pump(self, stream: Any) -> None:
        while chunk := stream.read1(65536):
            self.out.add(chunk)
            if self.last_read and self.last_read in self.out.data:
                return

    def leave(self) -> None:
        """Once the output has shown `last_read`, close it, as a reader that has gone would (a
        pager quit, `| head`): the program's next write finds nobody."""
        self.pump.join(GUARD)
        assert not self.pump.is_alive(), "the output never showed what was to be read last"
        assert self.process.stdout is not None
        self.process.stdout.close()

    def send(self, text: str | bytes) -> None:
        """Type lines (bytes: exactly these, in whatever encoding)."""
        assert self.process.stdin is not None
        self.process.stdin.write(text if isinstance(text, bytes) else text.encode())
        self.process.stdin.flush()

    def finish(self, text: str | bytes = "") -> tuple[int, str, str]:
        """Type the last lines, end the input; (exit status, stdout, stderr)."""
        assert self.process.stdin is not None
        self.send(text)
        self.process.stdin.close()
        return self.wait()

    def wait(self) -> tuple[int, str, str]:
        """Wait for the exit; (exit status, stdout, stderr)."""
        status = self.process.wait(GUARD)
        self.pump.join(GUARD)  # everything written before the exit has been read
        assert self.process.stderr is not None
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.process.stdout.close()
        return status, self.out.text(), self.process.stderr.read().decode()


class TerminalRun:
    """`practice` in a pseudo-terminal of a given size, read and typed into as a terminal
    emulator would (it answers the cursor-position queries that prompt_toolkit sends)."""

    def __init__(self, tmp_path: Path, *args: str, columns: int = 80, settings: str = "") -> None:
        path = config(tmp_path, settings)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(path), "practice", *args],
            cwd=tmp_path,
            env=_environment({"TERM": "xterm-256color"}),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.out = Output()
        self.keyboard = threading.Lock()  # a reply to a query never lands inside a paste
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        tail = b""  # a query may be split between two reads
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every process holding the terminal has ended
                return
            if not chunk:
                return
            for _ in range((tail + chunk).count(CPR_QUERY)):
                self.type(b"\x1b[24;1R")  # answered before the test can see what follows
            tail = (tail + chunk)[-(len(CPR_QUERY) - 1) :]
            self.out.add(chunk)

    def prompts(self) -> int:
        """How many prompts were drawn so far (each turns bracketed paste on)."""
        return self.out.count(b"\x1b[?2004h")

    def type(self, keys: bytes) -> None:
        """Keys as the terminal sends them (Enter is \\r), all of them, in one piece."""
        with self.keyboard:
            view = memoryview(keys)
            while view:
                view = view[os.write(self.master, view) :]

    def at_prompt(self, number: int) -> None:
        """Wait until the `number`-th prompt is drawn and reading keys."""
        self.out.wait_for(b"\x1b[?2004h", times=number)

    def finish(self) -> tuple[int, str]:
        """Wait for the exit; (status, everything shown, without control sequences)."""
        status = self.process.wait(GUARD)
        self.reader.join(GUARD)
        os.close(self.master)
        return status, self.out.text()
