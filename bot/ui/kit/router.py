"""Routes modal submits by custom_id, and answers clicks that no handler knows.

discord.py drops a modal submit it does not remember (say, after a restart) and a component whose
custom_id matches nothing, leaving the user with "This interaction failed". Here every component
and modal interaction gets an answer: every custom_id the bot ever sent starts with `fu:`, but a
button from an older release (or a forged one) may carry anything.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import discord

from bot.ui.answers.modals import submitted_values
from bot.ui.kit.items import StatefulButton
from bot.ui.kit.replies import describe, error_boundary, send_ephemeral

log = logging.getLogger(__name__)
PREFIX = "fu:"
EXPIRED = (
    "This button is no longer valid (it may come from an older version of the bot). "
    "Use /followup for a fresh question."
)
ModalHandler = Callable[[discord.Interaction, re.Match[str], dict[str, Any]], Awaitable[None]]


def message_has(message: discord.Message | None, custom_id: str) -> bool:
    """Whether a message really carries a component with this custom_id."""
    if message is None:
        return False
    view_cls = discord.ui.LayoutView if message.flags.components_v2 else discord.ui.View
    view = view_cls.from_message(message, timeout=None)
    return any(getattr(item, "custom_id", None) == custom_id for item in view.walk_children())


class Router:
    """Modal handlers by pattern, and the patterns of known buttons."""

    def __init__(
        self,
        buttons: Iterable[type[StatefulButton]],
        modals: Iterable[tuple[re.Pattern[str], ModalHandler]],
    ) -> None:
        self.components = [button.pattern for button in buttons]
        self.modals = list(modals)

    async def dispatch(self, interaction: discord.Interaction) -> None:
        """Handle a raw interaction if it is a modal submit or a component no item knows."""
        data: Any = interaction.data or {}
        custom_id = data.get("custom_id") if isinstance(data, dict) else None
        if not isinstance(custom_id, str):
            custom_id = ""
        if interaction.type is discord.InteractionType.modal_submit:
            await self._modal(interaction, custom_id, data)
        elif interaction.type is discord.InteractionType.component:
            known = any(p.fullmatch(custom_id) for p in self.components)
            if not known or not message_has(interaction.message, custom_id):
                log.info("unknown or forged component %s", describe(interaction))
                async with error_boundary(interaction):
                    await send_ephemeral(interaction, EXPIRED)

    async def _modal(self, interaction: discord.Interaction, custom_id: str, data: Any) -> None:
        async with error_boundary(interaction):
            for pattern, handler in self.modals:
                match = pattern.fullmatch(custom_id)
                if match:
                    await handler(interaction, match, submitted_values(data))
                    return
            log.info("unknown modal %s", describe(interaction))
            await send_ephemeral(interaction, EXPIRED)
