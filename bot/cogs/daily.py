"""/daily: server admins schedule a follow-up question per channel."""

from __future__ import annotations

from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserError
from bot.core.models import PostOutcome, Schedule, ScheduleChange
from bot.core.zones import matching_zones, parse_zone
from bot.domain.content.picking import parse_topics
from bot.domain.daily.rules import next_post, parse_time
from bot.domain.daily.service import Poster
from bot.domain.services import Services
from bot.ui.daily.schedules import schedules_embed
from bot.ui.kit.replies import send_ephemeral

THREAD_PERMISSIONS = ("create_public_threads", "send_messages_in_threads")
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")


def manages_server(interaction: discord.Interaction) -> bool:
    """Checked at run time too: a server that overrides the command's default permissions
    still cannot let members without Manage Server change schedules."""
    perms = interaction.permissions
    if interaction.guild is None or not (perms.manage_guild or perms.administrator):
        raise app_commands.MissingPermissions(["manage_guild"])
    return True


def missing_permissions(
    channel: discord.abc.GuildChannel, me: discord.Member, thread: bool
) -> list[str]:
    """Permissions the bot lacks to post (and open threads) in a channel."""
    perms = channel.permissions_for(me)
    wanted = POST_PERMISSIONS + (THREAD_PERMISSIONS if thread else ())
    return [name.replace("_", " ").title() for name in wanted if not getattr(perms, name)]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class DailyCog(
    commands.GroupCog, group_name="daily", group_description="Daily follow-up questions"
):
    """Schedule, inspect and control daily questions."""

    def __init__(self, services: Services, poster: Callable[[], Poster]) -> None:
        self.services = services
        self.daily = services.daily
        self.poster = poster
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Every /daily subcommand requires Manage Server, whatever the server's overrides."""
        return manages_server(interaction)

    async def _schedule(
        self, interaction: discord.Interaction, channel: discord.abc.GuildChannel | None
    ) -> Schedule:
        channel_id = channel.id if channel else interaction.channel_id
        schedule = await self.daily.schedule_in(interaction.guild_id or 0, channel_id or 0)
        if schedule is None:
            raise UserError(f"<#{channel_id}> has no daily question. Set one with /daily set.")
        return schedule

    async def _me(self, interaction: discord.Interaction) -> discord.Member:
        guild, me = interaction.guild, interaction.client.user
        if guild is None or me is None:
            raise UserError("This command only works in a server.")
        cached: discord.Member | None = guild.me  # typed Member, but None when not cached
        return cached or await guild.fetch_member(me.id)

    @app_commands.command(name="set", description="Post a follow-up question here every day")
    @app_commands.describe(
        channel="Where to post",
        time="Local time, 24-hour HH:MM",
        timezone="IANA time zone, e.g. Europe/Berlin",
        topics="Comma-separated topics (default: all)",
        role="A role to ping with each question",
        thread="Open a discussion thread for each question",
    )
    async def set_(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: str,
        timezone: str,
        topics: str | None = None,
        role: discord.Role | None = None,
        thread: bool = True,
    ) -> None:
        """Create or replace the channel's schedule after checking every value."""
        post_time = parse_time(time)
        zone = parse_zone(timezone)
        chosen = parse_topics(topics)
        guild_id = interaction.guild_id
        if not self.services.library.bank_for(guild_id).in_topics(list(chosen) or None):
            raise UserError(
                "This server has no questions in those topics: the bundled ones are switched "
                "off (/content topics) and it has none of its own there."
            )
        missing = missing_permissions(channel, await self._me(interaction), thread)
        if missing:
            raise UserError(
                f"I cannot post in {channel.mention}: I am missing "
                f"{', '.join(missing)}. Grant them, then try again."
            )
        schedule = await self.daily.set_schedule(
            ScheduleChange(
                guild_id=channel.guild.id,
                channel_id=channel.id,
                post_time=post_time.strftime("%H:%M"),
                timezone=zone.key,
                topics=chosen,
                role_id=role.id if role else None,
                use_thread=thread,
                created_by=interaction.user.id,
            )
        )
        when = next_post(schedule, self.services.clock.now())
        await send_ephemeral(
            interaction,
            (
                f"Daily question set for {channel.mention} at {schedule.post_time} {zone.key} "
                f"({', '.join(chosen) or 'all topics'}). Next: <t:{int(when.timestamp())}:F>."
            ),
        )

    @set_.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Up to 25 IANA zones containing what was typed."""
        return [app_commands.Choice(name=z, value=z) for z in matching_zones(current)]

    @set_.autocomplete("topics")
    async def topics_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The topics this server has questions in, completing the last one typed."""
        done, _, typing = current.rpartition(",")
        bank = self.services.library.bank_for(interaction.guild_id)
        offered = sorted({q.topic for q in bank.in_topics()})
        prefix = f"{done}," if done else ""
        return [
            app_commands.Choice(name=f"{prefix}{t}"[:100], value=f"{prefix}{t}"[:100])
            for t in offered
            if t.startswith(typing.strip().lower())
        ][:25]

    @app_commands.command(name="show", description="This server's daily questions")
    async def show(self, interaction: discord.Interaction) -> None:
        """List schedules with their next post time."""
        schedules = await self.daily.schedules_of(interaction.guild_id or 0)
        await send_ephemeral(
            interaction, embed=schedules_embed(schedules, self.services.clock.now())
        )

    @app_commands.command(name="pause", description="Pause a channel's daily question")
    async def pause(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        """Stop posting until resumed."""
        schedule = await self._schedule(interaction, channel)
        await self.daily.pause(schedule, f"paused by {interaction.user}")
        await send_ephemeral(interaction, f"Paused the daily question in <#{schedule.channel_id}>.")

    @app_commands.command(name="resume", description="Resume a channel's daily question")
    async def resume(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        """Start posting again."""
        schedule = await self._schedule(interaction, channel)
        resumed = await self.daily.resume(schedule)
        when = next_post(resumed, self.services.clock.now())
        await send_ephemeral(
            interaction, f"Resumed <#{schedule.channel_id}>. Next: <t:{int(when.timestamp())}:F>."
        )

    @app_commands.command(name="remove", description="Stop a channel's daily question for good")
    async def remove(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        """Delete the schedule (its history stays)."""
        schedule = await self._schedule(interaction, channel)
        await self.daily.remove(schedule)
        await send_ephemeral(
            interaction, f"Removed the daily question of <#{schedule.channel_id}>."
        )

    @app_commands.command(name="preview", description="Post today's question now, once")
    async def preview(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        """Post the next question of the rotation now (at most once a day per channel)."""
        schedule = await self._schedule(interaction, channel)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.daily.preview(schedule, self.poster())
        messages = {
            PostOutcome.POSTED: f"Posted a preview in <#{schedule.channel_id}>.",
            PostOutcome.ALREADY_POSTED: "Today's preview was already posted there.",
            PostOutcome.FAILED: "I could not post there; check my permissions in that channel.",
        }
        await send_ephemeral(interaction, messages.get(outcome, str(outcome)))

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot left or was removed: forget that server's schedules."""
        await self.daily.forget_guild(guild.id)
