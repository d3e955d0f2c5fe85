"""/mock: one-on-one mock rounds in DMs."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserError
from bot.core.round_state import Phase
from bot.domain.content.picking import parse_topics
from bot.domain.mock.scorecard import build
from bot.domain.mock.service import RoundBusy
from bot.domain.services import Services
from bot.ui.kit.replies import dm_boundary, send_ephemeral
from bot.ui.mock.dm import MockDriver, mock_driver
from bot.ui.mock.embeds import history_embed
from bot.ui.mock.start import RestartButton, ResumeButton, encode_topics, start_round
from bot.ui.peer import start as peer
from bot.ui.peer.embeds import history_field


class MockCog(commands.GroupCog, group_name="mock", group_description="Mock interview rounds"):
    """Start, follow and review one-on-one mock rounds."""

    def __init__(self, services: Services, driver: MockDriver) -> None:
        self.services = services
        self.settings = services.settings.mock
        self.driver = driver
        super().__init__()

    @app_commands.command(name="start", description="A timed mock round in your DMs")
    @app_commands.describe(
        topics="Comma-separated topics (default: all)",
        questions="How many questions (1-10)",
        minutes="Minutes per question (1-60)",
    )
    async def start(
        self,
        interaction: discord.Interaction,
        topics: str | None = None,
        questions: app_commands.Range[int, 1, 10] | None = None,
        minutes: app_commands.Range[int, 1, 60] | None = None,
    ) -> None:
        """Start a round, or offer to resume or replace the one running."""
        chosen = parse_topics(topics)
        count = questions or self.settings.questions
        length = float(minutes or self.settings.minutes)
        try:
            await start_round(interaction, list(chosen), count, length)
        except RoundBusy:
            state = await mock_driver(interaction).service.active(interaction.user.id)
            assert state is not None
            view = discord.ui.View(timeout=None)
            view.add_item(
                ResumeButton(f"fu:mock:resume:{state.id}", "Resume it", discord.ButtonStyle.primary)
            )
            view.add_item(
                RestartButton(
                    f"fu:mock:restart:{state.id}:{count}:{int(length)}:{encode_topics(chosen)}",
                    "Abandon it and start the new one",
                    discord.ButtonStyle.danger,
                )
            )
            await send_ephemeral(
                interaction,
                f"You are on question {state.index + 1} of {len(state.question_ids)} of a round.",
                view=view,
            )

    @app_commands.command(name="status", description="Where your mock round is")
    async def status(self, interaction: discord.Interaction) -> None:
        """The running round's question, phase and time left."""
        state = await mock_driver(interaction).service.active(interaction.user.id)
        if state is None:
            raise UserError("You have no mock round running. Start one with /mock start.")
        doing = "answering" if state.phase is Phase.ANSWER else "grading"
        left = f", time left ends <t:{int(state.deadline.timestamp())}:R>" if state.deadline else ""
        part = " (the deeper probe)" if state.probe is not None else ""
        await send_ephemeral(
            interaction,
            f"Question {state.index + 1} of {len(state.question_ids)}{part}: {doing}{left}.",
        )

    @app_commands.command(name="stop", description="End your mock round with a scorecard")
    async def stop(self, interaction: discord.Interaction) -> None:
        """Stop the round; the scorecard covers what was done."""
        driver = mock_driver(interaction)
        state = await driver.service.stop(interaction.user.id)
        await interaction.response.defer(ephemeral=True)
        await driver.present(state)
        await send_ephemeral(interaction, "Round stopped; your scorecard is in our DMs.")

    @app_commands.command(name="history", description="Your past mock rounds")
    async def history(self, interaction: discord.Interaction) -> None:
        """The last ten finished rounds with their coverage."""
        driver = mock_driver(interaction)
        done = await driver.service.history(interaction.user.id)
        library = driver.service.flow.library
        embed = history_embed([(s, build(s, library.history_bank(s.question_ids))) for s in done])
        peer_cards = await self.services.peer.history(interaction.user.id)
        if peer_cards:  # graded by a peer: shown apart from the self-graded rounds above
            embed.add_field(name="Peer interviews", value=history_field(peer_cards), inline=False)
        await send_ephemeral(interaction, embed=embed)

    @app_commands.command(name="pair", description="Invite a member to a peer mock interview")
    @app_commands.describe(
        partner="The member to invite (only they can accept)",
        topics="Comma-separated topics (default: all)",
        questions="Questions each of you is asked (1-5)",
        minutes="Minutes per half (5-60)",
    )
    @app_commands.guild_only()
    async def pair(
        self,
        interaction: discord.Interaction,
        partner: discord.User,
        topics: str | None = None,
        questions: app_commands.Range[int, 1, 5] | None = None,
        minutes: app_commands.Range[int, 5, 60] | None = None,
    ) -> None:
        """Invite one member; you interview first, then the roles swap."""
        defaults = self.services.settings.peer
        count = questions or defaults.questions
        length = float(minutes or defaults.minutes)
        await peer.pair(interaction, self.services, partner, parse_topics(topics), count, length)

    @app_commands.command(name="find", description="Find a peer mock interview partner here")
    @app_commands.describe(topics="Comma-separated topics you would like (default: any)")
    @app_commands.guild_only()
    async def find(self, interaction: discord.Interaction, topics: str | None = None) -> None:
        """Join this server's queue; two waiting members are paired, shared topics first."""
        await peer.find(interaction, self.services, parse_topics(topics))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """DMs from candidates feed their running round."""
        if message.guild is not None or message.author.bot:
            return
        async with dm_boundary(message):
            await self.driver.on_dm(message)
