"""What happens when an answer or a checklist is submitted from a modal."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.ui.answers import embeds
from bot.ui.answers.buttons import grade_view, result_view, where
from bot.ui.answers.modals import ANSWER_FIELD, ANSWER_MODAL, GRADE_MODAL, ticked_points
from bot.ui.kit.items import services_of
from bot.ui.kit.replies import send_ephemeral


async def answer_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, Any]
) -> None:
    """Save the answer and show it, only to its author, with a Grade myself button."""
    svc = services_of(interaction.client)
    probe = int(match["probe"]) if match["probe"] else None
    text = values.get(ANSWER_FIELD)
    attempt = await svc.flow.answer(
        interaction.user.id,
        match["qid"],
        probe,
        text if isinstance(text, str) else "",
        where(interaction),
    )
    question = svc.flow.question(attempt.question_id)
    await send_ephemeral(
        interaction,
        embed=embeds.answer_embed(question, attempt.answer, probe),
        view=grade_view(attempt.id),
    )


async def checklist_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, Any]
) -> None:
    """Score the ticked key points and show what was missed and why it matters."""
    svc = services_of(interaction.client)
    attempt, result = await svc.flow.grade(
        interaction.user.id, int(match["aid"]), ticked_points(values)
    )
    question = svc.flow.question(attempt.question_id)
    embed = embeds.result_embed(question, result, attempt.probe, attempt.rating)
    view = result_view(attempt.id, question, attempt.probe, attempt.rating)
    if interaction.message is not None:
        await interaction.response.edit_message(embed=embed, view=view)
    else:
        await send_ephemeral(interaction, embed=embed, view=view)


ANSWER_MODALS = ((ANSWER_MODAL, answer_submitted), (GRADE_MODAL, checklist_submitted))
