"""The Discord side of daily questions: sending, threads, reveals, and telling admins."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord

from bot.core.models import DailyPost, Question, Schedule, Topic
from bot.domain.daily.service import Posted, PostError
from bot.ui.answers import embeds
from bot.ui.answers.buttons import question_view
from bot.ui.kit.pacing import Pacer
from bot.ui.kit.replies import NO_PINGS
from bot.ui.kit.text import clip

log = logging.getLogger(__name__)
MARKER = "daily #{}"  # in the embed footer: how a post is recognised after a crash


def _failure(exc: discord.HTTPException, where: str) -> PostError:
    """Map Discord's answer to a permanent or passing failure."""
    if isinstance(exc, discord.NotFound):
        return PostError(f"{where} was deleted or I cannot see it (code {exc.code})", True)
    if isinstance(exc, discord.Forbidden):
        return PostError(
            f"I lost a permission in {where}: {exc.text or 'Missing Permissions'} "
            f"(code {exc.code})",
            True,
        )
    # 5xx, and 429s that outlasted discord.py's own retries: retried later the same day.
    return PostError(f"Discord answered {exc.status} in {where}", False)


class DiscordPoster:
    """Implements the daily service's Poster with discord.py, paced under the global limit."""

    def __init__(self, client: discord.Client, pacer: Pacer) -> None:
        self.client = client
        self.pacer = pacer

    async def _messageable(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            await self.pacer.acquire()
            channel = await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise PostError(f"<#{channel_id}> is not a text channel", True)
        return channel

    async def post(self, schedule: Schedule, post: DailyPost, question: Question) -> Posted:
        """Send the daily question with its buttons, then open a thread for discussion."""
        where = f"<#{schedule.channel_id}>"
        try:
            channel = await self._messageable(schedule.channel_id)
            topic = self._topic(question)
            embed = embeds.question_embed(
                question, topic, header=f"Daily question · {post.local_date}"
            )
            embed.set_footer(
                text=f"{MARKER.format(post.id)} · id: {question.id} · "
                "Answer, then grade yourself against the key points"
            )
            mention = f"<@&{schedule.role_id}>" if schedule.role_id else None
            allowed = (
                discord.AllowedMentions(roles=[discord.Object(schedule.role_id)])
                if schedule.role_id
                else NO_PINGS
            )
            await self.pacer.acquire(2 if schedule.use_thread else 1)  # the thread's slot too
            # The nonce makes Discord drop a resend of the same post within a few minutes.
            message = await channel.send(
                mention,
                embed=embed,
                view=question_view(question),
                nonce=f"fu-daily-{post.id}",
                allowed_mentions=allowed,
            )
        except discord.HTTPException as exc:
            raise _failure(exc, where) from exc
        thread_id = await self._open_thread(message, question) if schedule.use_thread else None
        return Posted(message.id, thread_id)

    async def _open_thread(self, message: discord.Message, question: Question) -> int | None:
        try:  # its pacing slot was reserved with the message's
            thread = await message.create_thread(
                name=clip(f"Daily: {question.title}", 100), auto_archive_duration=1440
            )
        except discord.HTTPException as exc:  # the question is out; a missing thread is minor
            log.warning(
                "daily thread failed channel=%s message=%s: %s", message.channel.id, message.id, exc
            )
            return None
        return thread.id

    def _topic(self, question: Question) -> Topic | None:
        services = getattr(self.client, "services", None)
        return services.library.bank.topics.get(question.topic) if services else None

    async def find_existing(self, post: DailyPost) -> Posted | None:
        """Search the channel's recent messages for this post's marker."""
        marker = MARKER.format(post.id)
        try:
            channel = await self._messageable(post.channel_id)
            await self.pacer.acquire()
            after = discord.Object(
                discord.utils.time_snowflake(post.claimed_at - timedelta(seconds=5))
            )
            async for message in channel.history(limit=50, after=after):
                if message.author.id == getattr(self.client.user, "id", None) and any(
                    marker in (e.footer.text or "") for e in message.embeds
                ):
                    thread = message.thread
                    return Posted(message.id, thread.id if thread else None)
        except (discord.HTTPException, PostError) as exc:
            log.warning("daily reconcile could not read channel=%s: %s", post.channel_id, exc)
        return None

    async def reveal(self, post: DailyPost, question: Question) -> None:
        """Post the key points in the thread, or as a reply under the question."""
        target_id = post.thread_id or post.channel_id
        try:
            target = await self._messageable(target_id)
            embed = embeds.key_points_embed(
                question, self._topic(question), title="Yesterday's key points"
            )
            await self.pacer.acquire()
            await target.send(
                "Compare notes: here is what a strong answer covered.",
                embed=embed,
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException as exc:
            raise _failure(exc, f"<#{target_id}>") from exc

    async def notify_paused(self, schedule: Schedule, reason: str) -> None:
        """DM the admin who set the schedule; fall back to the server's system channel."""
        text = (
            f"The daily question in <#{schedule.channel_id}> is paused: {reason}. "
            "Fix the channel or my permissions, then use /daily resume."
        )
        if schedule.created_by:  # 0: the admin asked to be forgotten
            try:
                await self.pacer.acquire()
                user = await self.client.fetch_user(schedule.created_by)
                await user.send(text, allowed_mentions=NO_PINGS)
                return
            except discord.HTTPException as exc:
                log.info(
                    "could not DM admin=%s about schedule=%s: %s",
                    schedule.created_by,
                    schedule.id,
                    exc,
                )
        guild = self.client.get_guild(schedule.guild_id)
        channel = guild.system_channel if guild else None
        if channel is not None:
            try:
                await self.pacer.acquire()
                mention = f"<@{schedule.created_by}> " if schedule.created_by else ""
                await channel.send(
                    f"{mention}{text}", allowed_mentions=discord.AllowedMentions(users=True)
                )
            except discord.HTTPException as exc:
                log.warning(
                    "could not tell guild=%s about schedule=%s: %s",
                    schedule.guild_id,
                    schedule.id,
                    exc,
                )
