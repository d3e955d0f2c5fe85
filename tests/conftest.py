"""Shared fixtures: the real question bank, a real SQLite file, a clock that stands still."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.core.clock import FixedClock
from bot.core.models import Bank
from bot.domain.answers.service import Flow
from bot.domain.content.loader import DEFAULT_CONTENT, Library, load_bank
from bot.store import Store
from tests.pg import fresh_schema

# Property tests never time themselves: no per-example deadline, and no health check that
# fails a test because a busy machine generated its data slowly.
settings.register_profile("followup", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("followup")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The shipped question bank."""
    return load_bank(DEFAULT_CONTENT)


@pytest.fixture
def clock() -> FixedClock:
    """A clock fixed at a known instant."""
    return FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A store on each backend: a real SQLite file in a temporary folder, and a fresh schema
    on a real PostgreSQL server (skipped locally without one, failing under CI)."""
    if request.param == "sqlite":
        opened = await Store.open(tmp_path / "data" / "test.sqlite3")
        yield opened
        await opened.close()
        return
    async with fresh_schema() as url:
        opened = await Store.open(url)
        yield opened
        await opened.close()


@pytest.fixture
def flow(store: Store, bank: Bank, clock: FixedClock) -> Flow:
    """The answer/grade flow over the real bank and a real store."""
    return Flow(store, Library(DEFAULT_CONTENT, bank), clock, max_answer=4000)


# --- end-to-end: the real `python -m bot` process against the fake Discord -----------------

# (scenario, faults injected, posts, losses, duplicates), printed at the end of the run.
FAULT_REPORT: list[tuple[str, int, int, int, int]] = []


# What the bad-input suite threw at the bot, by kind.
BAD_INPUT_REPORT: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault and bad-input suites' counts, so a run shows what was survived."""
    write = terminalreporter.write_line
    if BAD_INPUT_REPORT:
        terminalreporter.section("bad-input suite")
        for kind, count in sorted(BAD_INPUT_REPORT.items()):
            write(f"{kind:<40} {count:>5} inputs, 0 crashes")
    if not FAULT_REPORT:
        return
    terminalreporter.section("fault suite")
    write(f"{'scenario':<58} {'faults':>6} {'posts':>5} {'losses':>6} {'dups':>4}")
    for name, faults, posts, losses, dups in FAULT_REPORT:
        write(f"{name:<58} {faults:>6} {posts:>5} {losses:>6} {dups:>4}")
    totals = [sum(row[i] for row in FAULT_REPORT) for i in range(1, 5)]
    write(f"{'total':<58} {totals[0]:>6} {totals[1]:>5} {totals[2]:>6} {totals[3]:>4}")


from tests.fakediscord import BotProcess, FakeDiscord  # noqa: E402

HANG_GUARD = 120.0  # seconds a wait may take before the test is called hung


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A running fake Discord; afterwards no unknown route, invalid payload or fake bug.

    Waits are hang guards, not measurements (HANG_GUARD), and Discord's 3 s interaction
    deadline is not enforced here: a busy machine must not fail a test. The deadline is
    measured where timing belongs, in bench/latency."""
    async with FakeDiscord(default_timeout=HANG_GUARD, interaction_deadline=None) as server:
        yield server
        assert server.unknown_routes == []
        assert server.validation_errors == []
        assert server.internal_errors == []


@pytest.fixture
def bot_config(tmp_path: Path) -> Path:
    """A config file pointing the bot at a database in the test's folder."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[bot]\ndatabase = "{tmp_path / "data" / "followup.sqlite3"}"\nlog_level = "DEBUG"\n',
        encoding="utf-8",
    )
    return path


STARTED: list[BotProcess] = []


async def poll(predicate: Callable[[], bool], within: float, what: str) -> None:
    """Wait for a condition the fake cannot see (say, a row in the bot's database)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {within:.1f}s waiting for {what}")
        await asyncio.sleep(0.05)


def bot_process(fake: FakeDiscord, tmp_path: Path, config: Path) -> BotProcess:
    """The real bot as a subprocess, logging into the test's folder (killed after the test
    if it still runs, so a failing test never leaves a bot behind)."""
    process = BotProcess(
        fake, module="bot", args=["--config", str(config)], cwd=ROOT, log_path=tmp_path / "bot.log"
    )
    STARTED.append(process)
    return process


@pytest.fixture(autouse=True)
async def no_bot_left_behind() -> AsyncIterator[None]:
    """Kill any bot process a test started and did not stop."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.running:
            await process.kill()


@pytest.fixture
async def followup(
    fake: FakeDiscord, tmp_path: Path, bot_config: Path
) -> AsyncIterator[BotProcess]:
    """The bot, connected, with its commands synced."""
    process = bot_process(fake, tmp_path, bot_config)
    await process.start()
    await process.wait_ready(sync=True)
    yield process
    if process.running:
        await process.kill()
    log = (tmp_path / "bot.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[-4000:]
    assert fake.token not in log
