"""What the packs feature shows: review cards, drafts' problems, upload previews, switches.

Everything a member wrote is escaped and quoted (quote_user_text): a suggestion cannot format,
mention or link its way into the review channel.
"""

from __future__ import annotations

import discord

from bot.core.models import TOPIC_IDS, Question
from bot.domain.packs.forms import SuggestionForm
from bot.domain.packs.service import UploadPreview
from bot.store.pack_reviews import Suggestion
from bot.ui.kit.text import clip, quote_user_text

WHY_SHOWN = 250  # eight points, escaped, stay inside the 6,000 of one embed
SHOWN_PROBLEMS = 15  # in a message; the full list goes in a file
STATUS_COLOURS = {
    "pending": discord.Colour.gold(),
    "approved": discord.Colour.green(),
    "rejected": discord.Colour.red(),
    "draft": discord.Colour.light_grey(),
}


def _safe(text: str, limit: int) -> str:
    return quote_user_text(text, limit) or ">"


def review_embed(suggestion: Suggestion, question: Question | None) -> discord.Embed:
    """A suggestion as moderators review it, with what became of it."""
    form = SuggestionForm.from_yaml(suggestion.body)
    title = question.title if question else form.title or form.question
    embed = discord.Embed(
        title=clip(f"Suggestion #{suggestion.id} · {form.topic.strip().lower()}", 256),
        colour=STATUS_COLOURS.get(suggestion.status),
    )
    embed.description = clip(
        f"**Title**\n{_safe(title, 100)}\n**Scenario**\n{_safe(form.scenario, 400)}\n"
        f"**Follow-up**\n{_safe(form.question, 400)}",
        4000,
    )
    points = question.key_points if question else ()
    for i, point in enumerate(points, start=1):
        name = discord.utils.escape_markdown(f"{'(core) ' if point.core else ''}{point.label}")
        embed.add_field(
            name=clip(f"{i}. {name}", 256),
            value=_safe(point.why, WHY_SHOWN),
            inline=False,
        )
    embed.add_field(name="Suggested by", value=f"<@{suggestion.author_id}>")
    embed.add_field(name="Status", value=status_line(suggestion), inline=False)
    return embed


def status_line(suggestion: Suggestion) -> str:
    """What became of a suggestion, naming the moderator (mentions in embeds never ping)."""
    by = f" by <@{suggestion.decided_by}>" if suggestion.decided_by else ""
    if suggestion.status == "approved":
        return f"Approved{by}: now `{suggestion.question_id}` in this server's pack."
    if suggestion.status == "rejected":
        return f"Rejected{by}:\n{_safe(suggestion.reason or '', 500)}"
    return "Waiting for review: Approve, Edit or Reject (Manage Server)."


def problems_text(intro: str, problems: list[str] | tuple[str, ...]) -> str:
    """Problems as content check prints them, in a code block that user text cannot close."""
    shown = [p.replace("`", "ˋ") for p in problems[:SHOWN_PROBLEMS]]
    more = len(problems) - len(shown)
    tail = f"\n…and {more} more in the attached file." if more > 0 else ""
    return clip(f"{intro}\n```\n" + "\n".join(shown) + f"\n```{tail}", 2000)


def preview_text(preview: UploadPreview) -> str:
    """What a checked upload would do, before it is confirmed."""
    per_topic = preview.check.per_topic()
    lines = [f"`{t}` {per_topic[t]}" for t in TOPIC_IDS if t in per_topic]
    name = discord.utils.escape_markdown(preview.filename.replace("`", "'"))
    return clip(
        f"**{name}** passes every check: {len(preview.check.questions)} question(s).\n"
        + "\n".join(lines)
        + f"\n\nStoring it makes this file the server's pack: {preview.added} new, "
        f"{preview.replaced} replaced, {preview.removed} removed (answers to removed "
        "questions stay readable). Confirm within an hour.",
        2000,
    )


def topics_text(off: frozenset[str], own: dict[str, int]) -> str:
    """Which bundled topics this server uses, and its own questions per topic."""
    lines = []
    for topic in TOPIC_IDS:
        state = "off" if topic in off else "on"
        extra = f" · {own[topic]} of this server's own" if own.get(topic) else ""
        lines.append(f"`{topic}` bundled questions {state}{extra}")
    return "Topics in this server:\n" + "\n".join(lines)
