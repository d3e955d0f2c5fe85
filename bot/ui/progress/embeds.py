"""Embeds for reviews, stats, the leaderboard and your data."""

from __future__ import annotations

import discord

from bot.core.models import Topic
from bot.domain.answers.grading import bar, core_summary
from bot.domain.progress.stats import Stats
from bot.ui.kit.text import clip


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def stats_embed(name: str, stats: Stats, topics: dict[str, Topic]) -> discord.Embed:
    """Attempts, coverage and mastery per topic, streaks and due reviews."""
    embed = discord.Embed(title=clip(f"Progress · {name}", 256), colour=discord.Colour.blurple())
    core = f"\n{core_summary(stats.core_covered, stats.core_total)}" if stats.core_total else ""
    embed.description = (
        f"**{stats.attempts}** graded answers · average coverage **{_percent(stats.coverage)}**"
        f" (core points count double){core}\n"
        f"Streak **{stats.streak.current}** day(s) (best {stats.streak.best})"
        f"{' · answered today' if stats.streak.active_today else ''} · "
        f"**{stats.due}** review(s) due"
    )
    if stats.peer_attempts:
        own, own_coverage = stats.self_graded
        embed.description += (
            f"\nGraded by a peer (/mock pair): **{stats.peer_attempts}** · coverage "
            f"**{_percent(stats.peer_coverage)}** · self-graded: {own} · {_percent(own_coverage)}"
        )
    if stats.removed:  # still counted: a removed server question keeps its history
        embed.description += (
            f"\n{stats.removed} of them answer server questions since removed (still counted)"
        )
    rows = []
    for topic in stats.topics:
        info = topics.get(topic.topic)
        label = f"{info.emoji} {info.title}" if info else topic.topic
        core = f" · core {topic.core_covered}/{topic.core_total}" if topic.core_total else ""
        rows.append(
            f"{label}: {topic.attempts} · coverage {_percent(topic.coverage)}{core} · "
            f"mastery `{bar(topic.mastery)}` {_percent(topic.mastery)}"
        )
    embed.add_field(name="Per topic", value=clip("\n".join(rows), 1024), inline=False)
    embed.set_footer(
        text="Mastery is FSRS retrievability: the chance you would recall the key points today."
    )
    return embed


def leaderboard_embed(rows: list[tuple[int, int]], period: str) -> discord.Embed:
    """The opted-in members of this server by points."""
    embed = discord.Embed(title=f"Leaderboard · {period}", colour=discord.Colour.gold())
    if not rows:
        embed.description = (
            "Nobody here is on the leaderboard yet. Join with "
            "`/settings leaderboard on`, then answer and grade questions."
        )
        return embed
    medals = ["🥇", "🥈", "🥉"]
    lines = [
        f"{medals[i] if i < 3 else f'{i + 1}.'} <@{user}> · {points} pts"
        for i, (user, points) in enumerate(rows[:20])
    ]
    embed.description = "\n".join(lines)
    embed.set_footer(
        text="10 points per fully covered answer, at most 50 a day. Only members "
        "who opted in are shown."
    )
    return embed
