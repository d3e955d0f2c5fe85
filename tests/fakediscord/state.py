"""Everything the fake Discord knows: users, guilds, channels, messages, interactions."""

# A ``timeout`` argument on waits is this test API's convention.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .httputil import UploadedFile
from .messages import FakeMessage, assign_component_ids
from .models import (
    BOT_PERMISSIONS,
    DEFAULT_MEMBER_PERMISSIONS,
    DM,
    GUILD_TEXT,
    LOADING,
    MANAGE_GUILD,
    SEND_MESSAGES,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeModal,
    FakeRole,
    FakeUser,
    Snowflakes,
    iso,
)

T = TypeVar("T")
GUILDS_INTENT = 1 << 0
GUILD_MESSAGES_INTENT = 1 << 9
DIRECT_MESSAGES_INTENT = 1 << 12
# emit(event, data, guild_id, intent, content_is_private)
Emitter = Callable[[str, dict[str, Any], int | None, int | None, bool], None]


@dataclass(eq=False)
class FakeInteraction:
    """An interaction sent to the bot, and what the bot did with it."""

    id: int
    token: str
    type: int
    user: FakeUser
    guild_id: int | None
    channel_id: int
    payload: dict[str, Any]
    created_at: float = field(default_factory=time.monotonic)
    dispatched_at: float = 0.0  # time.time() when INTERACTION_CREATE was queued to the bot
    message_id: int | None = None
    response_type: int | None = None
    responded_at: float | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: FakeModal | None = None
    choices: list[dict[str, Any]] | None = None
    errors: list[tuple[str, int, int]] = field(default_factory=list)


class FakeState:
    """Storage of the fake; every change calls ``notify()`` so waiters re-check their predicates."""

    def __init__(self, token: str, public_url: Callable[[], str]) -> None:
        self.ids = Snowflakes()
        self.token = token
        self.public_url = public_url
        self.app_id = self.ids.next()
        self.bot = FakeUser(self.app_id, "followup-test-bot", bot=True)
        self.owner = FakeUser(self.ids.next(), "guild-owner")
        self.users: dict[int, FakeUser] = {self.bot.id: self.bot, self.owner.id: self.owner}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.dm_by_user: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.channel_messages: dict[int, list[FakeMessage]] = {}
        self.attachments: dict[int, FakeAttachment] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.interactions_by_token: dict[str, FakeInteraction] = {}
        self.modals: list[FakeModal] = []
        self.closed_dms: set[int] = set()
        # enforce_nonce: (author, nonce) -> (when, message); a resend returns the first message
        self.nonces: dict[tuple[int, str], tuple[float, FakeMessage]] = {}
        self.nonce_replays = 0
        self.emit: Emitter = lambda *args: None
        self._changed = asyncio.Event()

    # -- change notification -------------------------------------------------------------
    def notify(self) -> None:
        """Wake every ``wait_for``."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float, what: str = "condition"
    ) -> T:
        """Wait until ``predicate()`` is truthy and return its value (TimeoutError names
        ``what``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # -- users, guilds, channels ---------------------------------------------------------
    def add_user(self, name: str) -> FakeUser:
        """A new (or the existing) user with this name."""
        for user in self.users.values():
            if user.name == name:
                return user
        user = FakeUser(self.ids.next(), name)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        channels: tuple[str, ...] = ("general",),
        system_channel: str | None = "general",
    ) -> FakeGuild:
        """A guild with @everyone, a "Managers" role (MANAGE_GUILD), the bot's role and channels."""
        gid = self.ids.next_guild()
        guild = FakeGuild(gid, name, self.owner.id)
        manager = FakeRole(gid + 1, "Managers", DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD, 1)
        bot_role = FakeRole(
            gid + 2, self.bot.name, BOT_PERMISSIONS, 2, managed=True, bot_id=self.bot.id
        )
        everyone = FakeRole(gid, "@everyone", DEFAULT_MEMBER_PERMISSIONS)
        guild.roles = {gid: everyone, manager.id: manager, bot_role.id: bot_role}
        guild.manager_role_id = manager.id
        guild.members[self.bot.id] = FakeMember(self.bot, gid, [bot_role.id])
        guild.members[self.owner.id] = FakeMember(self.owner, gid, [])
        self.guilds[gid] = guild
        for position, channel_name in enumerate(channels):
            ch = self.add_channel(guild, channel_name, position=position)
            if channel_name == system_channel:
                guild.system_channel_id = ch.id
        return guild

    def add_channel(
        self,
        guild: FakeGuild,
        name: str,
        *,
        type: int = GUILD_TEXT,
        position: int = 0,
        parent_id: int | None = None,
        owner_id: int | None = None,
    ) -> FakeChannel:
        """A new channel (or thread) in a guild."""
        ch = FakeChannel(self.ids.next(), type, name, guild.id, position, parent_id, owner_id)
        guild.channels[ch.id] = ch
        self.channels[ch.id] = ch
        guild.invalidate()
        return ch

    def add_member(
        self,
        user: FakeUser,
        guild: FakeGuild,
        *,
        manage_guild: bool = False,
        roles: list[int] | None = None,
    ) -> FakeMember:
        """Make ``user`` a member of ``guild`` (with the Managers role if ``manage_guild``)."""
        member = guild.members.get(user.id)
        if member is None:
            member = guild.members[user.id] = FakeMember(user, guild.id, [])
            guild.invalidate()
        if manage_guild and guild.manager_role_id not in member.roles:
            member.roles.append(guild.manager_role_id or 0)
        for rid in roles or []:
            if rid not in member.roles:
                member.roles.append(rid)
        return member

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The DM channel between the bot and ``user`` (created on first use, like Discord)."""
        ch = self.dm_by_user.get(user.id)
        if ch is None:
            ch = FakeChannel(self.ids.next(), DM, recipient=user)
            self.dm_by_user[user.id] = ch
            self.channels[ch.id] = ch
        return ch

    def bot_permissions(self, channel: FakeChannel) -> int:
        """What the bot may do in a channel (``forbid_channel`` removes SEND_MESSAGES)."""
        if channel.guild_id is None:
            return BOT_PERMISSIONS
        guild = self.guilds[channel.guild_id]
        bot_member = guild.members.get(self.bot.id)
        perms = guild.permissions_of(bot_member) if bot_member is not None else 0
        parent = self.channels.get(channel.parent_id or 0)
        if channel.forbidden or (parent is not None and parent.forbidden):
            perms &= ~SEND_MESSAGES
        return perms

    # -- messages --------------------------------------------------------------------------
    def attachments_from(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[UploadedFile],
        keep: list[FakeAttachment],
    ) -> list[FakeAttachment]:
        """Resolve ``attachments`` + ``files[n]`` into stored attachments (kept ones by id)."""
        by_index = {f.index: f for f in files}
        out: list[FakeAttachment] = []
        kept = {a.id: a for a in keep}
        listed = body.get("attachments")
        entries = listed if listed is not None else [{"id": f.index} for f in files]
        if listed is None:
            out.extend(keep)
        for entry in entries:
            ref = int(entry.get("id", -1))
            if ref in kept:
                out.append(kept[ref])
            elif ref in by_index:
                upload = by_index[ref]
                aid = self.ids.next()
                filename = entry.get("filename") or upload.filename
                url = f"{self.public_url()}/attachments/{channel_id}/{aid}/{filename}"
                att = FakeAttachment(
                    aid, filename, upload.data, url, upload.content_type, entry.get("description")
                )
                self.attachments[aid] = att
                out.append(att)
        return out

    def create_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        body: dict[str, Any],
        files: list[UploadedFile] | None = None,
        **extra: Any,
    ) -> FakeMessage:
        """Store a message from a create payload; emit MESSAGE_CREATE unless it is ephemeral."""
        msg = FakeMessage(self.ids.next(), channel.id, author, channel.guild_id, **extra)
        self._apply(msg, body, files or [], creating=True)
        self.messages[msg.id] = msg
        self.channel_messages.setdefault(channel.id, []).append(msg)
        channel.last_message_id = msg.id
        channel.message_count += 1
        if msg.visible_to is None:
            self._emit_message("MESSAGE_CREATE", msg, msg.payload())
        self.notify()
        return msg

    def edit_message(
        self, msg: FakeMessage, body: dict[str, Any], files: list[UploadedFile] | None = None
    ) -> FakeMessage:
        """Apply an edit payload; a deferred placeholder stops loading."""
        self._apply(msg, body, files or [], creating=False)
        msg.flags &= ~LOADING
        msg.edits += 1
        msg.edited_timestamp = iso()
        if msg.visible_to is None:
            self._emit_message("MESSAGE_UPDATE", msg, msg.payload())
        self.notify()
        return msg

    def delete_message(self, msg: FakeMessage) -> None:
        """Mark a message deleted and emit MESSAGE_DELETE."""
        msg.deleted = True
        if msg.visible_to is None:
            data = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id:
                data["guild_id"] = str(msg.guild_id)
            self._emit_message("MESSAGE_DELETE", msg, data)
        self.notify()

    def _apply(
        self, msg: FakeMessage, body: dict[str, Any], files: list[UploadedFile], *, creating: bool
    ) -> None:
        if "content" in body:
            msg.content = body["content"] or ""
        if "embeds" in body:
            msg.embeds = body["embeds"] or []
        if "components" in body:
            msg.components = body["components"] or []
            assign_component_ids(msg.components)
        if body.get("flags") is not None:
            keep = msg.flags & (1 << 6) if not creating else 0
            msg.flags = int(body["flags"]) | keep
        if "allowed_mentions" in body:
            msg.allowed_mentions = body["allowed_mentions"]
        if creating:
            msg.tts = bool(body.get("tts", False))
            if body.get("message_reference"):
                msg.message_reference = body["message_reference"]
        if files or "attachments" in body:
            msg.attachments = self.attachments_from(
                msg.channel_id, body, files, [] if creating else msg.attachments
            )

    def _emit_message(self, event: str, msg: FakeMessage, data: dict[str, Any]) -> None:
        guild = self.guilds.get(msg.guild_id or 0)
        intent = GUILD_MESSAGES_INTENT if guild else DIRECT_MESSAGES_INTENT
        private = False
        if guild is not None:
            member = guild.members.get(msg.author.id)
            if member is not None and event != "MESSAGE_DELETE":
                data["member"] = member.payload(with_user=False)
            private = msg.author.id != self.bot.id and f"<@{self.bot.id}>" not in msg.content
        self.emit(event, data, msg.guild_id, intent, private)

    def visible_messages(self, channel_id: int, user_id: int | None = None) -> list[FakeMessage]:
        """Non-deleted messages of a channel, plus the ephemeral ones ``user_id`` sees."""
        return [
            m
            for m in self.channel_messages.get(channel_id, [])
            if not m.deleted and (m.visible_to is None or m.visible_to == user_id)
        ]
