"""Plain data objects held by the fake Discord, and the JSON payloads Discord sends for them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
# Guild snowflakes get consecutive timestamps from here on, so that (guild_id >> 22) % n spreads
# guilds evenly over shards, as it does for real guilds created over years.
_GUILD_EPOCH_MS = 1577836800000 - DISCORD_EPOCH_MS  # 2020-01-01

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
DEFAULT_MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
BOT_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS | MANAGE_MESSAGES | MANAGE_THREADS | MENTION_EVERYONE

# Message flags.
EPHEMERAL = 1 << 6
LOADING = 1 << 7
IS_COMPONENTS_V2 = 1 << 15

# Channel types.
GUILD_TEXT = 0
DM = 1
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12


def iso(ts: float | None = None) -> str:
    """An ISO-8601 timestamp as Discord writes them."""
    return datetime.fromtimestamp(time.time() if ts is None else ts, UTC).isoformat()


class Snowflakes:
    """Generates increasing snowflakes whose timestamp part is the current time."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._seq = 0
        self._guild_index = 0

    def next(self) -> int:
        """A fresh snowflake."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        if ms <= self._last_ms:
            self._seq += 1
            if self._seq >= 1 << 12:
                self._last_ms += 1
                self._seq = 0
            ms = self._last_ms
        else:
            self._last_ms, self._seq = ms, 0
        return (ms << 22) | (1 << 17) | self._seq

    def next_guild(self) -> int:
        """A guild snowflake; consecutive guilds land on consecutive shards."""
        self._guild_index += 1
        return ((_GUILD_EPOCH_MS + self._guild_index) << 22) | (2 << 17)


@dataclass(slots=True, eq=False)
class FakeUser:
    """A Discord user (a person or the bot)."""

    id: int
    name: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        """The user object."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name or self.name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(slots=True, eq=False)
class FakeRole:
    """A guild role."""

    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        """The role object."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
            "icon": None,
            "unicode_emoji": None,
            "description": None,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(slots=True, eq=False)
class FakeMember:
    """A user's membership in a guild."""

    user: FakeUser
    guild_id: int
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso)

    def payload(self, *, permissions: int | None = None, with_user: bool = True) -> dict[str, Any]:
        """The guild member object (with ``permissions`` as in interactions)."""
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "nick": None,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(slots=True, eq=False)
class FakeChannel:
    """A guild text channel, a thread or a DM channel."""

    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    owner_id: int | None = None
    recipient: FakeUser | None = None
    topic: str | None = None
    deleted: bool = False
    forbidden: bool = False
    forbidden_for: int | None = None  # the bot's user id, denied SEND_MESSAGES by an overwrite
    last_message_id: int | None = None
    message_count: int = 0
    archived: bool = False  # threads: archived / locked by PATCH /channels/{id}
    locked: bool = False
    invitable: bool = True  # private threads: whether members may add others
    thread_members: set[int] = field(default_factory=set)  # PUT .../thread-members/{user}
    no_private_threads: bool = False  # the bot lacks Create Private Threads here

    @property
    def is_thread(self) -> bool:
        """Whether this is a thread."""
        return self.type in (PUBLIC_THREAD, PRIVATE_THREAD)

    def payload(self, *, permissions: int | None = None) -> dict[str, Any]:
        """The channel object."""
        last = str(self.last_message_id) if self.last_message_id else None
        if self.type == DM:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": last,
                "flags": 0,
                "recipients": [self.recipient.payload()],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "nsfw": False,
            "last_message_id": last,
            "rate_limit_per_user": 0,
            "flags": 0,
            "permission_overwrites": [],
        }
        if self.forbidden and self.forbidden_for is not None:
            data["permission_overwrites"] = [
                {"id": str(self.forbidden_for), "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)}
            ]
        if self.is_thread:
            data.update(
                owner_id=str(self.owner_id),
                message_count=self.message_count,
                member_count=max(1, len(self.thread_members)),
                total_message_sent=self.message_count,
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso(),
                    "locked": self.locked,
                    "create_timestamp": iso(),
                },
            )
            if self.type == PRIVATE_THREAD:
                data["thread_metadata"]["invitable"] = self.invitable
            del data["position"], data["permission_overwrites"]
        else:
            data["topic"] = self.topic
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(slots=True, eq=False)
class FakeGuild:
    """A guild, its roles, channels and members."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    system_channel_id: int | None = None
    bot_member: bool = True
    locale: str = "en-US"
    manager_role_id: int | None = None
    open_commands: set[str] = field(default_factory=set)  # admin overrides: everyone may use
    _create_json: str | None = None

    def channel(self, name: str) -> FakeChannel:
        """The (non-deleted) channel with this name."""
        for ch in self.channels.values():
            if ch.name == name and not ch.deleted:
                return ch
        raise KeyError(f"no channel {name!r} in guild {self.name!r}")

    @property
    def text_channels(self) -> list[FakeChannel]:
        """The guild's text channels (not threads)."""
        return [c for c in self.channels.values() if c.type == GUILD_TEXT and not c.deleted]

    @property
    def system_channel(self) -> FakeChannel | None:
        """The system channel, if any."""
        return self.channels.get(self.system_channel_id) if self.system_channel_id else None

    def permissions_of(self, member: FakeMember) -> int:
        """Guild-level permissions of a member (no channel overwrites)."""
        perms = self.roles[self.id].permissions
        for rid in member.roles:
            if rid in self.roles:
                perms |= self.roles[rid].permissions
        if perms & ADMINISTRATOR or member.user.id == self.owner_id:
            return (1 << 53) - 1
        return perms

    def invalidate(self) -> None:
        """Forget the cached GUILD_CREATE payload after a change."""
        self._create_json = None


@dataclass(slots=True, eq=False)
class FakeAttachment:
    """An uploaded file, with its bytes."""

    id: int
    filename: str
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None

    def payload(self) -> dict[str, Any]:
        """The attachment object."""
        out: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type:
            out["content_type"] = self.content_type
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass(slots=True, eq=False)
class FakeModal:
    """A modal the bot showed to a user."""

    custom_id: str
    title: str
    components: list[dict[str, Any]]
    user_id: int
    interaction_id: int
    source_message_id: int | None = None
    settle_at: float = 0.0
    submitted: bool = False
