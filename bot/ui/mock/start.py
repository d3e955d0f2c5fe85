"""Starting a DM mock round from a server or a DM, and the buttons that resume or restart one."""

from __future__ import annotations

import discord

from bot.core.errors import NotYours, UserError
from bot.core.models import TOPIC_IDS
from bot.domain.mock.scorecard import minutes
from bot.domain.services import Services
from bot.ui.kit.items import StatefulButton
from bot.ui.kit.replies import send_ephemeral
from bot.ui.mock.dm import DMS_CLOSED, mock_driver

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

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
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

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
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
    if await driver.service.dms_closed(interaction.user.id):
        raise UserError(DMS_CLOSED_HELP)
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
    state = await driver.service.start(
        interaction.user.id, topics, count, length, guild_id=interaction.guild_id
    )
    try:
        await driver.present(state)
    except discord.Forbidden as exc:
        await driver.service.abandon(state.id)
        if exc.code == DMS_CLOSED:
            await driver.service.remember_dms(interaction.user.id, closed=True)
        raise UserError(DMS_CLOSED_HELP) from exc
    await driver.service.remember_dms(interaction.user.id, closed=False)
    where = "below" if interaction.guild_id is None else "in our DMs"
    await send_ephemeral(
        interaction,
        f"Your mock round of {len(state.question_ids)} questions, "
        f"{minutes(length * 60)} each, has started {where}.",
    )


START_BUTTONS = (ResumeButton, RestartButton)
