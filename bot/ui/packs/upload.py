"""Uploading a pack: the file read with a cap, every problem or a preview, then Store/Cancel
buttons whose state (the pending upload's id) survives a restart."""

from __future__ import annotations

import io

import aiohttp
import discord

from bot.core.errors import UserError
from bot.domain.content.bankfile import MAX_BYTES
from bot.domain.packs.service import UploadPreview
from bot.domain.services import Services
from bot.ui.kit.items import StatefulButton
from bot.ui.kit.replies import send_ephemeral
from bot.ui.packs.embeds import SHOWN_PROBLEMS, preview_text, problems_text
from bot.ui.packs.review import require_manager

TOO_BIG = "{name} is {size:,} bytes; a pack may be at most {limit:,} bytes (256 KiB)."
READ_TIMEOUT = aiohttp.ClientTimeout(total=30)


def _name(attachment: discord.Attachment) -> str:
    return attachment.filename[:100] or "pack.yaml"


async def _read_at_most(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """Up to `limit` bytes of the body: one read() returns whatever chunk has arrived, so a
    file sent in pieces is read piece by piece to its end (or just past the limit)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream.iter_chunked(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


async def read_capped(attachment: discord.Attachment) -> bytes:
    """The attachment's bytes, refusing a file over the limit before and while reading it: the
    size Discord reports is checked first, and the read stops one byte past the limit."""
    limit = MAX_BYTES
    if attachment.size > limit:
        raise UserError(TOO_BIG.format(name=_name(attachment), size=attachment.size, limit=limit))
    try:
        async with (
            aiohttp.ClientSession(timeout=READ_TIMEOUT) as session,
            session.get(attachment.url) as response,
        ):
            response.raise_for_status()
            data = await _read_at_most(response.content, limit + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise UserError(f"I could not download {_name(attachment)} ({exc}); try again.") from None
    if len(data) > limit:
        raise UserError(TOO_BIG.format(name=_name(attachment), size=len(data), limit=limit))
    return data


def upload_view(upload_id: int) -> discord.ui.View:
    """Store it / Cancel under a preview."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        UploadButton(f"fu:pk:up:{upload_id}:yes", "Store this pack", discord.ButtonStyle.success)
    )
    view.add_item(UploadButton(f"fu:pk:up:{upload_id}:no", "Cancel", discord.ButtonStyle.secondary))
    return view


async def show_preview(interaction: discord.Interaction, preview: UploadPreview) -> None:
    """Every problem (all of them in a file when many), or the preview with its buttons."""
    problems = preview.check.problems
    if problems or not preview.check.questions:
        lines = list(problems) or [f"{preview.filename}: -: questions: none in the file"]
        text = problems_text(
            f"{len(lines)} problem(s); nothing was stored. Fix them and upload again:", lines
        )
        if len(lines) > SHOWN_PROBLEMS or len(text) >= 2000:  # all of them, in a file
            data = ("\n".join(lines) + "\n").encode("utf-8")
            await send_ephemeral(
                interaction, text, file=discord.File(io.BytesIO(data), filename="problems.txt")
            )
        else:
            await send_ephemeral(interaction, text)
        return
    await send_ephemeral(interaction, preview_text(preview), view=upload_view(preview.upload_id))


class UploadButton(StatefulButton, template=r"fu:pk:up:(?P<uid>[0-9]{1,18}):(?P<choice>yes|no)"):
    """Stores or cancels a previewed upload (its uploader, with Manage Server, at click time)."""

    async def run(self, interaction: discord.Interaction, svc: Services) -> None:
        guild_id = require_manager(interaction)
        upload_id = int(self.state["uid"])
        if self.state["choice"] == "no":
            await svc.packs.cancel_upload(upload_id, interaction.user.id, guild_id)
            await interaction.response.edit_message(
                content="Cancelled; nothing was stored.", view=None
            )
            return
        done = await svc.packs.confirm_upload(upload_id, interaction.user.id, guild_id)
        await interaction.response.edit_message(
            content=(
                f"Stored: this server's pack now holds {done.added} question(s) "
                f"({done.removed} removed). /followup, /daily, /mock and reviews use them here."
            ),
            view=None,
        )


UPLOAD_BUTTONS = (UploadButton,)
