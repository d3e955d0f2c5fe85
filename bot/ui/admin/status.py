"""The /admin status embed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import discord

from bot.domain.admin.status import WorkInHand


@dataclass(frozen=True, slots=True)
class Connection:
    """What the Discord client knows about itself."""

    uptime: timedelta
    guilds: int
    latency_ms: float
    shards: int


def status_embed(connection: Connection, work: WorkInHand) -> discord.Embed:
    """The bot's health at a glance."""
    embed = discord.Embed(title="followup status", colour=discord.Colour.blurple())
    embed.add_field(name="Uptime", value=_duration(connection.uptime))
    embed.add_field(name="Guilds", value=str(connection.guilds))
    embed.add_field(name="Latency", value=f"{connection.latency_ms:.0f} ms")
    embed.add_field(name="Shards", value=str(connection.shards))
    embed.add_field(name="Schedules", value=f"{work.schedules} ({work.paused} paused)")
    embed.add_field(name="Active rounds", value=str(work.active_rounds))
    posts = sorted(work.posts_by_status.items())
    embed.add_field(
        name="Daily posts",
        inline=False,
        value=", ".join(f"{status} {count}" for status, count in posts) or "none yet",
    )
    embed.add_field(name="Questions", value=str(work.questions))
    embed.add_field(
        name="Server packs",
        value=f"{work.pack_questions} questions in {work.pack_servers} servers",
    )
    return embed


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days}d {hours}h {rest // 60}m"
