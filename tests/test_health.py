"""`python -m bot health`, the container's HEALTHCHECK: fresh heartbeat or not, one line."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Store
from tests.helpers import run_bot
from tests.test_hostile_startup import one_line, write_config


def database_seen(path: Path, ago: timedelta | None) -> None:
    """A migrated database whose bot last recorded a heartbeat `ago` (None: never ran)."""

    async def create() -> None:
        store = await Store.open(path)
        await store.close()

    asyncio.run(create())
    if ago is not None:
        seen = (datetime.now(UTC) - ago).isoformat(timespec="microseconds")
        with sqlite3.connect(path) as conn:
            conn.execute("INSERT INTO uptime (started_at, last_seen) VALUES (?, ?)", (seen, seen))
        conn.close()


def health(tmp_path: Path, *args: str):
    config = write_config(tmp_path, tmp_path / "followup.sqlite3")
    return run_bot("--config", str(config), "health", *args, cwd=tmp_path)


def test_a_fresh_heartbeat_is_healthy(tmp_path: Path) -> None:
    database_seen(tmp_path / "followup.sqlite3", timedelta(seconds=30))
    result = health(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("healthy: the last heartbeat was")


def test_a_stale_heartbeat_or_none_is_unhealthy(tmp_path: Path) -> None:
    database_seen(tmp_path / "followup.sqlite3", timedelta(minutes=10))
    assert one_line(health(tmp_path), code=1).startswith("unhealthy: the last heartbeat was 6")
    assert health(tmp_path, "--max-age", "900").returncode == 0


def test_a_bot_that_never_ran_here_is_unhealthy(tmp_path: Path) -> None:
    database_seen(tmp_path / "followup.sqlite3", None)
    assert "no bot has recorded a heartbeat" in one_line(health(tmp_path), code=1)


def test_no_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    assert "no database there" in one_line(health(tmp_path), code=2)
