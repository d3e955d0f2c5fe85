"""Peer mock interviews: invites and queue places, sessions with one seat per member, feedback."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.core.peer_state import PeerFeedback, PeerInvite, PeerSession
from bot.store.db import (
    MAX_ROW_ID,
    Conflict,
    Database,
    Row,
    Runner,
    from_text_not_null,
    to_text,
)

INVITE_COLUMNS = (
    "id, kind, guild_id, channel_id, user_id, partner_id, topics, questions, minutes, status, "
    "message_id, expires_at, created_at"
)
FEEDBACK_COLUMNS = (
    "id, session_id, half, interviewer_id, candidate_id, signal, well, improve, attempt_ids, "
    "created_at"
)


class OpenInviteExists(Exception):
    """The member already has an open invite or queue place."""


class SeatTaken(Exception):
    """A member is already in a running session."""


class FeedbackExists(Exception):
    """That half already has its feedback."""


def _invite(row: Row) -> PeerInvite:
    return PeerInvite(
        id=int(row["id"]),
        kind=row["kind"],
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        user_id=int(row["user_id"]),
        partner_id=int(row["partner_id"]) if row["partner_id"] is not None else None,
        topics=tuple(t for t in row["topics"].split(",") if t),
        questions=int(row["questions"]),
        minutes=float(row["minutes"]),
        status=row["status"],
        message_id=int(row["message_id"]) if row["message_id"] is not None else None,
        expires_at=from_text_not_null(row["expires_at"]),
        created_at=from_text_not_null(row["created_at"]),
    )


def _feedback(row: Row) -> PeerFeedback:
    return PeerFeedback(
        id=int(row["id"]),
        session_id=int(row["session_id"]),
        half=int(row["half"]),
        interviewer_id=int(row["interviewer_id"]),
        candidate_id=int(row["candidate_id"]),
        signal=row["signal"],
        well=row["well"],
        improve=row["improve"],
        attempt_ids=tuple(int(i) for i in json.loads(row["attempt_ids"])),
        created_at=from_text_not_null(row["created_at"]),
    )


async def _write(tx: Runner, state: PeerSession, now: datetime) -> None:
    status = "active" if state.active else state.phase.value
    await tx.execute(
        "UPDATE peer_sessions SET status = ?, state = ?, next_timer = ?, updated_at = ? "
        "WHERE id = ?",
        (status, state.to_json(), to_text(state.next_timer()), to_text(now), state.id),
    )
    if not state.active:
        await tx.execute("DELETE FROM peer_seats WHERE session_id = ?", (state.id,))


def _valid(row_id: int) -> bool:
    return 0 < row_id <= MAX_ROW_ID  # a forged custom_id may carry any number


class PeerStore:
    """Every table of the peer feature."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- invites and the queue -------------------------------------------------------------
    async def add_invite(self, invite: PeerInvite) -> PeerInvite:
        """Store a new open invite or queue place (its id is ignored and assigned here)."""
        try:
            new_id = await self.db.insert(
                "INSERT INTO peer_invites (kind, guild_id, channel_id, user_id, partner_id, "
                "topics, questions, minutes, status, expires_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
                (
                    invite.kind,
                    invite.guild_id,
                    invite.channel_id,
                    invite.user_id,
                    invite.partner_id,
                    ",".join(invite.topics),
                    invite.questions,
                    float(invite.minutes),
                    to_text(invite.expires_at),
                    to_text(invite.created_at),
                ),
            )
        except Conflict:
            raise OpenInviteExists(invite.user_id) from None
        found = await self.invite(new_id)
        assert found is not None
        return found

    async def invite(self, invite_id: int) -> PeerInvite | None:
        """An invite or queue place by id."""
        if not _valid(invite_id):
            return None
        row = await self.db.fetchone(
            f"SELECT {INVITE_COLUMNS} FROM peer_invites WHERE id = ?", (invite_id,)
        )
        return _invite(row) if row else None

    async def set_message(self, invite_id: int, message_id: int) -> None:
        """Remember the message that carries the invite's buttons."""
        await self.db.execute(
            "UPDATE peer_invites SET message_id = ? WHERE id = ?", (message_id, invite_id)
        )

    async def close_invite(self, invite_id: int, status: str) -> bool:
        """Move an open invite to `status`; False when it was no longer open (someone was
        quicker: an accept racing the expiry, two matches for one waiting member)."""
        changed = await self.db.execute(
            "UPDATE peer_invites SET status = ? WHERE id = ? AND status = 'open'",
            (status, invite_id),
        )
        return changed == 1

    async def open_of(self, user_id: int) -> PeerInvite | None:
        """The member's open invite or queue place."""
        row = await self.db.fetchone(
            f"SELECT {INVITE_COLUMNS} FROM peer_invites WHERE user_id = ? AND status = 'open'",
            (user_id,),
        )
        return _invite(row) if row else None

    async def open_invites(self) -> list[PeerInvite]:
        """Every open invite and queue place (their expiry timers, after a restart)."""
        rows = await self.db.fetchall(
            f"SELECT {INVITE_COLUMNS} FROM peer_invites WHERE status = 'open' ORDER BY id"
        )
        return [_invite(r) for r in rows]

    async def waiting(self, guild_id: int, now: datetime) -> list[PeerInvite]:
        """The server's queue: open places not yet expired, oldest first."""
        rows = await self.db.fetchall(
            f"SELECT {INVITE_COLUMNS} FROM peer_invites WHERE guild_id = ? AND kind = 'queue' "
            "AND status = 'open' AND expires_at > ? ORDER BY created_at, id",
            (guild_id, to_text(now)),
        )
        return [_invite(r) for r in rows]

    # -- sessions --------------------------------------------------------------------------
    async def add_session(self, guild_id: int, members: Sequence[int], now: datetime) -> int:
        """Reserve a session and a seat for each member, or raise SeatTaken for all of it."""
        try:
            async with self.db.transaction() as tx:
                session_id = await tx.insert(
                    "INSERT INTO peer_sessions (guild_id, status, state, created_at, updated_at) "
                    "VALUES (?, 'active', '{}', ?, ?)",
                    (guild_id, to_text(now), to_text(now)),
                )
                for member in members:
                    await tx.execute(
                        "INSERT INTO peer_seats (user_id, session_id) VALUES (?, ?)",
                        (member, session_id),
                    )
        except Conflict:
            raise SeatTaken() from None
        return session_id

    async def save(self, state: PeerSession, now: datetime) -> None:
        """Persist a transition; a session that is over frees its members' seats."""
        async with self.db.transaction() as tx:
            await _write(tx, state, now)

    async def advance(
        self, session_id: int, move: Callable[[PeerSession], PeerSession | None], now: datetime
    ) -> PeerSession | None:
        """One transition as a read-modify-write that locks the session's row, so processes
        sharing the database (a click on one shard, a timer on another) take turns: `move`
        (pure) gets the session as stored and returns its next state, or None when the
        transition no longer applies. Returns the session as stored afterwards (None: no
        such session); an error `move` raises rolls it back."""
        if not _valid(session_id):
            return None
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT state FROM peer_sessions WHERE id = ? AND state != '{}'" + tx.for_update,
                (session_id,),
            )
            if row is None:
                return None
            current = PeerSession.from_json(row["state"])
            moved = move(current)
            if moved is None or moved == current:
                return current
            await _write(tx, moved, now)
            return moved

    async def drop_session(self, session_id: int) -> None:
        """Forget a session that never started (its invite was gone by the time it was made)."""
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM peer_seats WHERE session_id = ?", (session_id,))
            await tx.execute("DELETE FROM peer_sessions WHERE id = ?", (session_id,))

    async def session(self, session_id: int) -> PeerSession | None:
        """A session by id."""
        if not _valid(session_id):
            return None
        row = await self.db.fetchone(
            "SELECT state FROM peer_sessions WHERE id = ? AND state != '{}'", (session_id,)
        )
        return PeerSession.from_json(row["state"]) if row else None

    async def session_of(self, user_id: int) -> PeerSession | None:
        """The running session the member sits in."""
        row = await self.db.fetchone(
            "SELECT s.state FROM peer_seats AS p JOIN peer_sessions AS s ON s.id = p.session_id "
            "WHERE p.user_id = ? AND s.state != '{}'",
            (user_id,),
        )
        return PeerSession.from_json(row["state"]) if row else None

    async def running(self) -> list[PeerSession]:
        """Every running session (their timers, after a restart)."""
        rows = await self.db.fetchall(
            "SELECT state FROM peer_sessions WHERE status = 'active' AND state != '{}' ORDER BY id"
        )
        return [PeerSession.from_json(r["state"]) for r in rows]

    # -- feedback --------------------------------------------------------------------------
    async def add_feedback(self, feedback: PeerFeedback) -> int:
        """Store a half's feedback; FeedbackExists when that half already has it."""
        try:
            return await self.db.insert(
                f"INSERT INTO peer_feedback ({FEEDBACK_COLUMNS.removeprefix('id, ')}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    feedback.session_id,
                    feedback.half,
                    feedback.interviewer_id,
                    feedback.candidate_id,
                    feedback.signal,
                    feedback.well,
                    feedback.improve,
                    json.dumps(list(feedback.attempt_ids)),
                    to_text(feedback.created_at),
                ),
            )
        except Conflict:
            raise FeedbackExists() from None

    async def set_feedback_attempts(self, feedback_id: int, attempt_ids: Sequence[int]) -> None:
        """Link the peer-graded attempts recorded for a half's feedback."""
        await self.db.execute(
            "UPDATE peer_feedback SET attempt_ids = ? WHERE id = ?",
            (json.dumps(list(attempt_ids)), feedback_id),
        )

    async def feedback_for(self, candidate_id: int, limit: int = 10) -> list[PeerFeedback]:
        """The feedback a member received, newest first."""
        rows = await self.db.fetchall(
            f"SELECT {FEEDBACK_COLUMNS} FROM peer_feedback WHERE candidate_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (candidate_id, limit),
        )
        return [_feedback(r) for r in rows]
