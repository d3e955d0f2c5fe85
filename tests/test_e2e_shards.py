"""End to end: two real bot processes, shards 0 and 1 of 2, as one bot on one database.

Each process gets only its shard's guild events (the fake routes them as Discord does, DMs to
shard 0); they share the database, the bot's token and its global rate limit. The database
setting comes from one fixture (`shared_database`): every test runs on one SQLite file and
on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.shards import shard_of
from bot.store import Store
from tests.conftest import HANG_GUARD, ROOT, STARTED
from tests.fakediscord import BotProcess, FakeDiscord
from tests.fakediscord.models import FakeChannel, FakeGuild
from tests.pg import fresh_schema
from tests.test_e2e_faults import record
from tests.test_e2e_mock import answer, grade_all

SHARDS = 2
GUILDS, PER_GUILD = 6, 5  # consecutive fake guilds alternate shards: 3 guilds on each


@pytest.fixture(params=["sqlite", "postgres"])
async def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """`bot.database` for both processes (and for the test's own look at the data): one SQLite
    file (WAL) on this host, or a fresh schema on PostgreSQL (skipped without a server,
    failing under CI)."""
    if request.param == "sqlite":
        yield str(tmp_path / "data" / "followup.sqlite3")
        return
    async with fresh_schema() as url:
        yield url


@asynccontextmanager
async def opened(database: str) -> AsyncIterator[Store]:
    """The bot's own store on the shared database, to seed it and count what is in it."""
    store = await Store.open(database)
    try:
        yield store
    finally:
        await store.close()


def shard_config(tmp_path: Path, database: str, shard_ids: list[int]) -> Path:
    name = "-".join(map(str, shard_ids))
    path = tmp_path / f"shard-{name}.toml"
    path.write_text(
        f'[bot]\ndatabase = {database!r}\nlog_level = "DEBUG"\n'
        f"shard_count = {SHARDS}\nshard_ids = {shard_ids}\n",
        encoding="utf-8",
    )
    return path


def shard_process(fake: FakeDiscord, tmp_path: Path, database: str, *shard_ids: int) -> BotProcess:
    """`python -m bot` running `shard_ids` of 2, logging to a file of its own (killed after
    the test if still running)."""
    config = shard_config(tmp_path, database, list(shard_ids))
    process = BotProcess(
        fake,
        module="bot",
        args=["--config", str(config)],
        cwd=ROOT,
        log_path=tmp_path / f"bot-{config.stem}-{len(STARTED)}.log",
    )
    STARTED.append(process)
    return process


async def started(process: BotProcess, sync: bool = False) -> BotProcess:
    await process.start()
    await process.wait_ready(sync=sync)
    return process


def backend(database: str) -> str:
    return "postgres" if database.startswith("postgresql") else "sqlite"


def clean_logs(fake: FakeDiscord, *processes: BotProcess) -> None:
    for process in processes:
        log = process.log(tail=None)
        assert "Traceback" not in log, log[-4000:]
        assert fake.token not in log


def shard_guilds(fake: FakeDiscord) -> dict[int, FakeGuild]:
    """A seeded guild on each shard (the seeded "Alpha" and "Beta" lie on different ones)."""
    return {shard_of(g.id, SHARDS): g for g in fake.guilds[:2]}


async def test_each_process_answers_its_shards_and_one_syncs_commands(
    fake: FakeDiscord, tmp_path: Path, shared_database: str
) -> None:
    second = await started(shard_process(fake, tmp_path, shared_database, 1))
    await second.wait_log("not syncing here")
    assert fake.requests_matching("PUT /applications/*/commands") == []
    first = await started(shard_process(fake, tmp_path, shared_database, 0), sync=True)
    by_shard = {0: first, 1: second}
    for shard, guild in shard_guilds(fake).items():
        member = fake.user(f"member-{shard}", guild)
        posted = await member.slash("followup", topic="cache")
        assert "Caching" in posted.message.text  # type: ignore[union-attr]
        iid = str(posted.interaction.id)
        assert iid in by_shard[shard].log(tail=None), "answered by the process of its shard"
        assert iid not in by_shard[1 - shard].log(tail=None), "the other process never saw it"
    assert len(fake.requests_matching("PUT /applications/*/commands")) == 1
    assert len(fake.commands.syncs) == 1
    clean_logs(fake, first, second)


async def test_a_round_started_on_shard_1_is_played_in_dms_on_shard_0(
    fake: FakeDiscord, tmp_path: Path, shared_database: str
) -> None:
    dms = await started(shard_process(fake, tmp_path, shared_database, 0), sync=True)
    guilds = await started(shard_process(fake, tmp_path, shared_database, 1))
    alice = fake.user("alice", shard_guilds(fake)[1])
    begun = await alice.slash("mock start", questions=2, minutes=8)
    assert "has started in our DMs" in begun.text
    for number in (1, 2):
        asked = await alice.wait_dm(contains=f"Question {number} of 2")
        await answer(alice, f"Answer {number}: serve stale, rebuild once.", "Add jitter.")
        await alice.click(asked, "Done")
        await grade_all(alice)  # every point ticked: no probe
    card = await alice.wait_dm(contains="Scorecard")
    assert "Per topic" in card.text
    assert "round started" in guilds.log(tail=None)
    moves = dms.log(tail=None).count("round transition")
    assert moves == 4, "answer closed and graded, twice, each once, by the DM process"
    async with opened(shared_database) as store:
        rounds = await store.db.fetchall("SELECT status FROM rounds")
        graded = await store.db.fetchall("SELECT id FROM attempts WHERE covered IS NOT NULL")
    assert [r[0] for r in rounds] == ["done"] and len(graded) == 2
    clean_logs(fake, dms, guilds)


# -- daily fan-out over both processes ---------------------------------------------------------


def fan_out_world(fake: FakeDiscord) -> list[FakeChannel]:
    """GUILDS guilds of PER_GUILD channels, half on each shard (made before the bots start)."""
    channels: list[FakeChannel] = []
    for g in range(GUILDS):
        guild = fake.add_guild(
            f"daily-{g}", channels=tuple(f"q-{c}" for c in range(PER_GUILD)), system_channel=None
        )
        channels += guild.text_channels
    assert {shard_of(ch.guild_id or 0, SHARDS) for ch in channels} == {0, 1}
    return channels


async def seed_due(database: str, channels: list[FakeChannel]) -> None:
    """A schedule per channel, due ten minutes ago (never yesterday), while no bot runs."""
    now = datetime.now(UTC)
    due = max(now - timedelta(minutes=10), now.replace(hour=0, minute=0, second=0))
    async with opened(database) as store:
        for ch in channels:
            await store.schedules.upsert(
                guild_id=ch.guild_id or 0,
                channel_id=ch.id,
                post_time=due.strftime("%H:%M"),
                timezone="UTC",
                topics=(),
                role_id=None,
                use_thread=True,
                created_by=1,
                now=due - timedelta(days=1),
            )


def daily_counts(fake: FakeDiscord, channels: list[FakeChannel]) -> Counter[int]:
    return Counter(
        ch.id for ch in channels for m in fake.messages(ch) if "Daily question" in m.text
    )


async def ledger(database: str) -> tuple[int, int]:
    """(posted rows, rows of channels with more than one daily post)."""
    async with opened(database) as store:
        posted = await store.db.fetchone(
            "SELECT COUNT(*) FROM daily_posts WHERE status = 'posted' AND kind = 'daily'"
        )
        doubled = await store.db.fetchall(
            "SELECT channel_id FROM daily_posts WHERE kind = 'daily' "
            "GROUP BY channel_id, local_date HAVING COUNT(*) > 1"
        )
    return (int(posted[0]) if posted else 0), len(doubled)


async def all_posted(database: str, count: int) -> None:
    """Until the ledger holds `count` posted daily posts (a hang guard, not a measurement)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HANG_GUARD
    while (await ledger(database))[0] < count:
        if loop.time() > deadline:
            raise TimeoutError(f"the ledger never reached {count} posted daily posts")
        await asyncio.sleep(0.2)  # polling the database; the condition is the event


async def test_fan_out_over_two_processes_with_one_killed_midway(
    fake: FakeDiscord, tmp_path: Path, shared_database: str
) -> None:
    channels = fan_out_world(fake)
    await seed_due(shared_database, channels)
    mine = {s: [ch for ch in channels if shard_of(ch.guild_id or 0, SHARDS) == s] for s in (0, 1)}
    fake.delay_next("POST /channels/*/messages", 0.3, count=len(channels))  # a slow fan-out
    first = await started(shard_process(fake, tmp_path, shared_database, 0), sync=True)
    second = await started(shard_process(fake, tmp_path, shared_database, 1))
    await fake.wait_for(
        lambda: len(daily_counts(fake, mine[1])) >= 3, what="shard 1's fan-out under way"
    )
    await second.kill()  # -9, mid fan-out
    again = await started(second)
    for process in (first, again):
        await process.wait_log("start-up catch-up done")
    await all_posted(shared_database, len(channels))
    counts = daily_counts(fake, channels)
    posted, doubled = await ledger(shared_database)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(channels) - len(counts)
    record(
        f"two processes, fan-out, kill -9 of one ({backend(shared_database)})",
        fake,
        posts=sum(counts.values()),
        losses=missing,
        duplicates=duplicates,
        kills=1,
    )
    assert missing == 0 and duplicates == 0 and posted == len(channels) and doubled == 0
    for shard, process in ((0, first), (1, again)):
        log = process.log(tail=None)
        other = mine[1 - shard]
        assert not any(f"channel={ch.id} " in log for ch in other), "posted another's shard"
    clean_logs(fake, first, again)


async def test_two_processes_on_the_same_shard_during_a_deploy_post_once(
    fake: FakeDiscord, tmp_path: Path, shared_database: str
) -> None:
    """A rolling deploy: the new process for shard 1 starts while the old one is mid-way
    through the same fan-out. Both catch up on the same schedules; each post is made once."""
    channels = [ch for ch in fan_out_world(fake) if shard_of(ch.guild_id or 0, SHARDS) == 1]
    await seed_due(shared_database, channels)
    fake.delay_next("POST /channels/*/messages", 0.5, count=len(channels))  # still going
    old = await started(shard_process(fake, tmp_path, shared_database, 1))
    await fake.wait_for(lambda: len(daily_counts(fake, channels)) >= 2, what="the old fan-out")
    new = await started(shard_process(fake, tmp_path, shared_database, 1))
    for process in (old, new):
        await process.wait_log("start-up catch-up done")
    await all_posted(shared_database, len(channels))
    counts = daily_counts(fake, channels)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(channels) - len(counts)
    made = [p.log(tail=None).count("daily posted") for p in (old, new)]
    record(
        f"deploy overlap ({backend(shared_database)}): old+new {made[0]}+{made[1]}, "
        f"nonce {fake.state.nonce_replays}",
        fake,
        posts=sum(counts.values()),
        losses=missing,
        duplicates=duplicates,
    )
    assert missing == 0 and duplicates == 0
    assert (await ledger(shared_database))[1] == 0
    clean_logs(fake, old, new)
