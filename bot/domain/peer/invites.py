"""Finding a partner: an invite to one member, or a place in the server's queue.

Every change of an invite is a compare-and-set on its status in the store, so an accept racing
the expiry, or two members matched with the same waiting one, resolve to exactly one winner.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.config import PeerSettings
from bot.core.errors import UserError
from bot.core.peer_state import PeerInvite
from bot.domain.peer.pairing import best_match, session_topics
from bot.store import Store
from bot.store.peer import OpenInviteExists, SeatTaken

log = logging.getLogger(__name__)
GONE = "This invite is no longer open (it was answered, withdrawn or expired)."


class AlreadyWaiting(UserError):
    """The member already has an open invite or queue place (the UI offers to leave it)."""

    def __init__(self, entry: PeerInvite) -> None:
        what = "a place in the queue" if entry.kind == "queue" else "an open invite"
        super().__init__(f"You already have {what}.")
        self.entry = entry


@dataclass(frozen=True, slots=True)
class Pairing:
    """Two members about to start a session: who interviews first, on what."""

    session_id: int
    guild_id: int
    channel_id: int
    first: int  # interviews first
    second: int
    topics: tuple[str, ...]
    questions: int
    minutes: float
    closed: tuple[PeerInvite, ...] = ()  # other open entries of theirs, now cancelled


class PeerInvites:
    """Invite, accept, decline, queue, leave and expire."""

    def __init__(self, store: Store, clock: Clock, settings: PeerSettings) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings

    async def _free(self, user_id: int, who: str) -> None:
        if await self.store.peer.session_of(user_id) is not None:
            raise UserError(f"{who} already in a peer session; one at a time.")

    async def invite(
        self,
        where: tuple[int, int],
        user_id: int,
        partner_id: int,
        topics: tuple[str, ...],
        questions: int,
        minutes: float,
    ) -> PeerInvite:
        """Invite one member of the server `where` (guild, channel) to a session."""
        if partner_id == user_id:
            raise UserError("Invite someone else: a peer interview needs two people.")
        if not (await self.store.users.settings(partner_id)).peer_invites:
            raise UserError("That member has turned peer interview invites off.")
        await self._free(user_id, "You are")
        await self._free(partner_id, "That member is")
        now = self.clock.now()
        expires = now + timedelta(minutes=self.settings.invite_minutes)
        entry = PeerInvite(
            0,
            "invite",
            where[0],
            where[1],
            user_id,
            partner_id,
            topics,
            questions,
            minutes,
            "open",
            None,
            expires,
            now,
        )
        return await self._add(entry)

    async def _add(self, entry: PeerInvite) -> PeerInvite:
        try:
            added = await self.store.peer.add_invite(entry)
        except OpenInviteExists:
            existing = await self.store.peer.open_of(entry.user_id)
            if existing is None:  # it closed in between: try once more
                return await self.store.peer.add_invite(entry)
            raise AlreadyWaiting(existing) from None
        log.info(
            "peer %s opened id=%s guild=%s user=%s partner=%s",
            added.kind,
            added.id,
            added.guild_id,
            added.user_id,
            added.partner_id,
        )
        return added

    async def _pair(self, entry: PeerInvite, first: int, second: int, status: str) -> Pairing:
        """Seat both members, then close the entry; undo the seats if the entry was gone."""
        await self._free(second, "You are")
        await self._free(first, "Your partner is")
        try:
            session_id = await self.store.peer.add_session(
                entry.guild_id, (first, second), self.clock.now()
            )
        except SeatTaken:
            raise UserError("One of you just started another peer session.") from None
        if not await self.store.peer.close_invite(entry.id, status):
            await self.store.peer.drop_session(session_id)
            raise UserError(GONE)
        closed = []
        for member in (first, second):
            other = await self.store.peer.open_of(member)
            if other is not None and await self.store.peer.close_invite(other.id, "cancelled"):
                closed.append(replace(other, status="cancelled"))
        return Pairing(
            session_id,
            entry.guild_id,
            entry.channel_id,
            first,
            second,
            entry.topics,
            entry.questions,
            entry.minutes,
            tuple(closed),
        )

    async def _open(self, invite_id: int, kind: str) -> PeerInvite:
        entry = await self.store.peer.invite(invite_id)
        if entry is None or entry.kind != kind or entry.status != "open":
            raise UserError(GONE if kind == "invite" else "You are no longer in the queue.")
        if entry.expires_at <= self.clock.now():
            raise UserError(GONE)
        return entry

    async def accept(self, invite_id: int, user_id: int) -> Pairing:
        """The invited member accepts: the inviter interviews first."""
        entry = await self._open(invite_id, "invite")
        if entry.partner_id != user_id:
            raise UserError("This invite is for someone else. Start your own with /mock pair.")
        return await self._pair(entry, entry.user_id, user_id, "accepted")

    async def decline(self, invite_id: int, user_id: int) -> PeerInvite:
        """The invited member declines, or the inviter withdraws the invite."""
        entry = await self._open(invite_id, "invite")
        if user_id not in (entry.partner_id, entry.user_id):
            raise UserError("This invite is for someone else.")
        status = "declined" if user_id == entry.partner_id else "cancelled"
        if not await self.store.peer.close_invite(entry.id, status):
            raise UserError(GONE)
        return replace(entry, status=status)

    async def find(
        self, where: tuple[int, int], user_id: int, topics: tuple[str, ...]
    ) -> Pairing | PeerInvite:
        """Pair with the best waiting member, or wait in the queue (the entry is returned)."""
        await self._free(user_id, "You are")
        existing = await self.store.peer.open_of(user_id)
        if existing is not None:
            raise AlreadyWaiting(existing)
        now = self.clock.now()
        for waiting in best_match(user_id, topics, await self.store.peer.waiting(where[0], now)):
            if await self.store.peer.session_of(waiting.user_id) is not None:
                continue
            chosen = replace(waiting, topics=session_topics(topics, waiting.topics))
            try:  # whoever waited longer interviews first
                return await self._pair(chosen, waiting.user_id, user_id, "matched")
            except UserError:
                continue  # matched by someone else a moment ago: try the next one
        expires = now + timedelta(minutes=self.settings.queue_minutes)
        entry = PeerInvite(
            0,
            "queue",
            where[0],
            where[1],
            user_id,
            None,
            topics,
            self.settings.questions,
            self.settings.minutes,
            "open",
            None,
            expires,
            now,
        )
        return await self._add(entry)

    async def leave(self, invite_id: int, user_id: int) -> PeerInvite:
        """Leave the queue."""
        entry = await self._open(invite_id, "queue")
        if entry.user_id != user_id:
            raise UserError("That place in the queue is someone else's.")
        if not await self.store.peer.close_invite(entry.id, "left"):
            raise UserError("You are no longer in the queue.")
        return replace(entry, status="left")

    async def expire(self, invite_id: int) -> PeerInvite | None:
        """Expire an open invite or queue place whose time is up (None: nothing to do)."""
        entry = await self.store.peer.invite(invite_id)
        if entry is None or entry.status != "open" or entry.expires_at > self.clock.now():
            return None
        if not await self.store.peer.close_invite(entry.id, "expired"):
            return None
        log.info("peer %s expired id=%s user=%s", entry.kind, entry.id, entry.user_id)
        return replace(entry, status="expired")

    async def posted(self, invite_id: int, message_id: int) -> None:
        """Remember the message that carries the invite's buttons."""
        await self.store.peer.set_message(invite_id, message_id)

    async def withdraw(self, invite_id: int) -> None:
        """Close an invite that could not be posted."""
        await self.store.peer.close_invite(invite_id, "cancelled")

    async def pending(self) -> list[PeerInvite]:
        """Every open entry, to re-arm their expiry after a restart."""
        return await self.store.peer.open_invites()
