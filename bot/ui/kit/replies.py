"""The one error path for slash commands, buttons and modals, and ephemeral replies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord
from discord import app_commands

from bot.core.errors import UserError

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
APOLOGY = "Sorry, something went wrong on our side. It has been logged; please try again."


def describe(interaction: discord.Interaction) -> str:
    """Ids that let a log line be traced back to one click or command."""
    data: Any = interaction.data or {}
    what = data.get("custom_id") or data.get("name") or "-"
    return (
        f"interaction={interaction.id} guild={interaction.guild_id} "
        f"channel={interaction.channel_id} user={interaction.user.id} what={what}"
    )


async def send_ephemeral(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer only the clicker, as the first response or as a followup."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if interaction.response.is_done():
        if content is not None:  # a webhook message's content is a str or left out
            kwargs["content"] = content
        await interaction.followup.send(ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


def user_message(error: BaseException) -> str | None:
    """The message for an error the user should see, or None for an unexpected one."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {needed} permission for this."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CommandNotFound):
        return "That command is no longer available. Type / to see the current ones."
    if isinstance(error, app_commands.TransformerError):
        return f"{error.value!r} is not a valid value there."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this here."
    return None


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong (ephemerally) and log anything unexpected."""
    text = user_message(error)
    if text is None:
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        log.error("unexpected error %s", describe(interaction), exc_info=cause)
        text = APOLOGY
    else:
        log.info("user error %s: %s", describe(interaction), text)
    try:
        await send_ephemeral(interaction, text)
    except discord.HTTPException as exc:
        log.warning("could not report an error to the user %s: %s", describe(interaction), exc)


@asynccontextmanager
async def error_boundary(interaction: discord.Interaction) -> AsyncIterator[None]:
    """Route any exception raised inside to report_error."""
    services = getattr(interaction.client, "services", None)
    tracking = services.in_flight.track() if services else contextlib.nullcontext()
    with tracking:
        try:
            yield
        except Exception as exc:  # the one place where errors become replies
            await report_error(interaction, exc)


@asynccontextmanager
async def dm_boundary(message: discord.Message) -> AsyncIterator[None]:
    """The same error path for DM messages: a user error is said in the DM, anything else
    is logged with ids and answered with the apology."""
    try:
        yield
    except Exception as exc:  # the one place where DM errors become replies
        text = user_message(exc)
        where = f"message={message.id} channel={message.channel.id} user={message.author.id}"
        if text is None:
            log.error("unexpected error handling a DM %s", where, exc_info=exc)
            text = APOLOGY
        try:
            await message.channel.send(text, allowed_mentions=NO_PINGS)
        except discord.HTTPException as send_error:
            log.warning("could not report an error in a DM %s: %s", where, send_error)


class FollowupTree(app_commands.CommandTree):
    """The command tree, with errors going through the one error path."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Count the running command as in-flight work until its task ends."""
        services = getattr(interaction.client, "services", None)
        task = asyncio.current_task()
        if services is not None and task is not None:
            services.in_flight.tasks.add(task)
            task.add_done_callback(services.in_flight.tasks.discard)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Report command errors to the user."""
        await report_error(interaction, error)
