"""The APScheduler copy of the database's schedules: one cron job per schedule.

The database is the truth. At start-up the jobs are rebuilt from it; each job only says "look
at schedule N now", and the daily service decides from the database what, if anything, to post.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.errors import StoreUnavailable
from bot.core.lifecycle import InFlight
from bot.core.models import Schedule
from bot.domain.daily.service import DailyService, Poster

log = logging.getLogger(__name__)
HOUSEKEEPING_SECONDS = 60


def job_id(schedule_id: int) -> str:
    """The fixed job id of a schedule, so replace_existing never duplicates it."""
    return f"daily:{schedule_id}"


class DailyJobs:
    """Owns the scheduler, a copy of the schedules in the database: started once the bot is
    ready (on_ready: the loop runs and the guilds are known), shut on close."""

    def __init__(
        self, service: DailyService, poster: Callable[[], Poster], in_flight: InFlight | None = None
    ) -> None:
        self.service = service
        service.keep_copy(self)  # schedule changes reach the jobs through the service
        self.poster = poster
        self.in_flight = in_flight or InFlight()
        self.missed: set[int] = set()  # schedules whose run met a database outage
        grace = max(60, int(service.settings.catch_up_hours * 3600))
        # The default misfire_grace_time of 1 s silently drops a run that is late because the
        # loop was busy (say, with 2,000 posts due at once); catch-up hours is the real limit.
        self.scheduler = AsyncIOScheduler(
            timezone="UTC",
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        )

    async def start(self) -> None:
        """Rebuild jobs from the database (this process's shards only), then start; reconcile
        and catch up on missed posts."""
        schedules = await self.service.active_schedules()
        for schedule in schedules:
            self.put(schedule)
        self.scheduler.add_job(
            self._housekeeping,
            IntervalTrigger(seconds=HOUSEKEEPING_SECONDS, timezone="UTC"),
            id="daily:housekeeping",
            replace_existing=True,
        )
        self.scheduler.start()
        poster = self.poster()
        await self.service.reconcile(poster)
        await self.service.catch_up_all(poster)
        await self.service.retry_failed(poster)
        log.info(
            "daily jobs started: %d schedule(s) of %s; start-up catch-up done",
            len(schedules),
            self.service.shards.describe(),
        )

    def shutdown(self) -> None:
        """Stop the scheduler without waiting for running jobs (they are tasks on our loop)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def put(self, schedule: Schedule) -> None:
        """Add or replace a schedule's job (removing it when paused)."""
        if schedule.paused:
            self.remove(schedule.id)
            return
        hour, minute = (int(part) for part in schedule.post_time.split(":"))
        self.scheduler.add_job(
            self._fire,
            CronTrigger(hour=hour, minute=minute, timezone=schedule.timezone),
            args=[schedule.id],
            id=job_id(schedule.id),
            replace_existing=True,
        )

    def remove(self, schedule_id: int) -> None:
        """Drop a schedule's job if there is one."""
        if self.scheduler.get_job(job_id(schedule_id)):
            self.scheduler.remove_job(job_id(schedule_id))

    def job_count(self) -> int:
        """Jobs held, housekeeping excluded."""
        return sum(1 for job in self.scheduler.get_jobs() if job.id != "daily:housekeeping")

    async def _fire(self, schedule_id: int) -> None:
        try:
            with self.in_flight.track():
                await self.service.run_due(schedule_id, self.poster())
            self.missed.discard(schedule_id)
        except StoreUnavailable:  # nothing was claimed: housekeeping looks again
            log.warning("daily job: database unreachable schedule=%s; retrying", schedule_id)
            self.missed.add(schedule_id)
        except Exception:
            log.exception("daily job failed schedule=%s", schedule_id)

    async def _housekeeping(self) -> None:
        try:
            for schedule_id in sorted(self.missed):
                await self._fire(schedule_id)
            poster = self.poster()
            await self.service.retry_failed(poster)
            await self.service.reveal_due(poster)
        except StoreUnavailable:
            log.warning("daily housekeeping: database unreachable; next try in a minute")
        except Exception:
            log.exception("daily housekeeping failed")
