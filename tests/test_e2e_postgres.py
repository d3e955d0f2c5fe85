"""End to end on PostgreSQL: the real bot on a real server, which restarts under it.

The bot reaches the server through a relay the test cuts (tests/pgproxy.py): every connection
drops and new ones are refused, as while a server restarts. What the user did during the
outage gets "try again in a moment", never a traceback; nothing acknowledged is lost, and the
bot reconnects by itself once the server is back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.core.errors import StoreUnavailable
from bot.store import Store
from tests.conftest import bot_process
from tests.fakediscord import FakeDiscord
from tests.helpers import run_bot
from tests.pg import fresh_schema
from tests.pgproxy import PostgresRelay

QUESTION = "cache-stampede"
ANSWER = "Add jitter to the TTL so keys written together do not expire together."
TRY_AGAIN = str(StoreUnavailable())


def postgres_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[bot]\ndatabase = "{url}"\nlog_level = "DEBUG"\n'
        "[postgres]\npool_min = 1\npool_max = 4\nconnect_timeout = 30.0\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def relay() -> AsyncIterator[PostgresRelay]:
    async with fresh_schema() as url, PostgresRelay(url) as relayed:
        yield relayed


async def graded_rows(url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch("SELECT answer, covered FROM attempts WHERE graded_at IS NOT NULL")
    finally:
        await conn.close()


async def test_postgres_restarting_under_the_bot_loses_nothing(
    fake: FakeDiscord, tmp_path: Path, relay: PostgresRelay
) -> None:
    bot = bot_process(fake, tmp_path, postgres_config(tmp_path, relay.relayed_url))
    await bot.start()
    await bot.wait_ready(sync=True)
    alice = fake.user("alice")
    posted = await alice.slash("followup", question=QUESTION)
    opened = await alice.click(posted.message, "Answer")

    relay.cut()  # the answer is submitted while the server restarts
    refused = await alice.submit_modal(opened.modal, {"answer": ANSWER})
    assert refused.ephemeral and refused.text == TRY_AGAIN
    relay.restore()
    opened = await alice.click(posted.message, "Answer")
    saved = await alice.submit_modal(opened.modal, {"answer": ANSWER})
    assert saved.ephemeral and "Grade myself" in str(saved.message.components)
    checklist = await alice.click(saved.message, "Grade myself")

    relay.cut()  # and so is the grade
    refused = await alice.submit_modal(checklist.modal, {"points": ["0", "1"]})
    assert refused.ephemeral and refused.text == TRY_AGAIN
    assert await graded_rows(relay.url) == []  # nothing claimed to be saved was
    relay.restore()
    checklist = await alice.click(saved.message, "Grade myself")
    scored = await alice.submit_modal(checklist.modal, {"points": ["0", "1"]})
    assert "Covered **2 of 7** key points" in scored.text
    assert [(r["answer"], r["covered"]) for r in await graded_rows(relay.url)] == [
        (ANSWER, "[0, 1]")
    ]
    assert relay.refused > 0  # the bot did meet the outage, and reconnected by itself

    assert await bot.terminate() == 0
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and fake.token not in log
    assert "database unreachable" in log


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://followup:s3cret-pw@127.0.0.1:9/followup", "Connect call failed"),
        ("postgresql://followup:s3cret-pw@127.0.0.1:99999/test", "port must be 0-65535"),
        ("postgresql://nobody-here:s3cret-pw@127.0.0.1:5432/test", 'role "nobody-here"'),
    ],
    ids=["nothing listens", "not a port", "no such role"],
)
def test_a_server_that_cannot_be_used_at_start_is_one_line_without_the_password(
    tmp_path: Path, url: str, reason: str
) -> None:
    config = postgres_config(tmp_path, url)
    started = run_bot("--config", str(config), env={"DISCORD_TOKEN": "x.y.z"})
    assert started.returncode == 2
    line = started.stderr.strip().splitlines()[-1]
    shown = url.replace(":s3cret-pw@", ":***@")
    assert line.startswith(f"error: database {shown}: cannot connect (") and reason in line
    assert "s3cret-pw" not in started.stderr + started.stdout
    assert "Traceback" not in started.stderr


async def test_health_reads_the_heartbeat_on_postgres(tmp_path: Path) -> None:
    async with fresh_schema() as url:
        config = postgres_config(tmp_path, url)
        never = run_bot("--config", str(config), "health")
        assert never.returncode == 1 and "no bot has recorded a heartbeat" in never.stderr
        store = await Store.open(url)
        try:
            await store.uptime.start(datetime.now(UTC))
        finally:
            await store.close()
        healthy = run_bot("--config", str(config), "health")
        assert healthy.returncode == 0 and healthy.stdout.startswith("healthy: ")
