"""How a peer button reaches the driver of the bot that received its click."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import discord

if TYPE_CHECKING:  # the driver imports the buttons that import this: no cycle at run time
    from bot.ui.peer.driver import PeerDriver


@runtime_checkable
class HasPeerDriver(Protocol):
    """A client that runs peer sessions (the bot does; checked, not assumed)."""

    peer_driver: PeerDriver


def peer_driver(interaction: discord.Interaction) -> PeerDriver:
    """The peer session driver of the bot that received the interaction."""
    client = interaction.client
    if not isinstance(client, HasPeerDriver):
        raise TypeError(f"{type(client).__name__} does not run peer sessions")
    return client.peer_driver
