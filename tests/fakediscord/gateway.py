"""The gateway websocket: HELLO, IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME with replay,
sharding, and server-side faults (RECONNECT, INVALID_SESSION, dropped sockets)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import zlib
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import FakeGuild, iso

if TYPE_CHECKING:
    from .server import FakeDiscord
    from .state import FakeState

PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)
MESSAGE_CONTENT = 1 << 15
HEARTBEAT_RTT = 0.02  # seconds, a plausible round trip to Discord


def dumps(data: Any) -> str:
    """Compact JSON."""
    return json.dumps(data, separators=(",", ":"))


def guild_create_json(state: FakeState, guild: FakeGuild) -> str:
    """GUILD_CREATE ``d`` for a guild, cached until the guild changes (cheap for 10k guilds)."""
    if guild._create_json is None:
        channels = [c for c in guild.channels.values() if not c.deleted]
        bot = guild.members.get(state.bot.id)
        guild._create_json = dumps(
            {
                "id": str(guild.id),
                "name": guild.name,
                "icon": None,
                "owner_id": str(guild.owner_id),
                "unavailable": False,
                "large": False,
                "member_count": len(guild.members),
                "joined_at": bot.joined_at if bot else iso(),
                "features": [],
                "roles": [r.payload() for r in guild.roles.values()],
                "emojis": [],
                "stickers": [],
                "channels": [c.payload() for c in channels if not c.is_thread],
                "threads": [c.payload() for c in channels if c.is_thread and not c.archived],
                "members": [bot.payload()] if bot else [],
                "voice_states": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "system_channel_id": str(guild.system_channel_id)
                if guild.system_channel_id
                else None,
                "preferred_locale": guild.locale,
                "premium_tier": 0,
                "verification_level": 0,
                "default_message_notifications": 0,
                "explicit_content_filter": 0,
                "mfa_level": 0,
                "nsfw_level": 0,
                "afk_timeout": 300,
                "system_channel_flags": 0,
            }
        )
    return guild._create_json


@dataclass(eq=False)
class Connection:
    """One websocket; frames go through a queue so sequence order is kept."""

    ws: web.WebSocketResponse
    request: web.Request
    compress: bool
    session: GatewaySession | None = None
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    _zlib: Any = None

    def send(self, frame: str) -> None:
        """Queue a frame."""
        self.queue.put_nowait(frame)

    async def sender(self) -> None:
        """Write queued frames (zlib-stream compressed if asked) until ``None``."""
        if self.compress:
            self._zlib = zlib.compressobj()
        while (frame := await self.queue.get()) is not None:
            if self.ws.closed:
                return
            if self._zlib is not None:
                data = self._zlib.compress(frame.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(frame)

    def abort(self) -> None:
        """Cut the TCP connection without a close frame (the client sees 1006)."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()


@dataclass(eq=False)
class GatewaySession:
    """A gateway session: survives its socket, so RESUME can replay what was missed."""

    id: str
    shard_id: int
    shard_count: int
    intents: int
    buffer: deque[tuple[int, str]]
    seq: int = 0
    valid: bool = True
    conn: Connection | None = None
    guilds_sent: bool = False
    created: float = field(default_factory=time.time)

    def push(self, event: str, d_json: str) -> None:
        """Sequence a dispatch, buffer it, send it if connected."""
        self.seq += 1
        frame = f'{{"op":0,"s":{self.seq},"t":"{event}","d":{d_json}}}'
        self.buffer.append((self.seq, frame))
        if self.conn is not None:
            self.conn.send(frame)

    def handles(self, guild_id: int | None) -> bool:
        """Whether events of this guild (None: DMs, shard 0) go to this session."""
        if guild_id is None:
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id


@dataclass
class GatewayEvent:
    """An IDENTIFY or RESUME the fake received."""

    kind: str
    time: float
    session_id: str
    shard: tuple[int, int]
    intents: int = 0


class GatewayServer:
    """Serves ``/gateway`` for the fake; ``dispatch`` is how the rest of the fake emits events."""

    def __init__(self, fake: FakeDiscord, heartbeat_interval: int, buffer_size: int) -> None:
        self.fake = fake
        self.heartbeat_interval = heartbeat_interval
        self.buffer_size = buffer_size
        self.compression = True
        self.sessions: dict[str, GatewaySession] = {}
        self.active: dict[int, GatewaySession] = {}
        self.connections: set[Connection] = set()
        self.events: list[GatewayEvent] = []
        self.dispatched: Counter[str] = Counter()
        self.heartbeats = 0

    # -- events out ------------------------------------------------------------------------
    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        guild_id: int | None = None,
        intent: int | None = None,
        private: bool = False,
    ) -> None:
        """Send a dispatch to the session(s) that would get it on Discord (shard, intents)."""
        full = stripped = None
        for session in list(self.active.values()):
            if not session.handles(guild_id) or (intent and not session.intents & intent):
                continue
            if private and not session.intents & MESSAGE_CONTENT:
                if stripped is None:
                    stripped = dumps(
                        {**data, "content": "", "embeds": [], "attachments": [], "components": []}
                    )
                session.push(event, stripped)
            else:
                full = full or dumps(data)
                session.push(event, full)
            self.dispatched[event] += 1

    def connected(self) -> list[GatewaySession]:
        """Active sessions that currently have a socket."""
        return [s for s in self.active.values() if s.conn is not None]

    # -- faults ----------------------------------------------------------------------------
    def send_op(self, op: int, d: Any, shard_id: int | None = None) -> int:
        """Send a raw opcode to connected sessions (optionally one shard); returns how many."""
        targets = [s for s in self.connected() if shard_id in (None, s.shard_id)]
        for session in targets:
            assert session.conn is not None
            session.conn.send(dumps({"op": op, "d": d}))
        return len(targets)

    def invalidate(self, shard_id: int | None = None) -> None:
        """Make sessions non-resumable (after INVALID_SESSION false)."""
        for sid, session in list(self.active.items()):
            if shard_id in (None, sid):
                session.valid = False
                del self.active[sid]

    def drop(self, shard_id: int | None = None) -> int:
        """Abort sockets without a close frame."""
        targets = [s for s in self.connected() if shard_id in (None, s.shard_id)]
        for session in targets:
            assert session.conn is not None
            session.conn.abort()
        return len(targets)

    async def close(self, code: int, shard_id: int | None = None) -> int:
        """Close sockets with a close code (e.g. 4000 to provoke a resume)."""
        targets = [s for s in self.connected() if shard_id in (None, s.shard_id)]
        for session in targets:
            assert session.conn is not None
            await session.conn.ws.close(code=code, message=b"fake close")
        return len(targets)

    # -- websocket handler -----------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """GET /gateway?v=10&encoding=json[&compress=zlib-stream]."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compress = self.compression and request.query.get("compress") == "zlib-stream"
        conn = Connection(ws, request, compress)
        self.connections.add(conn)
        sender = asyncio.create_task(conn.sender())
        conn.send(
            dumps(
                {
                    "op": 10,
                    "d": {
                        "heartbeat_interval": self.heartbeat_interval,
                        "_trace": ["fake-gateway"],
                    },
                }
            )
        )
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                await self._on_frame(conn, json.loads(msg.data))
        finally:
            self.connections.discard(conn)
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            conn.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await asyncio.wait_for(sender, 1.0)
            self.fake.state.notify()
        return ws

    async def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == 1:
            self.heartbeats += 1
            # ACK after a network-like delay: discord.py's keep-alive thread records the send
            # time only after the send returns, so an instant localhost ACK is measured
            # against the previous heartbeat and logged as "Can't keep up ... 41s behind".
            asyncio.get_running_loop().call_later(HEARTBEAT_RTT, conn.send, '{"op":11}')
        elif op == 2:
            await self._identify(conn, d or {})
        elif op == 6:
            self._resume(conn, d or {})
        elif op == 8 and conn.session is not None:
            self._members_chunk(conn.session, d or {})

    async def _identify(self, conn: Connection, d: dict[str, Any]) -> None:
        fake = self.fake
        if d.get("token") not in (fake.state.token, "Bot " + fake.state.token):
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED & ~fake.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard_id, shard_count = d.get("shard") or [0, 1]
        if not 0 <= shard_id < shard_count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        guilds = [
            g
            for g in fake.state.guilds.values()
            if g.bot_member and (g.id >> 22) % shard_count == shard_id
        ]
        if len(guilds) > fake.max_guilds_per_shard:
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        session = GatewaySession(
            secrets.token_hex(16),
            shard_id,
            shard_count,
            intents,
            deque(maxlen=self.buffer_size),
            conn=conn,
        )
        old = self.active.get(shard_id)
        if old is not None:
            old.valid = False
        self.sessions[session.id] = session
        self.active[shard_id] = session
        conn.session = session
        self.events.append(
            GatewayEvent("IDENTIFY", time.time(), session.id, (shard_id, shard_count), intents)
        )
        session.push("READY", dumps(self._ready(session, guilds, bool(d.get("shard")))))
        await self._send_guilds(session, guilds)

    def _ready(
        self, session: GatewaySession, guilds: list[FakeGuild], sharded: bool
    ) -> dict[str, Any]:
        state = self.fake.state
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**state.bot.payload(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "resume_gateway_url": self.fake.ws_url,
            "application": {"id": str(state.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "session_type": "normal",
            "auth": {},
            "_trace": ["fake-gateway"],
        }
        if sharded:
            ready["shard"] = [session.shard_id, session.shard_count]
        return ready

    async def _send_guilds(self, session: GatewaySession, guilds: list[FakeGuild]) -> None:
        state = self.fake.state
        for index, guild in enumerate(guilds):
            session.push("GUILD_CREATE", guild_create_json(state, guild))
            if index % 500 == 499:
                await asyncio.sleep(0)
        session.guilds_sent = True
        state.notify()

    def _resume(self, conn: Connection, d: dict[str, Any]) -> None:
        session = self.sessions.get(d.get("session_id") or "")
        seq = d.get("seq") or 0
        lost = session is not None and session.buffer and seq < session.buffer[0][0] - 1
        if (
            session is None
            or not session.valid
            or lost
            or d.get("token") not in (self.fake.state.token, "Bot " + self.fake.state.token)
        ):
            conn.send(dumps({"op": 9, "d": False}))
            return
        if session.conn is not None and session.conn is not conn:
            session.conn.abort()
        session.conn = conn
        conn.session = session
        for s, frame in session.buffer:
            if s > seq:
                conn.send(frame)
        session.push("RESUMED", dumps({"_trace": ["fake-gateway"]}))
        self.events.append(
            GatewayEvent(
                "RESUME",
                time.time(),
                session.id,
                (session.shard_id, session.shard_count),
                session.intents,
            )
        )
        self.fake.state.notify()

    def _members_chunk(self, session: GatewaySession, d: dict[str, Any]) -> None:
        guild = self.fake.state.guilds.get(int(d.get("guild_id") or 0))
        if guild is None:
            return
        wanted = {int(u) for u in d.get("user_ids") or []}
        query = str(d.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if m.user.id in wanted or (not wanted and m.user.name.lower().startswith(query))
        ]
        limit = int(d.get("limit") or 0) or len(members)
        chunk = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members[:limit]],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", dumps(chunk))
