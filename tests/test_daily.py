"""The daily service against a real store and a recording poster: exactly once, retries,
reconciliation after a crash, pausing on lost permissions, reveals."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.config import DailySettings
from bot.core.models import Bank, DailyPost, Question, Schedule
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.daily.service import DailyService, Posted, PostError
from bot.store import Store

NINE_BERLIN = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


@dataclass
class RecordingPoster:
    """A Poster that records what it was asked to do, and fails on demand."""

    posts: list[tuple[int, str]] = field(default_factory=list)
    reveals: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    fail_with: PostError | None = None
    existing: dict[int, Posted] = field(default_factory=dict)
    delay: float = 0.0

    async def post(self, schedule: Schedule, post: DailyPost, question: Question) -> Posted:
        await asyncio.sleep(self.delay)
        if self.fail_with:
            raise self.fail_with
        self.posts.append((schedule.channel_id, question.id))
        return Posted(message_id=1000 + len(self.posts), thread_id=2000 + len(self.posts))

    async def find_existing(self, post: DailyPost) -> Posted | None:
        return self.existing.get(post.id)

    async def reveal(self, post: DailyPost, question: Question) -> None:
        self.reveals.append(question.id)

    async def notify_paused(self, schedule: Schedule, reason: str) -> None:
        self.notices.append(reason)


@pytest.fixture
def daily_clock() -> FixedClock:
    return FixedClock(NINE_BERLIN - timedelta(days=1))


def service_for(store: Store, bank: Bank, clock: FixedClock, **settings: float) -> DailyService:
    return DailyService(store, Library(DEFAULT_CONTENT, bank), clock, DailySettings(**settings))


async def make_schedule(
    store: Store, clock: FixedClock, channel: int = 2, topics: tuple[str, ...] = ("cache",)
) -> Schedule:
    return await store.schedules.upsert(
        guild_id=1,
        channel_id=channel,
        post_time="09:00",
        timezone="Europe/Berlin",
        topics=topics,
        role_id=None,
        use_thread=True,
        created_by=3,
        now=clock.now(),
    )


async def test_posts_once_at_its_time(store: Store, bank: Bank, daily_clock: FixedClock) -> None:
    service = service_for(store, bank, daily_clock)
    schedule = await make_schedule(store, daily_clock)
    poster = RecordingPoster()
    daily_clock.set(NINE_BERLIN - timedelta(minutes=1))
    assert await service.run_due(schedule.id, poster) == "not-due"
    daily_clock.set(NINE_BERLIN)
    assert await service.run_due(schedule.id, poster) == "posted"
    assert await service.run_due(schedule.id, poster) == "already-posted"
    assert len(poster.posts) == 1
    assert bank.questions[poster.posts[0][1]].topic == "cache"
    post = await store.daily_posts.find(2, "2026-01-15")
    assert post is not None and post.status == "posted" and post.message_id == 1001


async def test_concurrent_attempts_post_once(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    service = service_for(store, bank, daily_clock)
    schedule = await make_schedule(store, daily_clock)
    daily_clock.set(NINE_BERLIN + timedelta(seconds=5))
    poster = RecordingPoster(delay=0.01)
    outcomes = await asyncio.gather(*(service.run_due(schedule.id, poster) for _ in range(20)))
    assert outcomes.count("posted") == 1
    assert outcomes.count("already-posted") == 19
    assert len(poster.posts) == 1


async def test_two_processes_on_one_file_claim_once(
    tmp_path: Path, bank: Bank, daily_clock: FixedClock
) -> None:
    path = tmp_path / "shared.sqlite3"
    first, second = await Store.open(path), await Store.open(path)
    try:
        schedule = await make_schedule(first, daily_clock)
        claims = await asyncio.gather(
            *(
                store.daily_posts.claim(
                    schedule, "2026-01-15", "daily", "q", daily_clock.now(), None
                )
                for store in (first, second)
                for _ in range(10)
            )
        )
        assert sum(claim is not None for claim in claims) == 1
    finally:
        await first.close()
        await second.close()


async def test_a_missed_post_is_made_once_after_restart(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    schedule = await make_schedule(store, daily_clock)
    daily_clock.set(NINE_BERLIN + timedelta(hours=3))  # the bot was down at 09:00
    poster = RecordingPoster()
    await service_for(store, bank, daily_clock).catch_up_all(poster)
    await service_for(store, bank, daily_clock).catch_up_all(poster)  # and restarted again
    assert len(poster.posts) == 1
    daily_clock.set(NINE_BERLIN + timedelta(hours=13))  # beyond the catch-up window
    await make_schedule(store, daily_clock, channel=5)
    await service_for(store, bank, daily_clock).catch_up_all(poster)
    assert [channel for channel, _ in poster.posts] == [schedule.channel_id]


async def test_lost_permission_pauses_and_tells_the_admin_once(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    service = service_for(store, bank, daily_clock)
    schedule = await make_schedule(store, daily_clock)
    poster = RecordingPoster(fail_with=PostError("Missing Permissions (code 50013)", True))
    daily_clock.set(NINE_BERLIN)
    assert await service.run_due(schedule.id, poster) == "failed"
    paused = await store.schedules.get(schedule.id)
    assert paused is not None and paused.paused and "50013" in (paused.pause_reason or "")
    daily_clock.advance(timedelta(days=1))
    assert await service.run_due(schedule.id, poster) == "inactive"
    assert poster.notices == ["Missing Permissions (code 50013)"]


async def test_server_errors_are_retried_later_that_day(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    service = service_for(store, bank, daily_clock)
    schedule = await make_schedule(store, daily_clock)
    poster = RecordingPoster(fail_with=PostError("Discord answered 503", False))
    daily_clock.set(NINE_BERLIN)
    assert await service.run_due(schedule.id, poster) == "failed"
    assert await service.retry_failed(poster) == 0  # not yet
    daily_clock.advance(timedelta(minutes=2))
    assert await service.retry_failed(poster) == 1  # fails again; backs off further
    poster.fail_with = None
    daily_clock.advance(timedelta(minutes=10))
    assert await service.retry_failed(poster) == 1
    assert len(poster.posts) == 1
    post = await store.daily_posts.find(schedule.channel_id, "2026-01-15")
    assert post is not None and post.status == "posted" and post.tries == 3


async def test_no_retry_once_the_local_day_is_over(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    service = service_for(store, bank, daily_clock)
    schedule = await make_schedule(store, daily_clock)
    poster = RecordingPoster(fail_with=PostError("Discord answered 502", False))
    daily_clock.set(NINE_BERLIN)
    await service.run_due(schedule.id, poster)
    poster.fail_with = None
    daily_clock.set(datetime(2026, 1, 15, 23, 30, tzinfo=UTC))  # 00:30 on the 16th in Berlin
    assert await service.retry_failed(poster) == 0
    assert poster.posts == []


async def test_crash_after_send_is_reconciled_without_a_second_post(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    schedule = await make_schedule(store, daily_clock)
    daily_clock.set(NINE_BERLIN)
    claim = await store.daily_posts.claim(
        schedule, "2026-01-15", "daily", "cache-stampede", daily_clock.now(), None
    )
    assert claim is not None  # the process died here, after sending but before recording
    poster = RecordingPoster(existing={claim.id: Posted(555, 556)})
    service = service_for(store, bank, daily_clock)
    await service.reconcile(poster)
    await service.catch_up_all(poster)
    await service.retry_failed(poster)
    assert poster.posts == []
    post = await store.daily_posts.get(claim.id)
    assert post is not None and post.status == "posted" and post.message_id == 555


async def test_crash_before_send_is_posted_once_on_restart(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    schedule = await make_schedule(store, daily_clock)
    daily_clock.set(NINE_BERLIN)
    claim = await store.daily_posts.claim(
        schedule, "2026-01-15", "daily", "cache-stampede", daily_clock.now(), None
    )
    assert claim is not None
    poster = RecordingPoster()
    service = service_for(store, bank, daily_clock)
    await service.reconcile(poster)
    await service.catch_up_all(poster)
    await service.retry_failed(poster)
    await service.retry_failed(poster)
    assert poster.posts == [(schedule.channel_id, "cache-stampede")]


async def test_previous_key_points_are_revealed_with_the_next_post(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    service = service_for(store, bank, daily_clock)
    schedule = await make_schedule(store, daily_clock)
    poster = RecordingPoster()
    daily_clock.set(NINE_BERLIN)
    await service.run_due(schedule.id, poster)
    assert poster.reveals == []
    daily_clock.advance(timedelta(days=1))
    await service.run_due(schedule.id, poster)
    assert poster.reveals == [poster.posts[0][1]]
    assert poster.posts[0][1] != poster.posts[1][1]


async def test_timed_reveal(store: Store, bank: Bank, daily_clock: FixedClock) -> None:
    service = service_for(store, bank, daily_clock, reveal_after_hours=6)
    schedule = await make_schedule(store, daily_clock)
    poster = RecordingPoster()
    daily_clock.set(NINE_BERLIN)
    await service.run_due(schedule.id, poster)
    await service.reveal_due(poster)
    assert poster.reveals == []
    daily_clock.advance(timedelta(hours=6))
    await service.reveal_due(poster)
    await service.reveal_due(poster)
    assert poster.reveals == [poster.posts[0][1]]


async def test_preview_posts_once_a_day_apart_from_the_daily(
    store: Store, bank: Bank, daily_clock: FixedClock
) -> None:
    service = service_for(store, bank, daily_clock)
    schedule = await make_schedule(store, daily_clock)
    poster = RecordingPoster()
    assert await service.preview(schedule, poster) == "posted"
    assert await service.preview(schedule, poster) == "already-posted"
    daily_clock.set(NINE_BERLIN)
    assert await service.run_due(schedule.id, poster) == "posted"
    assert poster.posts[0][1] != poster.posts[1][1]  # the preview counts in the rotation


async def test_leaving_a_guild_removes_its_schedules(store: Store, daily_clock: FixedClock) -> None:
    await make_schedule(store, daily_clock, channel=2)
    await make_schedule(store, daily_clock, channel=3)
    removed = await store.schedules.remove_guild(1)
    assert len(removed) == 2
    assert await store.schedules.for_guild(1) == []
