"""Every embed the bot sends, as functions of models."""

from __future__ import annotations

import discord

from bot.core.models import Question, Rating, Topic
from bot.domain.answers.grading import Grade, bar, core_summary, unfound_note
from bot.ui.kit.text import EMBED_FIELD, clip, quote_user_text

RATING_LABELS = {
    Rating.AGAIN: "Again",
    Rating.HARD: "Hard",
    Rating.GOOD: "Good",
    Rating.EASY: "Easy",
}
DIFFICULTY_ICONS = {"easy": "🟢 easy", "medium": "🟡 medium", "hard": "🔴 hard"}


def _heading(topic: Topic | None, question: Question) -> str:
    name = f"{topic.emoji} {topic.title}" if topic else question.topic
    return f"{name} · {question.title}"


def question_embed(
    question: Question, topic: Topic | None, header: str | None = None, probe: int | None = None
) -> discord.Embed:
    """A follow-up as the interviewer asks it: scene, question, difficulty. No key points."""
    embed = discord.Embed(
        title=clip(_heading(topic, question), 256), colour=topic.colour if topic else None
    )
    lines = [f"*{question.scenario}*", ""]
    if probe is not None:
        lines += [f"Earlier: {question.question}", "", "**Let me dig into that.**"]
    lines.append(f"**{question.prompt(probe)}**")
    embed.description = "\n".join(lines)
    embed.add_field(name="Difficulty", value=DIFFICULTY_ICONS[question.difficulty.value])
    embed.add_field(name="Key points", value=str(len(question.points(probe))))
    if header:
        embed.set_author(name=clip(header, 256))
    embed.set_footer(text=f"id: {question.id} · Answer, then grade yourself against the key points")
    return embed


def answer_embed(question: Question, answer: str, probe: int | None) -> discord.Embed:
    """What the candidate wrote, quoted safely, before they grade it."""
    embed = discord.Embed(title="Your answer", colour=discord.Colour.blurple())
    embed.description = (
        f"**{clip(question.prompt(probe), 300)}**\n\n{quote_user_text(answer)}\n\n"
        "Now press **Grade myself** and tick the key points your answer covered. "
        "Be strict: tick a point only if you said it clearly."
    )
    return embed


def key_points_embed(
    question: Question, topic: Topic | None, probe: int | None = None, title: str = "Key points"
) -> discord.Embed:
    """The model answer as key points with why each matters."""
    embed = discord.Embed(
        title=clip(f"{title} · {question.title}", 256), colour=topic.colour if topic else None
    )
    embed.description = f"**{question.prompt(probe)}**"
    for i, point in enumerate(question.points(probe), start=1):
        embed.add_field(
            name=clip(f"{i}. {point.label}", 256), value=clip(point.why, EMBED_FIELD), inline=False
        )
    if probe is None and question.red_flags:
        flags = "\n".join(f"• {flag}" for flag in question.red_flags)
        embed.add_field(
            name="Red flags interviewers hear", value=clip(flags, EMBED_FIELD), inline=False
        )
    return embed


def _score_lines(result: Grade) -> list[str]:
    """Coverage with its bar, the core points apart, and a gentle word on unsupported ticks."""
    tally = result.core_tally
    weighted = " (core points count double)" if tally and tally[1] else ""
    lines = [
        f"Covered **{len(result.covered)} of {result.total}** key points "
        f"`{bar(result.coverage)}` {result.percent}%{weighted}"
    ]
    if tally and tally[1]:
        lines.append(core_summary(*tally))
    note = unfound_note(len(result.unfound))
    if note:
        lines += ["", f"*{note}*"]
    return lines


def result_embed(
    question: Question, result: Grade, probe: int | None, rating: Rating | None = None
) -> discord.Embed:
    """The score: coverage, a bar, each missed point (core ones first) with why it matters, the
    rating."""
    chosen = rating or result.rating
    colour = (
        discord.Colour.green()
        if result.coverage >= 0.7
        else (discord.Colour.gold() if result.coverage >= 0.4 else discord.Colour.red())
    )
    embed = discord.Embed(title=clip(f"Score · {question.title}", 256), colour=colour)
    embed.description = "\n".join(
        [f"**{clip(question.prompt(probe), 300)}**", "", *_score_lines(result)]
    )
    for i, point in enumerate(result.missed):
        name = "Missed core point" if i < len(result.missed_core) else "Missed"
        embed.add_field(
            name=clip(f"{name}: {point.label}", 256),
            value=clip(point.why, EMBED_FIELD),
            inline=False,
        )
    if not result.missed:
        embed.add_field(
            name="Nothing missed", value="Every key point covered. Well done.", inline=False
        )
    cap = ", at most Hard while a core point is missed" if result.capped else ""
    embed.add_field(
        name="Rating",
        inline=False,
        value=(
            f"Suggested **{RATING_LABELS[result.rating]}** from your coverage{cap}"
            + ("" if chosen == result.rating else f"; you chose **{RATING_LABELS[chosen]}**")
            + ". Change it below if it feels wrong: it decides when this question comes back."
        ),
    )
    return embed


HELP_TEXT = (
    ("/followup [topic] [question]", "Post a follow-up question here. Anyone can answer it."),
    ("Answer", "Write what you would say to the interviewer. Only you see it."),
    (
        "Grade myself",
        "Tick the key points your answer covered; under each, your own closest words (or a "
        "note that none were found). Core points count double. The bot scores it, shows what "
        "you missed and why it matters, and suggests a rating (Again <40%, Hard <70%, "
        "Good <100%, Easy 100%; at most Hard while a core point is missed).",
    ),
    (
        "Go deeper",
        "The interviewer's next, deeper question on the same topic, graded the same way.",
    ),
    (
        "Reveal key points",
        "See the model answer without answering. It counts as a reveal, "
        "not a score, and the question comes back soon.",
    ),
)


def help_embed() -> discord.Embed:
    """An overview of the commands and of self-grading."""
    embed = discord.Embed(
        title="followup: the interviewer's follow-up questions", colour=discord.Colour.blurple()
    )
    embed.description = (
        "Interviewers decide hire or no-hire on the follow-ups: *What if the "
        "cache goes down? How do you handle duplicate messages?* Practise them "
        "here and grade yourself honestly against the key points."
    )
    for name, value in HELP_TEXT:
        embed.add_field(name=name, value=value, inline=False)
    return embed
