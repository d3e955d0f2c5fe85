"""The Bot: what it registers (buttons, modals, cogs), command sync, start-up and close.

Running it (login with backoff, signals) is bot/launch.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands, tasks

from bot.cogs.admin import AdminCog
from bot.cogs.answers import AnswersCog
from bot.cogs.daily import DailyCog
from bot.cogs.mock import MockCog
from bot.cogs.packs import ContentCog, SuggestCog
from bot.cogs.progress import ProgressCog
from bot.core.errors import StoreUnavailable
from bot.core.shards import Shards
from bot.domain.daily.jobs import DailyJobs
from bot.domain.services import Services
from bot.ui.answers.buttons import ANSWER_BUTTONS
from bot.ui.answers.submits import ANSWER_MODALS
from bot.ui.daily.posts import DiscordPoster
from bot.ui.kit.pacing import Pacer
from bot.ui.kit.replies import NO_PINGS, FollowupTree
from bot.ui.kit.router import Router
from bot.ui.mock.dm import ROUND_BUTTONS, ROUND_MODALS, MockDriver
from bot.ui.mock.start import START_BUTTONS
from bot.ui.packs.review import SUGGESTION_BUTTONS, SUGGESTION_MODALS
from bot.ui.packs.upload import UPLOAD_BUTTONS
from bot.ui.peer.buttons import PEER_BUTTONS, PEER_MODALS
from bot.ui.peer.driver import PeerDriver
from bot.ui.progress.forget import FORGET_BUTTONS

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 4.0  # seconds in-flight work gets on SIGTERM: the process is gone within 5
ROUND_WATCH_SECONDS = 30  # how soon the DM process takes over a round whose timer it lacks
PACK_SYNC_SECONDS = 30  # how soon a pack changed in another process is served here
# Everything clickable, in one place: discord.py dispatches these buttons (restart-proof
# DynamicItems), the router reads these modals from the raw submit, and answers any other
# component or modal with a friendly "no longer valid".
BUTTONS = (
    *ANSWER_BUTTONS,
    *ROUND_BUTTONS,
    *START_BUTTONS,
    *FORGET_BUTTONS,
    *PEER_BUTTONS,
    *SUGGESTION_BUTTONS,
    *UPLOAD_BUTTONS,
)
MODALS = (*ANSWER_MODALS, *ROUND_MODALS, *PEER_MODALS, *SUGGESTION_MODALS)


def intents() -> discord.Intents:
    """Only what the bot needs: guilds for channels, DM messages for mock rounds. No privileged
    intent: DM text reaches bots without message_content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    return wanted


if TYPE_CHECKING:  # what the mixin is mixed into, so mypy checks its use of the client
    _Bot = commands.Bot
else:
    _Bot = object


class FollowupMixin(_Bot):
    """followup's Discord client behaviour, shared by the plain and the sharded bot."""

    def __init__(self, services: Services) -> None:
        settings = services.settings.bot
        options: dict[str, Any] = {}
        if settings.shard_count:  # AutoShardedBot: this process runs shard_ids (default: all)
            options = {
                "shard_count": settings.shard_count,
                "shard_ids": list(settings.shard_ids) or None,
            }
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            tree_cls=FollowupTree,
            allowed_mentions=NO_PINGS,
            max_messages=None,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            **options,
        )
        self.services = services
        self.process_shards = Shards.of(settings)
        self.router = Router(BUTTONS, MODALS)
        # Discord's global limit is per bot: each process paces its share of the budget.
        pace = services.settings.daily.posts_per_second * self.process_shards.share
        self.pacer = Pacer(pace, burst=2)
        self.daily_jobs = DailyJobs(services.daily, self.poster, services.in_flight)
        self.mock_driver = MockDriver(self, services.mock)
        self.peer_driver = PeerDriver(self, services.peer)
        self._started_jobs = False
        self._uptime_id = 0

    def make_cogs(self) -> list[commands.Cog]:
        """Every cog, each given the services it uses."""
        services = self.services
        return [
            AnswersCog(services),
            DailyCog(services, self.poster),
            MockCog(services, self.mock_driver),
            ProgressCog(services),
            AdminCog(self, services),
            SuggestCog(services),
            ContentCog(services),
        ]

    def poster(self) -> DiscordPoster:
        """Posts daily questions through this client, at the shared pace."""
        return DiscordPoster(self, self.pacer)

    async def setup_hook(self) -> None:
        """Load the servers' packs, register restart-proof buttons, add the cogs, sync
        commands if changed."""
        await self.services.packs.load_all()
        self.add_dynamic_items(*BUTTONS)
        for cog in self.make_cogs():
            if cog.qualified_name not in self.cogs:  # setup_hook runs again when login is retried
                await self.add_cog(cog)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Sync slash commands only when they changed: Discord allows 200 creations a day.
        Commands are the bot's, not a process's: only the process of shard 0 syncs them."""
        if not self.process_shards.owns_dms:
            log.info("slash commands are synced by the process of shard 0; not syncing here")
            return
        guild_id = self.services.settings.bot.dev_guild_id
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"commands_hash:{guild_id or 'global'}"
        if await self.services.store.meta.get(key) == digest:
            log.info("slash commands unchanged; not syncing")
            return
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:  # keep the old commands; the next start retries
            log.warning(
                "command sync failed (%s %s); will retry at the next start", exc.status, exc.text
            )
            return
        await self.services.store.meta.set(key, digest)
        log.info("synced %d slash commands to %s", len(synced), guild_id or "all guilds")

    async def on_ready(self) -> None:
        """Once connected (guilds cached), start the daily jobs, catch up on missed posts and
        resume mock rounds. on_ready comes again after a full reconnect: start only once."""
        log.info(
            "ready as %s (id %s) in %d guilds",
            self.user,
            self.user and self.user.id,
            len(self.guilds),
        )
        if not self._started_jobs:
            self._started_jobs = True
            log.info("this process runs %s", self.process_shards.describe())
            # In flight like a command: a shutdown lets the catch-up's posts finish first.
            with self.services.in_flight.track():
                self._uptime_id = await self.services.store.uptime.start(self.services.clock.now())
                self.heartbeat.start()
                await self.daily_jobs.start()
                if self.process_shards.owns_dms:  # DMs reach shard 0: this process has rounds
                    await self.mock_driver.resume_all()
                    self.watch_rounds.start()
                await self.peer_driver.resume_all(self.process_shards.owns)
                if not self.process_shards.runs_all:  # other processes change packs too
                    self.sync_packs.start()

    @tasks.loop(minutes=1)
    async def heartbeat(self) -> None:
        """Record that the bot is up: days it was down never break a user's streak."""
        try:
            await self.services.store.uptime.seen(self._uptime_id, self.services.clock.now())
        except StoreUnavailable:  # an unhandled error would stop the loop for good
            log.warning("heartbeat: database unreachable; next try in a minute")

    @tasks.loop(seconds=PACK_SYNC_SECONDS)
    async def sync_packs(self) -> None:
        """Read again the server packs another process changed (a suggestion approved on
        shard 1 must reach shard 0, which drives the DM rounds)."""
        try:
            await self.services.packs.sync()
        except StoreUnavailable:
            log.warning("reading changed server packs: database unreachable; next try in 30 s")
        except Exception:  # the next pass tries again; a failed pass must not end the loop
            log.exception("reading changed server packs failed")

    @tasks.loop(seconds=ROUND_WATCH_SECONDS)
    async def watch_rounds(self) -> None:
        """Watch every running round's timer, whichever process started the round."""
        try:
            await self.mock_driver.watch_all()
        except StoreUnavailable:
            log.warning("watching round timers: database unreachable; next try in 30 s")
        except Exception:  # the next pass tries again; a failed pass must not end the loop
            log.exception("watching round timers failed")

    async def close(self) -> None:
        """Stop the scheduler and round timers first, so nothing starts while closing; give
        in-flight work SHUTDOWN_GRACE, then cancel the rest (a claimed daily post is reconciled
        at the next start) before closing the HTTP session it would fail on."""
        self.heartbeat.cancel()
        self.watch_rounds.cancel()
        self.sync_packs.cancel()
        self.daily_jobs.shutdown()
        in_flight = self.services.in_flight
        if await in_flight.drain(SHUTDOWN_GRACE):
            left = [t for t in in_flight.tasks if t is not asyncio.current_task() and not t.done()]
            log.warning("shutting down: cancelling %d task(s) still running", len(left))
            for task in left:
                task.cancel()
            if left:  # bounded: a task that ignores its cancellation must not hang the exit
                await asyncio.wait(left, timeout=0.5)
        self.mock_driver.close()
        self.peer_driver.close()
        await super().close()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Modal submits and unknown buttons go through the router."""
        await self.router.dispatch(interaction)


class FollowupBot(FollowupMixin, commands.Bot):
    """The bot on one connection."""


class ShardedFollowupBot(FollowupMixin, commands.AutoShardedBot):
    """The bot over several shards (set bot.shard_count)."""

    IDENTIFY_INTERVAL = 5.0  # Discord allows one IDENTIFY per 5 s per rate-limit bucket

    _max_concurrency: int | None = None
    _bucket_last: dict[int, float]

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait only as Discord requires: shards in different buckets (shard_id % the
        gateway's max_concurrency) may identify together. discord.py's default sleeps 5 s
        before every shard, which costs a large bot a minute at start-up."""
        if shard_id is None:
            return await super().before_identify_hook(shard_id, initial=initial)
        if self._max_concurrency is None:
            try:
                limits = await self.fetch_session_start_limits()
                self._max_concurrency = max(1, limits.max_concurrency)
            except (discord.HTTPException, discord.GatewayNotFound):
                self._max_concurrency = 1
        buckets = self.__dict__.setdefault("_bucket_last", {})
        loop = asyncio.get_running_loop()
        bucket = shard_id % self._max_concurrency
        last = buckets.get(bucket)
        if last is not None and loop.time() - last < self.IDENTIFY_INTERVAL:
            await asyncio.sleep(self.IDENTIFY_INTERVAL - (loop.time() - last))
        buckets[bucket] = loop.time()
        return None


def make_bot(services: Services) -> FollowupBot | ShardedFollowupBot:
    """The plain bot, or the sharded one when the config sets shard_count."""
    if services.settings.bot.shard_count:
        return ShardedFollowupBot(services)
    return FollowupBot(services)
