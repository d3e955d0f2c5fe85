"""The Bot: start-up wiring, command sync, lifecycle and signals."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import signal
import sys
from pathlib import Path

import aiohttp
import discord
from discord.ext import commands, tasks

from bot.cogs.mock import MOCK_COG_ITEMS
from bot.cogs.progress import ForgetButton
from bot.core.clock import SystemClock
from bot.core.config import TOKEN_VARIABLE, Settings
from bot.domain.content.loader import ContentError, Library, content_root
from bot.domain.daily.jobs import DailyJobs
from bot.domain.services import Services
from bot.store import Store
from bot.ui.answers import submits as answering
from bot.ui.answers.buttons import DYNAMIC_ITEMS
from bot.ui.answers.modals import MOCK_MODAL
from bot.ui.daily.posts import DiscordPoster
from bot.ui.kit.pacing import Pacer
from bot.ui.kit.replies import NO_PINGS, FollowupTree
from bot.ui.kit.router import Router
from bot.ui.mock.dm import MOCK_ITEMS, MockDriver, checklist_submitted

log = logging.getLogger(__name__)
LOGIN_TRIES = 6
SHUTDOWN_GRACE = 4.0  # seconds in-flight work gets on SIGTERM: the process is gone within 5
# Every button class: registered with discord.py and known to the router.
ITEMS = (
    *DYNAMIC_ITEMS,
    *MOCK_ITEMS,
    *MOCK_COG_ITEMS,
    ForgetButton,
)
EXTENSIONS = (
    "bot.cogs.answers",
    "bot.cogs.daily",
    "bot.cogs.mock",
    "bot.cogs.progress",
    "bot.cogs.admin",
)


def intents() -> discord.Intents:
    """Only what the bot needs: guilds for channels, DM messages for mock rounds. No privileged
    intent: DM text reaches bots without message_content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    return wanted


class FollowupMixin:
    """followup's Discord client behaviour, shared by the plain and the sharded bot."""

    def __init__(self, services: Services) -> None:
        settings = services.settings.bot
        options: dict[str, object] = {}
        if settings.shard_count:  # AutoShardedBot: this process runs shard_ids (default: all)
            options = {
                "shard_count": settings.shard_count,
                "shard_ids": list(settings.shard_ids) or None,
            }
        super().__init__(  # type: ignore[call-arg]
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
        self.router = Router()
        self.router.add_components(item.__discord_ui_compiled_template__ for item in ITEMS)
        answering.register(self.router)
        self.router.add_modal(MOCK_MODAL, checklist_submitted)
        self.pacer = Pacer(services.settings.daily.posts_per_second, burst=2)
        self.daily_jobs = DailyJobs(
            services.daily, lambda: DiscordPoster(self, self.pacer), services.in_flight
        )
        self.mock_driver = MockDriver(self, services.mock)
        self._started_jobs = False
        self._uptime_id = 0

    async def setup_hook(self) -> None:
        """Register restart-proof buttons and modals, load the cogs, sync commands if changed."""
        self.add_dynamic_items(*ITEMS)
        for extension in EXTENSIONS:
            if extension in self.extensions:  # setup_hook runs again when login is retried
                continue
            try:
                await self.load_extension(extension)
            except commands.ExtensionError:
                log.exception("extension %s failed to load; the others go on", extension)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Sync slash commands only when they changed: Discord allows 200 creations a day."""
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
            # In flight like a command: a shutdown lets the catch-up's posts finish first.
            with self.services.in_flight.track():
                self._uptime_id = await self.services.store.uptime.start(self.services.clock.now())
                self.heartbeat.start()
                await self.daily_jobs.start()
                await self.mock_driver.resume_all()

    @tasks.loop(minutes=1)
    async def heartbeat(self) -> None:
        """Record that the bot is up: days it was down never break a user's streak."""
        await self.services.store.uptime.seen(self._uptime_id, self.services.clock.now())

    async def close(self) -> None:
        """Stop the scheduler and round timers first, so nothing starts while closing; give
        in-flight work SHUTDOWN_GRACE, then cancel the rest (a claimed daily post is reconciled
        at the next start) before closing the HTTP session it would fail on."""
        self.heartbeat.cancel()
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


class Shutdown:
    """The first SIGTERM/SIGINT asks for a clean stop; a second one exits at once (1)."""

    def __init__(self) -> None:
        self.requested = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, signum)

    def _on_signal(self, signum: int) -> None:
        if self.requested.is_set():
            log.warning("second signal %s: exiting now", signum)
            os._exit(1)
        log.info("signal %s: shutting down", signum)
        self.requested.set()


async def _login(bot: commands.Bot, token: str) -> None:
    """Log in, retrying with backoff while Discord answers 429 or 5xx (say, during an
    incident or a storm of restarts), instead of dying with a traceback. A shutdown cancels
    the task, so the backoff sleep never delays it."""
    delay = 2.0
    for attempt in range(1, LOGIN_TRIES + 1):
        try:
            await bot.login(token)
            return
        except discord.LoginFailure:
            raise
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            if attempt == LOGIN_TRIES:
                raise
            log.warning("login failed (%s); retrying in %.0f s", exc, delay)
            # Each login opens a new HTTP session on the same connector: close the failed one
            # (or it logs "Unclosed client session"); that closes the connector, so drop it too.
            await bot.http.close()
            bot.http.connector = discord.utils.MISSING
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)


async def _session(bot: commands.Bot, token: str) -> None:
    await _login(bot, token)
    await bot.connect()


def _failure(exc: BaseException) -> int:
    """One line for why the bot could not run; the exit status."""
    if isinstance(exc, discord.LoginFailure):
        print(f"error: Discord rejected the token in {TOKEN_VARIABLE}", file=sys.stderr)
        return 2
    if not isinstance(exc, (discord.DiscordException, aiohttp.ClientError, OSError)):
        raise exc
    print(f"error: could not reach Discord: {exc}", file=sys.stderr)
    return 1


async def _serve(bot: commands.Bot, token: str, shutdown: Shutdown) -> int:
    """Log in and stay connected until a signal. On a signal the login (its backoff, the
    command sync) or the connection is cancelled at once, so nothing new starts; then close
    lets in-flight work finish, stops the jobs and closes Discord's sessions."""
    async with bot:
        session = asyncio.create_task(_session(bot, token))
        stop = asyncio.create_task(shutdown.requested.wait())
        await asyncio.wait({session, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not session.done():
            session.cancel()
            await asyncio.gather(session, return_exceptions=True)
            await bot.close()
            return 0
        if session.cancelled() or session.exception() is None:
            return 0
        return _failure(session.exception())


async def _main(settings: Settings, token: str) -> int:
    shutdown = Shutdown()  # first: a signal at any later moment is a clean stop
    try:
        library = Library.load(content_root(settings))
    except ContentError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        print(
            "error: the question bank has problems; run `python -m bot content check`",
            file=sys.stderr,
        )
        return 2
    store = await Store.open(Path(settings.bot.database))  # StoreError: one line, exit 2
    try:
        if shutdown.requested.is_set():
            return 0
        services = Services.build(settings, store, library, SystemClock())
        return await _serve(make_bot(services), token, shutdown)
    finally:
        await store.close()
        log.info("stopped")


def run(settings: Settings, token: str) -> int:
    """Run the bot until it is closed; return the process exit status."""
    return asyncio.run(_main(settings, token))
