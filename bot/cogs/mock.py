"""/mock: one-on-one mock rounds in DMs."""

from __future__ import annotations

from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import NotYours, UserError
from bot.core.models import TOPIC_IDS
from bot.core.round_state import Phase
from bot.domain.content.picking import parse_topics
from bot.domain.mock.scorecard import build, minutes
from bot.domain.mock.service import RoundBusy
from bot.ui.answers.buttons import StatefulButton
from bot.ui.kit.replies import dm_boundary, send_ephemeral
from bot.ui.mock.dm import DMS_CLOSED, mock_driver
from bot.ui.mock.embeds import history_embed

DMS_CLOSED_HELP = (
    "I can't send you direct messages, and mock rounds happen in DMs. Allow DMs from this "
    "server's members: click the server name → **Privacy Settings** → turn on **Direct "
    "Messages** (or User Settings → Privacy & Safety). Then run `/mock start` again."
)


def encode_topics(topics: tuple[str, ...]) -> str:
    """Topics as digits (indexes in TOPIC_IDS), to fit a custom_id."""
    return "".join(str(TOPIC_IDS.index(t)) for t in topics) or "-"


def decode_topics(text: str) -> list[str]:
    """The inverse of encode_topics."""
    return [TOPIC_IDS[int(c)] for c in text if c.isdigit() and int(c) < len(TOPIC_IDS)]


class ResumeButton(StatefulButton, template=r"fu:mock:resume:(?P<rid>[0-9]{1,18})"):
    """Send the running round's current step again."""

    async def run(self, interaction: discord.Interaction, svc: object) -> None:
        driver = mock_driver(interaction)
        state = await driver.service.active(interaction.user.id)
        if state is None or state.id != int(self.state["rid"]):
            raise UserError("That round is over. Start a new one with /mock start.")
        await interaction.response.defer(ephemeral=True)
        await driver.present(state)
        await send_ephemeral(interaction, "Your round continues in our DMs.")


class RestartButton(
    StatefulButton,
    template=(
        r"fu:mock:restart:(?P<rid>[0-9]{1,18}):(?P<n>[0-9]{1,2}):(?P<m>[0-9]{1,2}):"
        r"(?P<t>[0-7]{1,8}|-)"
    ),
):
    """Abandon the running round and start the one just asked for."""

    async def run(self, interaction: discord.Interaction, svc: object) -> None:
        driver = mock_driver(interaction)
        state = await driver.service.active(interaction.user.id)
        if state is not None and state.id == int(self.state["rid"]):
            await driver.service.stop(interaction.user.id)
        elif state is not None:
            raise NotYours("round")
        await start_round(
            interaction,
            decode_topics(self.state["t"]),
            int(self.state["n"]),
            float(self.state["m"]),
        )


async def start_round(
    interaction: discord.Interaction, topics: list[str], count: int, length: float
) -> None:
    """Start a round and send its first question by DM, explaining if DMs are closed."""
    driver = mock_driver(interaction)
    users = driver.service.store.users
    now = driver.service.now()
    closed_until = await users.dms_closed_until(interaction.user.id)
    if closed_until and closed_until > now:
        raise UserError(DMS_CLOSED_HELP)
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
    state = await driver.service.start(interaction.user.id, topics, count, length)
    try:
        await driver.present(state)
    except discord.Forbidden as exc:
        await driver.service.abandon(state.id)
        if exc.code == DMS_CLOSED:
            hours = driver.service.settings.dms_closed_hours
            await users.set_dms_closed_until(interaction.user.id, now + timedelta(hours=hours))
        raise UserError(DMS_CLOSED_HELP) from exc
    await users.set_dms_closed_until(interaction.user.id, None)
    where = "below" if interaction.guild_id is None else "in our DMs"
    await send_ephemeral(
        interaction,
        f"Your mock round of {len(state.question_ids)} questions, "
        f"{minutes(length * 60)} each, has started {where}.",
    )


class MockCog(commands.GroupCog, group_name="mock", group_description="Mock interview rounds"):
    """Start, follow and review one-on-one mock rounds."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.settings = bot.services.settings.mock  # type: ignore[attr-defined]
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
        done = await driver.service.store.rounds.finished_for(interaction.user.id)
        bank = driver.service.flow.library.bank
        await send_ephemeral(interaction, embed=history_embed([(s, build(s, bank)) for s in done]))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """DMs from candidates feed their running round."""
        if message.guild is not None or message.author.bot:
            return
        async with dm_boundary(message):
            await self.bot.mock_driver.on_dm(message)  # type: ignore[attr-defined]


MOCK_COG_ITEMS = (ResumeButton, RestartButton)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(MockCog(bot))
