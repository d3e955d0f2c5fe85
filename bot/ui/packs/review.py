"""Suggestions through Discord: sending one to the review channel, the Approve / Edit / Reject
buttons on it (Manage Server checked at each click), and telling the author the outcome."""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

import discord

from bot.core.errors import NotYours
from bot.domain.packs.forms import SuggestionForm
from bot.domain.services import Services
from bot.store.pack_reviews import Suggestion
from bot.ui.kit.items import StatefulButton, open_modal, services_of
from bot.ui.kit.replies import NO_PINGS, send_ephemeral
from bot.ui.kit.text import quote_user_text
from bot.ui.packs.embeds import problems_text, review_embed
from bot.ui.packs.forms import (
    EDIT_MODAL,
    FIX_MODAL,
    NEW_MODAL,
    REJECT_MODAL,
    SID,
    form_from,
    reason_from,
    reject_modal,
    suggestion_modal,
)

log = logging.getLogger(__name__)
UNREACHABLE = (
    "I could not post it in the review channel (it is gone or I lack permission there). "
    "Your suggestion is kept as a draft: tell a moderator, then press Fix and send."
)


class NoManageServer(discord.app_commands.MissingPermissions):
    """The clicker lacks Manage Server (checked at every click, not only at command time)."""

    def __init__(self) -> None:
        super().__init__(["manage_guild"])


def require_manager(interaction: discord.Interaction) -> int:
    """The guild id, if the clicker may manage this server's content."""
    perms = interaction.permissions
    if interaction.guild_id is None or not (perms.manage_guild or perms.administrator):
        raise NoManageServer()
    return interaction.guild_id


def review_view(suggestion: Suggestion) -> discord.ui.View:
    """Approve / Edit / Reject under a pending suggestion; nothing once it was decided."""
    view = discord.ui.View(timeout=None)
    if suggestion.status == "pending":
        sid = suggestion.id
        view.add_item(ApproveButton(f"fu:sug:ok:{sid}", "Approve", discord.ButtonStyle.success))
        view.add_item(EditButton(f"fu:sug:edit:{sid}", "Edit", discord.ButtonStyle.secondary))
        view.add_item(RejectButton(f"fu:sug:no:{sid}", "Reject", discord.ButtonStyle.danger))
    return view


def fix_view(suggestion: Suggestion) -> discord.ui.View:
    """Fix and send, under a draft (only its author may press it)."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        FixButton(f"fu:sug:fix:{suggestion.id}", "Fix and send", discord.ButtonStyle.primary)
    )
    return view


def card(svc: Services, suggestion: Suggestion) -> dict[str, Any]:
    """The review message's embed and buttons, as they are now."""
    question = svc.suggestions.question_of(suggestion) if suggestion.status != "approved" else None
    if suggestion.status == "approved" and suggestion.question_id:
        question = svc.library.get(suggestion.question_id)
    return {"embed": review_embed(suggestion, question), "view": review_view(suggestion)}


async def send_for_review(
    interaction: discord.Interaction, svc: Services, suggestion: Suggestion, problems: list[str]
) -> None:
    """Post a passing suggestion in the review channel; a draft goes back to its author."""
    if problems:
        text = problems_text("Your suggestion has problems; nothing was sent yet:", problems)
        await send_ephemeral(interaction, text, view=fix_view(suggestion))
        return
    channel_id = await svc.suggestions.review_channel(suggestion.guild_id)
    client = interaction.client
    try:
        channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {channel_id} takes no messages")
        message = await channel.send(**card(svc, suggestion), allowed_mentions=NO_PINGS)
    except (discord.HTTPException, TypeError) as exc:
        log.warning("review channel unreachable guild=%s: %s", suggestion.guild_id, exc)
        await svc.store.reviews.revise(suggestion.id, suggestion.body, "draft", svc.clock.now())
        await send_ephemeral(interaction, UNREACHABLE, view=fix_view(suggestion))
        return
    await svc.store.reviews.set_review_message(suggestion.id, channel_id, message.id)
    await send_ephemeral(
        interaction,
        "Thank you! Your suggestion is with the moderators; I will tell you what they decide.",
    )


async def tell_author(
    client: discord.Client, suggestion: Suggestion, guild_name: str, outcome: str
) -> None:
    """DM the author what became of their suggestion. Closed DMs must not undo a decision."""
    try:
        channel = await client.create_dm(discord.Object(suggestion.author_id))
        await channel.send(
            f"Your suggestion #{suggestion.id} in {discord.utils.escape_markdown(guild_name)} "
            f"was {outcome}",
            allowed_mentions=NO_PINGS,
        )
    except discord.HTTPException as exc:
        log.info("could not tell the author of suggestion=%s: %s", suggestion.id, exc)


def _guild_name(interaction: discord.Interaction) -> str:
    return interaction.guild.name if interaction.guild else "a server"


class ApproveButton(StatefulButton, template=rf"fu:sug:ok:{SID}"):
    """The question joins the server's pack; the author is told."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        guild_id = require_manager(interaction)
        suggestion, question = await svc.suggestions.approve(
            int(self.state["sid"]), guild_id, interaction.user.id
        )
        await interaction.response.edit_message(**card(svc, suggestion))
        await tell_author(
            interaction.client,
            suggestion,
            _guild_name(interaction),
            f"approved: it is now in the server's questions (`{question.id}`).",
        )


class EditButton(StatefulButton, template=rf"fu:sug:edit:{SID}"):
    """Opens the suggestion in the form for a moderator to correct before approving."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        guild_id = require_manager(interaction)
        suggestion = await svc.suggestions.pending(int(self.state["sid"]), guild_id)
        form = SuggestionForm.from_yaml(suggestion.body)
        question = svc.suggestions.question_of(suggestion)
        if question is not None and not form.title:  # show the title it would get
            form = dataclasses.replace(form, title=question.title)
        await open_modal(
            interaction, suggestion_modal(f"fu:m:sug:edit:{suggestion.id}", form, moderator=True)
        )


class RejectButton(StatefulButton, template=rf"fu:sug:no:{SID}"):
    """Asks for the reason, then rejects."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        guild_id = require_manager(interaction)
        suggestion = await svc.suggestions.pending(int(self.state["sid"]), guild_id)
        await open_modal(interaction, reject_modal(suggestion.id))


class FixButton(StatefulButton, template=rf"fu:sug:fix:{SID}"):
    """Reopens its author's draft in the form, with what they wrote."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        suggestion = await svc.suggestions.get(int(self.state["sid"]), interaction.guild_id)
        if suggestion.author_id != interaction.user.id:
            raise NotYours("suggestion")
        if suggestion.status != "draft":
            await send_ephemeral(interaction, f"This suggestion was {suggestion.status} already.")
            return
        form = SuggestionForm.from_yaml(suggestion.body)
        await open_modal(interaction, suggestion_modal(f"fu:m:sug:fix:{suggestion.id}", form))


async def new_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, Any]
) -> None:
    """A new suggestion: checked, then sent for review or kept as a draft."""
    svc = services_of(interaction.client)
    if interaction.guild_id is None:
        raise discord.app_commands.NoPrivateMessage()
    await interaction.response.defer(ephemeral=True, thinking=True)
    suggestion, problems = await svc.suggestions.suggest(
        interaction.guild_id, interaction.user.id, form_from(values)
    )
    await send_for_review(interaction, svc, suggestion, problems)


async def fix_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, Any]
) -> None:
    """The author's fixed draft."""
    svc = services_of(interaction.client)
    await interaction.response.defer(ephemeral=True, thinking=True)
    suggestion, problems = await svc.suggestions.fix(
        int(match["sid"]), interaction.guild_id or 0, interaction.user.id, form_from(values)
    )
    await send_for_review(interaction, svc, suggestion, problems)


async def edit_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, Any]
) -> None:
    """A moderator's edit: the review card shows it at once; a failing edit is not kept."""
    svc = services_of(interaction.client)
    guild_id = require_manager(interaction)
    before = await svc.suggestions.pending(int(match["sid"]), guild_id)
    form = form_from(values, SuggestionForm.from_yaml(before.body))
    suggestion, problems = await svc.suggestions.edit(before.id, guild_id, form)
    if problems:
        await send_ephemeral(interaction, problems_text("The edit was not kept:", problems))
    elif interaction.message is not None:
        await interaction.response.edit_message(**card(svc, suggestion))
    else:
        await send_ephemeral(interaction, "Edited.")


async def reject_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, Any]
) -> None:
    """Reject with the reason given; the author is told it."""
    svc = services_of(interaction.client)
    guild_id = require_manager(interaction)
    reason = reason_text(values)
    suggestion = await svc.suggestions.reject(
        int(match["sid"]), guild_id, interaction.user.id, reason
    )
    if interaction.message is not None:
        await interaction.response.edit_message(**card(svc, suggestion))
    else:
        await send_ephemeral(interaction, "Rejected.")
    await tell_author(
        interaction.client,
        suggestion,
        _guild_name(interaction),
        f"not added. The moderators said:\n{quote_user_text(reason, 1500)}",
    )


def reason_text(values: dict[str, Any]) -> str:
    """The reason, or a plain default when the field came back empty."""
    return reason_from(values) or "No reason given."


SUGGESTION_BUTTONS = (ApproveButton, EditButton, RejectButton, FixButton)
SUGGESTION_MODALS = (
    (NEW_MODAL, new_submitted),
    (FIX_MODAL, fix_submitted),
    (EDIT_MODAL, edit_submitted),
    (REJECT_MODAL, reject_submitted),
)
