"""Shared fixtures: the real question bank, a real SQLite file, a clock that stands still."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.content import DEFAULT_CONTENT, Library, load_bank
from bot.flow import Flow
from bot.models import Bank
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The shipped question bank."""
    return load_bank(DEFAULT_CONTENT)


@pytest.fixture
def clock() -> FixedClock:
    """A clock fixed at a known instant."""
    return FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store on a real SQLite file in a temporary folder."""
    opened = await Store.open(tmp_path / "data" / "test.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
def flow(store: Store, bank: Bank, clock: FixedClock) -> Flow:
    """The answer/grade flow over the real bank and a real store."""
    return Flow(store, Library(DEFAULT_CONTENT, bank), clock, max_answer=4000)
