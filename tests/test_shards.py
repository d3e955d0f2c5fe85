"""Several processes as one bot: the shard rule, daily posts per shard, and round transitions
racing between processes (two Store objects over one database, as two processes are), on
SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.config import BotSettings, DailySettings, MockSettings, PeerSettings
from bot.core.errors import UserError
from bot.core.models import Bank, Schedule
from bot.core.round_state import WARN_BEFORE, Phase
from bot.core.shards import Shards, shard_of
from bot.domain.answers.service import Flow
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.daily.jobs import DailyJobs
from bot.domain.daily.service import DailyService
from bot.domain.mock.service import MockService
from bot.domain.peer.service import PeerService
from bot.domain.progress.service import Progress
from bot.store import Store
from tests.pg import fresh_schema
from tests.test_daily import RecordingPoster

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def guild_on(shard: int, count: int = 2, n: int = 1) -> int:
    """A guild id Discord routes to `shard` of `count` (the n-th such id)."""
    return ((count * n + shard) << 22) | 12345


# -- the rule --------------------------------------------------------------------------------


def test_shard_of_is_discords_formula() -> None:
    assert shard_of(175928847299117063, 4) == (175928847299117063 >> 22) % 4
    assert [shard_of(guild_on(s, 3), 3) for s in range(3)] == [0, 1, 2]
    assert shard_of(guild_on(1), 0) == shard_of(guild_on(1), 1) == 0  # not sharded


def test_ownership_dms_and_the_pace_share() -> None:
    unsharded = Shards()
    assert unsharded.owns(guild_on(1)) and unsharded.owns_dms and unsharded.share == 1.0
    every = Shards(4)  # shard_count without shard_ids: this process runs all four
    assert every.runs_all and every.owns(guild_on(3, 4)) and every.share == 1.0
    first = Shards(2, (0,))
    second = Shards(2, (1,))
    assert first.owns(guild_on(0)) and not first.owns(guild_on(1))
    assert second.owns(guild_on(1)) and not second.owns(guild_on(0))
    assert first.owns_dms and not second.owns_dms  # Discord sends DMs to shard 0
    assert first.share == second.share == 0.5
    assert Shards(4, (1, 3)).share == 0.5 and Shards(4, (1, 3)).describe() == "shards 1, 3 of 4"
    assert Shards(2, (0, 1)).runs_all
    assert Shards.of(BotSettings(shard_count=2, shard_ids=(1,))) == second


def test_impossible_shard_sets_are_refused() -> None:
    with pytest.raises(ValueError, match="not shards of 2"):
        Shards(2, (2,))
    with pytest.raises(ValueError, match="need a shard count"):
        Shards(0, (0,))


# -- daily posts per shard -------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
async def two_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Store, Store]]:
    """Two stores on one database (an SQLite file, a PostgreSQL schema): what two bot
    processes on one database are."""
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "sqlite":
            location = str(tmp_path / "data" / "shared.sqlite3")
        else:
            location = await stack.enter_async_context(fresh_schema())
        first = await Store.open(location)
        second = await Store.open(location)
        yield first, second
        for store in (first, second):
            await store.close()


def daily(store: Store, bank: Bank, clock: FixedClock, shards: Shards) -> DailyService:
    return DailyService(store, Library(DEFAULT_CONTENT, bank), clock, DailySettings(), shards)


async def due_schedules(store: Store, clock: FixedClock, guilds: list[int]) -> list[Schedule]:
    """One schedule per guild, due an hour ago (created the day before)."""
    made = []
    for channel, guild in enumerate(guilds, start=100):
        made.append(
            await store.schedules.upsert(
                guild_id=guild,
                channel_id=channel,
                post_time="11:00",
                timezone="UTC",
                topics=(),
                role_id=None,
                use_thread=False,
                created_by=1,
                now=clock.now() - timedelta(days=1),
            )
        )
    return made


async def test_each_process_posts_only_its_shards_guilds(
    two_stores: tuple[Store, Store], bank: Bank
) -> None:
    clock = FixedClock(NOON)
    guilds = [guild_on(n % 2, n=n) for n in range(6)]
    schedules = await due_schedules(two_stores[0], clock, guilds)
    posters = [RecordingPoster(), RecordingPoster()]
    services = [daily(two_stores[s], bank, clock, Shards(2, (s,))) for s in (0, 1)]
    await asyncio.gather(*(svc.catch_up_all(p) for svc, p in zip(services, posters, strict=True)))
    for shard, poster in enumerate(posters):
        posted = {channel for channel, _ in poster.posts}
        assert posted == {s.channel_id for s in schedules if shard_of(s.guild_id, 2) == shard}
    jobs = DailyJobs(services[1], poster=lambda: posters[1])
    await jobs.start()  # rebuilds its jobs from the database: this process's three only
    try:
        assert jobs.job_count() == 3
        assert len(posters[1].posts) == 3, "its start-up catch-up found them all posted"
        foreign = next(s for s in schedules if not services[1].mine(s.guild_id))
        await services[1].resume(foreign)  # a change made here for another shard's guild
        assert jobs.job_count() == 3, "only the owning process arms a schedule"
    finally:
        jobs.shutdown()


async def test_retries_reveals_and_reconciling_stay_with_the_owner(
    two_stores: tuple[Store, Store], bank: Bank
) -> None:
    clock = FixedClock(NOON)
    (mine, theirs) = await due_schedules(two_stores[0], clock, [guild_on(0), guild_on(1)])
    service = daily(two_stores[0], bank, clock, Shards(2, (0,)))
    question = next(iter(bank.questions))
    posts = two_stores[0].daily_posts
    for schedule in (mine, theirs):
        for day, kind in (("2026-03-01", "daily"), ("2026-03-02", "daily"), ("2026-03-02", "x")):
            reveal = NOON if day == "2026-03-01" else None
            claimed = await posts.claim(schedule, day, kind, question, NOON, reveal)
            assert claimed is not None
            if kind == "x":  # left claimed, as by a crash: for reconcile
                continue
            await posts.mark_failed(claimed.id, NOON)
            if day == "2026-03-01":  # posted yesterday, its key points due now
                await posts.mark_posted(claimed.id, 1, None, NOON)
    clock.advance(timedelta(minutes=1))
    poster = RecordingPoster()
    assert await service.retry_failed(poster) == 1
    assert [channel for channel, _ in poster.posts] == [mine.channel_id]
    await service.reveal_due(poster)
    assert poster.reveals == [question]
    await service.reconcile(poster)  # its own crash-left claim only
    statuses = await two_stores[1].daily_posts.count_by_status()
    assert statuses == {"posted": 3, "failed": 2, "claimed": 1}, statuses


async def test_two_processes_overlapping_on_a_shard_post_each_channel_once(
    two_stores: tuple[Store, Store], bank: Bank
) -> None:
    """A deploy: the new process starts while the old one still runs the same shards; both
    catch up and both crons fire at once. The database claim lets one of them post."""
    clock = FixedClock(NOON)
    schedules = await due_schedules(two_stores[0], clock, [guild_on(1, n=n) for n in range(20)])
    posters = [RecordingPoster(delay=0.001), RecordingPoster()]
    old, new = (daily(store, bank, clock, Shards(2, (1,))) for store in two_stores)
    await asyncio.gather(
        old.catch_up_all(posters[0]),
        new.catch_up_all(posters[1]),
        *(
            svc.run_due(s.id, p)
            for s in schedules
            for svc, p in ((old, posters[0]), (new, posters[1]))
        ),
    )
    counts = Counter(channel for poster in posters for channel, _ in poster.posts)
    assert counts == Counter({s.channel_id: 1 for s in schedules})
    assert await two_stores[1].daily_posts.count_by_status() == {"posted": len(schedules)}


# -- DM rounds, whichever process gets the event -----------------------------------------------


def mock(store: Store, bank: Bank, clock: FixedClock) -> MockService:
    flow = Flow(store, Library(DEFAULT_CONTENT, bank), clock, max_answer=4000)
    return MockService(store, flow, clock, MockSettings())


async def started_round(
    two_stores: tuple[Store, Store], bank: Bank, clock: FixedClock
) -> tuple[int, MockService, MockService]:
    """A round answered in part, and a mock service for each of the two processes."""
    a, b = (mock(store, bank, clock) for store in two_stores)
    state = await a.start(7, ["cache"], 2, 8, rng=random.Random(1))
    await b.add_text(7, "Serve stale while one request rebuilds.")
    return state.id, a, b


async def attempts_of(store: Store) -> list[str]:
    return [a.answer or "" for a in await store.attempts.for_user(7)]


async def test_two_timers_racing_at_the_deadline_time_the_round_out_once(
    two_stores: tuple[Store, Store], bank: Bank
) -> None:
    clock = FixedClock(NOON)
    round_id, a, b = await started_round(two_stores, bank, clock)
    clock.advance(timedelta(minutes=8))
    results = await asyncio.gather(a.tick(round_id), b.tick(round_id))
    assert sorted(event or "-" for _, event in results) == ["-", "timeout"]
    state = await two_stores[1].rounds.get(round_id)
    assert state is not None and state.phase is Phase.GRADE and state.timed_out
    assert await attempts_of(two_stores[0]) == ["Serve stale while one request rebuilds."]


async def test_done_racing_the_timer_advances_once(
    two_stores: tuple[Store, Store], bank: Bank
) -> None:
    clock = FixedClock(NOON)
    round_id, a, b = await started_round(two_stores, bank, clock)
    before = await two_stores[0].rounds.get(round_id)
    assert before is not None
    clock.advance(timedelta(minutes=8))
    done, ticked = await asyncio.gather(
        a.done(7, seq=before.seq), b.tick(round_id), return_exceptions=True
    )
    state = await two_stores[0].rounds.get(round_id)
    assert state is not None and state.phase is Phase.GRADE and state.seq == before.seq + 1
    winners = [not isinstance(done, UserError), ticked[1] == "timeout"]  # type: ignore[index]
    assert winners.count(True) == 1, (done, ticked)
    assert len(await attempts_of(two_stores[1])) == 1, "the loser's spare answer is discarded"


async def test_two_warnings_racing_warn_once(two_stores: tuple[Store, Store], bank: Bank) -> None:
    clock = FixedClock(NOON)
    round_id, a, b = await started_round(two_stores, bank, clock)
    clock.advance(timedelta(minutes=8) - WARN_BEFORE)
    events = [e for _, e in await asyncio.gather(a.tick(round_id), b.tick(round_id))]
    assert sorted(e or "-" for e in events) == ["-", "warned"]


async def test_a_double_submitted_checklist_grades_once(
    two_stores: tuple[Store, Store], bank: Bank
) -> None:
    clock = FixedClock(NOON)
    round_id, a, b = await started_round(two_stores, bank, clock)
    graded = await a.done(7)
    results = await asyncio.gather(
        a.grade(7, round_id, graded.seq, [0, 1]),
        b.grade(7, round_id, graded.seq, [0, 1]),
        return_exceptions=True,
    )
    assert sum(isinstance(r, UserError) for r in results) == 1, results
    state = await two_stores[0].rounds.get(round_id)
    assert state is not None and len(state.steps) == 1 and state.seq == graded.seq + 1


async def test_stop_and_a_stale_stop_from_another_process(
    two_stores: tuple[Store, Store], bank: Bank
) -> None:
    clock = FixedClock(NOON)
    round_id, a, b = await started_round(two_stores, bank, clock)
    results = await asyncio.gather(a.stop(7), b.stop(7), return_exceptions=True)
    assert sum(isinstance(r, UserError) for r in results) == 1, results
    state = await two_stores[1].rounds.get(round_id)
    assert state is not None and state.phase is Phase.STOPPED
    assert not await two_stores[0].rounds.abandon(round_id, clock.now()), "over: not abandoned"


async def test_two_processes_timing_out_a_peer_half_move_it_once(
    two_stores: tuple[Store, Store], bank: Bank
) -> None:
    """Peer sessions lock their row like rounds: a timer in each process, one transition."""
    clock = FixedClock(NOON)
    one, other = (peer_service(store, bank, clock) for store in two_stores)
    invite = await one.invites.invite((1, 2), 11, 22, ("cache",), 1, 20)
    state = await one.open(await one.invites.accept(invite.id, 22), thread_id=99)
    clock.advance(timedelta(minutes=21))
    results = await asyncio.gather(one.tick(state.id), other.tick(state.id))
    assert sorted(event or "-" for _, event in results) == ["-", "time_up"]
    stored = await two_stores[1].peer.session(state.id)
    assert stored is not None and stored.seq == state.seq + 1


def peer_service(store: Store, bank: Bank, clock: FixedClock) -> PeerService:
    library = Library(DEFAULT_CONTENT, bank)
    flow = Flow(store, library, clock, 4000, progress=Progress(store, library, clock, fuzz=False))
    return PeerService(store, flow, clock, PeerSettings())
