"""The pacer's spacing and the APScheduler copy of the schedules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.clock import FixedClock
from bot.core.config import DailySettings
from bot.core.models import Bank
from bot.domain.content.loader import DEFAULT_CONTENT, Library
from bot.domain.daily.jobs import DailyJobs, job_id
from bot.domain.daily.service import DailyService
from bot.store import Store
from bot.ui.kit.pacing import Pacer


async def test_pacer_spaces_slots_at_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = Pacer(rate=40, burst=1, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        await pacer.acquire()
    assert slept == pytest.approx([0.025, 0.05, 0.075, 0.1])
    assert pacer.granted == 5


async def test_pacer_burst_lets_a_few_through_at_once() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = Pacer(rate=10, burst=3, clock=lambda: 100.0, sleep=sleep)
    for _ in range(4):
        await pacer.acquire()
    assert len(slept) == 1 and abs(slept[0] - 0.1) < 1e-9


async def test_jobs_mirror_the_database(store: Store, bank: Bank) -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    service = DailyService(store, Library(DEFAULT_CONTENT, bank), clock, DailySettings())
    jobs = DailyJobs(service, poster=lambda: None)  # type: ignore[arg-type, return-value]
    schedule = await store.schedules.upsert(
        guild_id=1,
        channel_id=2,
        post_time="02:30",
        timezone="Europe/Berlin",
        topics=(),
        role_id=None,
        use_thread=True,
        created_by=3,
        now=clock.now(),
    )
    jobs.scheduler.start(paused=True)
    try:
        jobs.put(schedule)
        jobs.put(schedule)  # replace_existing: still one job
        assert jobs.job_count() == 1
        job = jobs.scheduler.get_job(job_id(schedule.id))
        assert job is not None
        assert job.misfire_grace_time == 12 * 3600  # not the silent 1-second default
        assert job.coalesce is True
        fall_back = job.trigger.get_next_fire_time(None, datetime(2026, 10, 24, 12, tzinfo=UTC))
        assert fall_back is not None and fall_back.astimezone(UTC).hour == 0  # 02:30 CEST
        jobs.remove(schedule.id)
        jobs.remove(schedule.id)
        assert jobs.job_count() == 0
    finally:
        jobs.shutdown()


async def test_a_post_reserves_its_thread_slot_too() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = Pacer(rate=10, burst=1, clock=lambda: 0.0, sleep=sleep)
    await pacer.acquire(2)  # a post and its thread
    await pacer.acquire(2)  # the next post waits for both of the first one's slots
    assert slept == pytest.approx([0.2])
    assert pacer.granted == 4
