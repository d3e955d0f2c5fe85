"""/followup and /help."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserError
from bot.core.models import TOPIC_IDS, Question
from bot.domain.content.picking import (
    choice_name,
    close_matches,
    pick_or_explain,
    resolve,
    search,
)
from bot.domain.services import Services
from bot.ui.answers import embeds
from bot.ui.answers.buttons import post_question
from bot.ui.kit.replies import send_ephemeral

TOPIC_CHOICES = [app_commands.Choice(name=t, value=t) for t in TOPIC_IDS]


class AnswersCog(commands.Cog):
    """Ask follow-up questions in a channel."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def _choose(self, guild_id: int | None, topic: str | None, question: str | None) -> Question:
        """A named question, or a random one of the topic, from what this server sees."""
        bank = self.services.library.bank_for(guild_id)
        if question:
            found = resolve(bank, question)
            if found is None:
                hints = close_matches(bank, question)
                hint = "; did you mean " + ", ".join(f"`{q.id}`" for q in hints) if hints else ""
                shown = discord.utils.escape_markdown(question[:80])
                raise UserError(
                    f"No such question: {shown}{hint}. Pick one from the list as you type."
                )
            return found
        return pick_or_explain(bank, [topic] if topic else None)

    @app_commands.command(name="followup", description="Post a system-design follow-up question")
    @app_commands.describe(
        topic="The area to drill", question="A specific question (type to search)"
    )
    @app_commands.choices(topic=TOPIC_CHOICES)
    async def followup(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Choice[str] | None = None,
        question: str | None = None,
    ) -> None:
        """Post a question publicly, with Answer / Reveal key points / Another question."""
        if topic is None and question is None:  # no topic: what this user should review next
            nxt = await self.services.progress.next_for(
                interaction.user.id, guild_id=interaction.guild_id
            )
            chosen = nxt.question
        else:
            chosen = self._choose(interaction.guild_id, topic.value if topic else None, question)
        await post_question(interaction, chosen, self.services)

    @followup.autocomplete("question")
    async def question_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Up to 25 questions matching what was typed, within the chosen topic."""
        topic = getattr(interaction.namespace, "topic", None)
        bank = self.services.library.bank_for(interaction.guild_id)
        found = search(bank, current, topic if topic in TOPIC_IDS else None)
        return [app_commands.Choice(name=choice_name(q), value=q.id) for q in found]

    @app_commands.command(name="help", description="How followup works")
    async def help(self, interaction: discord.Interaction) -> None:
        """An ephemeral overview of the commands and of self-grading."""
        await send_ephemeral(interaction, embed=embeds.help_embed())
