"""Daily questions: claim a (channel, local date) before posting, so each is made exactly once.

The Discord side is behind the Poster protocol; this module never imports discord.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.config import DailySettings
from bot.core.errors import Gone
from bot.core.models import DailyPost, PostOutcome, Question, Schedule, ScheduleChange
from bot.core.shards import Shards
from bot.domain.content.loader import Library
from bot.domain.daily.ports import NoCopy, ScheduleCopy
from bot.domain.daily.ports import Posted as Posted  # re-exported: the Discord side's types
from bot.domain.daily.ports import Poster as Poster
from bot.domain.daily.ports import PostError as PostError
from bot.domain.daily.rules import day_over, due_day, local_date, next_daily_question
from bot.store import Store

log = logging.getLogger(__name__)
RETRY_DELAYS = (
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
)


class DailyService:
    """Decides what to post when, and keeps the ledger in the store. Schedules change only
    through it: the database is the truth, and it alone keeps the jobs' copy in step.

    With several processes each runs only its own shards' schedules (`shards`): their
    guilds' commands reach this process alone. Two processes that overlap on a shard (a
    deploy) still post once: the (channel, day, kind) claim is taken in the database."""

    def __init__(
        self,
        store: Store,
        library: Library,
        clock: Clock,
        settings: DailySettings,
        shards: Shards | None = None,
    ) -> None:
        self.store = store
        self.library = library
        self.clock = clock
        self.settings = settings
        self.shards = shards or Shards()
        self.copy: ScheduleCopy = NoCopy()

    def keep_copy(self, copy: ScheduleCopy) -> None:
        """The jobs that run schedules on time: every change from now on reaches them."""
        self.copy = copy

    async def schedule_in(self, guild_id: int, channel_id: int) -> Schedule | None:
        """The channel's schedule, if that channel is in this guild and has one."""
        schedule = await self.store.schedules.for_channel(channel_id)
        return schedule if schedule is not None and schedule.guild_id == guild_id else None

    def mine(self, guild_id: int) -> bool:
        """Whether this process runs the guild's schedules."""
        return self.shards.owns(guild_id)

    async def active_schedules(self) -> list[Schedule]:
        """The schedules this process runs: active ones of its shards' guilds."""
        return [s for s in await self.store.schedules.active() if self.mine(s.guild_id)]

    def _copy(self, schedule: Schedule) -> None:
        if self.mine(schedule.guild_id):
            self.copy.put(schedule)

    async def schedules_of(self, guild_id: int) -> list[Schedule]:
        """A guild's schedules."""
        return await self.store.schedules.for_guild(guild_id)

    async def set_schedule(self, change: ScheduleChange) -> Schedule:
        """Create or replace a channel's schedule."""
        schedule = await self.store.schedules.upsert(**asdict(change), now=self.clock.now())
        self._copy(schedule)
        return schedule

    async def pause(self, schedule: Schedule, reason: str) -> None:
        """Stop posting until resumed."""
        await self.store.schedules.set_paused(schedule.id, True, reason, self.clock.now())
        self.copy.remove(schedule.id)

    async def resume(self, schedule: Schedule) -> Schedule:
        """Start posting again; returns the schedule as now stored."""
        await self.store.schedules.set_paused(schedule.id, False, None, self.clock.now())
        resumed = await self.store.schedules.get(schedule.id)
        if resumed is None:
            raise Gone("schedule")
        self._copy(resumed)
        return resumed

    async def remove(self, schedule: Schedule) -> None:
        """Delete the schedule (its posts' history stays)."""
        await self.store.schedules.remove(schedule.id)
        self.copy.remove(schedule.id)

    async def forget_guild(self, guild_id: int) -> None:
        """The bot left a server: its schedules go."""
        for schedule_id in await self.store.schedules.remove_guild(guild_id):
            self.copy.remove(schedule_id)

    @property
    def catch_up(self) -> timedelta:
        """How late a missed post may still be made."""
        return timedelta(hours=self.settings.catch_up_hours)

    async def run_due(self, schedule_id: int, poster: Poster) -> PostOutcome:
        """Post the schedule's question if its local day's post is due and not yet made."""
        schedule = await self.store.schedules.get(schedule_id)
        if schedule is None or schedule.paused:
            return PostOutcome.INACTIVE
        day = due_day(schedule, self.clock.now(), self.catch_up)
        if day is None:
            return PostOutcome.NOT_DUE
        return await self.post_day(schedule, day.isoformat(), "daily", poster)

    async def preview(self, schedule: Schedule, poster: Poster) -> PostOutcome:
        """Post today's question now, once per local day (kept apart from the daily post)."""
        day = local_date(self.clock.now(), ZoneInfo(schedule.timezone)).isoformat()
        return await self.post_day(schedule, day, "preview", poster)

    async def post_day(
        self, schedule: Schedule, day: str, kind: str, poster: Poster
    ) -> PostOutcome:
        """Claim the (channel, day, kind) post, then send it."""
        history = await self.store.daily_posts.history(schedule.channel_id)
        bank = self.library.bank_for(schedule.guild_id)
        try:
            question = next_daily_question(bank, schedule.topics, history)
        except LookupError:  # the server switched every topic of the schedule off
            log.warning("daily skipped schedule=%s: no questions in its topics", schedule.id)
            return PostOutcome.INACTIVE
        now = self.clock.now()
        hours = self.settings.reveal_after_hours
        reveal_at = now + timedelta(hours=hours) if hours and kind == "daily" else None
        post = await self.store.daily_posts.claim(schedule, day, kind, question.id, now, reveal_at)
        if post is None:
            log.info(
                "daily already claimed schedule=%s channel=%s day=%s kind=%s",
                schedule.id,
                schedule.channel_id,
                day,
                kind,
            )
            return PostOutcome.ALREADY_POSTED
        if kind == "daily" and not hours:
            await self._reveal_earlier(schedule.channel_id, post.id, poster)
        return await self._send(schedule, post, question, poster)

    async def _send(
        self, schedule: Schedule, post: DailyPost, question: Question, poster: Poster
    ) -> PostOutcome:
        try:
            posted = await poster.post(schedule, post, question)
        except PostError as exc:
            await self._failed(schedule, post, exc, poster)
            return PostOutcome.FAILED
        await self.store.daily_posts.mark_posted(
            post.id, posted.message_id, posted.thread_id, self.clock.now()
        )
        log.info(
            "daily posted schedule=%s guild=%s channel=%s day=%s question=%s message=%s",
            schedule.id,
            schedule.guild_id,
            schedule.channel_id,
            post.local_date,
            question.id,
            posted.message_id,
        )
        return PostOutcome.POSTED

    async def _failed(
        self, schedule: Schedule, post: DailyPost, error: PostError, poster: Poster
    ) -> None:
        now = self.clock.now()
        if error.permanent:
            await self.store.daily_posts.mark_failed(post.id, None)
            self.copy.remove(schedule.id)
            if await self.store.schedules.set_paused(schedule.id, True, error.reason, now):
                log.warning(
                    "daily paused schedule=%s channel=%s: %s",
                    schedule.id,
                    schedule.channel_id,
                    error.reason,
                )
                await poster.notify_paused(schedule, error.reason)
            return
        delay = RETRY_DELAYS[min(post.tries - 1, len(RETRY_DELAYS) - 1)]
        retry = None if post.tries > len(RETRY_DELAYS) else now + delay
        await self.store.daily_posts.mark_failed(post.id, retry)
        log.warning(
            "daily failed schedule=%s channel=%s try=%s retry_at=%s: %s",
            schedule.id,
            schedule.channel_id,
            post.tries,
            retry,
            error.reason,
        )

    async def retry_failed(self, poster: Poster) -> int:
        """Try again the posts that failed for a passing reason, while their day lasts."""
        tried = 0
        for post in await self.store.daily_posts.retries_due(self.clock.now()):
            if not self.mine(post.guild_id):
                continue
            schedule = await self.store.schedules.get(post.schedule_id or 0)
            if (
                schedule is None
                or schedule.paused
                or day_over(post.local_date, schedule.timezone, self.clock.now())
            ):
                await self.store.daily_posts.mark_failed(post.id, None)
                continue
            question = self.library.get(post.question_id)
            claimed = await self.store.daily_posts.reclaim(post.id, self.clock.now())
            if claimed is None or question is None:
                continue
            tried += 1
            await self._send(schedule, claimed, question, poster)
        return tried

    async def reconcile(self, poster: Poster) -> None:
        """After a crash: a claim with no recorded message may or may not have been sent.
        Look for the message first; only if it is not there, queue the post for a retry."""
        for post in await self.store.daily_posts.with_status("claimed"):
            if not self.mine(post.guild_id):
                continue
            found = await poster.find_existing(post)
            if found is not None:
                await self.store.daily_posts.mark_posted(
                    post.id, found.message_id, found.thread_id, self.clock.now()
                )
                log.info("daily reconciled post=%s message=%s", post.id, found.message_id)
            else:
                await self.store.daily_posts.mark_failed(post.id, self.clock.now())

    async def catch_up_all(self, poster: Poster) -> None:
        """At start-up, make each schedule's post that was missed while the bot was down."""
        for schedule in await self.active_schedules():
            await self.run_due(schedule.id, poster)

    async def _reveal_earlier(self, channel_id: int, current: int, poster: Poster) -> None:
        for post in await self.store.daily_posts.unrevealed(channel_id):
            if post.id != current:
                await self._reveal(post, poster)

    async def reveal_due(self, poster: Poster) -> None:
        """Post the key points of questions whose timed reveal has come."""
        for post in await self.store.daily_posts.reveals_due(self.clock.now()):
            if self.mine(post.guild_id):
                await self._reveal(post, poster)

    async def _reveal(self, post: DailyPost, poster: Poster) -> None:
        question = self.library.get(post.question_id)
        # Marked first: a crash here loses one reveal rather than posting it twice.
        if not await self.store.daily_posts.mark_revealed(post.id, self.clock.now()):
            return
        if question is None:
            return
        try:
            await poster.reveal(post, question)
        except PostError as exc:
            log.warning(
                "daily reveal failed post=%s channel=%s: %s", post.id, post.channel_id, exc.reason
            )
