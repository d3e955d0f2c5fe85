"""Buttons whose state lives in their custom_id, so they work after a restart (DynamicItem),
and the typed way a handler reaches the bot's services.

Every callback runs inside error_boundary: a stale or forged button gets a friendly message.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Protocol, runtime_checkable

import discord

from bot.domain.services import Services
from bot.ui.kit.replies import error_boundary


@runtime_checkable
class HasServices(Protocol):
    """A client that carries followup's services (the bot does; checked, not assumed)."""

    services: Services


def services_of(client: object) -> Services:
    """The services of the client that received an interaction or event."""
    if not isinstance(client, HasServices):
        raise TypeError(f"{type(client).__name__} is not followup's bot")
    return client.services


async def open_modal(interaction: discord.Interaction, modal: discord.ui.Modal) -> None:
    """Show a modal. Its submit is handled by the router from the raw payload, so the
    discord.py copy is stopped at once instead of lingering in memory."""
    await interaction.response.send_modal(modal)
    modal.stop()


class StatefulButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"fu:never"):
    """Common behaviour: build from the custom_id, run the action inside the error path."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(r"fu:never")
    """The custom_id template, kept here so the router need not read discord.py internals."""

    def __init_subclass__(cls, *, template: str, **kwargs: Any) -> None:
        super().__init_subclass__(template=template, **kwargs)
        cls.pattern = re.compile(template)

    def __init__(
        self,
        custom_id: str,
        label: str,
        style: discord.ButtonStyle,
        *,
        row: int | None = None,
        **state: Any,
    ) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id, row=row))
        self.state = state

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StatefulButton:
        """Rebuild the button from its custom_id (never raises: checks happen on click)."""
        assert isinstance(item, discord.ui.Button)  # discord.py passes the matched button
        state: dict[str, Any] = match.groupdict()
        return cls(item.custom_id or "", item.label or "", item.style, **state)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Run the action; errors become friendly ephemeral messages."""
        async with error_boundary(interaction):
            await self.run(interaction, services_of(interaction.client))

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        """The button's action."""
        raise NotImplementedError
