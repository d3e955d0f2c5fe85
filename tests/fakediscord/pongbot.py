"""A bare discord.py bot: the fake's self-test target and the framework floor of benchmarks.

Run with ``DISCORD_TOKEN`` set (and ``FAKE_DISCORD_URL`` + the ``site`` folder on PYTHONPATH to
use the fake): ``python tests/fakediscord/pongbot.py``. ``PONGBOT_AUTOSHARD=1`` uses
``AutoShardedClient`` (shard count from /gateway/bot).

Commands: ``/ping`` → "pong"; ``/modal`` → a modal with a text input and a checkbox group, answered
with what was submitted; ``/counter`` → a message with a ``DynamicItem`` button that counts up and
survives restarts; ``/dmme`` → DMs the user, reporting a refusal (403 50007); DMs are echoed.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger("pongbot")


class CounterButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"pong:count:(?P<n>[0-9]+)"
):
    """A button whose state lives in its custom_id."""

    def __init__(self, n: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Count {n}", style=discord.ButtonStyle.primary, custom_id=f"pong:count:{n}"
            )
        )
        self.n = n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> CounterButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Count up: edit the message with the next button."""
        await interaction.response.edit_message(
            content=f"count {self.n + 1}", view=counter_view(self.n + 1)
        )


def counter_view(n: int) -> discord.ui.View:
    """A persistent view holding one counter button."""
    view = discord.ui.View(timeout=None)
    view.add_item(CounterButton(n))
    return view


class AnswerModal(discord.ui.Modal, title="Answer"):
    """A text input and a checkbox group, each wrapped in a Label."""

    answer: discord.ui.Label[Any] = discord.ui.Label(
        text="Your answer",
        component=discord.ui.TextInput(
            custom_id="answer", style=discord.TextStyle.paragraph, max_length=4000
        ),
    )
    points: discord.ui.Label[Any] = discord.ui.Label(
        text="Points covered",
        component=discord.ui.CheckboxGroup(
            custom_id="points",
            required=False,
            min_values=0,
            max_values=3,
            options=[
                discord.CheckboxGroupOption(label=f"Point {i}", value=str(i)) for i in range(3)
            ],
        ),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Echo what was submitted."""
        text = self.answer.component.value  # type: ignore[attr-defined]
        points = ",".join(self.points.component.values)  # type: ignore[attr-defined]
        await interaction.response.send_message(f"answer={text} points={points}", ephemeral=True)


def build_tree(client: discord.Client) -> app_commands.CommandTree[Any]:
    """The slash commands."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)

    @tree.command(description="Answers pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @tree.command(description="Opens a modal")
    async def modal(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AnswerModal())

    @tree.command(description="A counter that survives restarts")
    async def counter(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("count 0", view=counter_view(0))

    @tree.command(description="Sends you a DM")
    async def dmme(interaction: discord.Interaction) -> None:
        try:
            await interaction.user.send("hello from pongbot")
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"cannot DM you: {exc.code}", ephemeral=True)
        else:
            await interaction.response.send_message("sent you a DM", ephemeral=True)

    return tree


def make_client() -> discord.Client:
    """The client (sharded if PONGBOT_AUTOSHARD), with its tree and DM echo."""
    intents = discord.Intents.default()
    intents.message_content = intents.members = intents.presences = False
    intents.dm_messages = True
    cls = discord.AutoShardedClient if os.environ.get("PONGBOT_AUTOSHARD") else discord.Client
    client = cls(intents=intents, max_messages=None, chunk_guilds_at_startup=False)
    tree = build_tree(client)

    async def setup_hook() -> None:
        client.add_dynamic_items(CounterButton)
        await tree.sync()

    async def on_message(message: discord.Message) -> None:
        if message.guild is None and message.author.id != client.user.id:  # type: ignore[union-attr]
            await message.channel.send(f"echo: {message.content}")

    async def on_ready() -> None:
        log.info("pongbot ready in %d guilds", len(client.guilds))

    client.setup_hook = setup_hook  # type: ignore[method-assign]
    client.event(on_message)
    client.event(on_ready)
    return client


def main() -> None:
    """Run until killed."""
    make_client().run(os.environ["DISCORD_TOKEN"], log_level=logging.INFO, root_logger=True)


if __name__ == "__main__":
    main()
