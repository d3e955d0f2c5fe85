"""Safe text for Discord: user text is escaped and quoted, and everything fits the limits."""

from __future__ import annotations

import discord

EMBED_DESCRIPTION = 4096
EMBED_FIELD = 1024
EMBED_TOTAL = 6000
EMBED_FIELDS = 25
EMBED_TITLE = 256
ANSWER_QUOTE = 1500  # room for the answer inside one embed, with the question around it


def clip(text: str, limit: int) -> str:
    """Cut text to at most limit characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_user_text(text: str, limit: int = ANSWER_QUOTE) -> str:
    """User text as a block quote whose markdown and mentions cannot take effect."""
    clean = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    clipped = clip(clean, limit)
    return "\n".join(f"> {line}" if line.strip() else ">" for line in clipped.splitlines())


def check_embed(embed: discord.Embed) -> list[str]:
    """The Discord limits an embed breaks (empty when it fits)."""
    problems = []
    if embed.title and len(embed.title) > EMBED_TITLE:
        problems.append(f"title {len(embed.title)} > {EMBED_TITLE}")
    if embed.description and len(embed.description) > EMBED_DESCRIPTION:
        problems.append(f"description {len(embed.description)} > {EMBED_DESCRIPTION}")
    if len(embed.fields) > EMBED_FIELDS:
        problems.append(f"{len(embed.fields)} fields > {EMBED_FIELDS}")
    for field in embed.fields:
        if len(field.name or "") > 256 or len(field.value or "") > EMBED_FIELD:
            problems.append(f"field {field.name!r} too long")
    if len(embed) > EMBED_TOTAL:
        problems.append(f"total {len(embed)} > {EMBED_TOTAL}")
    return problems
