"""/review, /stats, /leaderboard, /settings, /export and /forget-me."""

from __future__ import annotations

import io
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserError
from bot.core.zones import matching_zones, parse_zone
from bot.domain.progress.stats import ChartCache
from bot.domain.services import Services
from bot.ui.answers.buttons import question_view
from bot.ui.answers.embeds import question_embed
from bot.ui.kit.replies import send_ephemeral
from bot.ui.progress.embeds import leaderboard_embed, stats_embed
from bot.ui.progress.forget import forget_view


class ProgressCog(commands.Cog):
    """Reviews, stats, streaks, leaderboard and your data."""

    settings = app_commands.Group(name="settings", description="Your own settings")

    def __init__(self, services: Services) -> None:
        self.services = services
        self.charts = ChartCache()  # a chart is drawn again only once what it shows changed

    @app_commands.command(name="review", description="Your most overdue question, only for you")
    async def review(self, interaction: discord.Interaction) -> None:
        """Serve the most overdue card, or a new question from the weakest topic."""
        nxt = await self.services.progress.next_for(
            interaction.user.id, guild_id=interaction.guild_id
        )
        topic = self.services.library.bank.topics.get(nxt.question.topic)
        header = {
            "due": f"Review · {nxt.due - 1} more due after this",
            "new": "Nothing due: a new question from your weakest topic",
            "soonest": "Nothing due: the question coming back soonest",
        }[nxt.reason]
        await send_ephemeral(
            interaction,
            embed=question_embed(nxt.question, topic, header=header),
            view=question_view(nxt.question),
        )

    @app_commands.command(name="stats", description="Progress: coverage, mastery, streaks")
    @app_commands.describe(user="Someone who chose to share their stats")
    async def stats(
        self, interaction: discord.Interaction, user: discord.User | None = None
    ) -> None:
        """Stats with a chart; another user's only if they opted to share."""
        target = user or interaction.user
        if target.id != interaction.user.id:
            shares = (await self.services.progress.settings(target.id)).share_stats
            if not shares:
                raise UserError(f"{target.display_name} keeps their stats private.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        stats = await self.services.progress.stats(target.id)
        title = f"{target.display_name}: coverage and mastery"
        png = await self.charts.png(target.id, stats, title)
        embed = stats_embed(target.display_name, stats, self.services.library.bank.topics)
        embed.set_image(url="attachment://progress.png")
        await send_ephemeral(
            interaction, embed=embed, file=discord.File(io.BytesIO(png), filename="progress.png")
        )

    @app_commands.command(name="leaderboard", description="This server's opted-in members")
    @app_commands.guild_only()
    async def leaderboard(
        self, interaction: discord.Interaction, period: Literal["week", "month", "all"] = "week"
    ) -> None:
        """Points from graded answers, capped per day, for members who opted in."""
        rows = await self.services.progress.leaderboard(interaction.guild_id or 0, period)
        await interaction.response.send_message(
            embed=leaderboard_embed(rows, period), allowed_mentions=discord.AllowedMentions.none()
        )

    @settings.command(name="timezone", description="Your time zone, for streaks")
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        """Set the zone whose days count for your streak."""
        parsed = parse_zone(zone)
        await self.services.progress.change_setting(interaction.user.id, "timezone", parsed.key)
        await send_ephemeral(interaction, f"Your days now follow {parsed.key}.")

    @timezone.autocomplete("zone")
    async def zone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Up to 25 zones containing what was typed."""
        return [app_commands.Choice(name=z, value=z) for z in matching_zones(current)]

    @settings.command(name="leaderboard", description="Appear on server leaderboards or not")
    async def leaderboard_setting(
        self, interaction: discord.Interaction, state: Literal["on", "off"]
    ) -> None:
        """Opt in or out of leaderboards."""
        await self.services.progress.change_setting(
            interaction.user.id, "leaderboard", int(state == "on")
        )
        await send_ephemeral(
            interaction,
            "You are on leaderboards now." if state == "on" else "You are off leaderboards now.",
        )

    @settings.command(name="share-stats", description="Let others see your /stats")
    async def share_stats(
        self, interaction: discord.Interaction, state: Literal["on", "off"]
    ) -> None:
        """Opt in or out of sharing stats."""
        await self.services.progress.change_setting(
            interaction.user.id, "share_stats", int(state == "on")
        )
        await send_ephemeral(
            interaction,
            "Others can see your /stats now." if state == "on" else "Your /stats are private now.",
        )

    @settings.command(name="peer-invites", description="Let members invite you to peer interviews")
    async def peer_invites(
        self, interaction: discord.Interaction, state: Literal["on", "off"]
    ) -> None:
        """Allow or refuse /mock pair invites (the /mock find queue is always yours to join)."""
        await self.services.progress.change_setting(
            interaction.user.id, "peer_invites", int(state == "on")
        )
        await send_ephemeral(
            interaction,
            "Members can invite you to peer interviews now."
            if state == "on"
            else "Nobody can invite you to peer interviews now; `/mock find` still works.",
        )

    @app_commands.command(name="export", description="Download your whole history")
    async def export(self, interaction: discord.Interaction) -> None:
        """Your attempts as CSV and everything as JSON, only for you."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        csv_data, json_data = await self.services.progress.export(interaction.user.id)
        await send_ephemeral(
            interaction,
            "Your data: every answer (CSV) and everything (JSON).",
            files=[
                discord.File(io.BytesIO(csv_data), "followup-attempts.csv"),
                discord.File(io.BytesIO(json_data), "followup-data.json"),
            ],
        )

    @app_commands.command(name="forget-me", description="Delete everything stored about you")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        """Ask for confirmation, then delete."""
        view = forget_view(interaction.user.id)
        await send_ephemeral(
            interaction,
            "This deletes all your answers, review cards, mock "
            "rounds and settings, everywhere. It cannot be undone.",
            view=view,
        )
