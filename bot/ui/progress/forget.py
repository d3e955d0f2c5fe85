"""/forget-me's confirmation button: only the user it was shown to can press it."""

from __future__ import annotations

import discord

from bot.core.errors import NotYours
from bot.domain.services import Services
from bot.ui.kit.items import StatefulButton


class ForgetButton(StatefulButton, template=r"fu:forget:(?P<uid>[0-9]{1,19})"):
    """Confirms /forget-me."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        if interaction.user.id != int(self.state["uid"]):
            raise NotYours("confirmation")
        removed = await svc.progress.forget(interaction.user.id)
        await interaction.response.edit_message(
            content=f"Done: I deleted {removed.get('attempts', 0)} answers, "
            f"{removed.get('cards', 0)} review cards and {removed.get('rounds', 0)} "
            "mock rounds. Nothing about you is left.",
            view=None,
        )


def forget_view(user_id: int) -> discord.ui.View:
    """The confirmation, bound to the user who asked."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        ForgetButton(f"fu:forget:{user_id}", "Delete my data", discord.ButtonStyle.danger)
    )
    return view


FORGET_BUTTONS = (ForgetButton,)
