"""Embeds of the mock round: the question, the answer to grade, the scorecard, the history."""

from __future__ import annotations

import discord

from bot.core.models import Question
from bot.core.round_state import Round
from bot.domain.answers.grading import bar, core_summary
from bot.domain.mock.scorecard import Scorecard, minutes
from bot.ui.kit.text import EMBED_FIELD, clip, quote_user_text


def part_embed(state: Round, question: Question, resumed: bool = False) -> discord.Embed:
    """The interviewer asks: the question (or a probe), with the time allowed."""
    number = f"Question {state.index + 1} of {len(state.question_ids)}"
    embed = discord.Embed(colour=discord.Colour.blurple())
    if state.probe is None:
        embed.title = clip(f"{number} · {question.title}", 256)
        embed.description = f"*{question.scenario}*\n\n**{question.question}**"
    else:
        embed.title = clip(f"{number} · Let me dig into that", 256)
        embed.description = f"**{question.probes[state.probe].question}**"
    deadline = f"<t:{int(state.deadline.timestamp())}:R>" if state.deadline else "-"
    embed.add_field(name="Time", value=f"{minutes(state.limit.total_seconds())} · ends {deadline}")
    embed.add_field(
        name="How", value="Answer in one or more messages, then press **Done** or type `done`."
    )
    if resumed:
        embed.set_author(name="I was restarted; your round continues where it stopped.")
    return embed


def grade_prompt_embed(state: Round, question: Question) -> discord.Embed:
    """The answer as given, before the candidate ticks the key points."""
    embed = discord.Embed(title="Grade yourself", colour=discord.Colour.gold())
    cut = "\n\n*(cut at the length limit)*" if state.truncated else ""
    late = "⏰ Time's up: here is what you wrote.\n\n" if state.timed_out else ""
    embed.description = (
        f"{late}**{clip(question.prompt(state.probe), 300)}**\n\n"
        f"{quote_user_text(state.answer)}{cut}\n\nPress **Grade myself** and "
        "tick the key points your answer covered. Under each you will see your own closest "
        "words, or a note that none were found; tick only what you said."
    )
    return embed


def scorecard_embed(card: Scorecard) -> discord.Embed:
    """Coverage per question and topic, time used, missed points, what to review next."""
    head = "Round stopped early" if card.stopped else "Scorecard"
    embed = discord.Embed(
        title=f"{head} · {round(card.coverage * 100)}% of key points",
        colour=discord.Colour.green() if card.coverage >= 0.7 else discord.Colour.orange(),
    )
    rows = []
    for i, line in enumerate(card.lines, start=1):
        probe = f" · probe {line.probe_covered}/{line.probe_total}" if line.probe_total else ""
        late = " ⏰" if line.timed_out else ""
        rows.append(
            f"**{i}. {line.title}** {line.covered}/{line.total} `{bar(line.coverage)}` "
            f"{round(line.coverage * 100)}%{probe} · "
            f"{minutes(line.seconds)} of {minutes(line.limit)}{late}"
        )
    embed.description = clip("\n".join(rows) or "No question was graded.", 4096)
    topics = ", ".join(f"{t} {round(v * 100)}%" for t, v in sorted(card.topic_shares().items()))
    embed.add_field(name="Per topic", value=clip(topics or "-", EMBED_FIELD), inline=False)
    if card.core[1]:
        core = f"{core_summary(*card.core)} (core points count double)"
        embed.add_field(name="Core points", value=core, inline=False)
    embed.add_field(name="Time", value=f"{minutes(card.seconds)} used of {minutes(card.limit)}")
    if card.missed:
        embed.add_field(
            name="Key points you missed",
            inline=False,
            value=clip("\n".join(f"• {m}" for m in card.missed), EMBED_FIELD),
        )
    if card.review_next:
        embed.add_field(
            name="Review next",
            inline=False,
            value=clip(", ".join(f"`{q}`" for q in card.review_next), EMBED_FIELD),
        )
    return embed


def history_embed(cards: list[tuple[Round, Scorecard]]) -> discord.Embed:
    """A user's recent rounds."""
    embed = discord.Embed(title="Your mock rounds", colour=discord.Colour.blurple())
    if not cards:
        embed.description = "No finished rounds yet. Start one with /mock start."
        return embed
    lines = [
        f"<t:{int(state.started_at.timestamp())}:d> · {len(card.lines)} of {card.asked} "
        f"questions · {round(card.coverage * 100)}% `{bar(card.coverage)}`"
        f"{' · stopped' if card.stopped else ''}"
        for state, card in cards
    ]
    embed.description = clip("\n".join(lines), 4096)
    return embed
