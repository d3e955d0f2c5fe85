"""/suggest for members, /content for moderators: the server's own questions."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.daily import manages_server, missing_permissions
from bot.core.errors import UserError
from bot.domain.content.picking import parse_topics
from bot.domain.services import Services
from bot.ui.kit.items import open_modal
from bot.ui.kit.replies import send_ephemeral
from bot.ui.packs.embeds import topics_text
from bot.ui.packs.forms import suggestion_modal
from bot.ui.packs.upload import read_capped, show_preview


class SuggestCog(commands.Cog):
    """Members suggest the follow-ups they were really asked."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="suggest", description="Suggest a follow-up question for this server"
    )
    @app_commands.guild_only()
    async def suggest(self, interaction: discord.Interaction) -> None:
        """Open the suggestion form (after the checks that need no typing)."""
        guild_id = interaction.guild_id or 0
        await self.services.suggestions.review_channel(guild_id)
        await self.services.suggestions.check_limit(guild_id, interaction.user.id)
        await open_modal(interaction, suggestion_modal("fu:m:sug:new"))


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ContentCog(
    commands.GroupCog, group_name="content", group_description="This server's own questions"
):
    """Review channel, bundled topic switches, and the server's pack."""

    pack = app_commands.Group(name="pack", description="This server's own question pack")

    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Every /content command needs Manage Server, whatever the server's overrides."""
        return manages_server(interaction)

    @app_commands.command(name="review-channel", description="Where members' suggestions go")
    @app_commands.describe(channel="The channel moderators review suggestions in")
    async def review_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        """Choose the review channel (the bot must be able to post there)."""
        guild = interaction.guild
        me = guild.me if guild else None
        if me is None and guild is not None and interaction.client.user is not None:
            me = await guild.fetch_member(interaction.client.user.id)
        missing = missing_permissions(channel, me, False) if me else []
        if missing:
            raise UserError(
                f"I cannot post in {channel.mention}: I am missing {', '.join(missing)}. "
                "Grant them, then try again."
            )
        await self.services.packs.set_review_channel(channel.guild.id, channel.id)
        await send_ephemeral(
            interaction, f"Suggestions (/suggest) now go to {channel.mention} for review."
        )

    @app_commands.command(name="topics", description="Switch bundled topics on or off here")
    @app_commands.describe(
        off="Comma-separated topics whose bundled questions to switch off",
        on="Comma-separated topics to switch back on",
    )
    async def topics(
        self, interaction: discord.Interaction, off: str | None = None, on: str | None = None
    ) -> None:
        """Show, or change, which bundled topics this server uses."""
        guild_id = interaction.guild_id or 0
        packs = self.services.packs
        if off or on:
            now_off = await packs.switch_topics(guild_id, parse_topics(off), parse_topics(on))
        else:
            now_off = self.services.library.server(guild_id).topics_off
        own: dict[str, int] = {}
        for question in self.services.library.server(guild_id).questions.values():
            own[question.topic] = own.get(question.topic, 0) + 1
        await send_ephemeral(interaction, topics_text(now_off, own))

    @pack.command(name="upload", description="Upload a YAML pack of questions (up to 256 KiB)")
    @app_commands.describe(file="A YAML file in the bank's format: questions: [...]")
    async def upload(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        """Check the file; show every problem, or a preview to confirm."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await read_capped(file)
        preview = await self.services.packs.preview_upload(
            interaction.guild_id or 0, interaction.user.id, file.filename[:100], data
        )
        await show_preview(interaction, preview)

    @pack.command(name="export", description="This server's pack as a YAML file")
    async def export(self, interaction: discord.Interaction) -> None:
        """The pack as a file that uploads back as it is."""
        text = self.services.packs.export(interaction.guild_id or 0)
        await send_ephemeral(
            interaction,
            "This server's pack:",
            file=discord.File(io.BytesIO(text.encode("utf-8")), filename="pack.yaml"),
        )

    @pack.command(name="remove", description="Remove this server's own questions")
    async def remove(self, interaction: discord.Interaction) -> None:
        """Remove the pack; the reply carries it as a file, so nothing is lost."""
        guild_id = interaction.guild_id or 0
        text = self.services.packs.export(guild_id)
        removed = await self.services.packs.remove_pack(guild_id)
        await send_ephemeral(
            interaction,
            f"Removed {removed} question(s). Answers to them stay in members' history; "
            "here is the pack, should you want it back (/content pack upload).",
            file=discord.File(io.BytesIO(text.encode("utf-8")), filename="pack.yaml"),
        )
