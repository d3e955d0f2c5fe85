"""``BotProcess``: run a real bot (``python -m bot`` or a script) as a subprocess on the fake."""

# A ``timeout`` argument on waits is this test API's convention.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import FakeDiscord

SITE_DIR = Path(__file__).resolve().parent / "site"
PONGBOT = Path(__file__).resolve().parent / "pongbot.py"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class BotExited(RuntimeError):
    """The bot process ended while we were waiting for it."""


class BotProcess:
    """A bot subprocess with ``DISCORD_TOKEN``, ``FAKE_DISCORD_URL`` and the redirecting
    ``sitecustomize`` on its PYTHONPATH; stdout+stderr go to ``log_path``."""

    def __init__(
        self,
        fake: FakeDiscord,
        *,
        module: str | None = "bot",
        script: str | Path | None = None,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        log_path: str | Path | None = None,
        python: str = sys.executable,
    ) -> None:
        self.fake = fake
        self.module = None if script is not None else module
        self.script = Path(script) if script is not None else None
        self.args = list(args or [])
        self.extra_env = dict(env or {})
        self.cwd = Path(cwd) if cwd is not None else PROJECT_ROOT
        self.log_path = (
            Path(log_path)
            if log_path is not None
            else Path(os.environ.get("TMPDIR", "/tmp"))
            / f"fakediscord-bot-{os.getpid()}-{id(self)}.log"
        )
        self.python = python
        self.proc: asyncio.subprocess.Process | None = None
        self.started_at = 0.0
        self.starts = 0

    def command(self) -> list[str]:
        """The argv that ``start`` runs."""
        target = ["-m", self.module] if self.module else [str(self.script)]
        return [self.python, *target, *self.args]

    def environment(self) -> dict[str, str]:
        """The child's environment."""
        env = dict(os.environ)
        env.update(
            DISCORD_TOKEN=self.fake.token, FAKE_DISCORD_URL=self.fake.url, PYTHONUNBUFFERED="1"
        )
        paths = [str(SITE_DIR), str(PROJECT_ROOT), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        env.update(self.extra_env)
        return env

    async def start(self) -> BotProcess:
        """Start (or restart) the process; output is appended to ``log_path``."""
        if self.running:
            raise RuntimeError("bot process already running")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start #{self.starts + 1}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.started_at = time.time()
            self.proc = await asyncio.create_subprocess_exec(
                *self.command(),
                cwd=self.cwd,
                env=self.environment(),
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL,
            )
        self.starts += 1
        return self

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self.proc is not None and self.proc.returncode is None

    @property
    def returncode(self) -> int | None:
        """The exit code once it ended."""
        return None if self.proc is None else self.proc.returncode

    def log(self, tail: int | None = 60) -> str:
        """The captured output (the last ``tail`` lines)."""
        if not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-tail:] if tail else lines)

    def this_run_log(self) -> str:
        """The output of the current (latest) start only."""
        full = self.log(tail=None)
        marker = f"=== start #{self.starts}:"
        return full[full.rfind(marker) :] if marker in full else full

    async def wait_log(self, text: str, *, timeout: float = 120.0) -> None:
        """Until the current run has logged a line containing ``text`` (an event the bot
        reports); raises BotExited if the process ends first, TimeoutError as a hang guard."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while text not in self.this_run_log():
            if not self.running:
                raise BotExited(f"bot exited with {self.returncode} before {text!r}:\n{self.log()}")
            if loop.time() > deadline:
                raise TimeoutError(f"no log line {text!r} after {timeout:.0f}s:\n{self.log()}")
            await asyncio.sleep(0.05)  # polling the log file; the condition is the event

    async def wait_ready(self, *, sync: bool = False, timeout: float = 120.0) -> None:
        """Until this process IDENTIFYed and got its GUILD_CREATEs (and, with ``sync``, PUT its
        commands) after it started. Raises BotExited with the log tail if it died."""
        watcher = asyncio.create_task(self._exited())
        try:
            ready = asyncio.ensure_future(self._ready(sync, timeout))
            done, _ = await asyncio.wait({ready, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if ready in done:
                ready.result()
                return
            ready.cancel()
            raise BotExited(f"bot exited with {self.returncode} before ready:\n{self.log()}")
        finally:
            watcher.cancel()

    async def _ready(self, sync: bool, timeout: float) -> None:
        try:
            await self.fake.wait_identified(after=self.started_at, timeout=timeout)
            if sync:
                await self.fake.wait_for_request(
                    "PUT /applications/*/commands", after=self.started_at, timeout=timeout
                )
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n--- bot log ---\n{self.log()}") from None

    async def _exited(self) -> None:
        assert self.proc is not None
        await self.proc.wait()

    async def kill(self) -> int:
        """SIGKILL and reap; returns the exit code."""
        return await self._signal(signal.SIGKILL, 5.0)

    async def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM, then SIGKILL after ``timeout``; returns the exit code."""
        try:
            return await self._signal(signal.SIGTERM, timeout)
        except TimeoutError:
            return await self.kill()

    async def interrupt(self, timeout: float = 60.0) -> int:
        """SIGINT (Ctrl-C), then SIGKILL after ``timeout``."""
        try:
            return await self._signal(signal.SIGINT, timeout)
        except TimeoutError:
            return await self.kill()

    async def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to end by itself."""
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def _signal(self, sig: signal.Signals, timeout: float) -> int:
        if self.proc is None:
            raise RuntimeError("bot process never started")
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def __aenter__(self) -> BotProcess:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        if self.running:
            await self.kill()
