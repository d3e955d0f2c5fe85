"""Builds the INTERACTION_CREATE payloads a Discord client would produce for a user."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from .httputil import UploadedFile
from .messages import FakeMessage
from .models import DM, FakeAttachment, FakeChannel, FakeGuild, FakeRole, FakeUser
from .state import FakeInteraction

if TYPE_CHECKING:
    from .server import FakeDiscord

Resolved = dict[str, dict[str, Any]]
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
ATTACHMENT_LIMIT = 10 * 1024 * 1024


class CommandNotVisible(LookupError):
    """The user's client would not offer this command (unknown, no permission, wrong context)."""


def new_interaction(
    fake: FakeDiscord,
    user: FakeUser,
    guild: FakeGuild | None,
    channel: FakeChannel,
    kind: int,
    data: dict[str, Any],
    message: FakeMessage | None = None,
) -> FakeInteraction:
    """Create, store and dispatch an INTERACTION_CREATE with every field discord.py reads."""
    state = fake.state
    iid = state.ids.next()
    token = f"fake-interaction-{iid}-{secrets.token_urlsafe(24)}"
    payload: dict[str, Any] = {
        "id": str(iid),
        "application_id": str(state.app_id),
        "type": kind,
        "token": token,
        "version": 1,
        "data": data,
        "channel_id": str(channel.id),
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_LIMIT,
        "app_permissions": str(state.bot_permissions(channel)),
    }
    if guild is not None:
        member = guild.members[user.id]
        perms = guild.permissions_of(member)
        payload.update(
            guild_id=str(guild.id),
            guild_locale=guild.locale,
            context=0,
            guild={"id": str(guild.id), "locale": guild.locale, "features": []},
            member=member.payload(permissions=perms),
            channel=channel.payload(permissions=perms),
            authorizing_integration_owners={"0": str(guild.id)},
        )
    else:
        payload.update(
            user=user.payload(),
            channel=channel.payload(),
            context=1,
            authorizing_integration_owners={"0": "0"},
        )
    if message is not None:
        payload["message"] = message.payload()
    inter = FakeInteraction(
        iid,
        token,
        kind,
        user,
        guild.id if guild else None,
        channel.id,
        payload,
        message_id=message.id if message else None,
    )
    state.interactions[iid] = inter
    state.interactions_by_token[token] = inter
    fake.gateway.dispatch("INTERACTION_CREATE", payload, guild.id if guild else None)
    inter.dispatched_at = time.time()  # same clock as RequestRecord.time (benchmarks)
    state.notify()
    return inter


def check_visible(
    cmd: dict[str, Any] | None, name: str, guild: FakeGuild | None, user: FakeUser
) -> dict[str, Any]:
    """Raise CommandNotVisible as the Discord client would hide the command. A guild's
    `open_commands` models an admin's override (Server Settings > Integrations) that lets
    every member use a command whatever its default_member_permissions."""
    if cmd is None:
        raise CommandNotVisible(f"no synced command /{name}")
    contexts = cmd.get("contexts")
    if guild is None:
        if (
            cmd.get("guild_id")
            or cmd.get("dm_permission") is False
            or (contexts is not None and 1 not in contexts)
        ):
            raise CommandNotVisible(f"/{name} is not available in DMs")
        return cmd
    if contexts is not None and 0 not in contexts:
        raise CommandNotVisible(f"/{name} is not available in guilds")
    required = cmd.get("default_member_permissions")
    if name.split()[0] in guild.open_commands:
        required = None
    perms = guild.permissions_of(guild.members[user.id])
    if (required is not None and (int(required) & perms) != int(required)) or (
        required == "0" and perms != (1 << 53) - 1
    ):
        raise CommandNotVisible(f"{user.name} lacks permissions {required} for /{name}")
    return cmd


def _snowflake(value: Any) -> int:
    return value if isinstance(value, int) else int(value.id)


def _resolve(
    fake: FakeDiscord, guild: FakeGuild | None, kind: int, value: Any, resolved: Resolved
) -> Any:
    """Convert a Python value to an option value, filling ``resolved``."""
    state = fake.state
    if kind == MENTIONABLE:
        kind = ROLE if isinstance(value, FakeRole) else USER
    if kind == USER:
        user = state.users[_snowflake(value)]
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        if guild is not None and user.id in guild.members:
            member = guild.members[user.id]
            resolved.setdefault("members", {})[str(user.id)] = member.payload(
                permissions=guild.permissions_of(member), with_user=False
            )
        return str(user.id)
    if kind == CHANNEL:
        ch = state.channels[_snowflake(value)]
        perms = guild.permissions_of(guild.members[state.bot.id]) if guild else 0
        resolved.setdefault("channels", {})[str(ch.id)] = ch.payload(permissions=perms)
        return str(ch.id)
    if kind == ROLE:
        assert guild is not None, "role options need a guild"
        role = (
            next((r for r in guild.roles.values() if r.name == value), None)
            if isinstance(value, str)
            else guild.roles[_snowflake(value)]
        )
        if role is None:
            raise ValueError(f"no role {value!r}")
        resolved.setdefault("roles", {})[str(role.id)] = role.payload()
        return str(role.id)
    if kind == ATTACHMENT:
        att = upload(fake, value)
        resolved.setdefault("attachments", {})[str(att.id)] = att.payload()
        return str(att.id)
    return value


def upload(fake: FakeDiscord, value: Any) -> FakeAttachment:
    """A user upload from ``(filename, bytes)`` or an existing attachment."""
    if isinstance(value, FakeAttachment):
        return value
    filename, data = value
    state = fake.state
    [att] = state.attachments_from(0, {}, [UploadedFile(0, filename, data, None)], [])
    return att


def _check_value(spec: dict[str, Any], value: Any) -> Any:
    """The checks the Discord client does before sending a command."""
    kind, name = spec["type"], spec["name"]
    converters = {STRING: str, INTEGER: int, BOOLEAN: bool, NUMBER: float}
    if kind in converters:
        value = converters[kind](value)
    choices = spec.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"{value!r} is not a choice of option {name!r}")
    if kind == STRING and not spec.get("min_length", 0) <= len(value) <= spec.get(
        "max_length", 6000
    ):
        raise ValueError(f"option {name!r}: length outside min_length/max_length")
    if kind in (INTEGER, NUMBER) and (
        value < spec.get("min_value", value) or value > spec.get("max_value", value)
    ):
        raise ValueError(f"option {name!r}: {value} outside min_value/max_value")
    return value


def command_data(
    fake: FakeDiscord,
    cmd: dict[str, Any],
    path: list[str],
    values: dict[str, Any],
    guild: FakeGuild | None,
    focused: str | None = None,
) -> dict[str, Any]:
    """``data`` of an APPLICATION_COMMAND (or AUTOCOMPLETE when ``focused``) interaction."""
    specs, chain = cmd.get("options") or [], []
    for part in path:
        sub = next((o for o in specs if o["name"] == part and o["type"] in (1, 2)), None)
        if sub is None:
            raise CommandNotVisible(f"/{cmd['name']} has no subcommand {part!r}")
        chain.append(sub)
        specs = sub.get("options") or []
    if any(o["type"] in (1, 2) for o in specs):
        raise ValueError(f"/{' '.join([cmd['name'], *path])} needs a subcommand")
    resolved: Resolved = {}
    options: list[dict[str, Any]] = []
    by_name = {o["name"]: o for o in specs}
    for name, value in values.items():
        spec = by_name.get(name)
        if spec is None:
            raise ValueError(f"/{cmd['name']} has no option {name!r}")
        if name == focused:
            options.append(
                {"name": name, "type": spec["type"], "value": str(value), "focused": True}
            )
            continue
        if spec["type"] not in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
            value = _check_value(spec, value)
        options.append(
            {
                "name": name,
                "type": spec["type"],
                "value": _resolve(fake, guild, spec["type"], value, resolved),
            }
        )
    missing = [o["name"] for o in specs if o.get("required") and o["name"] not in values]
    if missing and focused is None:
        hint = (
            " (pass an option named 'channel' as options={'channel': ...}; the channel= "
            "argument is where the command runs)"
            if "channel" in missing
            else ""
        )
        raise ValueError(f"missing required options {missing}{hint}")
    for sub in reversed(chain):
        options = [{"name": sub["name"], "type": sub["type"], "options": options}]
    data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": options}
    if resolved:
        data["resolved"] = resolved
    if cmd.get("guild_id"):
        data["guild_id"] = cmd["guild_id"]
    return data


def interaction_channel(
    fake: FakeDiscord, user: FakeUser, guild: FakeGuild | None, channel: FakeChannel | None
) -> tuple[FakeGuild | None, FakeChannel]:
    """Where an interaction happens: the channel's guild, or the user's DM with the bot."""
    if channel is None:
        if guild is None:
            return None, fake.state.dm_channel(user)
        channel = guild.system_channel or guild.text_channels[0]
    if channel.type == DM:
        return None, channel
    return fake.state.guilds[channel.guild_id or 0], channel
