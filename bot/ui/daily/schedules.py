"""How schedules are shown to admins."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.core.models import Schedule
from bot.domain.daily.rules import next_post
from bot.ui.kit.text import clip


def schedule_line(schedule: Schedule, now: datetime) -> str:
    """One schedule: where, when, what, and when next."""
    topics = ", ".join(schedule.topics) or "all topics"
    extras = []
    if schedule.role_id:
        extras.append(f"pings <@&{schedule.role_id}>")
    extras.append("thread" if schedule.use_thread else "no thread")
    if schedule.paused:
        return (
            f"<#{schedule.channel_id}> · {schedule.post_time} {schedule.timezone} · {topics}"
            f" · **paused**: {clip(schedule.pause_reason or 'paused', 200)}"
        )
    when = next_post(schedule, now)
    local = when.astimezone(ZoneInfo(schedule.timezone)).strftime("%a %d %b %H:%M %Z")
    return (
        f"<#{schedule.channel_id}> · {schedule.post_time} {schedule.timezone} · {topics} · "
        f"{', '.join(extras)}\n  next: {local} (<t:{int(when.timestamp())}:R>)"
    )


def schedules_embed(schedules: list[Schedule], now: datetime) -> discord.Embed:
    """A server's schedules, or how to create one."""
    embed = discord.Embed(title="Daily questions", colour=discord.Colour.blurple())
    if not schedules:
        embed.description = (
            "No daily questions yet. An admin can start one with "
            "`/daily set channel time timezone`."
        )
        return embed
    embed.description = clip("\n".join(schedule_line(s, now) for s in schedules), 4096)
    return embed
