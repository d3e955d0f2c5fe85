"""/mock pair and /mock find: inviting a member, or waiting in the server's queue."""

from __future__ import annotations

import discord

from bot.core.errors import UserError
from bot.core.peer_state import PeerInvite
from bot.domain.peer.invites import AlreadyWaiting, Pairing
from bot.domain.services import Services
from bot.ui.kit.replies import send_ephemeral
from bot.ui.peer.access import peer_driver
from bot.ui.peer.buttons import queue_view
from bot.ui.peer.embeds import topics_text, when


def _where(interaction: discord.Interaction) -> tuple[int, int]:
    if interaction.guild_id is None or interaction.channel_id is None:
        raise UserError("Peer interviews happen in a server: run this in one of its channels.")
    return interaction.guild_id, interaction.channel_id


async def pair(
    interaction: discord.Interaction,
    svc: Services,
    partner: discord.User | discord.Member,
    topics: tuple[str, ...],
    questions: int,
    minutes: float,
) -> None:
    """Invite one member; the invite pings them, and only they can accept or decline."""
    if partner.bot:
        raise UserError("Bots can't be interview partners: invite a member.")
    await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        invite = await svc.peer.invites.invite(
            _where(interaction), interaction.user.id, partner.id, topics, questions, minutes
        )
    except AlreadyWaiting as exc:
        raise UserError(
            f"{exc} Withdraw an invite with its **Decline** button, or leave the queue, first."
        ) from None
    await peer_driver(interaction).post_invite(invite)
    await send_ephemeral(
        interaction,
        f"Invite sent to <@{partner.id}>; it expires {when(invite.expires_at)}. "
        "Press **Decline** on it to withdraw it.",
    )


async def find(interaction: discord.Interaction, svc: Services, topics: tuple[str, ...]) -> None:
    """Pair with a member waiting in this server's queue, or wait for the next one."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    driver = peer_driver(interaction)
    try:
        found = await svc.peer.invites.find(_where(interaction), interaction.user.id, topics)
    except AlreadyWaiting as exc:
        view = queue_view(exc.entry) if exc.entry.kind == "queue" else discord.utils.MISSING
        await send_ephemeral(
            interaction, f"{exc} It expires {when(exc.entry.expires_at)}.", view=view
        )
        return
    if isinstance(found, PeerInvite):
        driver.arm_invite(found)
        await send_ephemeral(
            interaction,
            f"You are in this server's queue for a peer interview {topics_text(topics)}. "
            "The next member who runs `/mock find` is your partner (shared topics first); your "
            f"place expires {when(found.expires_at)}. I'll DM you when you are paired.",
            view=queue_view(found),
        )
        return
    await _matched(interaction, found)


async def _matched(interaction: discord.Interaction, pairing: Pairing) -> None:
    driver = peer_driver(interaction)
    for closed in pairing.closed:
        driver.forget_invite(closed)
    state = await driver.start(pairing)
    await driver.matched(state, pairing.first)
    await send_ephemeral(interaction, driver.started_text(state))
