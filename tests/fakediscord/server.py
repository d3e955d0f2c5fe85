"""``FakeDiscord``: a local Discord API v10 (REST + gateway) for a real discord.py bot process."""

# A ``timeout`` argument on waits is this test API's convention.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from .api import RequestRecord, build_app
from .commands import CommandStore
from .gateway import GatewayServer
from .limits import FaultInjector, FaultRule, RateLimiter, RateLimitMode
from .messages import FakeMessage
from .models import FakeChannel, FakeGuild, FakeUser
from .state import GUILDS_INTENT, FakeState

if TYPE_CHECKING:
    from .driver import UserDriver

T = TypeVar("T")


def _uid(user: Any) -> int:
    return user if isinstance(user, int) else user.id


class FakeDiscord:
    """A fake Discord. ``await start()``, point the bot at ``url`` (see ``BotProcess``), act with
    ``user(...)`` drivers, inject faults, and assert on ``requests`` / messages."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        heartbeat_interval: int = 41250,
        seed: bool = True,
        privileged_intents: int = 0,
        max_guilds_per_shard: int = 2500,
        recommended_shards: int = 1,
        max_concurrency: int = 1,
        ratelimits: RateLimitMode = "off",
        interaction_deadline: float | None = 3.0,
        settle: float = 0.05,
        default_timeout: float = 5.0,
        buffer_size: int = 200_000,
    ) -> None:
        self.state = FakeState(token, lambda: self.url)
        self.commands = CommandStore(self.state.app_id, self.state.ids.next)
        self.gateway = GatewayServer(self, heartbeat_interval, buffer_size)
        self.state.emit = self.gateway.dispatch
        self.faults = FaultInjector()
        self.ratelimits = RateLimiter(ratelimits)
        self.requests: list[RequestRecord] = []
        self.unknown_routes: list[str] = []
        self.validation_errors: list[tuple[str, str, dict[str, Any]]] = []
        self.internal_errors: list[str] = []
        self.privileged_intents = privileged_intents
        self.max_guilds_per_shard = max_guilds_per_shard
        self.recommended_shards = recommended_shards
        self.max_concurrency = max_concurrency
        self.interaction_deadline = interaction_deadline
        self.token_ttl = 15 * 60.0
        self.settle = settle
        self.default_timeout = default_timeout
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self._returned_messages: set[int] = set()
        if seed:
            self.add_guild("Alpha", channels=("general", "interviews"))
            self.add_guild("Beta", channels=("general",))

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host``: an ephemeral port by default."""
        self._runner = web.AppRunner(build_app(self), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._host = host

    async def stop(self) -> None:
        """Close sockets and stop listening."""
        for conn in list(self.gateway.connections):
            conn.abort()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (what ``FAKE_DISCORD_URL`` is set to)."""
        return f"http://{self._host}:{self._port}"

    @property
    def ws_url(self) -> str:
        """The gateway URL (also READY's ``resume_gateway_url``)."""
        return f"ws://{self._host}:{self._port}/gateway"

    @property
    def token(self) -> str:
        """The bot token the fake accepts."""
        return self.state.token

    @property
    def bot(self) -> FakeUser:
        """The bot user (its id is also the application id)."""
        return self.state.bot

    # -- world -----------------------------------------------------------------------------
    @property
    def guilds(self) -> list[FakeGuild]:
        """All guilds, in creation order."""
        return list(self.state.guilds.values())

    @property
    def default_guild(self) -> FakeGuild:
        """The first guild ("Alpha" when seeded)."""
        return self.guilds[0]

    def guild(self, name: str) -> FakeGuild:
        """A guild by name."""
        return next(g for g in self.state.guilds.values() if g.name == name)

    def add_guild(
        self,
        name: str,
        channels: tuple[str, ...] = ("general",),
        system_channel: str | None = "general",
    ) -> FakeGuild:
        """A new guild the bot is in; sessions already connected get GUILD_CREATE (a join)."""
        guild = self.state.add_guild(name, channels, system_channel)
        self._guild_create(guild)
        return guild

    def add_guilds(self, count: int, prefix: str = "guild") -> list[FakeGuild]:
        """Many one-channel guilds at once (benchmarks); no events for already-connected bots."""
        return [self.state.add_guild(f"{prefix}-{i}", ("general",)) for i in range(count)]

    def add_channel(self, guild: FakeGuild, name: str) -> FakeChannel:
        """A new text channel; CHANNEL_CREATE is dispatched."""
        ch = self.state.add_channel(guild, name, position=len(guild.channels))
        self.gateway.dispatch("CHANNEL_CREATE", ch.payload(), guild.id, GUILDS_INTENT)
        return ch

    def user(
        self,
        name: str,
        guild: FakeGuild | None = None,
        *,
        manage_guild: bool = False,
        roles: list[int] | None = None,
    ) -> UserDriver:
        """A driver acting as user ``name`` (created on first use) in ``guild`` (default guild).
        ``manage_guild`` gives the member the MANAGE_GUILD permission."""
        from .driver import UserDriver

        user = self.state.add_user(name)
        guild = guild or self.default_guild
        self.state.add_member(user, guild, manage_guild=manage_guild, roles=roles)
        return UserDriver(self, user, guild)

    def _guild_create(self, guild: FakeGuild) -> None:
        from .gateway import guild_create_json

        for session in list(self.gateway.active.values()):
            if session.handles(guild.id) and session.intents & GUILDS_INTENT:
                session.push("GUILD_CREATE", guild_create_json(self.state, guild))
        self.state.notify()

    # -- inspection ------------------------------------------------------------------------
    def messages(
        self,
        channel: FakeChannel | int,
        *,
        include_ephemeral: bool = False,
        include_deleted: bool = False,
    ) -> list[FakeMessage]:
        """Messages of a channel in order (public only unless ``include_ephemeral``)."""
        cid = _uid(channel)
        return [
            m
            for m in self.state.channel_messages.get(cid, [])
            if (include_deleted or not m.deleted) and (include_ephemeral or m.visible_to is None)
        ]

    def requests_matching(self, pattern: str) -> list[RequestRecord]:
        """Recorded requests whose ``"METHOD /path"`` matches an fnmatch pattern."""
        return [r for r in self.requests if fnmatchcase(f"{r.method} {r.path}", pattern)]

    def command(self, name: str, guild: FakeGuild | None = None) -> dict[str, Any] | None:
        """The synced command a user would see under ``name``."""
        return self.commands.find(name, guild.id if guild else None)

    @property
    def identify_count(self) -> int:
        """IDENTIFYs received so far."""
        return sum(1 for e in self.gateway.events if e.kind == "IDENTIFY")

    @property
    def resume_count(self) -> int:
        """Successful RESUMEs so far."""
        return sum(1 for e in self.gateway.events if e.kind == "RESUME")

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float | None = None, what: str = "condition"
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every change); return its value."""
        return await self.state.wait_for(predicate, timeout or self.default_timeout, what)

    async def wait_for_request(
        self, pattern: str, *, after: float = 0.0, timeout: float | None = None
    ) -> RequestRecord:
        """The first request matching ``pattern`` recorded after time ``after`` (time.time())."""

        def found() -> RequestRecord | None:
            return next(
                (r for r in self.requests_matching(pattern) if r.time >= after and r.status), None
            )

        return await self.wait_for(found, timeout, f"request {pattern}")

    async def wait_for_message(
        self,
        channel: FakeChannel | int | None = None,
        *,
        contains: str | None = None,
        predicate: Callable[[FakeMessage], bool] | None = None,
        author: FakeUser | None = None,
        timeout: float | None = None,
    ) -> FakeMessage:
        """The first public message (by the bot unless ``author``) not yet returned by an earlier
        call, in ``channel`` (any if None), containing ``contains`` and passing ``predicate``."""
        author = author or self.bot
        cid = None if channel is None else _uid(channel)

        def found() -> FakeMessage | None:
            for msg in self.state.messages.values():
                if msg.id in self._returned_messages or msg.deleted or msg.visible_to is not None:
                    continue
                if msg.author.id != author.id or (cid is not None and msg.channel_id != cid):
                    continue
                if (contains is None or contains in msg.text) and (
                    predicate is None or predicate(msg)
                ):
                    self._returned_messages.add(msg.id)
                    return msg
            return None

        return await self.wait_for(found, timeout, f"a message containing {contains!r}")

    async def wait_identified(
        self, count: int = 1, *, after: float = 0.0, timeout: float | None = None
    ) -> None:
        """Until ``count`` IDENTIFYs after ``after`` happened and their GUILD_CREATEs were sent."""

        def done() -> bool:
            ids = [
                e.session_id
                for e in self.gateway.events
                if e.kind == "IDENTIFY" and e.time >= after
            ]
            sessions = [self.gateway.sessions[i] for i in ids]
            return len(ids) >= count and all(s.guilds_sent for s in sessions)

        await self.wait_for(done, timeout or max(self.default_timeout, 15.0), "IDENTIFY")

    def stats(self) -> dict[str, Any]:
        """Counters: requests, faults injected, gateway events, rate-limit peaks."""
        return {
            "requests": len(self.requests),
            "unknown_routes": len(self.unknown_routes),
            "validation_errors": len(self.validation_errors),
            "internal_errors": len(self.internal_errors),
            "faults": dict(self.faults.counts),
            "delays": self.faults.delays,
            "identifies": self.identify_count,
            "resumes": self.resume_count,
            "dispatched": dict(self.gateway.dispatched),
            "heartbeats": self.gateway.heartbeats,
            "max_requests_per_second": self.ratelimits.max_per_second,
            "over_global_limit": self.ratelimits.over_global,
            "command_syncs": len(self.commands.syncs),
        }

    # -- REST faults -----------------------------------------------------------------------
    def fail_next(
        self,
        pattern: str,
        status: int = 429,
        *,
        retry_after: float = 0.5,
        global_: bool = False,
        count: int = 1,
        code: int = 0,
        message: str | None = None,
    ) -> FaultRule:
        """The next ``count`` requests matching ``pattern`` (fnmatch on ``"METHOD /path"``, e.g.
        ``"POST /interactions/*/callback"``) get ``status`` (429 with Retry-After etc.)."""
        return self.faults.add(
            FaultRule(pattern, status, retry_after, global_, count, code, message)
        )

    def rate_limit_storm(
        self, *, requests: int, retry_after: float = 1.0, pattern: str = "*", global_: bool = True
    ) -> FaultRule:
        """The next ``requests`` matching requests get 429 (global by default; callbacks
        exempt). Counted, never timed: a slow bot meets the same storm as a fast one."""
        return self.faults.add(
            FaultRule(pattern, 429, retry_after, global_, requests, exempt_callbacks=global_)
        )

    def outage(self, *, requests: int, status: int = 502, pattern: str = "*") -> FaultRule:
        """The next ``requests`` matching requests get a 5xx."""
        return self.faults.add(FaultRule(pattern, status, count=requests))

    def delay_next(self, pattern: str, seconds: float, *, count: int = 1) -> FaultRule:
        """Answer the next ``count`` matching requests only after ``seconds``."""
        return self.faults.add(FaultRule(pattern, None, count=count, delay=seconds))

    def clear_faults(self) -> None:
        """Remove all fault rules."""
        self.faults.clear()

    def close_dms_for(self, user: Any) -> None:
        """Sending to this user's DM channel now fails 403 50007 (opening it still works)."""
        self.state.closed_dms.add(_uid(user))

    def open_dms_for(self, user: Any) -> None:
        """Undo ``close_dms_for``."""
        self.state.closed_dms.discard(_uid(user))

    def forbid_channel(self, channel: FakeChannel, forbidden: bool = True) -> None:
        """Bot posts there now fail 403 50013 (interaction responses still work, like Discord).
        The channel carries a member overwrite denying the bot Send Messages, and a connected
        bot is told with CHANNEL_UPDATE, so it can see the missing permission too."""
        channel.forbidden = forbidden
        channel.forbidden_for = self.bot.id
        if channel.guild_id is not None:
            self.state.guilds[channel.guild_id].invalidate()
            self.gateway.dispatch(
                "CHANNEL_UPDATE", channel.payload(), channel.guild_id, GUILDS_INTENT
            )
        self.state.notify()

    def forbid_private_threads(self, channel: FakeChannel, forbidden: bool = True) -> None:
        """The bot lacks Create Private Threads in this channel: creating one fails 403 50013."""
        channel.no_private_threads = forbidden

    def delete_channel(self, channel: FakeChannel) -> None:
        """Delete a channel: CHANNEL_DELETE is dispatched, its routes answer 404 10003."""
        channel.deleted = True
        if channel.guild_id is not None:
            self.state.guilds[channel.guild_id].invalidate()
            event = "THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE"
            self.gateway.dispatch(event, channel.payload(), channel.guild_id, GUILDS_INTENT)
        self.state.notify()

    def remove_bot_sync(self, guild: FakeGuild) -> None:
        """The bot leaves or is kicked: GUILD_DELETE; its channels answer 403 50001."""
        guild.bot_member = False
        self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild.id, GUILDS_INTENT)
        self.state.notify()

    async def remove_bot(self, guild: FakeGuild) -> None:
        """Kick the bot from a guild (GUILD_DELETE without ``unavailable``)."""
        self.remove_bot_sync(guild)

    async def add_bot(self, guild: FakeGuild) -> None:
        """Re-add the bot to a guild (GUILD_CREATE, a join)."""
        guild.bot_member = True
        guild.invalidate()
        self._guild_create(guild)

    # -- gateway faults --------------------------------------------------------------------
    async def gateway_reconnect(self, shard_id: int | None = None) -> int:
        """Send op 7 RECONNECT; discord.py closes and RESUMEs. Returns sessions affected."""
        return self.gateway.send_op(7, None, shard_id)

    async def gateway_invalid_session(self, resumable: bool, shard_id: int | None = None) -> int:
        """Send op 9. ``False`` also kills the session: discord.py re-IDENTIFYs (after 5 s)."""
        n = self.gateway.send_op(9, resumable, shard_id)
        if not resumable:
            self.gateway.invalidate(shard_id)
        return n

    async def gateway_drop(self, shard_id: int | None = None) -> int:
        """Cut the socket without a close frame (1006); discord.py reconnects and RESUMEs."""
        return self.gateway.drop(shard_id)

    async def gateway_close(self, code: int = 4000, shard_id: int | None = None) -> int:
        """Close the socket with ``code`` (4000–4009 are resumable for discord.py)."""
        return await self.gateway.close(code, shard_id)
