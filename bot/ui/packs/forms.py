"""The suggestion form (new, a draft's fix, a moderator's edit) and the rejection reason.

Modals are read back from the raw submit by the router, so a form submitted after a restart
still lands. Every limit here is the bank's own, so most mistakes cannot be typed at all.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.core.models import TOPIC_IDS
from bot.domain.content.questions import LIMITS
from bot.domain.packs.forms import SuggestionForm
from bot.ui.kit.text import clip

SID = r"(?P<sid>[0-9]{1,18})"
NEW_MODAL = re.compile(r"fu:m:sug:new")
FIX_MODAL = re.compile(rf"fu:m:sug:fix:{SID}")
EDIT_MODAL = re.compile(rf"fu:m:sug:edit:{SID}")
REJECT_MODAL = re.compile(rf"fu:m:sug:no:{SID}")
REASON_FIELD = "reason"
REASON_LIMIT = 300


def _text(
    custom_id: str,
    label: str,
    description: str,
    limit: int,
    value: str = "",
    long: bool = True,
    required: bool = True,
) -> discord.ui.Label[discord.ui.Modal]:
    return discord.ui.Label(
        text=label,
        description=description,
        component=discord.ui.TextInput(
            custom_id=custom_id,
            style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
            max_length=limit,
            required=required,
            default=clip(value, limit) or None,
        ),
    )


def suggestion_modal(
    custom_id: str, form: SuggestionForm | None = None, moderator: bool = False
) -> discord.ui.Modal:
    """The five fields of a suggestion; a moderator edits the title instead of the topic."""
    form = form or SuggestionForm("", "", "", "")
    title = "Edit the suggestion" if moderator else "Suggest a follow-up question"
    modal = discord.ui.Modal(title=title, custom_id=custom_id)
    if moderator:
        modal.add_item(
            _text(
                "title",
                "Title",
                "A few words naming the problem",
                LIMITS["title"],
                form.title,
                long=False,
                required=False,
            )
        )
    else:
        modal.add_item(
            _text(
                "topic",
                "Topic",
                clip("One of: " + ", ".join(TOPIC_IDS), 100),
                20,
                form.topic,
                long=False,
            )
        )
    modal.add_item(
        _text(
            "scenario",
            "Scenario",
            "The system you were asked about",
            LIMITS["scenario"],
            form.scenario,
        )
    )
    modal.add_item(
        _text(
            "question",
            "The follow-up",
            "What the interviewer asked",
            LIMITS["question"],
            form.question,
        )
    )
    modal.add_item(
        _text(
            "key_points",
            "Key points, one per line",
            "4 to 8 things a strong answer says. Start a line with * for a core point (1-3).",
            1000,
            form.key_points,
        )
    )
    modal.add_item(
        _text(
            "why",
            "Why each matters (optional)",
            "One line per key point, in the same order.",
            2500,
            form.why,
            required=False,
        )
    )
    return modal


def reject_modal(suggestion_id: int) -> discord.ui.Modal:
    """The reason a suggestion is rejected, which its author is told."""
    modal = discord.ui.Modal(
        title="Reject the suggestion", custom_id=f"fu:m:sug:no:{suggestion_id}"
    )
    modal.add_item(_text(REASON_FIELD, "Reason", "Its author is told this.", REASON_LIMIT))
    return modal


def form_from(values: dict[str, Any], before: SuggestionForm | None = None) -> SuggestionForm:
    """A submitted form; fields the modal did not show keep their earlier value."""

    def value(key: str) -> str:
        raw = values.get(key)
        if isinstance(raw, str):
            return raw
        return getattr(before, key) if before is not None else ""

    return SuggestionForm(
        topic=value("topic"),
        scenario=value("scenario"),
        question=value("question"),
        key_points=value("key_points"),
        why=value("why"),
        title=value("title"),
    )


def reason_from(values: dict[str, Any]) -> str:
    """The submitted rejection reason (empty when missing)."""
    raw = values.get(REASON_FIELD)
    return raw.strip()[:REASON_LIMIT] if isinstance(raw, str) else ""
