"""/admin: the bot owner's controls (reload content, status)."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.admin.status import work_in_hand
from bot.domain.content.loader import ContentError
from bot.domain.content.report import summary
from bot.domain.services import Services
from bot.ui.admin.status import Connection, status_embed
from bot.ui.kit.replies import send_ephemeral
from bot.ui.kit.text import clip


class NotOwner(app_commands.CheckFailure):
    """Only the bot's owners may do this."""

    def __init__(self) -> None:
        super().__init__("Only the bot's owner can use /admin.")


@app_commands.default_permissions(administrator=True)
class AdminCog(commands.GroupCog, group_name="admin", group_description="Bot owner controls"):
    """Reload the question bank and look at the bot's health."""

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot  # for its guilds, latency, shards and owner
        self.services = services
        self.started = self.services.clock.now()
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Checked at run time: the application owner or a configured owner id."""
        if interaction.user.id in self.services.settings.bot.owner_ids or await self.bot.is_owner(
            interaction.user
        ):
            return True
        raise NotOwner()

    @app_commands.command(name="reload", description="Reload the question bank from disk")
    async def reload(self, interaction: discord.Interaction) -> None:
        """Swap in the bank from disk; a bad bank is refused and the old one kept."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        library = self.services.library
        try:
            bank = await asyncio.to_thread(library.reload)
        except ContentError as exc:
            listed = "\n".join(exc.problems[:10])
            await send_ephemeral(
                interaction,
                clip(
                    f"The bank on disk has {len(exc.problems)} problem(s); I kept the current "
                    f"one.\n```\n{listed}\n```",
                    2000,
                ),
            )
            return
        await send_ephemeral(interaction, "Reloaded.\n```\n" + "\n".join(summary(bank)) + "\n```")

    @app_commands.command(name="status", description="Uptime, guilds, latency, work in hand")
    async def status(self, interaction: discord.Interaction) -> None:
        """The bot's health at a glance."""
        connection = Connection(
            uptime=self.services.clock.now() - self.started,
            guilds=len(self.bot.guilds),
            latency_ms=self.bot.latency * 1000,
            shards=self.bot.shard_count or 1,
        )
        work = await work_in_hand(self.services)
        await send_ephemeral(interaction, embed=status_embed(connection, work))
