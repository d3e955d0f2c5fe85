"""Fakes for cog and view tests, spec'd from real discord.py classes so typos fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import discord

from bot.domain.services import Services


def fake_interaction(
    services: Services,
    *,
    user_id: int = 10,
    guild_id: int | None = 1,
    channel_id: int = 2,
    data: dict[str, Any] | None = None,
    message: discord.Message | None = None,
    namespace: dict[str, Any] | None = None,
) -> mock.MagicMock:
    """An Interaction whose response and followup record what the bot sent."""
    interaction = mock.MagicMock(spec=discord.Interaction)
    interaction.id = 123
    interaction.user = mock.MagicMock(spec=discord.Member)
    interaction.user.id = user_id
    interaction.guild_id = guild_id
    interaction.channel_id = channel_id
    interaction.data = data or {}
    interaction.message = message
    interaction.namespace = discord.app_commands.Namespace.__new__(discord.app_commands.Namespace)
    interaction.namespace.__dict__.update(namespace or {})
    interaction.client = mock.MagicMock(spec=discord.Client)
    interaction.client.services = services
    response = mock.MagicMock(spec=discord.InteractionResponse)
    response.is_done.return_value = False
    for name in ("send_message", "send_modal", "edit_message", "defer"):
        setattr(response, name, mock.AsyncMock(spec=getattr(discord.InteractionResponse, name)))
    interaction.response = response
    interaction.followup = mock.MagicMock(spec=discord.Webhook)
    interaction.followup.send = mock.AsyncMock(spec=discord.Webhook.send)
    return interaction


def sent(interaction: mock.MagicMock) -> dict[str, Any]:
    """The keyword arguments of the one response the bot sent."""
    response = interaction.response
    calls = [
        c
        for c in (response.send_message, response.edit_message, response.send_modal)
        if c.await_count
    ]
    assert len(calls) == 1, "expected exactly one response"
    call = calls[0].await_args
    kwargs = dict(call.kwargs)
    if call.args:
        kwargs["_args"] = call.args
    return kwargs


def custom_ids(view: discord.ui.View) -> list[str]:
    """The custom_ids of every component in a view."""
    return [getattr(item, "custom_id", "") for item in view.walk_children()]


ROOT = Path(__file__).resolve().parent.parent


def run_python(
    *args: str,
    cwd: Path = ROOT,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python ARGS` with this tree on its path and no DISCORD_TOKEN unless `env` gives one."""
    clean = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    clean["PYTHONPATH"] = str(ROOT)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=preexec_fn,
    )


def run_bot(
    *args: str, cwd: Path = ROOT, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a user runs it: no DISCORD_TOKEN unless `env` gives one."""
    return run_python("-m", "bot", *args, cwd=cwd, stdin=stdin, env=env)
