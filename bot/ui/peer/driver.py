"""Runs peer sessions in Discord: the private thread (or DMs), each half's notice, scorecards,
the end and archive, and the timers for halves, feedback and invite or queue expiry.

The store holds every deadline; the timers here are a copy, rebuilt at start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import discord

from bot.core.errors import UserError
from bot.core.peer_state import PeerInvite, PeerSession
from bot.domain.peer.invites import Pairing
from bot.domain.peer.scorecard import PeerCard
from bot.domain.peer.service import PeerService
from bot.ui.kit.replies import NO_PINGS
from bot.ui.peer.buttons import invite_view, session_view
from bot.ui.peer.embeds import ending_text, half_embed, invite_closed_text, invite_text
from bot.ui.peer.embeds import scorecard_embed as card_embed

log = logging.getLogger(__name__)
NO_THREADS = (
    "I can't create private threads in that channel (the bot needs the **Create Private "
    "Threads** permission there), so this peer session runs here in our DMs."
)
QUEUE_EXPIRED = (
    "Nobody else looked for a peer interview partner in time, so your place in the queue "
    "expired. Run `/mock find` to try again."
)


class PeerDriver:
    """Owns the peer timers and talks to members in their thread or DMs."""

    def __init__(self, client: discord.Client, service: PeerService) -> None:
        self.client = client
        self.service = service
        self.timers: dict[str, asyncio.Task[None]] = {}

    # -- where a session talks -------------------------------------------------------------
    async def _open_thread(self, pairing: Pairing) -> int | None:
        """A private thread with both members in it, or None when the bot may not make one."""
        channel = self.client.get_channel(pairing.channel_id)
        if not isinstance(channel, discord.TextChannel):
            return None
        try:
            thread = await channel.create_thread(
                name=f"Peer mock interview {pairing.session_id}",
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=1440,
            )
        except discord.Forbidden as exc:
            log.info("no private thread in channel=%s (%s): using DMs", channel.id, exc.code)
            return None
        for member in (pairing.first, pairing.second):
            await thread.add_user(discord.Object(member))
        return thread.id

    async def send(self, state: PeerSession, to: int | None = None, **kwargs: Any) -> None:
        """Post in the session's thread, or in the DMs of both members (or of `to` only)."""
        kwargs.setdefault("allowed_mentions", NO_PINGS)
        if state.thread_id is not None:
            thread = self.client.get_partial_messageable(state.thread_id, guild_id=state.guild_id)
            await thread.send(**kwargs)
            return
        for member in (to,) if to is not None else state.members:
            channel = await self.client.create_dm(discord.Object(member))
            await channel.send(**kwargs)

    async def start(self, pairing: Pairing) -> PeerSession:
        """Open the pairing's session where its members can both see it, and show half one."""
        for closed in pairing.closed:
            await self.invite_closed(closed)
        thread_id = await self._open_thread(pairing)
        state = await self.service.open(pairing, thread_id)
        try:
            if thread_id is None:
                await self.send(state, content=NO_THREADS)
            await self.present(state)
        except discord.Forbidden as exc:  # no thread, and a member's DMs are closed
            await self.service.cancel(pairing)
            self.forget(f"s{state.id}")
            raise UserError(
                "I can't create a private thread in this channel, and I can't DM one of you. "
                "Allow DMs from this server's members, or ask an admin to give the bot the "
                "Create Private Threads permission, then try again."
            ) from exc
        return state

    def started_text(self, state: PeerSession) -> str:
        """What the member who completed the pairing is told."""
        where = f"in <#{state.thread_id}>" if state.thread_id else "in our DMs"
        partner = state.members[0]
        return f"Your peer session with <@{partner}> is open {where}."

    async def present(self, state: PeerSession) -> None:
        """The half's notice with its buttons, or the ending (and the thread archived)."""
        self.arm(state)
        if state.active:
            await self.send(
                state, embed=half_embed(state, state.thread_id is None), view=session_view(state)
            )
            return
        await self.send(state, content=ending_text(state))
        await self._archive(state)

    async def scorecard(self, state: PeerSession, card: PeerCard) -> None:
        """The candidate's scorecard: in the thread, or in their DMs."""
        await self.send(state, to=card.feedback.candidate_id, embed=card_embed(card))

    async def _archive(self, state: PeerSession) -> None:
        if state.thread_id is None:
            return
        try:
            thread = self.client.get_channel(state.thread_id)
            if thread is None:
                thread = await self.client.fetch_channel(state.thread_id)
            if isinstance(thread, discord.Thread):
                try:
                    await thread.edit(archived=True, locked=True)
                except discord.Forbidden:  # locking needs Manage Threads: archive is enough
                    await thread.edit(archived=True)
        except discord.HTTPException as exc:
            log.warning(
                "could not archive thread=%s session=%s: %s", state.thread_id, state.id, exc
            )

    # -- invites ---------------------------------------------------------------------------
    async def post_invite(self, invite: PeerInvite) -> None:
        """Post the invite in its channel: it pings the invited member, and nobody else."""
        channel = self.client.get_partial_messageable(invite.channel_id, guild_id=invite.guild_id)
        only_them = discord.AllowedMentions(
            everyone=False,
            roles=False,
            replied_user=False,
            users=[discord.Object(invite.partner_id or 0)],
        )
        try:
            message = await channel.send(
                content=invite_text(invite), view=invite_view(invite), allowed_mentions=only_them
            )
        except discord.Forbidden:
            await self.service.invites.withdraw(invite.id)
            raise UserError("I can't post in this channel; invite them from another one.") from None
        await self.service.invites.posted(invite.id, message.id)
        self.arm_invite(invite)

    async def invite_closed(self, invite: PeerInvite) -> None:
        """Take the buttons off a closed invite's message."""
        if invite.kind != "invite" or invite.message_id is None:
            return
        channel = self.client.get_partial_messageable(invite.channel_id, guild_id=invite.guild_id)
        try:
            await channel.get_partial_message(invite.message_id).edit(
                content=invite_closed_text(invite), view=None, allowed_mentions=NO_PINGS
            )
        except discord.HTTPException as exc:
            log.warning("could not close invite=%s message: %s", invite.id, exc)

    def arm_invite(self, invite: PeerInvite) -> None:
        """Expire the invite or queue place at its time."""
        self._at(f"i{invite.id}", invite.expires_at, lambda: self._expire(invite.id))

    def forget_invite(self, invite: PeerInvite) -> None:
        """Drop a closed invite's timer."""
        self.forget(f"i{invite.id}")

    async def _expire(self, invite_id: int) -> None:
        expired = await self.service.invites.expire(invite_id)
        if expired is None:
            return
        if expired.kind == "invite":
            await self.invite_closed(expired)
            return
        channel = await self.client.create_dm(discord.Object(expired.user_id))
        await channel.send(QUEUE_EXPIRED, allowed_mentions=NO_PINGS)

    async def matched(self, state: PeerSession, waiting: int) -> None:
        """Tell the member who waited in the queue that they have a partner (by DM: no ping)."""
        where = f"in <#{state.thread_id}>" if state.thread_id else "in our DMs"
        try:
            channel = await self.client.create_dm(discord.Object(waiting))
            await channel.send(
                f"You have a peer interview partner, <@{state.partner_of(waiting)}>: "
                f"your session is open {where}.",
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException as exc:  # they still see the thread they were added to
            log.info("could not tell user=%s of their match: %s", waiting, exc)

    # -- timers ----------------------------------------------------------------------------
    def arm(self, state: PeerSession) -> None:
        """Replace the session's timer with one for its next deadline."""
        when = state.next_timer()
        if when is None:
            self.forget(f"s{state.id}")
        else:
            self._at(f"s{state.id}", when, lambda: self._tick(state.id))

    def _at(self, key: str, when: datetime, action: Callable[[], Awaitable[None]]) -> None:
        self.forget(key)
        delay = max(0.0, (when - self.service.now()).total_seconds())
        self.timers[key] = asyncio.create_task(self._run(key, delay, action), name=f"peer-{key}")

    async def _run(self, key: str, delay: float, action: Callable[[], Awaitable[None]]) -> None:
        await asyncio.sleep(delay)
        if self.timers.get(key) is asyncio.current_task():
            del self.timers[key]  # done waiting: a new timer for this key must not cancel us
        try:
            await action()
        except discord.HTTPException as exc:
            log.warning("peer timer %s could not reach Discord: %s", key, exc)
        except Exception:
            log.exception("peer timer %s failed", key)

    def forget(self, key: str) -> None:
        """Cancel one timer."""
        task = self.timers.pop(key, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _tick(self, session_id: int) -> None:
        state, event = await self.service.tick(session_id)
        if state is None or event is None:
            if state is not None:
                self.arm(state)
            return
        if event == "time_up":
            self.arm(state)
            await self.send(
                state, embed=half_embed(state, state.thread_id is None), view=session_view(state)
            )
            return
        await self.send(
            state, content="No feedback came in time for that half: it closes without a scorecard."
        )
        await self.present(state)

    async def resume_all(self, owns: Callable[[int], bool] = lambda guild_id: True) -> None:
        """After a restart: re-arm the open invites' expiries and the sessions' timers of
        the guilds this process owns (a deadline passed while the bot was down comes due at
        once). With several processes each arms its own guilds'; a timer another process
        also holds (a session moved by a click there) moves the session once: transitions
        lock its row."""
        for invite in await self.service.invites.pending():
            if owns(invite.guild_id):
                self.arm_invite(invite)
        for state in await self.service.running():
            if owns(state.guild_id):
                self.arm(state)

    def close(self) -> None:
        """Cancel every timer (on shutdown; they are rebuilt at the next start)."""
        for task in self.timers.values():
            task.cancel()
        self.timers.clear()
