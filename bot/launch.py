"""Running the bot: open the store, log in with backoff, serve until a signal, close cleanly."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

import aiohttp
import discord

from bot.app import make_bot
from bot.core.clock import SystemClock
from bot.core.config import TOKEN_VARIABLE, Settings
from bot.domain.content.loader import ContentError, Library, content_root
from bot.domain.services import Services
from bot.store import Store

log = logging.getLogger(__name__)
LOGIN_TRIES = 6


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


async def _login(bot: discord.Client, token: str) -> None:
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


async def _session(bot: discord.Client, token: str) -> None:
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


async def _serve(bot: discord.Client, token: str, shutdown: Shutdown) -> int:
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
        error = None if session.cancelled() else session.exception()
        return 0 if error is None else _failure(error)


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
    store = await Store.open(settings.bot.database, settings.postgres)  # StoreError: exit 2
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
